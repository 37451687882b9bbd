//! `RunTranscript` for JavaScript: the Rust [`crate::stream::RunTranscript`] fed with the events of
//! `streamAgentRun` (or `AgentStreamDecoder`).

use wasm_bindgen::prelude::*;

use super::{get, to_js};
use crate::stream::{ControlSignal, RunState, RunTranscript, StreamEvent, ToolPhase};

/// Accumulates a run's events: the live assistant text ordered by `sequence`, the saved messages, the tools
/// started and the terminal event; `prose()` is the text to show, without tool-call XML.
#[wasm_bindgen(js_name = RunTranscript)]
#[derive(Debug, Default)]
pub struct JsRunTranscript {
    inner: RunTranscript,
}

#[wasm_bindgen(js_class = RunTranscript)]
impl JsRunTranscript {
    /// An empty transcript.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsRunTranscript {
        JsRunTranscript::default()
    }

    /// Takes one event into account: an event of `streamAgentRun`, `fromReadableStream` or
    /// `AgentStreamDecoder`, with or without its `raw` item (the transcript reads the typed fields; a verified final
    /// state counts as delivered).
    ///
    /// @throws {HeliumError} `invalid_request` for a value that is not such an event.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RunEvent")] event: JsValue,
    ) -> Result<(), JsValue> {
        let decoded = typed_event(&event)?;
        self.inner.push(&decoded);
        Ok(())
    }

    /// The text of the turn in progress, its chunks joined in `sequence` order.
    #[wasm_bindgen(js_name = liveText)]
    pub fn live_text(&self) -> String {
        self.inner.live_text()
    }

    /// All assistant text: the saved messages joined by a blank line, then the live text.
    #[wasm_bindgen(js_name = finalText)]
    pub fn final_text(&self) -> String {
        self.inner.final_text()
    }

    /// The assistant's prose so far, without tool-call XML (a tag still being written is held back).
    pub fn prose(&self) -> String {
        self.inner.prose()
    }

    /// All assistant text as prose and tool-call segments.
    #[wasm_bindgen(unchecked_return_type = "Segment[]")]
    pub fn segments(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.segments())
    }

    /// The saved assistant messages, one per turn (with their XML tool calls).
    pub fn messages(&self) -> Vec<String> {
        self.inner.messages().to_vec()
    }

    /// The tools started, in order.
    pub fn tools(&self) -> Vec<String> {
        self.inner.tools().to_vec()
    }

    /// Errors reported along the way (non-terminal `status: error` items and message errors).
    pub fn errors(&self) -> Vec<String> {
        self.inner.errors().to_vec()
    }

    /// The terminal event, once the run has ended.
    #[wasm_bindgen(getter, unchecked_return_type = "StreamEvent | undefined")]
    pub fn terminal(&self) -> Result<JsValue, JsValue> {
        match self.inner.terminal() {
            Some(e) => super::event_to_js(e),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// How many events were pushed.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.inner.event_count()
    }
}

fn not_an_event(why: &str) -> crate::Error {
    let mut message =
        String::from("must be an event of streamAgentRun, fromReadableStream or AgentStreamDecoder: ");
    message.push_str(why);
    crate::Error::invalid_options("event", message)
}

/// A field holding one of the wire names `from_wire` reads (a phase, a state, a signal).
fn wire_name<T>(event: &JsValue, key: &str, from_wire: fn(&str) -> Option<T>) -> Result<T, crate::Error> {
    get(event, key)
        .as_string()
        .as_deref()
        .and_then(from_wire)
        .ok_or_else(|| not_an_event(&format!("unknown or missing `{key}`")))
}

/// The event as the transcript reads it, from an event's typed fields (not decoded again from its `raw` item, which
/// was 3.9× slower and is absent with `raw: false`): the kinds it takes into account, with the fields it reads (the
/// terminal ones whole); any other kind only counts.
fn typed_event(event: &JsValue) -> Result<StreamEvent, crate::Error> {
    let text = |key: &str| get(event, key).as_string();
    let kind = text("kind").ok_or_else(|| not_an_event("it has no `kind`"))?;
    Ok(match kind.as_str() {
        "assistant_chunk" => StreamEvent::AssistantChunk {
            sequence: get(event, "sequence")
                .as_f64()
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .map(|n| n as u64)
                .ok_or_else(|| not_an_event("`sequence` is not a whole number"))?,
            text: text("text").unwrap_or_default(),
            thread_run_id: text("thread_run_id").map(Into::into),
            thread_id: None,
        },
        "assistant_message" => StreamEvent::AssistantMessage {
            message_id: None,
            text: text("text").unwrap_or_default(),
            thread_run_id: None,
            thread_id: None,
            tool_calls: serde_json::Value::Null,
        },
        "tool" => StreamEvent::Tool {
            phase: wire_name(event, "phase", ToolPhase::from_wire)?,
            function_name: text("function_name"),
            xml_tag_name: None,
            message: None,
            tool_index: None,
            tool_call_id: None,
            linked_tool_result_message_id: None,
            agent_should_terminate: false,
        },
        "message_error" => StreamEvent::MessageError {
            message: text("message").unwrap_or_default(),
            thread_run_id: None,
        },
        "run_status" => StreamEvent::RunStatus {
            state: wire_name(event, "state", RunState::from_wire)?,
            message: text("message"),
        },
        "control" => StreamEvent::Control {
            signal: wire_name(event, "signal", ControlSignal::from_wire)?,
        },
        // The transcript only counts the other kinds.
        _ => StreamEvent::Unknown {
            item: serde_json::Value::Null,
        },
    })
}
