use std::time::Duration;

use super::{Body, Failure, FileData, Method, Part, Request, Response};
use crate::client::ClientBuilder;

/// Per-call transport context. Natively there is no abort signal: dropping the future cancels the request.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {}

impl CallContext {
    /// Never: natively a call is cancelled by dropping its future.
    pub(crate) fn aborted(&self) -> bool {
        false
    }
}

/// reqwest (rustls by default, native-tls with the `native-tls` feature); one connection pool per client.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
}

/// The transport settings only a native client has.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransportOptions {
    connect_timeout: Option<Duration>,
    client: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// The TCP + TLS connect timeout (default 10 s). Native only: `fetch` cannot bound connection setup
    /// separately, so JavaScript clients have no such option.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = Some(timeout);
        self
    }

    /// Sends requests through this `reqwest::Client` (its pool, proxy, TLS and timeouts settings) instead of
    /// one built by the SDK. The SDK's own timeouts, retries and headers still apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.transport.client = Some(client);
        self
    }
}

impl Transport {
    /// The runtime plays no part natively (it matters to `fetch`'s cache mode in JavaScript).
    pub(crate) fn new(options: &TransportOptions, _runtime: crate::Runtime) -> Result<Transport, String> {
        if let Some(client) = &options.client {
            return Ok(Transport {
                client: client.clone(),
            });
        }
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout.unwrap_or(Duration::from_secs(10)))
            .user_agent(concat!("helium-sdk-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Transport { client })
    }

    pub(crate) async fn send(&self, req: &Request, _ctx: &CallContext) -> Result<Response, Failure> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, &req.url);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder = match &req.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header("content-type", "application/json")
                .body(reqwest::Body::from(bytes.clone())),
            Body::Multipart(parts) => builder.multipart(form(parts)?),
        };
        let resp = builder.send().await.map_err(|e| Failure::Connect(describe(e)))?;
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        Ok(Response {
            status: resp.status().as_u16(),
            headers,
            body: TransportBody { resp },
        })
    }
}

/// One observed attempt: a `tracing` span (`helium_sdk::request`) with the method, path, attempt and request id,
/// recording the status (or failure) and the duration when it ends.
#[derive(Debug)]
pub(crate) struct Observation {
    span: tracing::Span,
    started: std::time::Instant,
}

impl Transport {
    /// Starts observing an attempt.
    pub(crate) fn observe(&self, e: &super::Exchange<'_>) -> Observation {
        let span = tracing::debug_span!(
            target: "helium_sdk::http",
            "helium_sdk::request",
            method = e.method,
            path = e.path,
            attempt = e.attempt,
            request_id = e.request_id,
            status = tracing::field::Empty,
            error = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        Observation {
            span,
            started: std::time::Instant::now(),
        }
    }

    /// Runs an attempt's future inside its span.
    pub(crate) fn within<F: Future>(&self, o: &Observation, fut: F) -> impl Future<Output = F::Output> {
        tracing::Instrument::instrument(fut, o.span.clone())
    }

    /// Ends an observed attempt.
    pub(crate) fn observed(&self, o: Observation, outcome: super::Outcome) {
        let duration_ms = o.started.elapsed().as_millis() as u64;
        o.span.record("duration_ms", duration_ms);
        match outcome {
            super::Outcome::Status(status) => {
                o.span.record("status", status);
            }
            super::Outcome::Failed(kind) => {
                o.span.record("error", kind);
            }
        }
        o.span
            .in_scope(|| tracing::debug!(target: "helium_sdk::http", duration_ms, "response"));
    }
}

/// A multipart form for one attempt; file bytes are shared with the request, not copied.
fn form(parts: &[Part]) -> Result<reqwest::multipart::Form, Failure> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            Part::Text { name, value } => form.text(*name, value.clone()),
            Part::File {
                name,
                filename,
                content_type,
                data,
            } => {
                let FileData::Bytes(bytes) = data;
                let p = reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(bytes.clone()),
                    bytes.len() as u64,
                )
                .file_name(filename.clone())
                .mime_str(content_type)
                .map_err(|e| Failure::Connect(e.to_string()))?;
                form.part(*name, p)
            }
        };
    }
    Ok(form)
}

/// reqwest's error chain, without the URL (which may carry a query the caller considers private).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A response body read chunk by chunk.
pub(crate) struct TransportBody {
    resp: reqwest::Response,
}

impl TransportBody {
    /// The whole body, at most `limit` bytes: a larger `Content-Length` fails at once, a longer body as soon as
    /// it passes the limit.
    pub(crate) async fn all(mut self, limit: usize) -> Result<bytes::Bytes, Failure> {
        let mut body = super::Collector::new(limit, self.resp.content_length())?;
        while let Some(chunk) = self.chunk().await? {
            body.push(chunk)?;
        }
        Ok(body.finish())
    }

    pub(crate) async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, Failure> {
        self.resp.chunk().await.map_err(|e| Failure::Body(describe(e)))
    }
}
