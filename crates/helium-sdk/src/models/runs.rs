//! Agent runs: status, listing and run control.

use serde::{Deserialize, Serialize};

use super::agents::Agent;
use super::ids::{AgentRunId, ThreadId};
use super::wire::{null_to_default, string_enum};

string_enum! {
    /// The status of an agent run, as written to `agent_runs.status`.
    ///
    /// Serialises as the lowercase wire string; an unknown string becomes [`AgentRunStatus::Other`].
    /// (The frontend's TypeScript type says `error`; the backend writes `failed`.)
    #[cfg_attr(
        target_arch = "wasm32",
        derive(tsify::Tsify),
        tsify(type = "\"running\" | \"completed\" | \"stopped\" | \"failed\" | (string & {})")
    )]
    pub enum AgentRunStatus {
        /// `running`.
        Running => "running",
        /// `completed`.
        Completed => "completed",
        /// `stopped` (by the user or a billing stop).
        Stopped => "stopped",
        /// `failed`; the run's `error` holds the message and traceback.
        Failed => "failed",
    }
}

impl AgentRunStatus {
    /// Whether the run is still going (`running`).
    pub fn is_running(&self) -> bool {
        matches!(self, AgentRunStatus::Running)
    }

    /// Whether the status is one of the terminal values `completed`, `stopped` or `failed`.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            AgentRunStatus::Completed | AgentRunStatus::Stopped | AgentRunStatus::Failed
        )
    }
}

/// The response of `GET /agent-run/{agent_run_id}`.
///
/// **This route uses camelCase keys** (`threadId`, `startedAt`, `completedAt`), unlike every other route;
/// the snake_case spellings are accepted too. It re-encodes with the camelCase wire keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AgentRun {
    /// The run.
    pub id: AgentRunId,
    /// Its thread (`threadId`).
    #[serde(alias = "thread_id")]
    pub thread_id: ThreadId,
    /// The status.
    pub status: AgentRunStatus,
    /// When it started (`startedAt`, ISO-8601).
    #[serde(alias = "started_at")]
    pub started_at: String,
    /// When it ended (`completedAt`), `null` while running.
    #[serde(alias = "completed_at")]
    pub completed_at: Option<String>,
    /// The error (message and traceback) of a failed run.
    pub error: Option<String>,
}

/// One item of `GET /thread/{thread_id}/agent-runs` (snake_case keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentRunSummary {
    /// The run.
    pub id: AgentRunId,
    /// Its thread.
    pub thread_id: ThreadId,
    /// The status.
    pub status: AgentRunStatus,
    /// When it started.
    pub started_at: Option<String>,
    /// When it ended, `null` while running.
    pub completed_at: Option<String>,
    /// The error of a failed run.
    pub error: Option<String>,
    /// Row creation time.
    pub created_at: Option<String>,
    /// Row update time.
    pub updated_at: Option<String>,
}

/// The response of `GET /thread/{thread_id}/agent-runs`, newest first. A missing or `null` list is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentRunsList {
    /// The runs, ordered by `created_at` descending.
    #[serde(deserialize_with = "null_to_default")]
    pub agent_runs: Vec<AgentRunSummary>,
}

impl AgentRunsList {
    /// The first run whose status is `running` (the one the frontend streams).
    pub fn active(&self) -> Option<&AgentRunSummary> {
        self.agent_runs.iter().find(|r| r.status.is_running())
    }
}

/// The response of the run-control routes (`stop` → `stopped`, `pause` → `pausing`, `resume` → `resuming`,
/// `takeover` → `takeover`, `release` → `released`, `manual-event` → `ok`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct RunControlResponse {
    /// The acknowledgement string.
    pub status: String,
}

/// The body of `POST /agent-run/{agent_run_id}/manual-event`. Both fields are required by the backend.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ManualEventRequest {
    /// The event type, e.g. `browser_click`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// The event payload (a JSON object).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub data: serde_json::Value,
}

impl ManualEventRequest {
    /// An event of this type with this payload.
    pub fn new(r#type: impl Into<String>, data: serde_json::Value) -> Self {
        ManualEventRequest {
            r#type: r#type.into(),
            data,
        }
    }
}

/// The response of `GET /thread/{thread_id}/agent`: the most recently used agent on the thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadAgentResponse {
    /// The agent, `null` when none was used (`source` `none` or `missing`).
    pub agent: Option<Agent>,
    /// `recent`, `none` or `missing` (the frontend also allows `thread` and `default`).
    pub source: String,
    /// An explanation.
    pub message: String,
}
