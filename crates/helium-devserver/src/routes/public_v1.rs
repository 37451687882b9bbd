//! The public API v1 (`/api/v1/public/*`, contract §8.2). The real service is known **from its documentation
//! only** (no source is public): the routes, fields, limits, status codes and example bodies below are the
//! documented ones; everything the documentation leaves open is a choice of the dev backend (see the README).
//!
//! Auth: `X-API-Key: he-` + 36 alphanumerics (keys made by `POST /__devserver/public-keys` or
//! `DevServer::create_public_api_key`), or `Authorization: Bearer <jwt>` (decoded like the backend, unverified).
//! Every authenticated answer carries `X-RateLimit-Limit/Remaining/Reset`; past the limit, 429.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Value, json};

use super::agent::{
    DEFAULT_MODEL, RunSettings, check_agent, check_gates, create_run, resolve_model, stop_project_runs,
    upload_path, variant_for,
};
use crate::errors::{ApiError, missing_entry, ok};
use crate::state::{AppState, Store, new_id};
use crate::validation::{Form, parse_bool_str, read_form_limited};
use crate::{auth, pyjson, timefmt};

/// Extensions the documentation lists for uploads.
const EXTENSIONS: [&str; 22] = [
    "png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "docx", "xlsx", "pptx", "csv", "txt", "json", "xml",
    "md", "mp3", "wav", "flac", "aac", "zip", "rar", "7z",
];
const MAX_PROMPT: usize = 5000;
/// Files up to this size are inlined in JSON answers.
const INLINE_LIMIT: usize = 1024 * 1024;

// ------------------------------------------------------------------ keys, auth, rate limit

fn valid_key(key: &str) -> bool {
    key.strip_prefix("he-")
        .is_some_and(|rest| rest.len() == 36 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Make a key for `user_id` and remember it.
pub fn create_key(app: &AppState, user_id: &str) -> String {
    let key = format!("he-{}", super::keys::random_alnum(36));
    app.lock().public_keys.insert(key.clone(), user_id.to_owned());
    key
}

fn detail(status: StatusCode, text: &str) -> Response {
    ApiError::new(status, text).into_response()
}

/// The caller: `(identity for the rate limit, user id)`.
fn caller(app: &AppState, headers: &HeaderMap) -> Result<(String, String), Box<Response>> {
    if let Some(key) = headers.get("x-api-key") {
        let key = String::from_utf8_lossy(key.as_bytes()).into_owned();
        let user = valid_key(&key)
            .then(|| app.lock().public_keys.get(&key).cloned())
            .flatten();
        return match user {
            // the identity is the user: never the key itself, which must not end up anywhere else
            Some(user) => Ok((format!("key-user:{user}"), user)),
            None => Err(Box::new(detail(StatusCode::UNAUTHORIZED, "API key not found"))),
        };
    }
    let has_bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if has_bearer {
        return auth::require_user(app, headers)
            .map(|u| (format!("jwt-user:{u}"), u))
            .map_err(|e| Box::new(e.into_response()));
    }
    Err(Box::new(detail(
        StatusCode::UNAUTHORIZED,
        "Missing API key: send X-API-Key or Authorization: Bearer",
    )))
}

fn epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Count the request; `(limit, remaining, reset)` or `None` past the limit (fixed windows).
fn rate(app: &AppState, identity: &str) -> (u32, u32, u64, bool) {
    let limit = app.config.public_rate_limit;
    let window = app.config.public_rate_window.as_secs().max(1);
    let now = epoch();
    let mut store = app.lock();
    let entry = store
        .rate_windows
        .entry(identity.to_owned())
        .or_insert((now + window, 0));
    if now >= entry.0 {
        *entry = (now + window, 0);
    }
    let allowed = entry.1 < limit;
    if allowed {
        entry.1 += 1;
    }
    (limit, limit - entry.1.min(limit), entry.0, allowed)
}

fn rate_headers(resp: &mut Response, limit: u32, remaining: u32, reset: u64) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
}

/// Authenticate, count, run the handler, add the rate-limit headers.
async fn guarded<F, Fut>(app: Arc<AppState>, headers: &HeaderMap, f: F) -> Response
where
    F: FnOnce(Arc<AppState>, String) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    let (identity, user) = match caller(&app, headers) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let (limit, remaining, reset, allowed) = rate(&app, &identity);
    let mut resp = if allowed {
        f(app, user).await.unwrap_or_else(IntoResponse::into_response)
    } else {
        detail(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded. Please try again later.",
        )
    };
    rate_headers(&mut resp, limit, remaining, reset);
    resp
}

