//! `GET /health` and `GET /health-docker`.

use serde::{Deserialize, Serialize};

/// The body of `GET /health` (and `GET /health-docker`).
///
/// Tolerates every known shape: the current backend's (`status`, `timestamp`, `instance_id`, `environment`,
/// `cors_origins`), the older one and `/health-docker` (`status`, `timestamp`, `instance_id`), and the
/// deployment guide's (`status`, `timestamp`, `components: {redis, database}`). Fields a shape lacks are
/// `None` and are left out again when re-encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct HealthResponse {
    /// `"ok"` from the backend (the deployment guide also shows `"healthy"`).
    pub status: String,
    /// ISO-8601 UTC time of the check, e.g. `2025-09-25T10:14:58.512034+00:00` (every known shape has it).
    pub timestamp: String,
    /// The instance id (`"single"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// `local`, `staging` or `production` (current backend only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The CORS allow-list (current backend only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors_origins: Option<Vec<String>>,
    /// Per-component health (deployment guide shape only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<HealthComponents>,
}

impl HealthResponse {
    /// Whether the status says the backend is up (`"ok"` or `"healthy"`, case-insensitive).
    pub fn is_ok(&self) -> bool {
        self.status.eq_ignore_ascii_case("ok") || self.status.eq_ignore_ascii_case("healthy")
    }
}

/// Component states in the deployment guide's health shape. Values are usually strings such as
/// `"healthy"`; they are kept as raw JSON so any richer value also decodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct HealthComponents {
    /// The Redis state, e.g. `"healthy"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub redis: Option<serde_json::Value>,
    /// The database state, e.g. `"healthy"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub database: Option<serde_json::Value>,
}

impl HealthComponents {
    /// The Redis state when it is a string.
    pub fn redis_status(&self) -> Option<&str> {
        self.redis.as_ref().and_then(serde_json::Value::as_str)
    }

    /// The database state when it is a string.
    pub fn database_status(&self) -> Option<&str> {
        self.database.as_ref().and_then(serde_json::Value::as_str)
    }
}
