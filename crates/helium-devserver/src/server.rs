//! The accept loop and the outer service: request ids, CORS, fault injection, request log.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use bytes::Bytes;
use futures::StreamExt;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::errors::ApiError;
use crate::faults::{FAULT_HEADER, Fault, LoggedRequest};
use crate::state::AppState;
use axum::response::IntoResponse;

/// Error returned to hyper to drop a connection without a response (the `reset` fault).
#[derive(Debug)]
pub struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Pause before aborting a connection so that bytes already written reach the client.
pub const FLUSH_GRACE: Duration = Duration::from_millis(50);

/// How the stream handler frames items (`framing=` fault), for clients facing other SSE servers.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamFraming {
    /// `id: N` on every item (N = the item's index in the run's list); `Last-Event-ID` resumes after N.
    pub ids: bool,
    /// CRLF line endings.
    pub crlf: bool,
    /// Lone CR line endings.
    pub cr: bool,
    /// A UTF-8 byte order mark before the first item.
    pub bom: bool,
    /// A `: keepalive` comment and a `{"type": "ping"}` item before every item.
    pub pings: bool,
}

/// Where the stream handler should cut the body (`drop_after` / `eof_after`).
#[derive(Debug, Clone, Copy)]
pub struct StreamCut {
    /// Items to send before cutting.
    pub after: usize,
    /// `true`: abort the connection; `false`: end the body cleanly.
    pub abort: bool,
}

/// How a body cut at a byte offset ends (`drop_at`, `eof_at`, `stall_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteCutEnd {
    Abort,
    Eof,
    Stall(Duration),
}

/// Sends the first `at` bytes of the body, then ends it as `end` says. The `Content-Length` is removed for a
/// clean end (the body is sent chunked) and kept otherwise.
fn cut_at_byte(
    app: Arc<AppState>,
    resp: axum::response::Response,
    at: usize,
    end: ByteCutEnd,
) -> axum::response::Response {
    let (mut parts, body) = resp.into_parts();
    if end == ByteCutEnd::Eof {
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    struct Cut {
        body: axum::body::BodyDataStream,
        left: usize,
        ended: bool,
    }
    let state = Cut {
        body: body.into_data_stream(),
        left: at,
        ended: false,
    };
    let stream = futures::stream::unfold(state, move |mut st| {
        let app = app.clone();
        async move {
            if st.ended {
                return None;
            }
            if st.left > 0 {
                match st.body.next().await {
                    Some(Ok(mut chunk)) => {
                        if chunk.len() > st.left {
                            chunk.truncate(st.left);
                        }
                        st.left -= chunk.len();
                        return Some((Ok(chunk), st));
                    }
                    Some(Err(_)) => return Some((Err(ConnectionDropped), Cut { ended: true, ..st })),
                    // The body was shorter than the cut: it ends as it would have.
                    None => return None,
                }
            }
            st.ended = true;
            match end {
                ByteCutEnd::Eof => None,
                ByteCutEnd::Abort => {
                    tokio::time::sleep(FLUSH_GRACE).await;
                    Some((Err(ConnectionDropped), st))
                }
                ByteCutEnd::Stall(d) => {
                    sleep_or_shutdown(&app, d).await;
                    Some((Err(ConnectionDropped), st))
                }
            }
        }
    });
    axum::response::Response::from_parts(parts, Body::from_stream(stream))
}

/// Whether the path is the SSE route `/api/agent-run/{id}/stream`.
pub fn is_stream_path(path: &str) -> bool {
    path.strip_prefix("/api/agent-run/")
        .and_then(|rest| rest.strip_suffix("/stream"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Resolves once the shutdown flag is set (or its sender is gone).
pub async fn shutdown_requested(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

/// Counts a connection as open until its task ends.
struct OpenConnection(Arc<AppState>);

impl OpenConnection {
    fn new(app: &Arc<AppState>) -> OpenConnection {
        use std::sync::atomic::Ordering::SeqCst;
        app.connections_accepted.fetch_add(1, SeqCst);
        app.connections_open.fetch_add(1, SeqCst);
        OpenConnection(app.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0
            .connections_open
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Accept connections until `shutdown` becomes true, then drain them gracefully.
pub async fn serve(
    listener: TcpListener,
    app: Arc<AppState>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let accepted = tokio::select! {
            res = listener.accept() => res,
            _ = shutdown.wait_for(|v| *v) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let open = OpenConnection::new(&app);
        let app = app.clone();
        let router = router.clone();
        let mut conn_shutdown = shutdown.clone();
        conns.spawn(async move {
            let _open = open;
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                handle(app.clone(), router.clone(), req)
            });
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = shutdown_requested(&mut conn_shutdown) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(3), conn.as_mut()).await;
                }
            }
        });
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain).await.is_err() {
        conns.abort_all();
    }
}

fn fault_response(code: u16) -> axum::response::Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let detail: Value = match code {
        500 => json!("Internal server error: injected fault"),
        503 => json!("Server is shutting down"),
        401 => json!("No valid authentication credentials found"),
        402 => json!({
            "message": "Monthly limit of 1500 credits reached. You need at least 20 credits to continue. Current balance: 0 credits.",
            "subscription": {"price_id": crate::routes::billing::FREE_PRICE_ID, "plan_name": "free"},
        }),
        403 => json!("Not authorized to access this thread"),
        404 => json!("Not Found"),
        422 => json!([crate::errors::missing_entry(&["body"])]),
        429 => json!({
            "message": "Maximum of 3 parallel agent runs allowed within 24 hours. You currently have 3 running.",
            "running_thread_ids": [],
            "running_count": 3,
            "limit": 3,
        }),
        _ => json!(status.canonical_reason().unwrap_or("Error")),
    };
    ApiError::with_value(status, detail).into_response()
}

/// The kind of page a proxy or a frontend server answers when the backend URL points at the wrong place.
fn html_response(code: u16) -> axum::response::Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    let body =
        "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>";
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

async fn sleep_or_shutdown(app: &AppState, dur: Duration) {
    let mut sd = app.shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(dur) => {}
        _ = sd.wait_for(|v| *v) => {}
    }
}

fn sse_headers(resp: &mut axum::response::Response) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
}

