//! Agents (custom agents off → the `helium-default` stub) and feature flags.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult, ok};
use crate::state::AppState;
use crate::{auth, fixtures};

/// `GET /api/agents`: exactly the `helium-default` agent, pagination `{1,1,1,1}`.
pub async fn agents(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    auth::require_user(&app, &headers)?;
    Ok(ok(fixtures::json("agents_list_custom_agents_disabled.json")))
}

/// `GET /api/agents/{agent_id}`: `helium-default` always works.
pub async fn agent(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    auth::require_user(&app, &headers)?;
    if agent_id != "helium-default" {
        return Err(ApiError::not_found("Agent not found or access denied"));
    }
    let list = fixtures::json("agents_list_custom_agents_disabled.json");
    Ok(ok(list["agents"].get(0).cloned().unwrap_or(Value::Null)))
}

/// `GET /api/feature-flags` → `{"flags": {name: bool}}`.
pub async fn flags(State(app): State<Arc<AppState>>) -> Response {
    let mut map = Map::new();
    for (name, enabled) in &app.config.feature_flags {
        map.insert(name.clone(), Value::Bool(*enabled));
    }
    ok(json!({"flags": map}))
}

/// `GET /api/feature-flags/{name}` → `{"flag_name", "enabled", "details"}`.
pub async fn flag(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    let found = app
        .config
        .feature_flags
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, e)| *e);
    let details = found.map(|e| json!({"enabled": e, "description": "", "updated_at": null}));
    ok(json!({"flag_name": name, "enabled": found.unwrap_or(false), "details": details}))
}