// ------------------------------------------------------------------ helpers

fn param(query: Option<&str>, name: &str) -> Option<String> {
    query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .filter(|(k, _)| k == name)
            .last()
            .map(|(_, v)| v.into_owned())
    })
}

fn int_param(query: Option<&str>, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
    let Some(raw) = param(query, name) else {
        return Ok(default);
    };
    match raw.trim().parse::<i64>() {
        Ok(n) if n < min => Err(ApiError::validation(vec![json!({
            "type": "greater_than_equal", "loc": ["query", name], "msg": format!("Input should be greater than or equal to {min}"),
            "input": raw, "ctx": {"ge": min},
        })])),
        Ok(n) if n > max => Err(ApiError::validation(vec![json!({
            "type": "less_than_equal", "loc": ["query", name], "msg": format!("Input should be less than or equal to {max}"),
            "input": raw, "ctx": {"le": max},
        })])),
        Ok(n) => Ok(n),
        Err(_) => Err(ApiError::validation(vec![json!({
            "type": "int_parsing", "loc": ["query", name], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": raw,
        })])),
    }
}

fn bool_param(query: Option<&str>, name: &str) -> Result<bool, ApiError> {
    match param(query, name) {
        None => Ok(false),
        Some(v) => parse_bool_str(&v).ok_or_else(|| {
            ApiError::validation(vec![json!({
                "type": "bool_parsing", "loc": ["query", name], "msg": "Input should be a valid boolean, unable to interpret input", "input": v,
            })])
        }),
    }
}

fn required_project(query: Option<&str>) -> Result<String, ApiError> {
    param(query, "project_id")
        .ok_or_else(|| ApiError::validation(vec![missing_entry(&["query", "project_id"])]))
}

/// The thread if it is the caller's and in `project_id`; else 404 `Thread not found`.
fn own_thread(store: &Store, user: &str, thread_id: &str, project_id: &str) -> Result<(), ApiError> {
    match store.threads.get(thread_id) {
        Some(t) if t.account_id == user && t.project_id == project_id => Ok(()),
        _ => Err(ApiError::not_found("Thread not found")),
    }
}

fn mime(name: &str) -> &'static str {
    match name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        Some("md") => "text/markdown",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("csv") => "text/csv",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        _ => "application/octet-stream",
    }
}

fn language(name: &str) -> String {
    match name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "html".to_owned(),
        Some("js") => "javascript".to_owned(),
        Some("ts") => "typescript".to_owned(),
        Some("py") => "python".to_owned(),
        Some("md") => "markdown".to_owned(),
        Some(other) => other.to_owned(),
        None => "text".to_owned(),
    }
}

/// The text of an assistant message without its XML tool calls.
fn visible_text(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<function_calls>") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find("</function_calls>") {
            Some(end) => &rest[start + end + "</function_calls>".len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// ```` ```lang\ncode``` ```` blocks of a text.
fn fenced_blocks(text: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut parts = text.split("```");
    let _ = parts.next();
    while let (Some(block), _) = (parts.next(), parts.next()) {
        let (lang, code) = block.split_once('\n').unwrap_or(("", block));
        blocks.push(json!({"language": if lang.trim().is_empty() { "text" } else { lang.trim() }, "code": code.trim_end()}));
    }
    blocks
}

/// The text of a message row's `content` (a JSON string or an object with `content`).
fn message_text(row: &Value) -> String {
    let content = match &row["content"] {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.clone())),
        other => other.clone(),
    };
    match &content["content"] {
        Value::String(s) => s.clone(),
        _ => match content {
            Value::String(s) => s,
            other => pyjson::dumps(&other),
        },
    }
}

