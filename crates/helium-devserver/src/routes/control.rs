//! Run control: stop, pause, resume, takeover, release, manual-event.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde_json::{Value, json};

use super::run_access;
use crate::errors::{ApiResult, missing_entry, ok};
use crate::state::AppState;
use crate::validation::{json_body, require_object};
use crate::{auth, script, timefmt};

/// `POST /api/agent-run/{id}/stop`: DB `stopped`, publish `STOP`.
pub async fn stop(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    run_access(&store, &run_id, &user)?;
    if let Some(run) = store.runs.get_mut(&run_id) {
        let error = run.error.take();
        run.finish("stopped", error);
    }
    store.publish_control(&run_id, "STOP");
    Ok(ok(json!({"status": "stopped"})))
}

async fn pause_like(
    app: Arc<AppState>,
    run_id: String,
    headers: HeaderMap,
    pause: bool,
    answer: &str,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    run_access(&store, &run_id, &user)?;
    if pause {
        script::pause(&mut store, &run_id);
    } else {
        script::resume(&mut store, &run_id);
    }
    Ok(ok(json!({"status": answer})))
}

/// `POST /api/agent-run/{id}/pause` → `{"status": "pausing"}`.
pub async fn pause(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    pause_like(app, run_id, headers, true, "pausing").await
}

/// `POST /api/agent-run/{id}/resume` → `{"status": "resuming"}`.
pub async fn resume(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    pause_like(app, run_id, headers, false, "resuming").await
}

/// `POST /api/agent-run/{id}/takeover` → `{"status": "takeover"}` (pauses).
pub async fn takeover(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    pause_like(app, run_id, headers, true, "takeover").await
}

/// `POST /api/agent-run/{id}/release` → `{"status": "released"}` (resumes).
pub async fn release(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    pause_like(app, run_id, headers, false, "released").await
}

/// `POST /api/agent-run/{id}/manual-event` `{"type": str, "data": object}`.
pub async fn manual_event(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let value = json_body(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let obj = require_object(value)?;
    let mut errors = Vec::new();
    let event_type = match obj.get("type") {
        Some(Value::String(s)) => Some(s.clone()),
        None => {
            errors.push(missing_entry(&["body", "type"]));
            None
        }
        Some(other) => {
            errors.push(json!({"type": "string_type", "loc": ["body", "type"], "msg": "Input should be a valid string", "input": other}));
            None
        }
    };
    let data = match obj.get("data") {
        Some(Value::Object(m)) => Some(Value::Object(m.clone())),
        None => {
            errors.push(missing_entry(&["body", "data"]));
            None
        }
        Some(other) => {
            errors.push(json!({"type": "dict_type", "loc": ["body", "data"], "msg": "Input should be a valid dictionary", "input": other}));
            None
        }
    };
    let (Some(event_type), Some(data)) = (event_type, data) else {
        return Err(crate::errors::ApiError::validation(errors));
    };
    let mut store = app.lock();
    run_access(&store, &run_id, &user)?;
    let item = json!({
        "type": "manual_event",
        "event_type": event_type,
        "data": data,
        "timestamp": timefmt::now_iso(),
        "source": "manual",
        "user_id": user,
    });
    store.push_item(&run_id, &item);
    Ok(ok(json!({"status": "ok"})))
}
