//! `RunTranscript` for JavaScript: the Rust [`crate::stream::RunTranscript`] fed with the events of
//! `streamAgentRun` (or `AgentStreamDecoder`).

use wasm_bindgen::prelude::*;

use super::{from_js, get, to_js, to_js_error};
use crate::stream::{RunState, RunTranscript, StreamEvent};

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
    /// `AgentStreamDecoder`, decoded again from its `raw` item (a verified final state is taken as delivered).
    ///
    /// @throws {HeliumError} `invalid_request` for a value without the `raw` item those events carry.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RunEvent")] event: JsValue,
    ) -> Result<(), JsValue> {
        let raw = get(&event, "raw");
        if !raw.is_object() {
            return Err(to_js_error(&crate::Error::invalid_options(
                "event",
                "must be an event of streamAgentRun, fromReadableStream or AgentStreamDecoder (with its `raw` item, which `raw: false` leaves out)",
            )));
        }
        let raw: serde_json::Value = from_js(&raw, "event.raw")?;
        let mut decoded = StreamEvent::decode(&raw);
        // The state the SDK verified a bare `completed` against (the only event that differs from its item).
        if let StreamEvent::RunStatus { state, message } = &mut decoded
            && get(&event, "kind").as_string().as_deref() == Some("run_status")
        {
            let delivered: Option<RunState> = get(&event, "state")
                .as_string()
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok());
            if let Some(delivered) = delivered {
                *state = delivered;
                *message = get(&event, "message").as_string().or(message.take());
            }
        }
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
            Some(e) => to_js(e),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// How many events were pushed.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.inner.event_count()
    }
}
