//! `streamAgentRun`: the agent-run stream as a JavaScript async iterable of typed events.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::client::HeliumClient;
use super::pages::{as_async_iterable, iter_done};
use super::{from_js, get, to_js_error};
use crate::models::AgentRunId;
use crate::stream::{AgentRunStream, ReconnectPolicy, StreamOptions};

/// The events of one agent run: `for await (const event of stream)`; `break` (or the `signal`) cancels the
/// underlying fetch. Each event is a `StreamEvent` (tagged by `kind`); `raw` holds the item as sent.
#[wasm_bindgen]
#[derive(Debug)]
pub struct AgentRunEvents {
    inner: Rc<RefCell<Option<AgentRunStream>>>,
    /// Events already received and converted, as iterator results (the rest of a network chunk), then possibly
    /// the error that ended the stream: `next()` hands them out without another trip into the stream.
    ready: Rc<RefCell<std::collections::VecDeque<Result<JsValue, JsValue>>>>,
    /// Aborts the stream's fetch, even while a read is in flight (`close()`, a cancelled `toReadableStream`).
    abort: Option<web_sys::AbortController>,
    /// Whether events carry their `raw` item (the `raw` option).
    raw: bool,
}

#[wasm_bindgen]
impl AgentRunEvents {
    /// The next event as `{done: false, value: {…event, raw}}`, or `{done: true}` after the terminal one.
    ///
    /// @throws {HeliumError} `unauthorized`, `not_found`, `stream`, `network`, `aborted`, …
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<RunEvent, undefined>>")]
    pub fn next(&self) -> js_sys::Promise {
        if let Some(ready) = self.ready.borrow_mut().pop_front() {
            return match ready {
                Ok(result) => js_sys::Promise::resolve(&result),
                Err(e) => js_sys::Promise::reject(&e),
            };
        }
        let inner = self.inner.clone();
        let ready = self.ready.clone();
        let abort = self.abort.clone();
        let shape = super::EventShape {
            as_results: true,
            raw: self.raw,
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let taken = inner.borrow_mut().take();
            let Some(mut stream) = taken else {
                return Ok(iter_done());
            };
            let first = match stream.next().await {
                None => return Ok(iter_done()),
                Some(Err(e)) => return Err(to_js_error(&e)),
                Some(Ok(item)) => item,
            };
            // The other events of the chunk that brought this one, converted together.
            let mut items = vec![first];
            let mut failure = None;
            while let Some(next) = stream.next_buffered() {
                match next {
                    Ok(item) => items.push(item),
                    Err(e) => {
                        failure = Some(to_js_error(&e));
                        break;
                    }
                }
            }
            // `raw` as sent (for a verified final state, the bare `completed` the backend sent).
            let results = super::events_to_js(items.iter().map(|i| (&i.event, i.text())), shape)?;
            // Closed while this read was waiting: the stream stays closed, nothing more is handed out.
            if abort.as_ref().is_some_and(|a| a.signal().aborted()) {
                return Ok(iter_done());
            }
            *inner.borrow_mut() = Some(stream);
            let mut queue = ready.borrow_mut();
            queue.extend(results.iter().skip(1).map(Ok));
            queue.extend(failure.map(Err));
            Ok(results.get(0))
        })
    }

    /// Stops reading and cancels the fetch (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<RunEvent, undefined>>"
    )]
    pub fn return_(&self) -> js_sys::Promise {
        self.close();
        js_sys::Promise::resolve(&iter_done())
    }

    /// Stops reading and cancels the fetch.
    pub fn close(&self) {
        self.ready.borrow_mut().clear();
        close(&self.inner, self.abort.as_ref());
    }

    /// The run as a `ReadableStream` of `text/event-stream` bytes, for a route handler to return:
    /// `new Response(events.toReadableStream(), { headers: { 'content-type': 'text/event-stream' } })`. Each
    /// item is forwarded in the backend's own format, de-duplicated across reconnects (a verified final state
    /// as the state the run really ended in); a failure of this stream becomes an `event: error` frame that
    /// `fromReadableStream` throws as a `HeliumError`. Cancelling the `ReadableStream` (the browser went away)
    /// aborts the fetch to the backend. Read the events either here or through the stream, not both.
    #[wasm_bindgen(js_name = toReadableStream, unchecked_return_type = "ReadableStream<Uint8Array>")]
    pub fn to_readable_stream(&self) -> Result<JsValue, JsValue> {
        let inner = self.inner.clone();
        let pull = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |controller: JsValue| {
            let inner = inner.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                pull_frame(&inner, &controller).await;
                Ok(JsValue::UNDEFINED)
            })
        });
        let inner = self.inner.clone();
        let abort = self.abort.clone();
        let cancel = Closure::<dyn FnMut()>::new(move || close(&inner, abort.as_ref()));
        let source = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&source, &"pull".into(), &pull.into_js_value());
        let _ = js_sys::Reflect::set(&source, &"cancel".into(), &cancel.into_js_value());
        let ctor = js_sys::Reflect::get(&js_sys::global(), &"ReadableStream".into())?;
        let ctor = ctor
            .dyn_into::<js_sys::Function>()
            .map_err(|_| JsValue::from(js_sys::Error::new("this runtime has no ReadableStream")))?;
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&source))
    }
}

