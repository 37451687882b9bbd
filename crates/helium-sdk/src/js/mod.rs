//! JavaScript bindings (wasm only): conversions between JS values and the SDK's types. No logic lives here.
//!
//! Errors are thrown as JavaScript `Error`s with `name = "HeliumError"`, a stable `kind` (`"config"`, …), a
//! fine-grained `code` and, where there is one, the `variable` to fix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::config::{BackendUrlSource, Config, Env, EnvMode, KeyKind, Runtime, SupabaseConfig};
use crate::error::{ConfigError, Error};

mod client;
mod stream;

pub use client::HeliumClient;
pub use stream::AgentRunEvents;

/// Options of the configuration functions. Without `env`, the environment is `process.env` in a server
/// runtime and empty in a browser; with `env`, exactly those values are used.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigOptions {
    /// Overrides runtime detection.
    #[tsify(optional)]
    pub runtime: Option<Runtime>,
    /// The environment to read; `undefined`/`null` values count as unset.
    #[tsify(optional, type = "Record<string, string | undefined | null>")]
    pub env: Option<BTreeMap<String, Option<String>>>,
}

impl ConfigOptions {
    pub(crate) fn into_parts(self) -> (Runtime, Env) {
        let runtime = self.runtime.unwrap_or_else(Runtime::detect);
        let env = match self.env {
            Some(map) => Env::from_map(map.into_iter().filter_map(|(k, v)| Some((k, v?)))),
            None => Env::from_process(),
        };
        (runtime, env)
    }
}

/// The resolved backend URL (see `resolveBackendUrl`).
#[derive(Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedBackendUrl {
    /// The backend base URL, trailing slashes trimmed.
    pub url: String,
    /// The variable it came from, or `"default"`.
    pub source: BackendUrlSource,
    /// The API root (`url` + `/api` unless it already ends in `/api`).
    pub api_root: String,
    /// The runtime the URL was resolved for.
    pub runtime: Runtime,
    /// The env mode.
    pub env_mode: EnvMode,
}

/// The Supabase configuration, without the key itself (see `loadSupabaseConfig`).
#[derive(Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SupabaseConfigInfo {
    /// The project URL.
    pub url: String,
    /// `{url}/rest/v1`
    pub rest_url: String,
    /// `{url}/auth/v1`
    pub auth_url: String,
    /// `{url}/storage/v1`
    pub storage_url: String,
    /// `wss://…/realtime/v1`
    pub realtime_url: String,
    /// The variable the URL came from.
    pub url_variable: String,
    /// The variable the key came from.
    pub key_variable: String,
    /// `anon_jwt`, `service_role_jwt`, `jwt`, `publishable` or `secret`.
    #[tsify(type = "\"anon_jwt\" | \"service_role_jwt\" | \"jwt\" | \"publishable\" | \"secret\"")]
    pub key_kind: String,
    /// The JWT `role` claim, for legacy keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub key_role: Option<String>,
    /// The JWT `exp` claim (seconds since the epoch), for legacy keys that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub key_expires_at: Option<f64>,
    /// A short non-reversible fingerprint of the key.
    pub key_fingerprint: String,
    /// The runtime it was loaded for.
    pub runtime: Runtime,
    /// The env mode.
    pub env_mode: EnvMode,
}

impl From<&SupabaseConfig> for SupabaseConfigInfo {
    fn from(c: &SupabaseConfig) -> Self {
        let (key_role, key_expires_at) = match c.key().kind() {
            KeyKind::LegacyJwt { role, expires_at } => {
                (Some(role.as_str().to_owned()), expires_at.map(|e| e as f64))
            }
            KeyKind::Publishable | KeyKind::Secret => (None, None),
        };
        SupabaseConfigInfo {
            url: c.url().to_string(),
            rest_url: c.rest_url(),
            auth_url: c.auth_url(),
            storage_url: c.storage_url(),
            realtime_url: c.realtime_url(),
            url_variable: c.url_variable().to_owned(),
            key_variable: c.key_variable().to_owned(),
            key_kind: c.key().kind().label().to_owned(),
            key_role,
            key_expires_at,
            key_fingerprint: c.key().fingerprint(),
            runtime: c.runtime(),
            env_mode: c.env_mode(),
        }
    }
}

