use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Body, Failure, FileData, Part, Request, Response};

/// A JavaScript `AbortSignal` given by the caller.
pub(crate) type Signal = web_sys::AbortSignal;

/// Per-call transport context: the caller's `AbortSignal` and `fetch` init options.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    pub signal: Option<Signal>,
    pub fetch_options: Option<js_sys::Object>,
}

impl CallContext {
    /// True once the caller's signal has fired.
    pub(crate) fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| s.aborted())
    }

    /// The context with `extra` aborting its requests too (besides the caller's signal).
    pub(crate) fn also_aborted_by(mut self, extra: &Signal) -> CallContext {
        self.signal = Some(match &self.signal {
            Some(user) => any_signal(user, extra).unwrap_or_else(|| user.clone()),
            None => extra.clone(),
        });
        self
    }
}

/// The transport settings only a JavaScript client has: a custom `fetch`, extra `fetch` init options, and the
/// request hooks.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransportOptions {
    /// Called instead of the global `fetch` (instrumentation, proxies, tests).
    pub fetch: Option<js_sys::Function>,
    /// Merged into every request's init (e.g. `{cache: 'no-store'}`, Next.js' `{next: {revalidate}}`).
    pub fetch_options: Option<js_sys::Object>,
    /// `onRequest({method, path, attempt, requestId})`, before each attempt.
    pub on_request: Option<js_sys::Function>,
    /// `onResponse({method, path, attempt, requestId, status | error, durationMs})`, after each attempt.
    pub on_response: Option<js_sys::Function>,
}

/// One observed attempt: what the hooks are told, and when it started.
#[derive(Debug)]
pub(crate) struct Observation {
    info: Option<js_sys::Object>,
    started: f64,
}

impl Transport {
    /// Starts observing an attempt: calls `onRequest` (a hook that throws is ignored).
    pub(crate) fn observe(&self, e: &super::Exchange<'_>) -> Observation {
        let info = (self.options.on_request.is_some() || self.options.on_response.is_some()).then(|| {
            let info = js_sys::Object::new();
            set(&info, "method", &JsValue::from_str(e.method));
            set(&info, "path", &JsValue::from_str(e.path));
            set(&info, "attempt", &JsValue::from_f64(f64::from(e.attempt)));
            if let Some(rid) = e.request_id {
                set(&info, "requestId", &JsValue::from_str(rid));
            }
            info
        });
        if let (Some(hook), Some(info)) = (&self.options.on_request, &info) {
            let _ = hook.call1(
                &JsValue::UNDEFINED,
                &js_sys::Object::assign(&js_sys::Object::new(), info),
            );
        }
        Observation {
            info,
            started: js_sys::Date::now(),
        }
    }

    /// Runs an attempt's future (hooks have nothing to wrap).
    pub(crate) fn within<F: std::future::Future>(&self, _o: &Observation, fut: F) -> F {
        fut
    }

    /// Ends an observed attempt: calls `onResponse` with the status (or the failure's kind) and the duration.
    pub(crate) fn observed(&self, o: Observation, outcome: super::Outcome) {
        let (Some(hook), Some(info)) = (&self.options.on_response, o.info) else {
            return;
        };
        match outcome {
            super::Outcome::Status(status) => set(&info, "status", &JsValue::from_f64(f64::from(status))),
            super::Outcome::Failed(kind) => set(&info, "error", &JsValue::from_str(kind)),
        }
        set(
            &info,
            "durationMs",
            &JsValue::from_f64(js_sys::Date::now() - o.started),
        );
        let _ = hook.call1(&JsValue::UNDEFINED, &info);
    }
}

/// `fetch(url, init)`: the global `fetch` (windows, workers, Node ≥ 18, edge runtimes) or the caller's.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    options: TransportOptions,
    /// Server runtimes send `cache: 'no-store'` unless the `fetch` options choose a `cache` or `next` mode
    /// (not in Cloudflare Workers, which have no framework cache to keep out of and, before compatibility date
    /// 2024-11-11, reject the `cache` field).
    no_store: bool,
}