fn close(inner: &Rc<RefCell<Option<AgentRunStream>>>, abort: Option<&web_sys::AbortController>) {
    if let Some(abort) = abort {
        abort.abort();
    }
    if let Ok(mut slot) = inner.try_borrow_mut() {
        // Dropping the stream drops the response body, which aborts the fetch.
        slot.take();
    }
}

/// One `pull` of the forwarding `ReadableStream`: the next item's frame, or an error frame, or the end.
async fn pull_frame(inner: &Rc<RefCell<Option<AgentRunStream>>>, controller: &JsValue) {
    let call = |method: &str, args: &js_sys::Array| {
        if let Ok(f) = js_sys::Reflect::get(controller, &method.into())
            && let Some(f) = f.dyn_ref::<js_sys::Function>()
        {
            // Enqueueing into a stream the reader already cancelled throws; there is nobody left to tell.
            let _ = f.apply(controller, args);
        }
    };
    let enqueue = |text: &str| {
        call(
            "enqueue",
            &js_sys::Array::of1(&js_sys::Uint8Array::from(text.as_bytes())),
        )
    };
    let taken = inner.borrow_mut().take();
    let Some(mut stream) = taken else {
        return call("close", &js_sys::Array::new());
    };
    match stream.next().await {
        Some(Ok(item)) => {
            enqueue(&item.sse_frame());
            if item.event.is_terminal() {
                call("close", &js_sys::Array::new());
            } else {
                *inner.borrow_mut() = Some(stream);
            }
        }
        // Cancelled from this side: the reader is gone.
        Some(Err(e)) if e.kind() == crate::ErrorKind::Aborted => call("close", &js_sys::Array::new()),
        Some(Err(e)) => {
            enqueue(&crate::stream::forward::error_frame(&e));
            call("close", &js_sys::Array::new());
        }
        None => call("close", &js_sys::Array::new()),
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_STREAM_OPTIONS: &str = r#"
/** An event of `streamAgentRun`, `fromReadableStream` or `AgentStreamDecoder`: the typed event and `raw`, the item
 * as the backend sent it. */
export type RunEvent = StreamEvent & { raw: unknown };

/** How `streamAgentRun`, `fromReadableStream` and `AgentStreamDecoder` hand out events. */
export interface RunEventOptions {
  /** Give each event its `raw` item (default true). `false` leaves `raw` out: decoding is faster and each event
   * holds only its typed fields (`RunTranscript.push` reads those). */
  raw?: boolean;
}

/** Options of `streamAgentRun`: the call options plus the stream's own. */
export interface StreamCallOptions extends CallOptions, RunEventOptions {
  /** Drop and resume a connection that delivers no bytes for this long (off by default: the backend sends no
   * heartbeats and a tool may run for minutes without output). */
  idleTimeoutMs?: number;
  /** Reconnect attempts after a drop (default 5). */
  maxReconnects?: number;
  /** Check a bare final `completed` against the run's real status (default true). */
  verifyFinalState?: boolean;
  /** The largest event, in bytes (default 16 MiB); a longer one ends the stream with a `stream` error. */
  maxEventSize?: number;
}
"#;

/// The stream's own options, read from the call options.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamJsOptions {
    idle_timeout_ms: Option<u64>,
    max_reconnects: Option<u32>,
    verify_final_state: Option<bool>,
    max_event_size: Option<usize>,
}

fn stream_options(options: &JsValue) -> Result<StreamOptions, crate::Error> {
    let mut o = StreamOptions::default();
    if !options.is_object() {
        return Ok(o);
    }
    let pick = js_sys::Object::new();
    for key in [
        "idleTimeoutMs",
        "maxReconnects",
        "verifyFinalState",
        "maxEventSize",
    ] {
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
    if let Some(n) = js.max_event_size {
        o = o.max_event_size(n);
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
        unchecked_return_type = "AgentRunEvents & AsyncIterable<RunEvent>"
    )]
    pub fn stream_agent_run(
        &self,
        id: String,
        options: Option<super::client::StreamCallOptions>,
    ) -> Result<JsValue, JsValue> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let client = self.call_client(&options)?;
        let abort = web_sys::AbortController::new().ok();
        let client = match &abort {
            Some(abort) => {
                let ctx = client.settings.ctx.clone().also_aborted_by(&abort.signal());
                client.with_context(ctx)
            }
            None => client,
        };
        let stream = AgentRunStream::new(client, AgentRunId::from(id), stream_options(&options)?);
        let events = AgentRunEvents {
            inner: Rc::new(RefCell::new(Some(stream))),
            ready: Rc::default(),
            abort,
            raw: super::raw_option(&options)?,
        };
        Ok(as_async_iterable(JsValue::from(events)))
    }
}