/// Build the headers-only stalled stream response.
fn stalled_stream(app: Arc<AppState>, dur: Duration) -> axum::response::Response {
    let body = futures::stream::once(async move {
        sleep_or_shutdown(&app, dur).await;
        Err::<Bytes, ConnectionDropped>(ConnectionDropped)
    });
    let mut resp = axum::response::Response::new(Body::from_stream(body));
    sse_headers(&mut resp);
    resp
}

/// Keep the full `Content-Length` but send only `n` bytes, then abort.
async fn truncate(resp: axum::response::Response, n: usize) -> axum::response::Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let full_len = bytes.len();
    let head = bytes.slice(..n.min(full_len));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full_len));
    // Give hyper time to flush the headers and the partial body before the abort.
    let body = futures::stream::once(async move { Ok::<Bytes, ConnectionDropped>(head) }).chain(
        futures::stream::once(async {
            tokio::time::sleep(FLUSH_GRACE).await;
            Err(ConnectionDropped)
        }),
    );
    axum::response::Response::from_parts(parts, Body::from_stream(body))
}

/// axum's extractor rejections are plain text; the backend always answers `{"detail": ...}`.
async fn jsonify_rejection(resp: axum::response::Response) -> axum::response::Response {
    let status = resp.status();
    let is_text = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if !is_text || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let bytes = match resp.into_body().collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    ApiError::new(status, String::from_utf8_lossy(&bytes).into_owned()).into_response()
}

/// Run the router (infallible) and normalise rejections.
async fn route(router: Router, req: Request<Body>) -> axum::response::Response {
    let resp = match router.oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    jsonify_rejection(resp).await
}

/// Add SSE headers to the stream handler's response (used by `routes::stream`).
pub fn apply_sse_headers(resp: &mut axum::response::Response) {
    sse_headers(resp);
}