/// Aborts the fetch when dropped (a timed-out or cancelled future), unless the body was read to its end.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object we created cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions, runtime: crate::Runtime) -> Result<Transport, String> {
        Ok(Transport {
            options: options.clone(),
            no_store: runtime == crate::Runtime::Server && !crate::platform::is_workerd(),
        })
    }

    /// Sends with the call's `fetch` init options merged over the client's.
    pub(crate) async fn send(&self, req: &Request, ctx: &CallContext) -> Result<Response, Failure> {
        let signal = ctx.signal.as_ref();
        let call_options = ctx.fetch_options.as_ref();
        if signal.is_some_and(|s| s.aborted()) {
            return Err(Failure::Aborted);
        }
        let controller = web_sys::AbortController::new().ok();
        let own = controller.as_ref().map(|c| c.signal());
        let combined = match (signal, &own) {
            (Some(user), Some(own)) => any_signal(user, own).unwrap_or_else(|| user.clone()),
            (Some(user), None) => user.clone(),
            (None, Some(own)) => own.clone(),
            (None, None) => return Err(Failure::Connect("AbortController is not available".into())),
        };
        let guard = AbortOnDrop(controller);
        let init = js_sys::Object::new();
        for extra in [self.options.fetch_options.as_ref(), call_options]
            .into_iter()
            .flatten()
        {
            // Object.assign over a plain object cannot fail.
            let _ = js_sys::Object::assign(&init, extra);
        }
        // Backend answers are per user and per moment: on the server they stay out of framework caches
        // (Next.js' Data Cache, prerendering at build time) unless the caller asks for caching.
        if self.no_store && !has(&init, "cache") && !has(&init, "next") {
            set(&init, "cache", &JsValue::from_str("no-store"));
        }
        set(&init, "method", &JsValue::from_str(req.method.as_str()));
        let headers = web_sys::Headers::new().map_err(|e| Failure::Connect(js_message(&e)))?;
        for (k, v) in &req.headers {
            headers
                .append(k, v)
                .map_err(|e| Failure::Connect(js_message(&e)))?;
        }
        match &req.body {
            Body::Empty => {}
            Body::Json(bytes) => {
                headers
                    .set("content-type", "application/json")
                    .map_err(|e| Failure::Connect(js_message(&e)))?;
                set(&init, "body", &js_sys::Uint8Array::from(&bytes[..]));
            }
            Body::Multipart(parts) => set(&init, "body", &form_data(parts)?.into()),
        }
        set(&init, "headers", &headers);
        set(&init, "signal", &combined);
        let fetch = match &self.options.fetch {
            Some(f) => f.clone(),
            None => global_fetch().ok_or_else(|| Failure::Connect("this runtime has no fetch".into()))?,
        };
        let promise = fetch
            .call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init)
            .map_err(|e| map_error(&e, &combined))?;
        let promise = promise
            .dyn_into::<js_sys::Promise>()
            .map_err(|_| Failure::Connect("fetch did not return a Promise".into()))?;
        let resp = JsFuture::from(promise)
            .await
            .map_err(|e| map_error(&e, &combined))?;
        let resp: web_sys::Response = resp
            .dyn_into()
            .map_err(|_| Failure::Connect("fetch did not resolve to a Response".into()))?;
        Ok(Response {
            status: resp.status(),
            headers: response_headers(&resp),
            body: TransportBody {
                response: Some(resp),
                reader: None,
                signal: combined,
                _guard: guard,
            },
        })
    }
}

/// A response's headers, names in lower case.
pub(crate) fn response_headers(resp: &web_sys::Response) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(&resp.headers()) {
        for entry in iter.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((k.to_ascii_lowercase(), v));
            }
        }
    }
    headers
}

fn has(target: &JsValue, key: &str) -> bool {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).is_ok_and(|v| !v.is_undefined())
}

fn global_fetch() -> Option<js_sys::Function> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}

/// `AbortSignal.any([a, b])` where the runtime has it (Node ≥ 20.3, current browsers).
fn any_signal(a: &Signal, b: &Signal) -> Option<Signal> {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("AbortSignal")).ok()?;
    let any = js_sys::Reflect::get(&ctor, &JsValue::from_str("any")).ok()?;
    let any = any.dyn_ref::<js_sys::Function>()?;
    let list = js_sys::Array::of2(a, b);
    any.call1(&ctor, &list).ok()?.dyn_into::<Signal>().ok()
}