/// Decodes agent-stream bytes you fetched yourself (or recorded): feed chunks, get typed events. The same
/// parser and decoder as `streamAgentRun`, without the HTTP, reconnection or de-duplication.
#[wasm_bindgen]
#[derive(Debug)]
pub struct AgentStreamDecoder {
    parser: crate::stream::sse::SseParser,
    events: Vec<crate::stream::sse::SseEvent>,
    /// Whether events carry their `raw` item (the `raw` option).
    raw: bool,
}

#[wasm_bindgen]
impl AgentStreamDecoder {
    /// A decoder with the default 16 MiB event limit.
    ///
    /// @throws {HeliumError} `invalid_request` for options of the wrong type.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<super::client::RunEventOptions>) -> Result<AgentStreamDecoder, JsValue> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        Ok(AgentStreamDecoder {
            parser: crate::stream::sse::SseParser::default(),
            events: Vec::new(),
            raw: super::raw_option(&options)?,
        })
    }

    /// Feeds a chunk of the `text/event-stream` body; returns the events it completed, in order, each with its
    /// `raw` item as `streamAgentRun` gives it (unless `raw: false`).
    ///
    /// @throws {HeliumError} `stream` for an event over the size limit or an item that is not JSON.
    #[wasm_bindgen(unchecked_return_type = "RunEvent[]")]
    pub fn push(&mut self, chunk: &[u8]) -> Result<js_sys::Array, JsValue> {
        let stream_error =
            |cause: crate::error::StreamCause| to_js_error(&crate::Error::stream("(decoder)", cause, None));
        self.events.clear();
        self.parser
            .feed(chunk, &mut self.events)
            .map_err(|e| stream_error(crate::error::StreamCause::Sse(e)))?;
        let mut decoded = Vec::with_capacity(self.events.len());
        for sse in self.events.iter().filter(|e| !e.data.is_empty()) {
            let event = crate::stream::StreamEvent::from_text(&sse.data)
                .map_err(|e| stream_error(crate::error::StreamCause::NotJson(e)))?;
            decoded.push((event, sse.data.as_str()));
        }
        let shape = super::EventShape {
            as_results: false,
            raw: self.raw,
        };
        let converted = super::events_to_js(decoded.iter().map(|(e, raw)| (e, *raw)), shape);
        drop(decoded);
        // The chunk's events are not kept until the next push (a large one would stay in memory).
        self.events.clear();
        converted
    }

    /// Ends the stream; true if an incomplete event was discarded.
    pub fn finish(&mut self) -> bool {
        self.parser.finish()
    }
}

/// A run forwarded by a server (`toReadableStream`, or any stream in the backend's format): read it with
/// `fromReadableStream(response)`. `break`, `return()` or `close()` cancels the body, which the server sees as
/// the browser going away.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ForwardedRunEvents {
    state: Rc<RefCell<Option<Forwarded>>>,
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    abort: web_sys::AbortController,
}

#[derive(Debug)]
struct Forwarded {
    /// A response that was not `ok`: its status, headers and URL, read into an error on the first `next()`.
    failed: Option<web_sys::Response>,
    body: Option<crate::transport::TransportBody>,
    parser: crate::stream::sse::SseParser,
    pending: std::collections::VecDeque<crate::stream::sse::SseEvent>,
    /// Events decoded and converted with the one `next()` returned (the rest of its chunk), as iterator results,
    /// then possibly the error that followed them.
    ready: std::collections::VecDeque<Result<JsValue, JsValue>>,
    ended: bool,
    /// Iterator results, with or without `raw` (the `raw` option).
    shape: super::EventShape,
}

