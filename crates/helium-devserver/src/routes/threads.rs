//! §5.3 thread routes: list, detail, create, messages (list, create, add, delete).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde_json::{Value, json};

use super::thread_access;
use crate::errors::{ApiError, ApiResult, missing_entry, ok};
use crate::state::{AppState, Store, Thread, new_id};
use crate::validation::{Errors, json_body, read_form, require_object};
use crate::{auth, timefmt};

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query.and_then(|q| {
        // Starlette: the last of repeated values wins.
        form_urlencoded::parse(q.as_bytes())
            .filter(|(k, _)| k == name)
            .last()
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
    // `.eq('account_id', user_id).order('created_at', desc=True)`
    let mut threads: Vec<&Thread> = store.threads.values().filter(|t| t.account_id == user).collect();
    threads.sort_by_key(|t| std::cmp::Reverse((timefmt::ts_key(&t.created_at), t.order)));
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

/// `GET /api/threads/{thread_id}/messages?order=desc|asc`: ordered by `created_at`, descending only for exactly
/// `desc` (the default), as `.order('created_at', desc=(order == "desc"))` does.
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
    let mut rows = store.thread_messages(&thread_id);
    if order == "desc" {
        rows.reverse();
    }
    Ok(ok(json!({"messages": rows})))
}

/// `POST /api/threads` (form field `name`, optional, default `New Project`): a project with a sandbox, and a
/// thread in it → `{"thread_id", "project_id"}`.
pub async fn create(State(app): State<Arc<AppState>>, req: Request) -> ApiResult {
    let headers = req.headers().clone();
    let form = read_form(req).await?;
    let user = auth::require_user(&app, &headers)?;
    // `Form(None)`: an empty string counts as missing, and `if not name: name = "New Project"`.
    let name = form
        .get("name")
        .filter(|n| !n.is_empty())
        .unwrap_or("New Project")
        .to_owned();
    let mut store = app.lock();
    let project_id = store.create_project(&user, &name);
    store.create_sandbox(&project_id);
    let thread_id = store.create_thread(&user, &project_id);
    Ok(ok(json!({"thread_id": thread_id, "project_id": project_id})))
}

/// The row a backend insert of a message returns.
fn insert_message(store: &mut Store, thread_id: &str, kind: &str, is_llm: bool, content: Value) -> Value {
    let now = timefmt::now_iso();
    let row = crate::state::message_row(json!({
        "message_id": new_id(),
        "thread_id": thread_id,
        "type": kind,
        "is_llm_message": is_llm,
        "content": content,
        "metadata": {},
        "created_at": now,
        "updated_at": now,
    }));
    store.add_message(thread_id, row.clone());
    row
}

/// `POST /api/threads/{thread_id}/messages` `{"type": str, "content": str, "is_llm_message": bool = true}` → the
/// inserted row; `content` is stored as the object `{"role": "user" | "assistant", "content": …}`.
pub async fn create_message(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let value = json_body(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let obj = require_object(value)?;
    let mut errors = Errors::default();
    let kind = errors.req_string(&obj, "type");
    let content = errors.req_string(&obj, "content");
    let is_llm = errors.bool_field(&obj, "is_llm_message", true);
    errors.finish()?;
    let (Some(kind), Some(content)) = (kind, content) else {
        return Err(ApiError::internal("Failed to create message"));
    };
    let mut store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    let role = if kind == "user" { "user" } else { "assistant" };
    let row = insert_message(
        &mut store,
        &thread_id,
        &kind,
        is_llm,
        json!({"role": role, "content": content}),
    );
    Ok(ok(row))
}

/// `POST /api/threads/{thread_id}/messages/add?message=…` → the inserted row: a user message
/// (`type: "user"`, `is_llm_message: true`, `content: {"role": "user", "content": message}`).
pub async fn add_message(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let Some(message) = query_param(query.as_deref(), "message") else {
        return Err(ApiError::validation(vec![missing_entry(&["query", "message"])]));
    };
    let mut store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    let row = insert_message(
        &mut store,
        &thread_id,
        "user",
        true,
        json!({"role": "user", "content": message}),
    );
    Ok(ok(row))
}

/// `DELETE /api/threads/{thread_id}/messages/{message_id}`: deletes the row only if `is_llm_message` is true;
/// answers success either way, as the backend does.
pub async fn delete_message(
    State(app): State<Arc<AppState>>,
    Path((thread_id, message_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    if let Some(rows) = store.messages.get_mut(&thread_id) {
        rows.retain(|r| !(r["message_id"] == message_id.as_str() && r["is_llm_message"] == true));
    }
    Ok(ok(json!({"message": "Message deleted successfully"})))
}