fn form_data(parts: &[Part]) -> Result<web_sys::FormData, Failure> {
    let err = |e: JsValue| Failure::Connect(format!("could not build the form: {}", js_message(&e)));
    let form = web_sys::FormData::new().map_err(err)?;
    for part in parts {
        match part {
            Part::Text { name, value } => form.append_with_str(name, value).map_err(err)?,
            Part::File {
                name,
                filename,
                content_type,
                data,
            } => {
                let blob = match data {
                    FileData::Blob(b) => b.clone(),
                    FileData::Bytes(bytes) => {
                        let array = js_sys::Uint8Array::from(&bytes[..]);
                        let opts = web_sys::BlobPropertyBag::new();
                        opts.set_type(content_type);
                        web_sys::Blob::new_with_u8_array_sequence_and_options(
                            &js_sys::Array::of1(&array),
                            &opts,
                        )
                        .map_err(err)?
                    }
                };
                form.append_with_blob_and_filename(name, &blob, filename)
                    .map_err(err)?;
            }
        }
    }
    Ok(form)
}

fn map_error(e: &JsValue, signal: &Signal) -> Failure {
    if signal.aborted() {
        return Failure::Aborted;
    }
    Failure::Connect(js_message(e))
}

/// A response body, read whole (`arrayBuffer()`) or chunk by chunk through the `ReadableStream` reader.
pub(crate) struct TransportBody {
    response: Option<web_sys::Response>,
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    signal: Signal,
    _guard: AbortOnDrop,
}

impl std::fmt::Debug for TransportBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBody")
            .field("reading", &self.reader.is_some())
            .finish()
    }
}

impl TransportBody {
    /// A body read from a stream the caller handed over; reads that fail once `signal` fired are `Aborted`.
    pub(crate) fn from_reader(reader: web_sys::ReadableStreamDefaultReader, signal: Signal) -> TransportBody {
        TransportBody {
            response: None,
            reader: Some(reader),
            signal,
            _guard: AbortOnDrop(None),
        }
    }

    fn failure(&self, e: &JsValue) -> Failure {
        if self.signal.aborted() {
            Failure::Aborted
        } else {
            Failure::Body(js_message(e))
        }
    }

    /// The whole body, at most `limit` bytes, read chunk by chunk (the decoded bytes: `fetch` decompresses, so
    /// `Content-Length` does not bound them): a larger `Content-Length` fails at once, a longer body as soon as it
    /// passes the limit, and the rest is not read.
    pub(crate) async fn all(mut self, limit: usize) -> Result<bytes::Bytes, Failure> {
        let announced = self
            .response
            .as_ref()
            .and_then(|r| r.headers().get("content-length").ok().flatten())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|_| self.response.as_ref().is_some_and(|r| !is_encoded(r)));
        let mut body = super::Collector::new(limit, announced)?;
        while let Some(chunk) = self.chunk().await? {
            body.push(chunk)?;
        }
        Ok(body.finish())
    }

    pub(crate) async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, Failure> {
        if self.reader.is_none() {
            let Some(response) = self.response.take() else {
                return Ok(None);
            };
            self.reader = response.body().and_then(|b| {
                b.get_reader()
                    .dyn_into::<web_sys::ReadableStreamDefaultReader>()
                    .ok()
            });
        }
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let result = JsFuture::from(reader.read())
            .await
            .map_err(|e| self.failure(&e))?;
        let done = js_sys::Reflect::get(&result, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        match value.dyn_ref::<js_sys::Uint8Array>() {
            Some(a) => Ok(Some(a.to_vec().into())),
            None => Err(Failure::Body("the body stream yielded a non-byte chunk".into())),
        }
    }
}

/// Whether the response carries a `Content-Encoding` other than `identity` (its `Content-Length` is then the
/// encoded size). Where the header is hidden (a cross-origin response does not expose it), the length is still
/// only a first check: the bytes read are counted too.
fn is_encoded(response: &web_sys::Response) -> bool {
    response
        .headers()
        .get("content-encoding")
        .ok()
        .flatten()
        .is_some_and(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("identity"))
}

pub(crate) fn js_message(e: &JsValue) -> String {
    if let Some(e) = e.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    e.as_string()
        .unwrap_or_else(|| "a non-Error value was thrown".into())
}
