//! Typed agent-stream items (contract §6.3): each `data:` JSON decoded once, the double-encoded
//! `content`/`metadata` strings included.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::models::{MessageId, ThreadId, ThreadRunId, UserId};

/// What a `status` item with a top-level `status` field reports about the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// The run finished (also the bare `completed` sent for a run that is not running).
    Completed,
    /// The run failed.
    Failed,
    /// The run was stopped (e.g. "Billing limit reached: …").
    Stopped,
    /// The run was paused (PAUSE or TAKEOVER); not terminal.
    Paused,
    /// An error was reported; the run goes on unless the stream endpoint itself failed.
    Error,
}

/// An upper-case control signal relayed by the stream endpoint; always terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum ControlSignal {
    /// `STOP`, after `POST /agent-run/{id}/stop`.
    #[serde(rename = "STOP")]
    Stop,
    /// `END_STREAM`.
    #[serde(rename = "END_STREAM")]
    EndStream,
    /// `ERROR`, after a worker exception.
    #[serde(rename = "ERROR")]
    Error,
}

/// The phase of a tool-status item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ToolPhase {
    /// `tool_started`
    Started,
    /// `tool_completed`
    Completed,
    /// `tool_failed`
    Failed,
    /// `tool_error`
    Error,
}

impl RunState {
    /// Every state.
    pub const ALL: [RunState; 5] = [
        RunState::Completed,
        RunState::Failed,
        RunState::Stopped,
        RunState::Paused,
        RunState::Error,
    ];

