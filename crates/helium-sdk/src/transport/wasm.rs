use std::time::Duration;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{Body, FileData, Method, Part, Request, Response, TransportError};

/// A JavaScript `AbortSignal` given by the caller.
pub(crate) type Signal = web_sys::AbortSignal;

/// `fetch` through gloo-net: the global `fetch`, so it works in windows, workers, Node ≥ 18 and edge runtimes.
#[derive(Debug, Clone)]
pub(crate) struct Transport;

/// Aborts the fetch when dropped (a timed-out or cancelled future), unless the body was read to its end.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

impl Transport {
    pub(crate) fn new(_connect_timeout: Duration) -> Result<Transport, String> {
        Ok(Transport)
    }

    pub(crate) async fn send(
        &self,
        req: Request,
        signal: Option<&Signal>,
    ) -> Result<Response, TransportError> {
        if signal.is_some_and(|s| s.aborted()) {
            return Err(TransportError::Aborted);
        }
        let controller = web_sys::AbortController::new().ok();
        let own = controller.as_ref().map(|c| c.signal());
        let combined = match (signal, &own) {
            (Some(user), Some(own)) => any_signal(user, own).unwrap_or_else(|| user.clone()),
            (Some(user), None) => user.clone(),
            (None, Some(own)) => own.clone(),
            (None, None) => return Err(TransportError::Connect("AbortController is not available".into())),
        };
        let guard = AbortOnDrop(controller);
        let url = req.url.clone();
        let mut builder = match req.method {
            Method::Get => gloo_net::http::Request::get(&url),
            Method::Post => gloo_net::http::Request::post(&url),
            Method::Patch => gloo_net::http::Request::patch(&url),
            Method::Delete => gloo_net::http::Request::delete(&url),
        };
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        builder = builder.abort_signal(Some(&combined));
        let request = match req.body {
            Body::Empty => builder.build(),
            Body::Json(s) => builder.header("content-type", "application/json").body(s),
            Body::Multipart(parts) => builder.body(form_data(parts)?),
        }
        .map_err(|e| TransportError::Connect(e.to_string()))?;
        let resp = request.send().await.map_err(|e| map_error(e, &combined))?;
        let mut headers = Vec::new();
        for entry in resp.headers().entries() {
            headers.push((entry.0.to_ascii_lowercase(), entry.1));
        }
        let status = resp.status();
        let raw: web_sys::Response = resp.into();
        let reader = raw.body().and_then(|b| {
            b.get_reader()
                .dyn_into::<web_sys::ReadableStreamDefaultReader>()
                .ok()
        });
        Ok(Response {
            status,
            headers,
            body: TransportBody {
                reader,
                signal: combined,
                _guard: guard,
            },
        })
    }
}

/// `AbortSignal.any([a, b])` where the runtime has it (Node ≥ 20.3, current browsers).
fn any_signal(a: &Signal, b: &Signal) -> Option<Signal> {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("AbortSignal")).ok()?;
    let any = js_sys::Reflect::get(&ctor, &JsValue::from_str("any")).ok()?;
    let any = any.dyn_ref::<js_sys::Function>()?;
    let list = js_sys::Array::of2(a, b);
    any.call1(&ctor, &list).ok()?.dyn_into::<Signal>().ok()
}

fn form_data(parts: Vec<Part>) -> Result<web_sys::FormData, TransportError> {
    let err = |e: JsValue| TransportError::Connect(format!("could not build the form: {e:?}"));
    let form = web_sys::FormData::new().map_err(err)?;
    for part in parts {
        match part {
            Part::Text { name, value } => form.append_with_str(name, &value).map_err(err)?,
            Part::File {
                name,
                filename,
                content_type,
                data,
            } => {
                let blob = match data {
                    FileData::Blob(b) => b,
                    FileData::Bytes(bytes) => {
                        let array = js_sys::Uint8Array::from(bytes.as_slice());
                        let opts = web_sys::BlobPropertyBag::new();
                        opts.set_type(&content_type);
                        web_sys::Blob::new_with_u8_array_sequence_and_options(
                            &js_sys::Array::of1(&array),
                            &opts,
                        )
                        .map_err(err)?
                    }
                };
                form.append_with_blob_and_filename(name, &blob, &filename)
                    .map_err(err)?;
            }
        }
    }
    Ok(form)
}

fn map_error(e: gloo_net::Error, signal: &Signal) -> TransportError {
    if signal.aborted() {
        return TransportError::Aborted;
    }
    TransportError::Connect(e.to_string())
}

/// A response body read through the `ReadableStream` reader.
pub(crate) struct TransportBody {
    reader: Option<web_sys::ReadableStreamDefaultReader>,
    signal: Signal,
    _guard: AbortOnDrop,
}

impl TransportBody {
    /// The whole body.
    pub(crate) async fn all(mut self) -> Result<Vec<u8>, TransportError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    pub(crate) async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let result = JsFuture::from(reader.read()).await.map_err(|e| {
            if self.signal.aborted() {
                TransportError::Aborted
            } else {
                TransportError::Body(js_message(&e))
            }
        })?;
        let done = js_sys::Reflect::get(&result, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            self.reader = None;
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        match value.dyn_ref::<js_sys::Uint8Array>() {
            Some(a) => Ok(Some(a.to_vec())),
            None => Err(TransportError::Body(
                "the body stream yielded a non-byte chunk".into(),
            )),
        }
    }
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{e:?}"))
}