/// A query string for the request log, with credentials (`token`, `apikey`) replaced by `<redacted>`.
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _))
                if matches!(
                    k.to_ascii_lowercase().as_str(),
                    "token" | "apikey" | "access_token"
                ) =>
            {
                format!("{k}=<redacted>")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The per-request outer service.
pub async fn handle(
    app: Arc<AppState>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response<Body>, ConnectionDropped> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(crate::state::new_id);
    let origin = req.headers().get(header::ORIGIN).cloned();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(redact_query);
    let is_admin = path.starts_with("/__devserver/") || path == "/__devserver";

    let finish = |mut resp: axum::response::Response| {
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        if crate::cors::is_supabase_path(&path) {
            crate::cors::supabase_apply(origin.as_ref(), resp.headers_mut());
        } else {
            app.cors.apply(origin.as_ref(), resp.headers_mut());
        }
        resp
    };

    if crate::cors::CorsPolicy::is_preflight(&method, req.headers()) {
        let mut resp = if crate::cors::is_supabase_path(&path) {
            crate::cors::supabase_preflight(req.headers())
        } else {
            app.cors.preflight(req.headers())
        };
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        return Ok(resp);
    }
    if is_admin {
        let resp = route(router, req.map(Body::new)).await;
        return Ok(finish(resp));
    }

    let header_value = req
        .headers()
        .get(FAULT_HEADER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let resolved = app
        .faults
        .resolve(method.as_str(), &path, header_value.as_deref());
    let mut entry = LoggedRequest {
        method: method.to_string(),
        path: path.clone(),
        query,
        request_id: request_id.clone(),
        fault: None,
        status: None,
        at_ms: u64::try_from(app.started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let fault: Option<Fault> = match resolved {
        Ok(Some((text, fault))) => {
            entry.fault = Some(text);
            Some(fault)
        }
        Ok(None) => None,
        Err(msg) => {
            let idx = app.faults.log(entry);
            app.faults.set_status(idx, 400);
            let resp = ApiError::bad_request(format!("Invalid {FAULT_HEADER} header: {msg}")).into_response();
            return Ok(finish(resp));
        }
    };
    let log_idx = app.faults.log(entry);

    let Some(fault) = fault else {
        let resp = route(router, req.map(Body::new)).await;
        app.faults.set_status(log_idx, resp.status().as_u16());
        return Ok(finish(resp));
    };

    if let Some(ms) = fault.delay_ms {
        sleep_or_shutdown(&app, Duration::from_millis(ms)).await;
    }
    if fault.reset {
        return Err(ConnectionDropped);
    }
    let stall_for = Duration::from_millis(fault.stall_ms.unwrap_or(120_000));
    if fault.stall && fault.stall_at.is_none() {
        if method == Method::GET && is_stream_path(&path) {
            app.faults.set_status(log_idx, 200);
            return Ok(finish(stalled_stream(app.clone(), stall_for)));
        }
        sleep_or_shutdown(&app, stall_for).await;
        return Err(ConnectionDropped);
    }
    let mut resp = if fault.html {
        html_response(fault.status.unwrap_or(200))
    } else if let Some(code) = fault.status {
        fault_response(code)
    } else {
        let mut req = req.map(Body::new);
        let cut = match (fault.drop_after, fault.eof_after) {
            (Some(after), _) => Some(StreamCut { after, abort: true }),
            (None, Some(after)) => Some(StreamCut { after, abort: false }),
            (None, None) => None,
        };
        if let Some(cut) = cut {
            req.extensions_mut().insert(cut);
        }
        if !fault.framing.is_empty() {
            req.extensions_mut().insert(StreamFraming {
                ids: fault.framing.iter().any(|m| m == "ids"),
                crlf: fault.framing.iter().any(|m| m == "crlf"),
                cr: fault.framing.iter().any(|m| m == "cr"),
                bom: fault.framing.iter().any(|m| m == "bom"),
                pings: fault.framing.iter().any(|m| m == "pings"),
            });
        }
        route(router, req).await
    };
    if let Some(ra) = fault.retry_after.as_deref()
        && let Ok(v) = HeaderValue::from_str(ra)
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    app.faults.set_status(log_idx, resp.status().as_u16());
    if let Some(n) = fault.truncate {
        resp = truncate(resp, n).await;
    }
    let byte_cut = [
        (fault.drop_at, ByteCutEnd::Abort),
        (fault.eof_at, ByteCutEnd::Eof),
        (fault.stall_at, ByteCutEnd::Stall(stall_for)),
    ]
    .into_iter()
    .find_map(|(at, end)| Some((at?, end)));
    if let Some((at, end)) = byte_cut {
        resp = cut_at_byte(app.clone(), resp, at, end);
    }
    Ok(finish(resp))
}
