//! Agent runs: initiate, start, status, list, thread agent.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::{run_access, thread_access};
use crate::errors::{ApiError, ApiResult, ok};
use crate::script::{self, Variant};
use crate::state::{AppState, Run, Store, new_id};
use crate::validation::{Errors, json_body, parse_bool_str, read_form, require_object};
use crate::{EnvMode, auth, fixtures, pyjson, timefmt};

pub(crate) const DEFAULT_MODEL: &str = "vertex_ai/gemini-2.5-pro";
/// Agent ids accepted besides none: the stub default agent and the fixtures' agent.
const KNOWN_AGENTS: [&str; 2] = ["helium-default", "e4f5a6b7-8c9d-4e0f-a1b2-c3d4e5f6a7b8"];
/// Header naming a script explicitly (overrides prompt triggers).
pub const SCRIPT_HEADER: &str = "x-devserver-script";

pub(crate) fn resolve_model(name: &str) -> String {
    match name {
        "gemini-2.5-pro-vertex" => DEFAULT_MODEL.to_owned(),
        "claude-sonnet-4-bedrock" => "bedrock/anthropic.claude-sonnet-4-20250514-v1:0".to_owned(),
        other => other.to_owned(),
    }
}

/// Run settings shared by initiate and start.
#[derive(Debug, Clone)]
pub(crate) struct RunSettings {
    pub(crate) model_name: String,
    pub(crate) requested_model: String,
    pub(crate) enable_thinking: bool,
    pub(crate) reasoning_effort: String,
    pub(crate) enable_context_manager: bool,
    pub(crate) agent_id: Option<String>,
}

pub(crate) fn check_agent(store: &Store, user: &str, agent_id: Option<&str>) -> Result<(), ApiError> {
    match agent_id {
        None => Ok(()),
        Some(id) if KNOWN_AGENTS.contains(&id) || super::agents::owns(store, user, id) => Ok(()),
        Some(_) => Err(ApiError::not_found("Agent not found or access denied")),
    }
}

/// The 402 (staging) and 429 (production) gates.
pub(crate) fn check_gates(app: &AppState, store: &Store, user: &str) -> Result<(), ApiError> {
    match app.config.env_mode {
        EnvMode::Staging => {
            let used = store.runs_started.get(user).copied().unwrap_or(0);
            if used >= app.config.staging_free_runs {
                let body = fixtures::json("error_402_billing.json");
                return Err(ApiError::with_value(
                    StatusCode::PAYMENT_REQUIRED,
                    body.get("detail").cloned().unwrap_or(Value::Null),
                ));
            }
        }
        EnvMode::Production => {
            let running = store.running_threads_of(user);
            let limit = app.config.max_parallel_runs;
            if running.len() >= limit {
                return Err(ApiError::with_value(
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({
                        "message": format!("Maximum of {limit} parallel agent runs allowed within 24 hours. You currently have {} running.", running.len()),
                        "running_thread_ids": running,
                        "running_count": running.len(),
                        "limit": limit,
                    }),
                ));
            }
        }
        EnvMode::Local => {}
    }
    Ok(())
}

/// Insert a run row, count it as usage and spawn its script.
pub(crate) fn create_run(
    app: &Arc<AppState>,
    store: &mut Store,
    thread_id: &str,
    user: &str,
    settings: &RunSettings,
    variant: Variant,
    prompt: &str,
) -> String {
    let run_id = new_id();
    let now = timefmt::now_iso();
    let (notify, _) = watch::channel(0u64);
    let order = store.next_seq();
    store.runs.insert(
        run_id.clone(),
        Run {
            id: run_id.clone(),
            thread_id: thread_id.to_owned(),
            account_id: user.to_owned(),
            status: "running".to_owned(),
            started_at: now.clone(),
            completed_at: None,
            error: None,
            created_at: now.clone(),
            updated_at: now,
            agent_id: settings.agent_id.clone(),
            agent_version_id: None,
            metadata: json!({
                "model_name": settings.model_name,
                "requested_model": settings.requested_model,
                "enable_thinking": settings.enable_thinking,
                "reasoning_effort": settings.reasoning_effort,
                "enable_context_manager": settings.enable_context_manager,
            }),
            order,
            started: Instant::now(),
            ended: None,
            items: Vec::new(),
            controls: Vec::new(),
            paused: false,
            notify,
        },
    );
    *store.runs_started.entry(user.to_owned()).or_insert(0) += 1;
    let project_id = store
        .threads
        .get(thread_id)
        .map(|t| t.project_id.clone())
        .unwrap_or_default();
    let steps = script::build(variant, prompt, thread_id, &project_id);
    tokio::spawn(script::drive(app.clone(), run_id.clone(), steps));
    run_id
}

