//! `GET /api/health`, `GET /api/health-docker`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use crate::cors::real_origins;
use crate::errors::ok;
use crate::state::AppState;
use crate::timefmt;

/// `{"status","timestamp","instance_id","environment","cors_origins"}`.
pub async fn health(State(app): State<Arc<AppState>>) -> Response {
    ok(json!({
        "status": "ok",
        "timestamp": timefmt::now_iso(),
        "instance_id": "single",
        "environment": app.config.env_mode.as_str(),
        "cors_origins": real_origins(app.config.env_mode),
    }))
}

/// `{"status","timestamp","instance_id"}` (500 `Health check failed` only through faults).
pub async fn health_docker() -> Response {
    ok(json!({
        "status": "ok",
        "timestamp": timefmt::now_iso(),
        "instance_id": "single",
    }))
}