/// Reads a run a server forwarded (`toReadableStream()` in a route handler): give the `Response` of `fetch`
/// (its status is checked: an error answer rejects with a `HeliumError` of the matching kind) or its `body`.
/// Yields the same typed events as `streamAgentRun`, ends after the terminal one, and throws the server's
/// failures (an `event: error` frame) as `HeliumError`s of their original kind. A body that ends before a
/// terminal event throws kind `stream`. `{ raw: false }` leaves out each event's `raw` item.
#[wasm_bindgen(
    js_name = fromReadableStream,
    unchecked_return_type = "ForwardedRunEvents & AsyncIterable<RunEvent>"
)]
pub fn from_readable_stream(
    #[wasm_bindgen(unchecked_param_type = "Response | ReadableStream<Uint8Array>")] source: JsValue,
    options: Option<super::client::RunEventOptions>,
) -> Result<JsValue, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let shape = super::EventShape {
        as_results: true,
        raw: super::raw_option(&options)?,
    };
    let invalid = |what: &str| to_js_error(&crate::Error::invalid_options("source", what));
    let response = match source.dyn_into::<web_sys::Response>() {
        Ok(r) => r,
        Err(source) => {
            let stream = source
                .dyn_into::<web_sys::ReadableStream>()
                .map_err(|_| invalid("must be a Response or a ReadableStream"))?;
            web_sys::Response::new_with_opt_readable_stream(Some(&stream))?
        }
    };
    let abort = web_sys::AbortController::new()?;
    let (failed, reader) = if response.ok() {
        let body = response
            .body()
            .ok_or_else(|| invalid("the response has no body"))?;
        if body.locked() {
            return Err(invalid("the body is already being read"));
        }
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        (None, Some(reader))
    } else {
        (Some(response), None)
    };
    let state = Forwarded {
        failed,
        body: reader
            .clone()
            .map(|r| crate::transport::TransportBody::from_reader(r, abort.signal())),
        parser: crate::stream::sse::SseParser::default(),
        pending: std::collections::VecDeque::new(),
        ready: std::collections::VecDeque::new(),
        ended: false,
        shape,
    };
    Ok(as_async_iterable(JsValue::from(ForwardedRunEvents {
        state: Rc::new(RefCell::new(Some(state))),
        reader,
        abort,
    })))
}

/// The error of a forwarded stream (there is no run id on this side).
fn forwarded_stream_error(cause: crate::error::StreamCause) -> JsValue {
    to_js_error(&crate::Error::stream("(forwarded)", cause, None))
}

/// A `HeliumError` from an `event: error` frame.
fn forwarded_error(data: &str) -> JsValue {
    let e = crate::stream::forward::ForwardedError::parse(data);
    let js = js_sys::Error::new(&format!("forwarded by the server: {}", e.message));
    js.set_name("HeliumError");
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&js, &k.into(), &v);
    };
    set("kind", JsValue::from_str(&e.kind));
    if let Some(status) = e.status {
        set("status", JsValue::from_f64(f64::from(status)));
    }
    if let Some(code) = &e.code {
        set("code", JsValue::from_str(code));
    }
    if let Some(rid) = &e.request_id {
        set("requestId", JsValue::from_str(rid));
    }
    js.into()
}