pub(crate) fn variant_for(headers: &HeaderMap, prompt: &str) -> Variant {
    headers
        .get(SCRIPT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| Variant::detect(&format!("[{}]", s.trim())))
        .unwrap_or_else(|| Variant::detect(prompt))
}

fn form_bool(errors: &mut Errors, value: Option<&str>, name: &str, default: bool) -> bool {
    match value {
        None => default,
        Some(s) => parse_bool_str(s).unwrap_or_else(|| {
            errors.0.push(json!({"type": "bool_parsing", "loc": ["body", name], "msg": "Input should be a valid boolean, unable to interpret input", "input": s}));
            default
        }),
    }
}

/// Workspace path for an uploaded file name (`/` and `\` replaced by `_`).
pub fn upload_path(name: &str) -> String {
    format!("/workspace/{}", name.replace(['/', '\\'], "_"))
}

/// `POST /api/agent/initiate` (multipart).
pub async fn initiate(State(app): State<Arc<AppState>>, req: Request) -> ApiResult {
    let headers = req.headers().clone();
    let form = read_form(req).await?;
    let user = auth::require_user(&app, &headers)?;
    let prompt = form.get("prompt").filter(|p| !p.is_empty());
    let mut errors = Errors::default();
    let enable_thinking = form_bool(&mut errors, form.get("enable_thinking"), "enable_thinking", false);
    let _stream = form_bool(&mut errors, form.get("stream"), "stream", true);
    let enable_context_manager = form_bool(
        &mut errors,
        form.get("enable_context_manager"),
        "enable_context_manager",
        false,
    );
    let Some(prompt) = prompt else {
        let mut all = vec![crate::errors::missing_entry(&["body", "prompt"])];
        all.extend(errors.0);
        return Err(ApiError::validation(all));
    };
    errors.finish()?;
    let requested_model = form.get("model_name").unwrap_or(DEFAULT_MODEL).to_owned();
    let settings = RunSettings {
        model_name: resolve_model(&requested_model),
        requested_model,
        enable_thinking,
        reasoning_effort: form.get("reasoning_effort").unwrap_or("low").to_owned(),
        enable_context_manager,
        agent_id: form.get("agent_id").filter(|a| !a.is_empty()).map(str::to_owned),
    };
    let mut store = app.lock();
    check_agent(&store, &user, settings.agent_id.as_deref())?;
    check_gates(&app, &store, &user)?;
    let now = timefmt::now_iso();
    let name = if prompt.chars().count() > 30 {
        format!("{}...", prompt.chars().take(30).collect::<String>())
    } else {
        prompt.to_owned()
    };
    let project_id = store.create_project(&user, &name);
    let mut message = prompt.to_owned();
    let uploads: Vec<_> = form.files.iter().filter(|f| f.field == "files").collect();
    if !uploads.is_empty() {
        let sandbox_id = store.create_sandbox(&project_id);
        for file in uploads {
            let path = upload_path(&file.filename);
            store.write_file(&sandbox_id, &path, file.data.clone());
            message.push_str(&format!("\n\n[Uploaded File: {path}]\n"));
        }
    }
    let thread_id = store.create_thread(&user, &project_id);
    store.add_message(
        &thread_id,
        json!({
            "message_id": new_id(),
            "thread_id": thread_id,
            "type": "user",
            "is_llm_message": true,
            "content": pyjson::dumps(&json!({"role": "user", "content": message})),
            "metadata": {},
            "created_at": now,
            "updated_at": now,
            "agent_id": null,
            "agent_version_id": null,
        }),
    );
    let variant = variant_for(&headers, &message);
    let run_id = create_run(&app, &mut store, &thread_id, &user, &settings, variant, &message);
    Ok(ok(json!({"thread_id": thread_id, "agent_run_id": run_id})))
}