/// `2025-09-25T10:15:02Z` from a row timestamp.
fn short_ts(ts: &str) -> String {
    format!("{}Z", ts.get(..19).unwrap_or(ts))
}

fn file_id(thread_id: &str, path: &str) -> String {
    format!("{thread_id}:{path}")
}

/// A file entry with optional inline content: text inline as UTF-8, other bytes as base64.
fn file_json(thread_id: &str, path: &str, data: &Bytes, include: bool) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (included, content, encoding) = if include && data.len() <= INLINE_LIMIT {
        match std::str::from_utf8(data) {
            Ok(t) => (true, Value::String(t.to_owned()), json!("utf-8")),
            Err(_) => (
                true,
                Value::String(base64::engine::general_purpose::STANDARD.encode(data)),
                json!("base64"),
            ),
        }
    } else {
        (false, Value::Null, Value::Null)
    };
    json!({
        "file_id": file_id(thread_id, path), "file_name": name, "file_size": data.len(),
        "file_type": mime(name), "included_inline": included, "content": content, "encoding": encoding,
    })
}

/// Validate the documented prompt and file limits, then write the files into the project's sandbox (made if
/// needed) and return the message the run answers.
fn accept_upload(
    app: &AppState,
    store: &mut Store,
    form: &Form,
    project_id: &str,
) -> Result<String, ApiError> {
    let limits = app.config.public_file_limits;
    let files: Vec<_> = form.files.iter().filter(|f| f.field == "files").collect();
    let prompt = form.get("prompt").unwrap_or("").to_owned();
    if prompt.trim().is_empty() && files.is_empty() {
        return Err(ApiError::bad_request(
            "prompt is required when no files are provided",
        ));
    }
    if prompt.chars().count() > MAX_PROMPT {
        return Err(ApiError::bad_request(format!(
            "prompt must be at most {MAX_PROMPT} characters"
        )));
    }
    if files.len() > limits.max_files {
        return Err(ApiError::bad_request(format!(
            "Too many files: at most {} files are allowed",
            limits.max_files
        )));
    }
    let mut total = 0usize;
    for f in &files {
        let ext = f
            .filename
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !EXTENSIONS.contains(&ext.as_str()) {
            return Err(ApiError::bad_request(format!(
                "File type not allowed: {}",
                f.filename
            )));
        }
        if f.data.len() > limits.max_file_bytes {
            return Err(ApiError::bad_request(format!(
                "File {} is too large: at most {} bytes per file",
                f.filename, limits.max_file_bytes
            )));
        }
        total += f.data.len();
    }
    if total > limits.max_total_bytes {
        return Err(ApiError::bad_request(format!(
            "Files are too large: at most {} bytes in all",
            limits.max_total_bytes
        )));
    }
    let mut message = prompt;
    if !files.is_empty() {
        let existing = store
            .projects
            .get(project_id)
            .and_then(|p| p.sandbox_id().map(str::to_owned))
            .filter(|id| store.sandboxes.contains_key(id));
        let sandbox_id = existing.unwrap_or_else(|| store.create_sandbox(project_id));
        for f in files {
            let path = upload_path(&f.filename);
            store.write_file(&sandbox_id, &path, f.data.clone());
            message.push_str(&format!("\n\n[Uploaded File: {path}]\n"));
        }
    }
    Ok(message)
}