    /// The state a wire string names (the inverse of [`RunState::as_str`]).
    pub fn from_wire(name: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The wire string (`completed`, `failed`, `stopped`, `paused`, `error`).
    pub fn as_str(&self) -> &'static str {
        match self {
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            RunState::Stopped => "stopped",
            RunState::Paused => "paused",
            RunState::Error => "error",
        }
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ControlSignal {
    /// Every signal.
    pub const ALL: [ControlSignal; 3] = [
        ControlSignal::Stop,
        ControlSignal::EndStream,
        ControlSignal::Error,
    ];

    /// The signal a wire string names (the inverse of [`ControlSignal::as_str`]).
    pub fn from_wire(name: &str) -> Option<ControlSignal> {
        ControlSignal::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The wire string (`STOP`, `END_STREAM`, `ERROR`).
    pub fn as_str(self) -> &'static str {
        match self {
            ControlSignal::Stop => "STOP",
            ControlSignal::EndStream => "END_STREAM",
            ControlSignal::Error => "ERROR",
        }
    }
}

impl fmt::Display for ControlSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToolPhase {
    /// Every phase.
    pub const ALL: [ToolPhase; 4] = [
        ToolPhase::Started,
        ToolPhase::Completed,
        ToolPhase::Failed,
        ToolPhase::Error,
    ];

    /// The phase a wire suffix names (the inverse of [`ToolPhase::as_str`]).
    pub fn from_wire(name: &str) -> Option<ToolPhase> {
        ToolPhase::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The wire suffix (`started`, `completed`, `failed`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            ToolPhase::Started => "started",
            ToolPhase::Completed => "completed",
            ToolPhase::Failed => "failed",
            ToolPhase::Error => "error",
        }
    }
}

impl fmt::Display for ToolPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One decoded stream item. Serialised for JavaScript with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamEvent {
    /// A transient piece of assistant text (`stream_status: "chunk"`), ordered by `sequence` within a turn.
    AssistantChunk {
        /// Position within the thread run, from 0.
        sequence: u64,
        /// The text delta (may contain raw XML tool-call text).
        text: String,
        /// The thread run (LLM turn).
        thread_run_id: Option<ThreadRunId>,
        /// The thread.
        thread_id: Option<ThreadId>,
    },
    /// The saved assistant message of a turn (`stream_status: "complete"`).
    AssistantMessage {
        /// The message id.
        message_id: Option<MessageId>,
        /// The full text of the turn, including XML tool calls.
        text: String,
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
        /// The thread.
        thread_id: Option<ThreadId>,
        /// Native tool calls, when any.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        tool_calls: Value,
    },
    /// `status_type: thread_run_start`: the first item of an LLM turn.
    ThreadRunStart {
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
        /// The thread.
        thread_id: Option<ThreadId>,
    },
    /// `status_type: assistant_response_start`.
    AssistantResponseStart {
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
    },
    /// `status_type: thread_run_end`: the last item of an LLM turn.
    ThreadRunEnd {
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
    },
    /// `status_type: finish` with its reason (`stop`, `tool_calls`, `xml_tool_limit_reached`, `agent_terminated`, …).
    Finish {
        /// The finish reason.
        reason: String,
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
    },
    /// A tool started, completed, failed or raised.
    Tool {
        /// The phase.
        phase: ToolPhase,
        /// The function called (`create_file`).
        function_name: Option<String>,
        /// The XML tag (`create-file`).
        xml_tag_name: Option<String>,
        /// The human-readable status message.
        message: Option<String>,
        /// The tool's index in the turn.
        tool_index: Option<u64>,
        /// The native tool-call id, when any.
        tool_call_id: Option<String>,
        /// The saved tool-result message this status refers to.
        linked_tool_result_message_id: Option<MessageId>,
        /// True after `ask`/`complete`: the agent stops after this tool.
        agent_should_terminate: bool,
    },
    /// A tool result (`type: tool`), XML-tool or native shape.
    ToolResult {
        /// The message id.
        message_id: Option<MessageId>,
        /// The function called.
        function_name: Option<String>,
        /// The XML tag (XML tools).
        xml_tag_name: Option<String>,
        /// The native tool-call id.
        tool_call_id: Option<String>,
        /// The arguments (XML tools).
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        arguments: Value,
        /// Whether the tool succeeded, when reported.
        success: Option<bool>,
        /// The output: a string or parsed JSON.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        output: Value,
        /// The error, when reported.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        error: Value,
        /// The assistant message that called the tool.
        assistant_message_id: Option<MessageId>,
    },
    /// `status_type: error` inside a turn (an exception while processing the LLM stream).
    MessageError {
        /// The error text.
        message: String,
        /// The thread run.
        thread_run_id: Option<ThreadRunId>,
    },
    /// A run-level status: completed, failed, stopped, paused or error.
    RunStatus {
        /// The state.
        state: RunState,
        /// The message, when any.
        message: Option<String>,
    },
    /// An upper-case control signal (STOP, END_STREAM, ERROR).
    Control {
        /// The signal.
        signal: ControlSignal,
    },
    /// A `manual_event` recorded with `POST /agent-run/{id}/manual-event`.
    ManualEvent {
        /// The event type given by the caller.
        event_type: String,
        /// The caller's data.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        data: Value,
        /// When it was recorded.
        timestamp: Option<String>,
        /// The user who recorded it.
        user_id: Option<UserId>,
    },
    /// A `content` notice such as "[Agent reached maximum auto-continue limit of 25]".
    Content {
        /// The text.
        text: String,
    },
    /// Any other saved message (`user`, `system`, …), with its decoded content and metadata.
    Message {
        /// The message type.
        message_type: String,
        /// The message id.
        message_id: Option<MessageId>,
        /// The decoded `content`.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        content: Value,
        /// The decoded `metadata`.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        metadata: Value,
    },
    /// An item of a shape this SDK does not know, kept as JSON.
    Unknown {
        /// The item.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        item: Value,
    },
}

/// The top-level fields [`StreamEvent::decode`] reads.
const READ_FIELDS: [&str; 12] = [
    "type",
    "status",
    "message",
    "event_type",
    "data",
    "timestamp",
    "user_id",
    "content",
    "metadata",
    "thread_id",
    "message_id",
    "sequence",
];

/// Reads an item (a JSON object) keeping only [`READ_FIELDS`], each as `serde_json::Value` reads it (a repeated
/// field: the last one); the other fields are checked and skipped without being built.
struct ReadFields;

/// The [`READ_FIELDS`] of an item, by position.
struct ItemFields([Option<Value>; READ_FIELDS.len()]);

/// The fields [`StreamEvent::decode`] looks up: an item's object, or the read fields of one.
trait Fields {
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Fields for Map<String, Value> {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl Fields for ItemFields {
    fn field(&self, key: &str) -> Option<&Value> {
        self.0
            .get(READ_FIELDS.iter().position(|name| *name == key)?)?
            .as_ref()
    }
}

/// A key of an item: the position of a read field in [`READ_FIELDS`], or `None` for another one.
struct FieldName;

impl<'de> serde::de::DeserializeSeed<'de> for FieldName {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for FieldName {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(READ_FIELDS.iter().position(|name| *name == v))
    }
}

impl<'de> serde::de::Visitor<'de> for ReadFields {
    type Value = ItemFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut fields = ItemFields(Default::default());
        while let Some(name) = access.next_key_seed(FieldName)? {
            match name.and_then(|at| fields.0.get_mut(at)) {
                Some(slot) => *slot = Some(access.next_value()?),
                None => {
                    access.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }
}

/// Messages of the stream endpoint's own failures, after which the server closes the stream (§6.2).
const ENDPOINT_FAILURES: [&str; 3] = ["Listener ", "Stream failed: ", "Failed to start stream: "];

impl StreamEvent {
    /// Decodes one item (the JSON after `data: `). Never fails: what cannot be understood is `Unknown`.
    pub fn decode(item: &Value) -> StreamEvent {
        match item.as_object() {
            Some(obj) => StreamEvent::decode_fields(obj, item),
            None => StreamEvent::Unknown { item: item.clone() },
        }
    }

    /// [`StreamEvent::decode`] of an object, from its fields; `item` is what an `Unknown` event keeps.
    fn decode_fields(obj: &dyn Fields, item: &Value) -> StreamEvent {
        let ty = str_of(obj, "type").unwrap_or_default();
        // Run-level items carry a top-level `status` (and no message_id).
        if ty == "status"
            && let Some(status) = str_of(obj, "status")
        {
            return run_status(status, str_of(obj, "message"), item);
        }
        if ty == "manual_event" {
            return StreamEvent::ManualEvent {
                event_type: str_of(obj, "event_type").unwrap_or_default().to_owned(),
                data: obj.field("data").cloned().unwrap_or(Value::Null),
                timestamp: string(obj, "timestamp"),
                user_id: id(obj, "user_id"),
            };
        }
        let content = decoded(obj.field("content"));
        let metadata = decoded(obj.field("metadata"));
        if ty == "content"
            && let Value::String(text) = &content
        {
            return StreamEvent::Content { text: text.clone() };
        }
        let turn = TurnItem {
            thread_id: id(obj, "thread_id"),
            message_id: id(obj, "message_id"),
            sequence: obj.field("sequence").and_then(Value::as_u64),
        };
        // A turn's item (a status only when its content is an object; otherwise it is a `Message`). What `get`
        // finds on a content or metadata that is not an object, it finds on none.
        if matches!(ty, "assistant" | "tool") || (ty == "status" && content.is_object()) {
            turn_event(
                ty,
                turn,
                content.as_object().as_ref(),
                metadata.as_object().as_ref(),
            )
        } else if ty.is_empty() {
            None
        } else {
            Some(StreamEvent::Message {
                message_type: ty.to_owned(),
                message_id: turn.message_id,
                content,
                metadata,
            })
        }
        .unwrap_or_else(|| StreamEvent::Unknown { item: item.clone() })
    }

    /// Decodes an item from its JSON text (the `data` of an SSE event): the event [`StreamEvent::decode`] gives for
    /// the text's parse, without building the fields it does not read. An `Unknown` event (which keeps the whole
    /// item) goes through the full parse.
    ///
    /// # Errors
    /// `serde_json`'s message for a text that is not JSON, or that `serde_json` refuses (nesting past its
    /// recursion limit, a number outside `f64`'s range, an unpaired surrogate escape), in skipped fields too.
    pub fn from_text(text: &str) -> Result<StreamEvent, String> {
        let full = || {
            serde_json::from_str::<Value>(text)
                .map(|item| StreamEvent::decode(&item))
                .map_err(|e| e.to_string())
        };
        // The common items, decoded straight from their text when it is plain enough to be sure.
        if let Some(event) = super::quick::decode(text) {
            return Ok(event);
        }
        if let Some(reason) = crate::http::json_limits::exceeds_native_limits(text) {
            // serde_json's own message; the check's reason should serde_json ever disagree.
            return Err(full().err().unwrap_or_else(|| reason.to_owned()));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let read = serde::Deserializer::deserialize_map(&mut de, ReadFields).and_then(|fields| {
            de.end()?;
            Ok(fields)
        });
        if let Ok(fields) = read {
            // An `Unknown` event keeps the whole item: it is decoded again from the full parse, below.
            let event = StreamEvent::decode_fields(&fields, &Value::Null);
            if !matches!(event, StreamEvent::Unknown { .. }) {
                return Ok(event);
            }
        }
        full()
    }

    /// A heartbeat (`{"type": "ping"}`): not part of the run, skipped by the stream (the frontend skips them too).
    pub(crate) fn is_ping(&self) -> bool {
        matches!(self, StreamEvent::Message { message_type, .. } if message_type == "ping")
    }

    /// True for the items after which the server closes the stream (§6.2): `completed`, `failed`, `stopped`,
    /// the control signals, and the stream endpoint's own `error`s ("Listener …", "Stream failed: …",
    /// "Failed to start stream: …"). A worker's `status: error` is not terminal.
    pub fn is_terminal(&self) -> bool {
        match self {
            StreamEvent::RunStatus { state, message } => match state {
                RunState::Completed | RunState::Failed | RunState::Stopped => true,
                RunState::Error => message
                    .as_deref()
                    .is_some_and(|m| ENDPOINT_FAILURES.iter().any(|p| m.starts_with(p))),
                RunState::Paused => false,
            },
            StreamEvent::Control { .. } => true,
            _ => false,
        }
    }
}

fn str_of<'a>(obj: &'a dyn Fields, key: &str) -> Option<&'a str> {
    obj.field(key).and_then(Value::as_str)
}

fn string(obj: &dyn Fields, key: &str) -> Option<String> {
    str_of(obj, key).map(str::to_owned)
}

/// A string field as an id newtype.
fn id<T: From<String>>(obj: &dyn Fields, key: &str) -> Option<T> {
    string(obj, key).map(T::from)
}

/// Decodes a double-encoded field once: a string holding JSON becomes that JSON; anything else stays.
fn decoded(v: Option<&Value>) -> Value {
    v.map(crate::models::parse_content).unwrap_or(Value::Null)
}

fn run_status(status: &str, message: Option<&str>, item: &Value) -> StreamEvent {
    let message = message.map(str::to_owned);
    let Some(state) = RunState::from_wire(status) else {
        return match ControlSignal::from_wire(status) {
            Some(signal) => StreamEvent::Control { signal },
            None => StreamEvent::Unknown { item: item.clone() },
        };
    };
    StreamEvent::RunStatus { state, message }
}

/// What the decoding of a turn's item reads in its decoded `content` and `metadata` objects (and in the objects
/// inside them): through `serde_json`'s map on the full path, straight from the text on the quick one
/// (`super::quick`), which answers `None` where it cannot tell and leaves the item to the full path.
pub(super) trait Read: Sized {
    /// `Value::as_str`, owned.
    fn str(&self, key: &str) -> Option<String>;
    /// `Value::as_u64`.
    fn u64(&self, key: &str) -> Option<Option<u64>>;
    /// `Value::as_bool`.
    fn bool(&self, key: &str) -> Option<bool>;
    /// The value (`Null` when absent).
    fn value(&self, key: &str) -> Option<Value>;
    /// The value decoded once more when it is a string holding JSON (`Null` when absent).
    fn decoded(&self, key: &str) -> Option<Value>;
    /// The value if it is an object.
    fn object(&self, key: &str) -> Option<Option<Self>>;
}

impl Read for &Map<String, Value> {
    fn str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    fn u64(&self, key: &str) -> Option<Option<u64>> {
        Some(self.get(key).and_then(Value::as_u64))
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    fn value(&self, key: &str) -> Option<Value> {
        Some(self.get(key).cloned().unwrap_or(Value::Null))
    }

    fn decoded(&self, key: &str) -> Option<Value> {
        Some(decoded(self.get(key)))
    }

    fn object(&self, key: &str) -> Option<Option<Self>> {
        Some(self.get(key).and_then(Value::as_object))
    }
}

/// The fields of a turn's item read outside its `content` and `metadata`.
pub(super) struct TurnItem {
    pub(super) thread_id: Option<ThreadId>,
    pub(super) message_id: Option<MessageId>,
    /// `Value::as_u64` of `sequence`.
    pub(super) sequence: Option<u64>,
}

/// The event of a turn's item: `assistant`, `tool`, or `status` whose content is an object (`content` and `meta`
/// are the decoded `content` and `metadata` when they are objects). `None` for a status this SDK does not know
/// (an `Unknown` event), or where `O` cannot tell.
pub(super) fn turn_event<O: Read>(
    ty: &str,
    item: TurnItem,
    content: Option<&O>,
    meta: Option<&O>,
) -> Option<StreamEvent> {
    let TurnItem {
        thread_id,
        message_id,
        sequence,
    } = item;
    let str_of = |o: Option<&O>, key| o.and_then(|o| o.str(key));
    let thread_run_id = str_of(meta, "thread_run_id").map(ThreadRunId::from);
    match ty {
        "assistant" => {
            let text = str_of(content, "content").unwrap_or_default();
            Some(match (str_of(meta, "stream_status").as_deref(), sequence) {
                (Some("chunk"), Some(sequence)) => StreamEvent::AssistantChunk {
                    sequence,
                    text,
                    thread_run_id,
                    thread_id,
                },
                _ => StreamEvent::AssistantMessage {
                    message_id,
                    text,
                    thread_run_id,
                    thread_id,
                    tool_calls: content.map_or(Some(Value::Null), |c| c.value("tool_calls"))?,
                },
            })
        }
        "status" => {
            let c = content?;
            let tool = |phase| {
                Some(StreamEvent::Tool {
                    phase,
                    function_name: c.str("function_name"),
                    xml_tag_name: c.str("xml_tag_name"),
                    message: c.str("message"),
                    tool_index: c.u64("tool_index")?,
                    tool_call_id: c.str("tool_call_id"),
                    linked_tool_result_message_id: str_of(meta, "linked_tool_result_message_id")
                        .map(Into::into),
                    agent_should_terminate: meta.is_some_and(|m| {
                        m.bool("agent_should_terminate") == Some(true)
                            || m.str("agent_should_terminate").as_deref() == Some("true")
                    }),
                })
            };
            match c.str("status_type").unwrap_or_default().as_str() {
                "thread_run_start" => Some(StreamEvent::ThreadRunStart {
                    thread_run_id: c.str("thread_run_id").map(Into::into).or(thread_run_id),
                    thread_id,
                }),
                "assistant_response_start" => Some(StreamEvent::AssistantResponseStart { thread_run_id }),
                "thread_run_end" => Some(StreamEvent::ThreadRunEnd { thread_run_id }),
                "finish" => Some(StreamEvent::Finish {
                    reason: c.str("finish_reason").unwrap_or_default(),
                    thread_run_id,
                }),
                "tool_started" => tool(ToolPhase::Started),
                "tool_completed" => tool(ToolPhase::Completed),
                "tool_failed" => tool(ToolPhase::Failed),
                "tool_error" => tool(ToolPhase::Error),
                "error" => Some(StreamEvent::MessageError {
                    message: c.str("message").unwrap_or_default(),
                    thread_run_id,
                }),
                _ => None,
            }
        }
        "tool" => tool_result(content, meta, message_id),
        _ => None,
    }
}

/// A tool result: the XML-tool shape (`tool_execution`) or the native one.
fn tool_result<O: Read>(
    content: Option<&O>,
    meta: Option<&O>,
    message_id: Option<MessageId>,
) -> Option<StreamEvent> {
    let assistant_message_id = meta.and_then(|m| m.str("assistant_message_id")).map(Into::into);
    let exec = match content {
        Some(c) => c.object("tool_execution")?,
        None => None,
    };
    if let Some(exec) = exec {
        let result = exec.object("result")?;
        let from_result = |key| result.as_ref().map_or(Some(Value::Null), |r| r.value(key));
        return Some(StreamEvent::ToolResult {
            message_id,
            function_name: exec.str("function_name"),
            xml_tag_name: exec.str("xml_tag_name"),
            tool_call_id: exec.str("tool_call_id"),
            arguments: exec.value("arguments")?,
            success: result.as_ref().and_then(|r| r.bool("success")),
            output: from_result("output")?,
            error: from_result("error")?,
            assistant_message_id,
        });
    }
    // Native tools: {"role": "tool", "tool_call_id", "name", "content"}.
    Some(StreamEvent::ToolResult {
        message_id,
        function_name: content.and_then(|c| c.str("name")),
        xml_tag_name: None,
        tool_call_id: content.and_then(|c| c.str("tool_call_id")),
        arguments: Value::Null,
        success: None,
        output: content.map_or(Some(Value::Null), |c| c.decoded("content"))?,
        error: Value::Null,
        assistant_message_id,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_enums_wire_names_are_their_serde_names_each_once() {
        fn check<T: Serialize>(all: &[T], name: fn(&T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).ok(), Some(Value::String(name(v).into())));
            }
            let names: std::collections::BTreeSet<_> = all.iter().map(name).collect();
            assert_eq!(names.len(), all.len(), "each once");
        }
        check(&RunState::ALL, RunState::as_str);
        check(&ControlSignal::ALL, |s| s.as_str());
        check(&ToolPhase::ALL, |p| p.as_str());
        for s in RunState::ALL {
            assert_eq!(RunState::from_wire(s.as_str()), Some(s));
        }
        for s in ControlSignal::ALL {
            assert_eq!(ControlSignal::from_wire(s.as_str()), Some(s));
        }
        for p in ToolPhase::ALL {
            assert_eq!(ToolPhase::from_wire(p.as_str()), Some(p));
        }
        assert_eq!(RunState::from_wire("Completed"), None);
        assert_eq!(ControlSignal::from_wire("stop"), None);
        assert_eq!(ToolPhase::from_wire("tool_started"), None);
    }

    /// What `from_text` must give: `decode` of the full parse, or serde_json's error.
    fn full(text: &str) -> Result<StreamEvent, String> {
        serde_json::from_str::<Value>(text)
            .map(|item| StreamEvent::decode(&item))
            .map_err(|e| e.to_string())
    }

    /// The items (`data` lines) of every stream in the contract's fixtures.
    #[allow(clippy::unwrap_used)]
    pub(in crate::stream) fn fixture_items() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../helium-devserver/fixtures");
        let mut items = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) == Some("sse") {
                let text = std::fs::read_to_string(&path).unwrap();
                items.extend(
                    text.lines()
                        .filter_map(|l| l.strip_prefix("data: "))
                        .map(str::to_owned),
                );
            }
        }
        assert!(items.len() > 50, "only {} items", items.len());
        items
    }

    #[test]
    fn from_text_decodes_every_fixture_item_like_the_full_parse() {
        for data in fixture_items() {
            assert_eq!(StreamEvent::from_text(&data), full(&data), "{data}");
        }
    }

    #[test]
    fn from_text_refuses_what_serde_json_refuses_in_skipped_fields() {
        for text in [
            r#"{"type": "status", "status": "running", "created_at": 1e999}"#,
            r#"{"type": "status", "status": "running", "x": "\ud800"}"#,
            &format!(
                r#"{{"type": "status", "status": "running", "x": {}{}}}"#,
                "[".repeat(200),
                "]".repeat(200)
            ),
            r#"{"type": "status", "status": "running", "x": "a"#,
            r#"{"type": "status", "status": "running"} trailing"#,
            r#"{"type": "status", "x": tru}"#,
        ] {
            let got = StreamEvent::from_text(text);
            assert!(got.is_err(), "{text:.80}: {got:?}");
            assert_eq!(got, full(text), "{text:.80}");
        }
    }

    #[test]
    fn repeated_fields_and_non_objects_decode_like_the_full_parse() {
        for text in [
            r#"{"type": "status", "type": "assistant", "content": "{\"content\": \"hi\"}"}"#,
            r#"["status", "completed"]"#,
            r#""status""#,
            r#"{"type": "status", "status": "completed", "status": null}"#,
            r#"{"type": "tool", "content": null, "metadata": "{\"assistant_message_id\": 5}"}"#,
            r#"{"type": "status", "status": "weird"}"#,
            r#"{}"#,
        ] {
            assert_eq!(StreamEvent::from_text(text), full(text), "{text}");
        }
    }

    #[test]
    fn double_encoded_objects_decode_like_the_full_parse() {
        let deep = format!("{}{}", "[".repeat(130), "]".repeat(130));
        let inner = [
            r#"{"role": "assistant", "content": "hi", "extra": {"a": [1, 2.5, null]}}"#.to_owned(),
            r#" {"status_type": "tool_started", "function_name": "f", "tool_index": 1.0, "x": "y"} "#.to_owned(),
            r#"{"status_type": "tool_completed", "tool_index": 3, "skipped": "\ud800"}"#.to_owned(),
            r#"{"status_type": "finish", "finish_reason": "stop", "n": 1e999}"#.to_owned(),
            format!(r#"{{"status_type": "thread_run_start", "deep": {deep}}}"#),
            r#"{"status_type": "error", "message": "m"} trailing"#.to_owned(),
            r#"{"tool_execution": {"function_name": "f", "result": {"success": true, "output": {"o": [1]}}}}"#.to_owned(),
            r#"{"role": "tool", "name": "n", "content": "{\"k\": 1}", "tool_call_id": "c"}"#.to_owned(),
            r#"{"stream_status": "chunk", "thread_run_id": "tr", "agent_should_terminate": "true"}"#.to_owned(),
            r#"["not", "an", "object"]"#.to_owned(),
            r#""{\"content\": \"twice encoded\"}""#.to_owned(),
            "\u{a0}{\"content\": \"x\"}".to_owned(),
            r#"{"content": "a", "content": "b", "x": tru}"#.to_owned(),
            r#"{"content": "a", "content": "b"}"#.to_owned(),
        ];
        let mut n = 0;
        for ty in ["assistant", "status", "tool", "user", "content", "ping"] {
            for content in &inner {
                for metadata in &inner {
                    let item = serde_json::json!({
                        "type": ty, "sequence": 2, "message_id": "m", "thread_id": "t",
                        "content": content, "metadata": metadata, "created_at": "2025-01-01T00:00:00.000+00:00",
                    });
                    let text = item.to_string();
                    assert_eq!(StreamEvent::from_text(&text), full(&text), "{text}");
                    n += 1;
                }
            }
        }
        assert_eq!(n, 6 * inner.len() * inner.len());
    }

    /// The strings the decoding compares values with.
    pub(in crate::stream) const WORDS: [&str; 21] = [
        "status",
        "assistant",
        "tool",
        "content",
        "manual_event",
        "ping",
        "completed",
        "failed",
        "stopped",
        "paused",
        "error",
        "STOP",
        "END_STREAM",
        "chunk",
        "complete",
        "thread_run_start",
        "tool_started",
        "finish",
        "Listener x",
        "true",
        "",
    ];

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (0u64..40).prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::from),
            prop::sample::select(WORDS.to_vec()).prop_map(Value::from),
        ]
    }

    /// A value, sometimes an object or one encoded as a JSON string (as `content`/`metadata` are).
    pub(in crate::stream) fn field_value() -> impl Strategy<Value = Value> {
        let object = || {
            prop::collection::vec((field_name(), scalar()), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect()))
        };
        prop_oneof![
            scalar(),
            object(),
            object().prop_map(|o| Value::String(o.to_string())),
        ]
    }

    /// The fields `decode` reads, nested ones and others.
    pub(in crate::stream) fn field_name() -> impl Strategy<Value = String> {
        let mut names = READ_FIELDS.to_vec();
        names.extend([
            // read from the double-encoded `content` and `metadata`
            "tool_calls",
            "status_type",
            "function_name",
            "xml_tag_name",
            "tool_index",
            "tool_call_id",
            "thread_run_id",
            "finish_reason",
            "tool_execution",
            "name",
            "stream_status",
            "linked_tool_result_message_id",
            "agent_should_terminate",
            "assistant_message_id",
            "result",
            "success",
            "output",
            "error",
            "arguments",
            "role",
            "created_at",
            "other",
        ]);
        prop::sample::select(names).prop_map(str::to_owned)
    }

    proptest! {
        /// Any item (repeated fields included, written out by hand) decodes as its full parse does.
        #[test]
        fn from_text_is_decode_of_the_full_parse(
            fields in prop::collection::vec((field_name(), field_value()), 0..10),
        ) {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {v}", Value::from(k.as_str())))
                .collect();
            let text = format!("{{{}}}", body.join(", "));
            prop_assert_eq!(StreamEvent::from_text(&text), full(&text), "{}", text);
        }
    }
}