impl Forwarded {
    /// The next event as an iterator result (`{done: false, value}`), or `None` at the end.
    async fn next(&mut self) -> Result<Option<JsValue>, JsValue> {
        if let Some(response) = self.failed.take() {
            self.ended = true;
            return Err(error_answer(response).await);
        }
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return ready.map(Some);
            }
            // Every event of the chunks read so far, converted together; a failure after them comes last.
            let mut decoded = Vec::new();
            let mut failure = None;
            while let Some(event) = self.pending.pop_front() {
                if event.event.as_deref() == Some(crate::stream::forward::ERROR_EVENT) {
                    self.ended = true;
                    failure = Some(forwarded_error(&event.data));
                    break;
                }
                if event.data.is_empty() {
                    continue;
                }
                match crate::stream::StreamEvent::from_text(&event.data) {
                    Ok(e) if e.is_ping() => {}
                    Ok(e) => {
                        let terminal = e.is_terminal();
                        decoded.push((e, event.data));
                        if terminal {
                            self.ended = true;
                            self.pending.clear();
                        }
                    }
                    Err(e) => {
                        self.ended = true;
                        failure = Some(forwarded_stream_error(crate::error::StreamCause::NotJson(e)));
                        break;
                    }
                }
            }
            if !decoded.is_empty() {
                let results =
                    super::events_to_js(decoded.iter().map(|(e, raw)| (e, raw.as_str())), self.shape)?;
                self.ready.extend(results.iter().map(Ok));
            }
            self.ready.extend(failure.map(Err));
            if !self.ready.is_empty() {
                continue;
            }
            if self.ended {
                return Ok(None);
            }
            let Some(body) = self.body.as_mut() else {
                return Ok(None);
            };
            match body.chunk().await {
                Ok(Some(bytes)) => {
                    let mut events = Vec::new();
                    self.parser
                        .feed(&bytes, &mut events)
                        .map_err(|e| forwarded_stream_error(crate::error::StreamCause::Sse(e)))?;
                    self.pending.extend(events);
                }
                Ok(None) => {
                    // Before a terminal event (an incomplete last event is dropped, as the SSE spec says).
                    self.ended = true;
                    return Err(forwarded_stream_error(crate::error::StreamCause::EndedEarly));
                }
                Err(crate::transport::Failure::Aborted) => {
                    self.ended = true;
                    return Ok(None);
                }
                Err(f) => {
                    self.ended = true;
                    let endpoint = crate::error::Endpoint::new("GET", "(forwarded stream)");
                    return Err(to_js_error(&crate::http::failure_error(f, &endpoint, None)));
                }
            }
        }
    }
}

/// The error for a response that was not `ok`, from its status and body.
async fn error_answer(response: web_sys::Response) -> JsValue {
    let status = response.status();
    let headers = crate::transport::response_headers(&response);
    let body = match response.array_buffer() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let url = response.url();
    let endpoint = crate::error::Endpoint::new("GET", url.split(['?', '#']).next().unwrap_or(""));
    let rid = headers
        .iter()
        .find(|(k, _)| k == "x-request-id")
        .map(|(_, v)| v.clone());
    let e = crate::http::classify(status, &headers, &body, endpoint, rid.as_deref());
    to_js_error(&crate::Error::from(e))
}

#[wasm_bindgen]
impl ForwardedRunEvents {
    /// The next event as `{done: false, value: {…event, raw}}`, or `{done: true}` after the terminal one.
    ///
    /// @throws {HeliumError} the server's failure (its kind), an error answer's kind, or `stream`.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<RunEvent, undefined>>")]
    pub fn next(&self) -> js_sys::Promise {
        // The rest of a chunk, already converted: handed out without a trip into the stream.
        if !self.abort.signal().aborted()
            && let Ok(mut slot) = self.state.try_borrow_mut()
            && let Some(state) = slot.as_mut()
            && matches!(state.ready.front(), Some(Ok(_)))
            && let Some(Ok(result)) = state.ready.pop_front()
        {
            return js_sys::Promise::resolve(&result);
        }
        let slot = self.state.clone();
        let reader = self.reader.clone();
        let abort = self.abort.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let taken = slot.borrow_mut().take();
            let Some(mut state) = taken else {
                return Ok(iter_done());
            };
            let result = state.next().await;
            let keep = matches!(result, Ok(Some(_))) && !abort.signal().aborted();
            if keep {
                *slot.borrow_mut() = Some(state);
            } else {
                release(reader.as_ref());
            }
            match result {
                Ok(Some(result)) => Ok(result),
                Ok(None) => Ok(iter_done()),
                // Closed by the caller while a read was waiting: the end, not an error.
                Err(_) if abort.signal().aborted() => Ok(iter_done()),
                Err(e) => Err(e),
            }
        })
    }

    /// Stops reading and cancels the body (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<RunEvent, undefined>>"
    )]
    pub fn return_(&self) -> js_sys::Promise {
        self.close();
        js_sys::Promise::resolve(&iter_done())
    }

    /// Stops reading and cancels the body.
    pub fn close(&self) {
        self.abort.abort();
        if let Ok(mut slot) = self.state.try_borrow_mut() {
            slot.take();
        }
        release(self.reader.as_ref());
    }
}

/// Cancels a forwarded run's body (a no-op once it ended).
fn release(reader: Option<&web_sys::ReadableStreamDefaultReader>) {
    if let Some(reader) = reader {
        let _ = reader.cancel();
    }
}