fn user_row(thread_id: &str, message: &str) -> Value {
    let now = timefmt::now_iso();
    json!({
        "message_id": new_id(), "thread_id": thread_id, "type": "user", "is_llm_message": true,
        "content": pyjson::dumps(&json!({"role": "user", "content": message})),
        "metadata": {}, "created_at": now, "updated_at": now,
    })
}

fn body_limit(app: &AppState) -> usize {
    app.config
        .public_file_limits
        .max_total_bytes
        .saturating_add(1024 * 1024)
}

// ------------------------------------------------------------------ routes

/// `POST /api/v1/public/quick-action` (multipart): a project, thread and run, like `/agent/initiate`, and the
/// documented answer with `project_id`.
pub async fn quick_action(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let script_headers = headers.clone();
    let limit = body_limit(&app);
    let file_limit = app.config.public_file_limits.max_file_bytes.saturating_add(1);
    guarded(app, &headers, move |app, user| async move {
        let headers = script_headers;
        let form = read_form_limited(req, limit, file_limit).await.map_err(|e| {
            if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::bad_request("Files are too large")
            } else {
                e
            }
        })?;
        let effort = form.get("reasoning_effort").unwrap_or("low").to_owned();
        if !matches!(effort.as_str(), "low" | "medium" | "high") {
            return Err(ApiError::bad_request("reasoning_effort must be one of low, medium, high"));
        }
        if let Some(source) = form.get("source")
            && !matches!(source, "web" | "mobile" | "widget")
        {
            return Err(ApiError::bad_request("source must be one of web, mobile, widget"));
        }
        let metadata = match form.get("metadata").filter(|m| !m.is_empty()) {
            None => json!({}),
            Some(m) => match serde_json::from_str::<Value>(m) {
                Ok(v @ Value::Object(_)) => v,
                _ => return Err(ApiError::bad_request("metadata must be a JSON object")),
            },
        };
        let flag = |name: &str, default: bool| form.get(name).and_then(parse_bool_str).unwrap_or(default);
        let show_in_recent = param(query.as_deref(), "show_in_recent_tasks")
            .and_then(|v| parse_bool_str(&v))
            .unwrap_or_else(|| flag("show_in_recent_tasks", true));
        let requested_model = form.get("model_name").unwrap_or(DEFAULT_MODEL).to_owned();
        let settings = RunSettings {
            model_name: resolve_model(&requested_model),
            requested_model,
            enable_thinking: flag("enable_thinking", false),
            reasoning_effort: effort,
            enable_context_manager: flag("enable_context_manager", false),
            agent_id: form.get("agent_id").filter(|a| !a.is_empty()).map(str::to_owned),
        };
        let mut store = app.lock();
        check_agent(&store, &user, settings.agent_id.as_deref())?;
        check_gates(&app, &store, &user)?;
        let prompt = form.get("prompt").unwrap_or("");
        let name: String = if prompt.is_empty() { "Uploaded files".to_owned() } else { prompt.chars().take(30).collect() };
        let project_id = store.create_project(&user, &name);
        let message = match accept_upload(&app, &mut store, &form, &project_id) {
            Ok(m) => m,
            Err(e) => {
                store.projects.remove(&project_id);
                return Err(e);
            }
        };
        let thread_id = store.create_thread(&user, &project_id);
        if let Some(t) = store.threads.get_mut(&thread_id) {
            t.metadata = json!({
                "source": form.get("source").unwrap_or("web"), "show_in_recent_tasks": show_in_recent, "metadata": metadata,
            });
        }
        store.add_message(&thread_id, user_row(&thread_id, &message));
        let variant = variant_for(&headers, &message);
        let run_id = create_run(&app, &mut store, &thread_id, &user, &settings, variant, &message);
        Ok(ok(json!({
            "success": true, "project_id": project_id, "thread_id": thread_id, "agent_run_id": run_id,
            "message": "Task created and execution started",
        })))
    })
    .await
}

