//! Feature flags.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::errors::ok;
use crate::state::AppState;

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
