//! Threads, projects and messages: the backend's `/threads` routes (§5.3) and the Supabase rows the web UI
//! reads directly (§7).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::agents::Pagination;
use super::ids::{AccountId, AgentId, AgentRunId, MessageId, ProjectId, SandboxId, ThreadId};
use super::runs::AgentRunStatus;
use super::wire::null_to_default;

/// A project's sandbox (`projects.sandbox`, JSONB, `{}` when there is none).
///
/// `Debug` redacts `pass` and `token`.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SandboxInfo {
    /// The sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<SandboxId>,
    /// The VNC password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The VNC preview URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnc_preview: Option<String>,
    /// The sandbox's web URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_url: Option<String>,
    /// The preview access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl fmt::Debug for SandboxInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("SandboxInfo")
            .field("id", &self.id)
            .field("pass", &redact(&self.pass))
            .field("vnc_preview", &self.vnc_preview)
            .field("sandbox_url", &self.sandbox_url)
            .field("token", &redact(&self.token))
            .finish()
    }
}

/// The project embedded in a thread of `GET /threads` and `GET /threads/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ProjectSummary {
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub name: String,
    /// Its description, often `null`.
    pub description: Option<String>,
    /// Its sandbox.
    pub sandbox: Option<SandboxInfo>,
    /// Whether it is public.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
}

/// One thread of `GET /threads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadSummary {
    /// The thread.
    pub thread_id: ThreadId,
    /// Its project.
    pub project_id: Option<ProjectId>,
    /// Free-form metadata (`{}` by default).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub metadata: serde_json::Value,
    /// Whether it is public.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// Its project, `null` if missing.
    pub project: Option<ProjectSummary>,
}

/// The response of `GET /threads?page=&limit=`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadsList {
    /// The threads of this page.
    #[serde(deserialize_with = "null_to_default")]
    pub threads: Vec<ThreadSummary>,
    /// Page information.
    #[serde(deserialize_with = "null_to_default")]
    pub pagination: Pagination,
}

/// A run in [`ThreadDetail::recent_agent_runs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct RecentAgentRun {
    /// The run.
    pub id: AgentRunId,
    /// Its status.
    pub status: AgentRunStatus,
    /// When it started.
    pub started_at: Option<String>,
    /// When it ended.
    pub completed_at: Option<String>,
    /// The error of a failed run.
    pub error: Option<String>,
    /// The agent it ran.
    pub agent_id: Option<AgentId>,
    /// The agent version it ran.
    pub agent_version_id: Option<String>,
    /// Row creation time.
    pub created_at: Option<String>,
}

/// The response of `GET /threads/{thread_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadDetail {
    /// The thread.
    pub thread_id: ThreadId,
    /// Its project.
    pub project_id: Option<ProjectId>,
    /// Free-form metadata.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub metadata: serde_json::Value,
    /// Whether it is public.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// Its project.
    pub project: Option<ProjectSummary>,
    /// The number of messages.
    pub message_count: u64,
    /// Recent runs.
    #[serde(deserialize_with = "null_to_default")]
    pub recent_agent_runs: Vec<RecentAgentRun>,
}

/// The response of `POST /threads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadCreated {
    /// The new thread.
    pub thread_id: ThreadId,
    /// The new project.
    pub project_id: ProjectId,
}

/// The agent joined onto a message row (`agents:agent_id(name,avatar,avatar_color)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct MessageAgent {
    /// The agent's name.
    pub name: String,
    /// Its avatar.
    pub avatar: Option<String>,
    /// Its avatar colour.
    pub avatar_color: Option<String>,
    /// Its profile image (only when selected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_image_url: Option<String>,
}

/// A `messages` row, from `GET /threads/{id}/messages` or Supabase.
///
/// `content` and `metadata` are kept as raw JSON: they are objects in backend-written rows but a **string
/// containing JSON** in user rows; [`MessageRow::parsed_content`] decodes either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct MessageRow {
    /// The message (`null` only for unsaved messages).
    pub message_id: MessageId,
    /// Its thread.
    pub thread_id: ThreadId,
    /// `user`, `assistant`, `tool`, `status`, `assistant_response_end`, … (`cost` and `summary` are
    /// filtered out by the frontend).
    #[serde(rename = "type")]
    pub r#type: String,
    /// Whether it is part of the LLM conversation.
    #[serde(deserialize_with = "null_to_default")]
    pub is_llm_message: bool,
    /// The content: a JSON object, or a string containing JSON.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub content: serde_json::Value,
    /// The metadata: a JSON object, or a string containing JSON.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub metadata: serde_json::Value,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// The agent that wrote it.
    pub agent_id: Option<AgentId>,
    /// The agent version that wrote it.
    pub agent_version_id: Option<String>,
    /// The joined agent (Supabase select with `agents:agent_id(…)` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<MessageAgent>,
}

impl MessageRow {
    /// `content` with a string-encoded JSON value decoded once; other values (and strings that are not
    /// JSON) are returned as they are.
    pub fn parsed_content(&self) -> serde_json::Value {
        super::conversations::parse_content(&self.content)
    }

    /// `metadata` with a string-encoded JSON value decoded once.
    pub fn parsed_metadata(&self) -> serde_json::Value {
        super::conversations::parse_content(&self.metadata)
    }
}

/// The response of `GET /threads/{thread_id}/messages`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadMessages {
    /// The rows (`desc` by default).
    #[serde(deserialize_with = "null_to_default")]
    pub messages: Vec<MessageRow>,
}

/// A Supabase `projects` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ProjectRow {
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The owning account.
    pub account_id: AccountId,
    /// Its sandbox (`{}` when none).
    pub sandbox: Option<SandboxInfo>,
    /// Whether it is public.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
}

/// A Supabase `threads` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadRow {
    /// The thread.
    pub thread_id: ThreadId,
    /// The owning account.
    pub account_id: Option<AccountId>,
    /// Its project.
    pub project_id: Option<ProjectId>,
    /// Whether it is public.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// Free-form metadata (`{}` by default).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub metadata: serde_json::Value,
}