fn latest_run(store: &Store, thread_id: &str) -> Option<(String, String)> {
    store
        .runs
        .values()
        .filter(|r| r.thread_id == thread_id)
        .max_by_key(|r| r.order)
        .map(|r| (r.id.clone(), r.status.clone()))
}

/// The documented response object for the thread's latest run.
fn response_body(store: &Store, thread_id: &str, project_id: &str, include_files: bool) -> Value {
    let Some((run_id, status)) = latest_run(store, thread_id) else {
        return json!({
            "success": true, "thread_id": thread_id, "project_id": project_id, "agent_run_id": null,
            "status": "no_run", "response": null, "has_code": false, "has_files": false, "code_blocks": [], "files": [],
        });
    };
    let items: Vec<Value> = store
        .runs
        .get(&run_id)
        .map(|r| {
            r.items
                .iter()
                .filter_map(|i| serde_json::from_str(i).ok())
                .collect()
        })
        .unwrap_or_default();
    let last_assistant = items
        .iter()
        .rev()
        .find(|i| i["type"] == "assistant" && !i["message_id"].is_null());
    let response = last_assistant.map(|m| {
        json!({"role": "assistant", "content": visible_text(&message_text(m)), "message_id": m["message_id"]})
    });
    // files the run created (create_file results), as they are in the sandbox now
    let sandbox = store
        .threads
        .get(thread_id)
        .and_then(|t| store.projects.get(&t.project_id))
        .and_then(|p| p.sandbox_id())
        .and_then(|id| store.sandboxes.get(id));
    let mut files = Vec::new();
    let mut code_blocks = Vec::new();
    for item in items.iter().filter(|i| i["type"] == "tool") {
        let content: Value = item["content"]
            .as_str()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or(Value::Null);
        let exec = &content["tool_execution"];
        if exec["function_name"] != "create_file" {
            continue;
        }
        let Some(rel) = exec["arguments"]["file_path"].as_str() else {
            continue;
        };
        let path = format!("/workspace/{}", rel.trim_start_matches('/'));
        if let Some(entry) = sandbox.and_then(|s| s.files.get(&path)) {
            // the documented entry of this answer has no `file_type`
            let mut f = file_json(thread_id, &path, &entry.data, include_files);
            if let Some(obj) = f.as_object_mut() {
                obj.shift_remove("file_type");
            }
            files.push(f);
            if let Ok(code) = std::str::from_utf8(&entry.data) {
                code_blocks.push(json!({"language": language(&path), "code": code}));
            }
        }
    }
    if let Some(r) = &response {
        code_blocks.extend(fenced_blocks(r["content"].as_str().unwrap_or("")));
    }
    json!({
        "success": true, "thread_id": thread_id, "project_id": project_id, "agent_run_id": run_id, "status": status,
        "response": response, "has_code": !code_blocks.is_empty(), "has_files": !files.is_empty(),
        "code_blocks": code_blocks, "files": files,
    })
}

/// `GET /api/v1/public/threads/{thread_id}/response?project_id=&timeout=300&realtime=false&include_file_content=false`.
/// Long-polls until the latest run ends or `timeout` seconds pass; `realtime=true` streams the documented SSE lines.
pub async fn get_response(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(app, &headers, move |app, user| async move {
        let q = query.as_deref();
        let project_id = required_project(q)?;
        let timeout = int_param(q, "timeout", 300, 0, 600)?;
        let realtime = bool_param(q, "realtime")?;
        let include = bool_param(q, "include_file_content")?;
        int_param(q, "page", 1, 1, i64::MAX)?;
        int_param(q, "page_size", 100, 1, 1000)?;
        let (run, rx) = {
            let store = app.lock();
            own_thread(&store, &user, &thread_id, &project_id)?;
            let run = latest_run(&store, &thread_id).map(|(id, _)| id);
            let rx = run
                .as_ref()
                .and_then(|id| store.runs.get(id))
                .map(|r| r.notify.subscribe());
            (run, rx)
        };
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout.unsigned_abs());
        if realtime {
            return Ok(realtime_stream(app, run, rx, deadline));
        }
        if let (Some(run_id), Some(mut rx)) = (run, rx) {
            let mut shutdown = app.shutdown.clone();
            loop {
                let running = app.lock().runs.get(&run_id).is_some_and(|r| r.is_running());
                if !running {
                    break;
                }
                tokio::select! {
                    changed = rx.changed() => if changed.is_err() { break },
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = shutdown.wait_for(|v| *v) => break,
                }
            }
        }
        let store = app.lock();
        Ok(ok(response_body(&store, &thread_id, &project_id, include)))
    })
    .await
}

