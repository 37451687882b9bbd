//! `GET /api/agent-run/{id}/stream`: replay from the first item, then follow live (§6.2).

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use tokio::sync::watch;

use crate::auth;
use crate::errors::ApiError;
use crate::server::{ConnectionDropped, StreamCut, StreamFraming, apply_sse_headers};
use crate::state::AppState;

/// The line sent for a run that is not running (after the replay).
pub const BARE_COMPLETED: &str = r#"{"type": "status", "status": "completed"}"#;

struct Ctx {
    app: Arc<AppState>,
    run_id: String,
    pending: VecDeque<String>,
    cursor: usize,
    control_cursor: usize,
    rx: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    closing: bool,
    finished: bool,
    sent: usize,
    cut: Option<StreamCut>,
    framing: StreamFraming,
    /// The list index of the next stored item to send (for `id:` lines); `None` once past the list.
    next_index: usize,
    /// The `bom` framing's byte order mark went out.
    bom_sent: bool,
    _open: OpenStream,
}

/// Counts a stream body as open until it is dropped: sent to its end, or closed by the client.
struct OpenStream(Arc<AppState>);

impl OpenStream {
    fn new(app: &Arc<AppState>) -> OpenStream {
        app.open_streams.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        OpenStream(app.clone())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0
            .open_streams
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn is_terminal(item: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(item) else {
        return false;
    };
    v.get("type").and_then(Value::as_str) == Some("status")
        && matches!(
            v.get("status").and_then(Value::as_str),
            Some("completed" | "failed" | "stopped")
        )
}

impl Ctx {
    /// One item on the wire: `data: <json>\n\n` as the real backend sends it, or another framing.
    fn frame(&mut self, line: &str) -> Bytes {
        let f = self.framing;
        let nl = match (f.crlf, f.cr) {
            (true, _) => "\r\n",
            (false, true) => "\r",
            (false, false) => "\n",
        };
        let mut out = String::new();
        if f.bom && !self.bom_sent {
            out.push('\u{feff}');
            self.bom_sent = true;
        }
        if f.pings {
            out.push_str(&format!(": keepalive{nl}data: {{\"type\": \"ping\"}}{nl}{nl}"));
        }
        if f.ids {
            out.push_str(&format!("id: {}{nl}", self.next_index));
        }
        self.next_index += 1;
        out.push_str(&format!("data: {line}{nl}{nl}"));
        Bytes::from(out)
    }

    /// Move new items / control signals into `pending`.
    fn fetch(&mut self) {
        let store = self.app.lock();
        let Some(run) = store.runs.get(&self.run_id) else {
            self.closing = true;
            return;
        };
        while let Some(item) = run.items.get(self.cursor) {
            self.cursor += 1;
            self.pending.push_back(item.clone());
            if is_terminal(item) {
                self.closing = true;
                return;
            }
        }
        if let Some(signal) = run.controls.get(self.control_cursor) {
            self.control_cursor += 1;
            let line = crate::pyjson::dumps(&serde_json::json!({"type": "status", "status": signal}));
            self.pending.push_back(line);
            self.closing = true;
        }
    }

    async fn next(mut self) -> Option<(Result<Bytes, ConnectionDropped>, Ctx)> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(cut) = self.cut
                && self.sent >= cut.after
            {
                self.finished = true;
                if cut.abort {
                    tokio::time::sleep(crate::server::FLUSH_GRACE).await;
                    return Some((Err(ConnectionDropped), self));
                }
                return None;
            }
            if let Some(line) = self.pending.pop_front() {
                self.sent += 1;
                let frame = self.frame(&line);
                return Some((Ok(frame), self));
            }
            if self.closing {
                return None;
            }
            self.fetch();
            if self.pending.is_empty() && !self.closing {
                tokio::select! {
                    changed = self.rx.changed() => if changed.is_err() { self.closing = true },
                    _ = self.shutdown.wait_for(|v| *v) => self.closing = true,
                }
            }
        }
    }
}

/// The SSE handler.
pub async fn stream(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    cut: Option<axum::Extension<StreamCut>>,
    framing: Option<axum::Extension<StreamFraming>>,
) -> Response {
    let framing = framing.map(|f| f.0).unwrap_or_default();
    // With `id:` lines, a reconnect resumes after Last-Event-ID instead of replaying from the start.
    let resume_after = framing
        .ids
        .then(|| {
            headers
                .get("last-event-id")
                .and_then(|v| v.to_str().ok()?.trim().parse::<usize>().ok())
        })
        .flatten();
    let token = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let user = match auth::require_stream_user(&app, &headers, token.as_deref()) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let ttl = app.config.response_ttl;
    let ctx = {
        let mut store = app.lock();
        if let Err(e) = crate::routes::run_access(&store, &run_id, &user) {
            return e.into_response();
        }
        let Some(run) = store.runs.get_mut(&run_id) else {
            return ApiError::run_not_found().into_response();
        };
        if run.ended.is_some_and(|t| t.elapsed() >= ttl) {
            run.items.clear();
        }
        let skip = resume_after.map_or(0, |id| id + 1);
        let mut pending: VecDeque<String> = run.items.iter().skip(skip).cloned().collect();
        let running = run.is_running();
        if !running {
            pending.push_back(BARE_COMPLETED.to_owned());
        }
        Ctx {
            app: app.clone(),
            run_id: run_id.clone(),
            cursor: run.items.len(),
            pending,
            control_cursor: run.controls.len(),
            rx: run.notify.subscribe(),
            shutdown: app.shutdown.clone(),
            closing: !running,
            finished: false,
            sent: 0,
            cut: cut.map(|c| c.0),
            framing,
            next_index: skip,
            bom_sent: false,
            _open: OpenStream::new(&app),
        }
    };
    let body = futures::stream::unfold(ctx, Ctx::next);
    let mut resp = Response::new(Body::from_stream(body));
    apply_sse_headers(&mut resp);
    resp
}
