//! Starting agent runs: `POST /agent/initiate` and `POST /thread/{thread_id}/agent/start`.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, AgentRunId, ThreadId};
use super::runs::AgentRunStatus;
use crate::api::UploadFile;

/// The request of `POST /agent/initiate` (sent as `multipart/form-data`): the text fields and the files.
///
/// `None` fields are not sent, so the backend applies its
/// defaults (`model_name` `vertex_ai/gemini-2.5-pro`, `enable_thinking` false, `reasoning_effort` `low`,
/// `stream` true, `enable_context_manager` false, `agent_id` the account's default agent).
/// The prompt must not be empty: the backend answers 422 for an empty string.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct InitiateAgentRequest {
    /// The user's first message (required, non-empty).
    pub prompt: String,
    /// The model, e.g. `vertex_ai/gemini-2.5-pro` (aliases such as `gemini-2.5-pro-vertex` are resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Extended thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_thinking: Option<bool>,
    /// `low`, `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Whether the run streams its output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Context-window management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_context_manager: Option<bool>,
    /// The agent to run; the account's default agent when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// Files uploaded to `/workspace/<name>` of a new sandbox (at most 50 MB each). In JavaScript they are the
    /// `files` of `InitiateAgentRequestInput`.
    #[serde(skip)]
    pub files: Vec<UploadFile>,
}

impl InitiateAgentRequest {
    /// A request with only the prompt set.
    pub fn new(prompt: impl Into<String>) -> Self {
        InitiateAgentRequest {
            prompt: prompt.into(),
            ..InitiateAgentRequest::default()
        }
    }

    /// Adds a file.
    pub fn file(mut self, file: UploadFile) -> Self {
        self.files.push(file);
        self
    }

    /// Sets the model.
    pub fn model(mut self, model_name: impl Into<String>) -> Self {
        self.model_name = Some(model_name.into());
        self
    }

    /// Sets the agent.
    pub fn agent(mut self, agent_id: impl Into<AgentId>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// The multipart text fields in the order the frontend sends them (`prompt`, `agent_id`,
    /// `enable_thinking`, `reasoning_effort`, `enable_context_manager`, `model_name`, `stream`), booleans as
    /// `"true"`/`"false"`, `None` fields left out. The frontend's `mode=agent` field is not produced: the
    /// backend ignores it.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![("prompt", self.prompt.clone())];
        if let Some(agent_id) = &self.agent_id {
            fields.push(("agent_id", agent_id.to_string()));
        }
        if let Some(v) = self.enable_thinking {
            fields.push(("enable_thinking", v.to_string()));
        }
        if let Some(v) = &self.reasoning_effort {
            fields.push(("reasoning_effort", v.clone()));
        }
        if let Some(v) = self.enable_context_manager {
            fields.push(("enable_context_manager", v.to_string()));
        }
        if let Some(v) = &self.model_name {
            fields.push(("model_name", v.clone()));
        }
        if let Some(v) = self.stream {
            fields.push(("stream", v.to_string()));
        }
        fields
    }
}

/// The response of `POST /agent/initiate`.
///
/// The backend sends **no** `project_id`; read the thread row to find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct InitiateAgentResponse {
    /// The new thread.
    pub thread_id: ThreadId,
    /// The first run (`null` when none was started).
    pub agent_run_id: Option<AgentRunId>,
}

/// The JSON body of `POST /thread/{thread_id}/agent/start`. Every field is optional; `None` is not sent and
/// the backend applies its defaults (see [`InitiateAgentRequest`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AgentStartRequest {
    /// The model, e.g. `vertex_ai/gemini-2.5-pro`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Extended thinking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_thinking: Option<bool>,
    /// `low`, `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Whether the run streams its output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Context-window management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_context_manager: Option<bool>,
    /// The agent to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
}

/// The response of `POST /thread/{thread_id}/agent/start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentStartResponse {
    /// The new run.
    pub agent_run_id: AgentRunId,
    /// `running`.
    pub status: AgentRunStatus,
}