fn sse_line(v: &Value) -> Bytes {
    Bytes::from(format!("data: {}\n\n", pyjson::dumps(v)))
}

/// `data: {"type": "status", "status": "running"}`, one `{"type": "content", "content": …}` per assistant text chunk,
/// then the run's final status (or the current one when `timeout` passes).
fn realtime_stream(
    app: Arc<AppState>,
    run: Option<String>,
    rx: Option<tokio::sync::watch::Receiver<u64>>,
    deadline: tokio::time::Instant,
) -> Response {
    struct S {
        app: Arc<AppState>,
        run: Option<String>,
        rx: Option<tokio::sync::watch::Receiver<u64>>,
        cursor: usize,
        started: bool,
        done: bool,
        deadline: tokio::time::Instant,
    }
    let state = S {
        app,
        run,
        rx,
        cursor: 0,
        started: false,
        done: false,
        deadline,
    };
    let body = futures::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let Some(run_id) = s.run.clone() else {
            s.done = true;
            return Some((
                Ok::<Bytes, std::io::Error>(sse_line(&json!({"type": "status", "status": "no_run"}))),
                s,
            ));
        };
        if !s.started {
            s.started = true;
            return Some((Ok(sse_line(&json!({"type": "status", "status": "running"}))), s));
        }
        let mut shutdown = s.app.shutdown.clone();
        loop {
            let app = s.app.clone();
            let (next, status) = {
                let store = app.lock();
                let Some(run) = store.runs.get(&run_id) else {
                    drop(store);
                    s.done = true;
                    return Some((Ok(sse_line(&json!({"type": "status", "status": "stopped"}))), s));
                };
                let mut found = None;
                while let Some(raw) = run.items.get(s.cursor) {
                    s.cursor += 1;
                    let item: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
                    let is_chunk = item["type"] == "assistant"
                        && item["metadata"]
                            .as_str()
                            .is_some_and(|m| m.contains("\"stream_status\": \"chunk\""));
                    if is_chunk {
                        found = Some(message_text(&item));
                        break;
                    }
                }
                (found, run.status.clone())
            };
            if let Some(text) = next {
                return Some((Ok(sse_line(&json!({"type": "content", "content": text}))), s));
            }
            if status != "running" {
                s.done = true;
                return Some((Ok(sse_line(&json!({"type": "status", "status": status}))), s));
            }
            let rx = s.rx.as_mut()?;
            tokio::select! {
                changed = rx.changed() => if changed.is_err() { return None },
                _ = tokio::time::sleep_until(s.deadline) => {
                    s.done = true;
                    return Some((Ok(sse_line(&json!({"type": "status", "status": "running"}))), s));
                }
                _ = shutdown.wait_for(|v| *v) => return None,
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// `POST /api/v1/public/threads/{thread_id}/response?project_id=` (multipart `prompt`, `files`): a follow-up run.
pub async fn follow_up(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let script_headers = headers.clone();
    let limit = body_limit(&app);
    let file_limit = app.config.public_file_limits.max_file_bytes.saturating_add(1);
    guarded(app, &headers, move |app, user| async move {
        let headers = script_headers;
        let project_id = required_project(query.as_deref())?;
        let form = read_form_limited(req, limit, file_limit).await?;
        let mut store = app.lock();
        own_thread(&store, &user, &thread_id, &project_id)?;
        check_gates(&app, &store, &user)?;
        let message = accept_upload(&app, &mut store, &form, &project_id)?;
        stop_project_runs(&mut store, &project_id);
        store.add_message(&thread_id, user_row(&thread_id, &message));
        let settings = RunSettings {
            model_name: DEFAULT_MODEL.to_owned(),
            requested_model: DEFAULT_MODEL.to_owned(),
            enable_thinking: false,
            reasoning_effort: "low".to_owned(),
            enable_context_manager: false,
            agent_id: None,
        };
        let variant = variant_for(&headers, &message);
        let run_id = create_run(&app, &mut store, &thread_id, &user, &settings, variant, &message);
        Ok(ok(json!({"success": true, "agent_run_id": run_id, "status": "running", "message": "Follow-up accepted"})))
    })
    .await
}

/// `POST /api/v1/public/threads/{thread_id}/agent/stop?project_id=`: stops the running run.
pub async fn stop(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(app, &headers, move |app, user| async move {
        let project_id = required_project(query.as_deref())?;
        let mut store = app.lock();
        own_thread(&store, &user, &thread_id, &project_id)?;
        let running = store
            .runs
            .values()
            .filter(|r| r.thread_id == thread_id && r.is_running())
            .max_by_key(|r| r.order)
            .map(|r| r.id.clone());
        let Some(run_id) = running else {
            return Err(ApiError::not_found("No running agent found for this thread"));
        };
        if let Some(run) = store.runs.get_mut(&run_id) {
            run.finish("stopped", None);
        }
        store.publish_control(&run_id, "STOP");
        Ok(ok(
            json!({"success": true, "agent_run_id": run_id, "status": "stopped"}),
        ))
    })
    .await
}

/// `GET /api/v1/public/threads/{thread_id}/history?project_id=&page=1&page_size=100&include_status_messages&compact`.
pub async fn history(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(app, &headers, move |app, user| async move {
        let q = query.as_deref();
        let project_id = required_project(q)?;
        let page = int_param(q, "page", 1, 1, i64::from(u32::MAX))?;
        let page_size = int_param(q, "page_size", 100, 1, 1000)?;
        let with_status = bool_param(q, "include_status_messages")?;
        let compact = bool_param(q, "compact")?;
        bool_param(q, "include_file_content")?;
        let store = app.lock();
        own_thread(&store, &user, &thread_id, &project_id)?;
        let mut messages = Vec::new();
        for row in store.thread_messages(&thread_id) {
            let kind = row["type"].as_str().unwrap_or("");
            let mut m = match kind {
                "user" => json!({"message_id": row["message_id"], "role": "user", "content": message_text(&row),
                                 "created_at": short_ts(row["created_at"].as_str().unwrap_or(""))}),
                "assistant" => json!({"message_id": row["message_id"], "role": "assistant",
                                      "content": visible_text(&message_text(&row)),
                                      "created_at": short_ts(row["created_at"].as_str().unwrap_or(""))}),
                "status" if with_status => json!({"message_id": row["message_id"], "role": "status",
                                                  "content": row["content"]["status_type"],
                                                  "created_at": short_ts(row["created_at"].as_str().unwrap_or(""))}),
                _ => continue,
            };
            if kind == "assistant" && !compact {
                let raw = message_text(&row);
                m["has_code"] = json!(raw.contains("<function_calls>") || raw.contains("```"));
                m["has_files"] = json!(raw.contains("create_file"));
            }
            messages.push(m);
        }
        let total = i64::try_from(messages.len()).unwrap_or(0);
        let pages = (total + page_size - 1) / page_size;
        let items: Vec<Value> = messages
            .into_iter()
            .skip(usize::try_from((page - 1) * page_size).unwrap_or(usize::MAX))
            .take(usize::try_from(page_size).unwrap_or(0))
            .collect();
        Ok(ok(json!({
            "success": true, "thread_id": thread_id, "messages": items,
            "pagination": {"current_page": page, "total_pages": pages, "has_next": page < pages},
        })))
    })
    .await
}

/// `GET /api/v1/public/threads/{thread_id}/files?project_id=&page=1&page_size=100`: the sandbox's `/workspace` files.
pub async fn files(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(app, &headers, move |app, user| async move {
        let q = query.as_deref();
        let project_id = required_project(q)?;
        let page = int_param(q, "page", 1, 1, i64::from(u32::MAX))?;
        let page_size = int_param(q, "page_size", 100, 1, 1000)?;
        let store = app.lock();
        own_thread(&store, &user, &thread_id, &project_id)?;
        let sandbox = store
            .projects
            .get(&project_id)
            .and_then(|p| p.sandbox_id())
            .and_then(|id| store.sandboxes.get(id));
        let all: Vec<Value> = sandbox
            .map(|s| {
                s.files
                    .iter()
                    .filter(|(p, _)| p.starts_with("/workspace/"))
                    .map(|(p, f)| {
                        let name = p.rsplit('/').next().unwrap_or(p);
                        json!({"file_id": file_id(&thread_id, p), "file_name": name, "file_size": f.data.len(), "file_type": mime(name)})
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total = all.len();
        let items: Vec<Value> = all
            .into_iter()
            .skip(usize::try_from((page - 1) * page_size).unwrap_or(usize::MAX))
            .take(usize::try_from(page_size).unwrap_or(0))
            .collect();
        Ok(ok(json!({"success": true, "files": items, "pagination": {"current_page": page, "total_items": total}})))
    })
    .await
}

/// `GET /api/v1/public/files/{file_id}?project_id=&thread_id=&download=false`; `file_id` =
/// `"{thread_id}:/workspace/{name}"`. JSON with the content inline (UTF-8 text, else base64), or the raw bytes.
pub async fn file(
    State(app): State<Arc<AppState>>,
    Path(file_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    guarded(app, &headers, move |app, user| async move {
        let q = query.as_deref();
        let project_id = required_project(q)?;
        let thread_id = param(q, "thread_id")
            .ok_or_else(|| ApiError::validation(vec![missing_entry(&["query", "thread_id"])]))?;
        let download = bool_param(q, "download")?;
        let store = app.lock();
        own_thread(&store, &user, &thread_id, &project_id)?;
        let path = file_id
            .strip_prefix(&format!("{thread_id}:"))
            .ok_or_else(|| ApiError::not_found("File not found"))?;
        let data = store
            .projects
            .get(&project_id)
            .and_then(|p| p.sandbox_id())
            .and_then(|id| store.sandboxes.get(id))
            .and_then(|s| s.files.get(path))
            .map(|f| f.data.clone())
            .ok_or_else(|| ApiError::not_found("File not found"))?;
        if download {
            let name = path.rsplit('/').next().unwrap_or(path);
            let mut resp = Response::new(Body::from(data));
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(name)));
            let disposition = format!(
                "attachment; filename*=UTF-8''{}",
                percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            return Ok(resp);
        }
        Ok(ok(
            json!({"success": true, "file": file_json(&thread_id, path, &data, true)}),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_helpers() {
        assert_eq!(
            visible_text("Hi.\n\n<function_calls>\n<invoke/>\n</function_calls>"),
            "Hi."
        );
        assert_eq!(
            fenced_blocks("a\n```py\nprint(1)\n```\nb"),
            vec![json!({"language": "py", "code": "print(1)"})]
        );
        assert!(valid_key(&format!("he-{}", "a".repeat(36))));
        assert!(!valid_key(&format!("he-{}", "a".repeat(35))));
        assert!(!valid_key(&format!("he-{}-", "a".repeat(35))));
        assert_eq!(
            short_ts("2025-09-25T10:15:02.154512+00:00"),
            "2025-09-25T10:15:02Z"
        );
    }
}
