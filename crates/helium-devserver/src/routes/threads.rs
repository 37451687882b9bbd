//! §5.3 thread routes: list, detail, messages.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::thread_access;
use crate::auth;
use crate::errors::{ApiError, ApiResult, ok};
use crate::state::{AppState, Store, Thread};

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

fn int_param(query: Option<&str>, name: &str, default: u64, min: u64, max: u64) -> Result<u64, ApiError> {
    let Some(raw) = query_param(query, name) else {
        return Ok(default);
    };
    let Ok(n) = raw.trim().parse::<i64>() else {
        return Err(ApiError::validation(vec![
            json!({"type": "int_parsing", "loc": ["query", name], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": raw}),
        ]));
    };
    if n < i64::try_from(min).unwrap_or(0) {
        return Err(ApiError::validation(vec![
            json!({"type": "greater_than_equal", "loc": ["query", name], "msg": format!("Input should be greater than or equal to {min}"), "input": raw, "ctx": {"ge": min}}),
        ]));
    }
    if n > i64::try_from(max).unwrap_or(i64::MAX) {
        return Err(ApiError::validation(vec![
            json!({"type": "less_than_equal", "loc": ["query", name], "msg": format!("Input should be less than or equal to {max}"), "input": raw, "ctx": {"le": max}}),
        ]));
    }
    Ok(n.unsigned_abs())
}

fn thread_json(store: &Store, t: &Thread) -> Value {
    json!({
        "thread_id": t.thread_id, "project_id": t.project_id, "metadata": t.metadata,
        "is_public": t.is_public, "created_at": t.created_at, "updated_at": t.updated_at,
        "project": store.projects.get(&t.project_id).map(|p| p.to_json()),
    })
}

/// `GET /api/threads?page=1&limit=1000`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let page = int_param(query.as_deref(), "page", 1, 1, u64::MAX / 2)?;
    let limit = int_param(query.as_deref(), "limit", 1000, 1, 1000)?;
    let store = app.lock();
    let mut threads: Vec<&Thread> = store.threads.values().filter(|t| t.account_id == user).collect();
    threads.sort_by_key(|t| std::cmp::Reverse(t.order));
    let total = threads.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let items: Vec<Value> = threads
        .iter()
        .skip(skip)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|t| thread_json(&store, t))
        .collect();
    Ok(ok(json!({
        "threads": items,
        "pagination": {"page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit)},
    })))
}

/// `GET /api/threads/{thread_id}`: thread + project + `message_count` + `recent_agent_runs`.
pub async fn detail(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let store = app.lock();
    let thread = thread_access(&store, &thread_id, &user)?;
    let mut body = thread_json(&store, thread);
    let count = store.messages.get(&thread_id).map_or(0, Vec::len);
    let mut runs: Vec<_> = store.runs.values().filter(|r| r.thread_id == thread_id).collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.order));
    let recent: Vec<Value> = runs
        .iter()
        .take(10)
        .map(|r| {
            json!({
                "id": r.id, "status": r.status, "started_at": r.started_at,
                "completed_at": r.completed_at, "error": r.error, "agent_id": r.agent_id,
                "agent_version_id": r.agent_version_id, "created_at": r.created_at,
            })
        })
        .collect();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("message_count".to_owned(), json!(count));
        obj.insert("recent_agent_runs".to_owned(), Value::Array(recent));
    }
    Ok(ok(body))
}

/// `GET /api/threads/{thread_id}/messages?order=desc|asc` (default `desc`).
pub async fn messages(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let order = query_param(query.as_deref(), "order").unwrap_or_else(|| "desc".to_owned());
    let store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    let mut rows: Vec<Value> = store.messages.get(&thread_id).cloned().unwrap_or_default();
    if !order.eq_ignore_ascii_case("asc") {
        rows.reverse();
    }
    Ok(ok(json!({"messages": rows})))
}
