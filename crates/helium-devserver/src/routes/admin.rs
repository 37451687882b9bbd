//! `/__devserver/*`: fault schedule, request log and sample tokens.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::auth::{SAMPLE_USER_ID, token_for};
use crate::errors::{ApiError, ok};
use crate::state::AppState;
use crate::validation::json_body;

/// `POST /__devserver/faults` `{"method": "GET"|null, "path": "/api/health" | "/api/*", "fault": "status=503; times=2"}`.
pub async fn schedule(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let value = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let method = match value.get("method") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => Some(m.to_ascii_uppercase()),
        Some(_) => return ApiError::bad_request("'method' must be a string or null").into_response(),
    };
    let Some(path) = value.get("path").and_then(Value::as_str) else {
        return ApiError::bad_request("'path' (string) is required").into_response();
    };
    let Some(fault) = value.get("fault").and_then(Value::as_str) else {
        return ApiError::bad_request("'fault' (directive string) is required").into_response();
    };
    match app.faults.schedule(method.clone(), path.to_owned(), fault) {
        Ok(()) => ok(json!({"status": "scheduled", "method": method, "path": path, "fault": fault})),
        Err(msg) => ApiError::bad_request(format!("Invalid fault: {msg}")).into_response(),
    }
}

/// `GET /__devserver/faults`: the active schedule.
pub async fn list(State(app): State<Arc<AppState>>) -> Response {
    ok(json!({"faults": app.faults.scheduled_json()}))
}

/// `DELETE /__devserver/faults`: clear the schedule and the `times` counters.
pub async fn clear(State(app): State<Arc<AppState>>) -> Response {
    app.faults.clear();
    ok(json!({"status": "cleared"}))
}

/// `GET /__devserver/requests`: the request log.
pub async fn requests(State(app): State<Arc<AppState>>) -> Response {
    ok(app.faults.log_json())
}

/// `DELETE /__devserver/requests`.
pub async fn clear_requests(State(app): State<Arc<AppState>>) -> Response {
    app.faults.clear_log();
    ok(json!({"status": "cleared"}))
}

/// `GET /__devserver/token?sub=<uuid>`: `{"token": "<jwt>", "sub": "<sub>"}` (HS256, role `authenticated`).
pub async fn token(State(app): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let sub = query
        .as_deref()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "sub")
                .map(|(_, v)| v.into_owned())
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| SAMPLE_USER_ID.to_owned());
    ok(json!({"token": token_for(&sub, &app.config.jwt_secret), "sub": sub}))
}

/// `GET /__devserver/connections`: `{"accepted": N, "open": M}`, the TCP connections accepted since the start and
/// those open now (admin calls included), so that a client's connection reuse can be counted.
pub async fn connections(State(app): State<Arc<AppState>>) -> Response {
    use std::sync::atomic::Ordering::SeqCst;
    ok(json!({
        "accepted": app.connections_accepted.load(SeqCst),
        "open": app.connections_open.load(SeqCst),
    }))
}

/// `GET /__devserver/streams`: `{"open": N}`, the agent-run stream bodies being sent right now (a client that
/// went away closes its stream: this is how tests see a cancellation reach the backend).
pub async fn streams(State(app): State<Arc<AppState>>) -> Response {
    ok(json!({"open": app.open_streams.load(std::sync::atomic::Ordering::SeqCst)}))
}

/// `GET /__devserver/supabase`: `{"url": <base url>, "anon_key": <anon key>}` (never the service-role key).
pub async fn supabase(State(app): State<Arc<AppState>>) -> Response {
    ok(json!({
        "url": app.base_url,
        "anon_key": crate::jwt::project_key("anon", &app.config.jwt_secret),
    }))
}

/// `POST /__devserver/public-keys` `{"user_id": "<uuid>"}` (optional; default the fixtures' user) →
/// `{"api_key": "he-…", "user_id": "…"}`: a key for the public API v1.
pub async fn public_key(State(app): State<Arc<AppState>>, body: Bytes) -> Response {
    let requested: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return ApiError::bad_request("body must be JSON").into_response(),
        }
    };
    let user = match requested.get("user_id") {
        None | Some(Value::Null) => SAMPLE_USER_ID.to_owned(),
        Some(Value::String(u)) if !u.is_empty() => u.clone(),
        Some(_) => return ApiError::bad_request("'user_id' must be a non-empty string").into_response(),
    };
    let key = crate::routes::public_v1::create_key(&app, &user);
    ok(json!({"api_key": key, "user_id": user}))
}