/// Builds the `HeliumError` thrown to JavaScript: `name`, `kind`, message, and where known `status`, `detail`,
/// `requestId`, `retryAfter` (seconds), `code` and `variable`.
pub(crate) fn to_js_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("HeliumError");
    let set = |k: &str, v: &JsValue| {
        // Setting a property on a fresh Error object cannot fail; ignore the impossible error.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(k), v);
    };
    set("kind", &JsValue::from_str(err.kind().as_str()));
    if let Some(config) = err.as_config() {
        set("code", &JsValue::from_str(config.code()));
        if let Some(variable) = config.variable() {
            set("variable", &JsValue::from_str(variable));
        }
    }
    if let Some(status) = err.status() {
        set("status", &JsValue::from_f64(f64::from(status)));
    }
    if let Some(v) = err.detail().and_then(|d| to_js(d).ok()) {
        set("detail", &v);
    }
    if let Some(rid) = err.request_id() {
        set("requestId", &JsValue::from_str(rid));
    }
    if let Some(after) = err.retry_after() {
        set("retryAfter", &JsValue::from_f64(after.as_secs_f64()));
    }
    js.into()
}

/// Serialises a value for JavaScript: plain objects (never `Map`s), `null` for absent optional fields. The value
/// goes over as one JSON string parsed by the engine's `JSON.parse`, which is much faster than building the
/// object property by property across the wasm boundary.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let fail = |message: String| to_js_error(&Error::InvalidRequest { message });
    let text = serde_json::to_string(value)
        .map_err(|e| fail(format!("could not convert a value for JavaScript: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| fail("could not convert a value for JavaScript".into()))
}

/// Reads a value given by JavaScript; a wrong shape is an `invalid_request` error.
pub(crate) fn decode_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    serde_wasm_bindgen::from_value(value).map_err(|e| Error::InvalidRequest {
        message: format!("invalid {what}: {e}"),
    })
}

/// Every SDK error reaches JavaScript as a `HeliumError` (so `?` converts in binding code).
impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        to_js_error(&err)
    }
}

pub(crate) fn options(options: Option<Ts<ConfigOptions>>) -> Result<(Runtime, Env), JsValue> {
    let options = match options {
        Some(ts) if !ts.js_value().is_null() => ts
            .to_rust()
            .map_err(|e| to_js_error(&ConfigError::InvalidOptions(e.to_string()).into()))?,
        _ => ConfigOptions::default(),
    };
    Ok(options.into_parts())
}

fn serialize<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsValue> {
    value
        .into_ts()
        .map_err(|e| to_js_error(&ConfigError::InvalidOptions(e.to_string()).into()))
}

/// `"server"` without a `window` global (Node, edge runtimes), `"client"` in a browser window or worker.
#[wasm_bindgen(js_name = detectRuntime)]
pub fn detect_runtime() -> Ts<Runtime> {
    // Serialising a unit enum to a string cannot fail.
    Ts::new_unchecked(JsValue::from_str(Runtime::detect().as_str()))
}

/// The deployment guide's `getBackendUrl`, with the API root derived from it.
///
/// @throws {HeliumError} `kind: "config"` for an invalid URL (naming the variable) or a refused http URL in
/// production.
#[wasm_bindgen(js_name = resolveBackendUrl)]
pub fn resolve_backend_url(options: Option<Ts<ConfigOptions>>) -> Result<Ts<ResolvedBackendUrl>, JsValue> {
    let (runtime, env) = self::options(options)?;
    let config = Config::load(runtime, &env)?;
    serialize(&ResolvedBackendUrl {
        url: config.backend().to_string(),
        source: config.backend().source(),
        api_root: config.api_root().to_string(),
        runtime: config.runtime(),
        env_mode: config.env_mode(),
    })
}

/// The Supabase URL, derived endpoints and key kind (never the key).
///
/// @throws {HeliumError} `kind: "config"`: missing values (naming the variables and where they were looked
/// for), an invalid URL or key, or a secret key in a client runtime (`code: "secret_key_in_client"`).
#[wasm_bindgen(js_name = loadSupabaseConfig)]
pub fn load_supabase_config(options: Option<Ts<ConfigOptions>>) -> Result<Ts<SupabaseConfigInfo>, JsValue> {
    let (runtime, env) = self::options(options)?;
    let config = SupabaseConfig::load(runtime, &env)?;
    serialize(&SupabaseConfigInfo::from(&config))
}
