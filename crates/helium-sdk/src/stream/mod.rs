//! The agent-run stream (`GET /agent-run/{id}/stream`, contract §6): an incremental SSE parser ([`sse`]),
//! typed events ([`StreamEvent`]), terminal detection, and a reconnecting, de-duplicating reader
//! ([`AgentRunStream`]).

mod event_json;
mod events;
pub mod forward;
mod quick;
mod run;
pub mod sse;
mod tool_calls;
mod transcript;

pub use events::{ControlSignal, RunState, StreamEvent, ToolPhase};
pub use run::{AgentRunStream, ReconnectPolicy, StreamItem, StreamOptions};
pub use tool_calls::{Segment, ToolCall, ToolParameter, split_assistant_text, split_partial_assistant_text};
pub use transcript::RunTranscript;
