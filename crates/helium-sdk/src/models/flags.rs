//! Feature flags (`GET /feature-flags`, `GET /feature-flags/{name}`). These routes never fail: on errors the
//! backend answers `{"flags": {}}` or `enabled: false`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The response of `GET /feature-flags`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FeatureFlags {
    /// Flag name → enabled.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, boolean>"))]
    pub flags: BTreeMap<String, bool>,
}

impl FeatureFlags {
    /// Whether `name` is enabled (`false` when unknown).
    pub fn is_enabled(&self, name: &str) -> bool {
        self.flags.get(name).copied().unwrap_or(false)
    }
}

/// The response of `GET /feature-flags/{name}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FeatureFlag {
    /// The flag, e.g. `custom_agents`.
    pub flag_name: String,
    /// Whether it is on.
    pub enabled: bool,
    /// Extra information from the flag store, or `null`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub details: Option<serde_json::Value>,
}