/// The text of the thread's latest user message (the prompt a new run answers), ordered by `created_at`.
/// `content` may be a JSON string holding `{"role","content"}` (initiate, the frontend's PostgREST insert), the
/// object itself (backend routes), or any other JSON a client inserted.
pub fn last_user_prompt(store: &Store, thread_id: &str) -> String {
    let rows = store.thread_messages(thread_id);
    let Some(row) = rows.iter().rev().find(|r| r["type"] == "user") else {
        return String::new();
    };
    let content = match &row["content"] {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.clone())),
        other => other.clone(),
    };
    match &content {
        Value::Object(m) => match m.get("content") {
            Some(Value::String(text)) => text.clone(),
            Some(other) => pyjson::dumps(other),
            None => pyjson::dumps(&content),
        },
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => pyjson::dumps(other),
    }
}

/// Stop every running run of a project (DB `stopped`, control `STOP`), as `start` does before a new run.
pub(crate) fn stop_project_runs(store: &mut Store, project_id: &str) {
    let active: Vec<String> = store
        .runs
        .values()
        .filter(|r| {
            r.is_running()
                && store
                    .threads
                    .get(&r.thread_id)
                    .is_some_and(|t| t.project_id == project_id)
        })
        .map(|r| r.id.clone())
        .collect();
    for id in active {
        if let Some(run) = store.runs.get_mut(&id) {
            run.finish("stopped", None);
        }
        store.publish_control(&id, "STOP");
    }
}

/// `POST /api/thread/{thread_id}/agent/start` (JSON `AgentStartRequest`).
pub async fn start(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let value = json_body(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let obj = require_object(value)?;
    let mut errors = Errors::default();
    let requested_model = errors
        .opt_string(&obj, "model_name")
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    let enable_thinking = errors.bool_field(&obj, "enable_thinking", false);
    let reasoning_effort = errors
        .opt_string(&obj, "reasoning_effort")
        .unwrap_or_else(|| "low".to_owned());
    let _stream = errors.bool_field(&obj, "stream", true);
    let enable_context_manager = errors.bool_field(&obj, "enable_context_manager", false);
    let agent_id = errors.opt_string(&obj, "agent_id");
    errors.finish()?;
    let settings = RunSettings {
        model_name: resolve_model(&requested_model),
        requested_model,
        enable_thinking,
        reasoning_effort,
        enable_context_manager,
        agent_id,
    };
    let mut store = app.lock();
    let project_id = thread_access(&store, &thread_id, &user)?.project_id.clone();
    check_agent(&store, &user, settings.agent_id.as_deref())?;
    check_gates(&app, &store, &user)?;
    // Like the backend: a running run of the same project is stopped first.
    stop_project_runs(&mut store, &project_id);
    let prompt = last_user_prompt(&store, &thread_id);
    let variant = variant_for(&headers, &prompt);
    let run_id = create_run(&app, &mut store, &thread_id, &user, &settings, variant, &prompt);
    Ok(ok(json!({"agent_run_id": run_id, "status": "running"})))
}

/// `GET /api/agent-run/{run_id}` (camelCase keys).
pub async fn get_run(
    State(app): State<Arc<AppState>>,
    Path(run_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let store = app.lock();
    run_access(&store, &run_id, &user)?;
    let run = store.runs.get(&run_id).ok_or_else(ApiError::run_not_found)?;
    Ok(ok(json!({
        "id": run.id,
        "threadId": run.thread_id,
        "status": run.status,
        "startedAt": run.started_at,
        "completedAt": run.completed_at,
        "error": run.error,
    })))
}

/// `GET /api/thread/{thread_id}/agent-runs` (snake_case, `created_at` desc).
pub async fn list_runs(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    let mut runs: Vec<&Run> = store.runs.values().filter(|r| r.thread_id == thread_id).collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.order));
    let list: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "thread_id": r.thread_id, "status": r.status,
                "started_at": r.started_at, "completed_at": r.completed_at, "error": r.error,
                "created_at": r.created_at, "updated_at": r.updated_at,
            })
        })
        .collect();
    Ok(ok(json!({"agent_runs": list})))
}

/// `GET /api/thread/{thread_id}/agent`: always the "none" answer (custom agents are off).
pub async fn thread_agent(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let user = match auth::require_user(&app, &headers) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let store = app.lock();
    if let Err(e) = thread_access(&store, &thread_id, &user) {
        return e.into_response();
    }
    ok(fixtures::json("thread_agent_none.json"))
}
