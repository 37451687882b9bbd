//! `streamAgentRun`: the agent-run stream as a JavaScript async iterable of typed events.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::client::HeliumClient;
use super::pages::{as_async_iterable, iter_result};
use super::{from_js, get, to_js, to_js_error};
use crate::models::AgentRunId;
use crate::stream::{AgentRunStream, ReconnectPolicy, StreamOptions};

/// The events of one agent run: `for await (const event of stream)`; `break` (or the `signal`) cancels the
/// underlying fetch. Each event is a `StreamEvent` (tagged by `kind`); `raw` holds the item as sent.
#[wasm_bindgen]
#[derive(Debug)]
pub struct AgentRunEvents {
    inner: Rc<RefCell<Option<AgentRunStream>>>,
}

#[wasm_bindgen]
impl AgentRunEvents {
    /// The next event as `{done: false, value: {…event, raw}}`, or `{done: true}` after the terminal one.
    ///
    /// @throws {HeliumError} `unauthorized`, `not_found`, `stream`, `network`, `aborted`, …
    #[wasm_bindgen(unchecked_return_type = "IteratorResult<StreamEvent & { raw: unknown }, undefined>")]
    pub async fn next(&self) -> Result<JsValue, JsValue> {
        let taken = self.inner.borrow_mut().take();
        let Some(mut stream) = taken else {
            return Ok(iter_result(true, JsValue::UNDEFINED));
        };
        let item = stream.next().await;
        match item {
            None => Ok(iter_result(true, JsValue::UNDEFINED)),
            Some(Err(e)) => Err(to_js_error(&e)),
            Some(Ok(item)) => {
                let value = to_js(&item.event)?;
                let raw = to_js(&item.raw)?;
                let _ = js_sys::Reflect::set(&value, &JsValue::from_str("raw"), &raw);
                *self.inner.borrow_mut() = Some(stream);
                Ok(iter_result(false, value))
            }
        }
    }

    /// Stops reading and cancels the fetch (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "IteratorResult<StreamEvent, undefined>"
    )]
    pub fn return_(&self) -> js_sys::Promise {
        self.close();
        js_sys::Promise::resolve(&iter_result(true, JsValue::UNDEFINED))
    }

    /// Stops reading and cancels the fetch.
    pub fn close(&self) {
        if let Ok(mut slot) = self.inner.try_borrow_mut() {
            // Dropping the stream drops the response body, which aborts the fetch.
            slot.take();
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_STREAM_OPTIONS: &str = r#"
/** Options of `streamAgentRun`: the call options plus the stream's own. */
export interface StreamCallOptions extends CallOptions {
  /** Drop and resume a connection that delivers no bytes for this long (off by default: the backend sends no
   * heartbeats and a tool may run for minutes without output). */
  idleTimeoutMs?: number;
  /** Reconnect attempts after a drop (default 5). */
  maxReconnects?: number;
  /** Check a bare final `completed` against the run's real status (default true). */
  verifyFinalState?: boolean;
}
"#;

/// The stream's own options, read from the call options.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamJsOptions {
    idle_timeout_ms: Option<u64>,
    max_reconnects: Option<u32>,
    verify_final_state: Option<bool>,
}

fn stream_options(options: &JsValue) -> Result<StreamOptions, crate::Error> {
    let mut o = StreamOptions::default();
    if !options.is_object() {
        return Ok(o);
    }
    let pick = js_sys::Object::new();
    for key in ["idleTimeoutMs", "maxReconnects", "verifyFinalState"] {
        let v = get(options, key);
        if !v.is_undefined() {
            let _ = js_sys::Reflect::set(&pick, &JsValue::from_str(key), &v);
        }
    }
    let js: StreamJsOptions = from_js(&pick, "stream options")?;
    if let Some(ms) = js.idle_timeout_ms {
        o = o.idle_timeout(std::time::Duration::from_millis(ms));
    }
    if let Some(n) = js.max_reconnects {
        o = o.reconnect(ReconnectPolicy {
            max_attempts: n,
            ..ReconnectPolicy::default()
        });
    }
    if let Some(v) = js.verify_final_state {
        o = o.verify_final_state(v);
    }
    Ok(o)
}

#[wasm_bindgen]
impl HeliumClient {
    /// `GET /agent-run/{id}/stream` over fetch with the `Authorization` header (never `EventSource`, never the
    /// token in the URL): an async iterable of typed events, each exactly once across reconnects. `break`, the
    /// `signal` or `close()` ends the fetch; the run goes on (stop it with `stopAgentRun`).
    #[wasm_bindgen(
        js_name = streamAgentRun,
        unchecked_return_type = "AgentRunEvents & AsyncIterable<StreamEvent & { raw: unknown }>"
    )]
    pub fn stream_agent_run(
        &self,
        id: String,
        options: Option<super::client::StreamCallOptions>,
    ) -> Result<JsValue, JsValue> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let client = self.call_client(&options)?;
        let stream = AgentRunStream::new(client, AgentRunId::from(id), stream_options(&options)?);
        let events = AgentRunEvents {
            inner: Rc::new(RefCell::new(Some(stream))),
        };
        Ok(as_async_iterable(JsValue::from(events)))
    }
}

/// Decodes agent-stream bytes you fetched yourself (or recorded): feed chunks, get typed events. The same
/// parser and decoder as `streamAgentRun`, without the HTTP, reconnection or de-duplication.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct AgentStreamDecoder {
    parser: crate::stream::sse::SseParser,
    events: Vec<crate::stream::sse::SseEvent>,
}

#[wasm_bindgen]
impl AgentStreamDecoder {
    /// A decoder with the default 16 MiB event limit.
    #[wasm_bindgen(constructor)]
    pub fn new() -> AgentStreamDecoder {
        AgentStreamDecoder::default()
    }

    /// Feeds a chunk of the `text/event-stream` body; returns the events it completed, in order.
    ///
    /// @throws {HeliumError} `stream` for an event over the size limit or an item that is not JSON.
    #[wasm_bindgen(unchecked_return_type = "StreamEvent[]")]
    pub fn push(&mut self, chunk: &[u8]) -> Result<js_sys::Array, JsValue> {
        let stream_error =
            |cause: crate::error::StreamCause| to_js_error(&crate::Error::stream("(decoder)", cause, None));
        self.events.clear();
        self.parser
            .feed(chunk, &mut self.events)
            .map_err(|e| stream_error(crate::error::StreamCause::Sse(e)))?;
        let out = js_sys::Array::new();
        for event in self.events.drain(..) {
            if event.data.is_empty() {
                continue;
            }
            let raw: serde_json::Value = serde_json::from_str(&event.data)
                .map_err(|e| stream_error(crate::error::StreamCause::NotJson(e.to_string())))?;
            out.push(&to_js(&crate::stream::StreamEvent::decode(&raw))?);
        }
        Ok(out)
    }

    /// Ends the stream; true if an incomplete event was discarded.
    pub fn finish(&mut self) -> bool {
        self.parser.finish()
    }
}
