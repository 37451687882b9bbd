//! JavaScript bindings (wasm only): conversions between JS values and the SDK's types. No logic lives here.
//!
//! Errors are thrown as JavaScript `Error`s with `name = "HeliumError"`, the same `kind` strings as
//! [`crate::ErrorKind`], a fine-grained `code` and, where there is one, the `variable` to fix.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::config::{BackendUrlSource, Config, Env, EnvMode, KeyKind, Runtime, SupabaseConfig};
use crate::error::Error;

mod client;
mod conversations;
mod operations;
mod pages;
mod public_v1;
mod stream;
mod supabase;
mod transcript;

pub use client::HeliumClient;
pub use pages::PageIterator;
pub use stream::{AgentRunEvents, AgentStreamDecoder, ForwardedRunEvents, from_readable_stream};
pub use supabase::{parse_content, supabase_client_config};
pub use transcript::JsRunTranscript;

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

/// The result of `diagnoseConfig`: every problem of a runtime's configuration.
#[derive(Debug, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ConfigDiagnosis {
    /// The runtime diagnosed.
    pub runtime: Runtime,
    /// The env mode in force.
    pub env_mode: EnvMode,
    /// The backend URL, when it resolves.
    #[tsify(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_url: Option<String>,
    /// The API root, when the backend URL resolves.
    #[tsify(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_root: Option<String>,
    /// The Supabase URL, when Supabase resolves.
    #[tsify(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supabase_url: Option<String>,
    /// True when no problem is an error.
    pub ok: bool,
    /// The problems, errors first.
    pub problems: Vec<crate::config::Diagnostic>,
}

macro_rules! kinds_union {
    ($($variant:ident $wire:literal $doc:literal,)*) => {
        concat!($("\"", $wire, "\" | ",)* "\"not_initialized\"")
    };
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ERRORS: &str = concat!(
    "/** The `kind` of a `HeliumError`: the Rust `ErrorKind` strings, plus `not_initialized` (a synchronous call\n",
    " * made before the WebAssembly module finished loading, browser entry only). */\n",
    "export type HeliumErrorKind = ",
    crate::error::for_each_error_kind!(kinds_union),
    ";\n",
    r#"
/** Every error the SDK throws. Branch on `kind`, never on the message. */
export interface HeliumError extends Error {
  name: "HeliumError";
  kind: HeliumErrorKind;
  /** A finer code: a configuration code (`invalid_url`, `missing`, …), a PostgREST code, or `invalid_options`,
   * `file_too_large`, `limit`, `header_not_allowed` for refused requests. */
  code?: string;
  /** The environment variable or option to fix. */
  variable?: string;
  /** The HTTP status (the outer one for a wrapped error). */
  status?: number;
  /** The status a backend 5xx wrapped (`500 {"detail": "404: …"}` → 404); the kind follows it. */
  wrappedStatus?: number;
  /** FastAPI's `detail`: a string, the 422 issue list, or an object (billing, run limit, agent limit). */
  detail?: ErrorDetail;
  /** PostgREST's error body, for Supabase data calls. */
  postgrest?: PostgrestError;
  /** The request id, where one was sent or returned. */
  requestId?: string;
  /** The server's Retry-After, in seconds. */
  retryAfter?: number;
  /** The rate-limit headers of the failed response. */
  rateLimit?: RateLimit;
}

/** True for errors thrown by the SDK. */
export function isHeliumError(error: unknown): error is HeliumError;
/** A 402 from the billing gate: `detail` is `{message, subscription}`. */
export function isBillingError(error: unknown): error is HeliumError & { kind: "billing"; detail: BillingDetail };
/** A 429 from the parallel-run limit: `detail` has `running_thread_ids` and `running_count`. */
export function isRunLimitError(error: unknown): error is HeliumError & { kind: "rate_limited"; detail: RunLimitDetail };
/** A 402 from the agent-count limit: `detail.error_code` is `AGENT_LIMIT_EXCEEDED`. */
export function isAgentLimitError(error: unknown): error is HeliumError & { kind: "billing"; detail: AgentLimitDetail };
"#
);

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on an object we created cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// Builds the `HeliumError` thrown to JavaScript.
pub(crate) fn to_js_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("HeliumError");
    let js: JsValue = js.into();
    set(&js, "kind", &JsValue::from_str(err.kind().as_str()));
    if let Some(code) = err.code() {
        set(&js, "code", &JsValue::from_str(code));
    }
    if let Some(variable) = err.as_config().and_then(|c| c.variable()) {
        set(&js, "variable", &JsValue::from_str(variable));
    }
    if let Some(status) = err.status() {
        set(&js, "status", &JsValue::from_f64(f64::from(status)));
    }
    if let Some(api) = err.as_api() {
        if let Some(inner) = api.wrapped_status() {
            set(&js, "wrappedStatus", &JsValue::from_f64(f64::from(inner)));
        }
        if let Some(v) = api.postgrest().and_then(|p| to_js(p).ok()) {
            set(&js, "postgrest", &v);
        }
        if let Some(v) = api.rate_limit().and_then(|r| to_js(&r).ok()) {
            set(&js, "rateLimit", &v);
        }
    }
    if let Some(v) = err.detail().and_then(|d| to_js(d).ok()) {
        set(&js, "detail", &v);
    }
    if let Some(rid) = err.request_id() {
        set(&js, "requestId", &JsValue::from_str(rid));
    }
    if let Some(after) = err.retry_after() {
        set(&js, "retryAfter", &JsValue::from_f64(after.as_secs_f64()));
    }
    js
}

/// Serialises a value for JavaScript: plain objects (never `Map`s), `null` for absent optional fields. The value
/// goes over as one JSON string parsed by the engine's `JSON.parse`, which is much faster than building the
/// object property by property across the wasm boundary.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let fail = |message: String| to_js_error(&Error::invalid_options("value", message));
    let text = serde_json::to_string(value).map_err(|e| fail(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| fail("could not convert a value for JavaScript".into()))
}

/// One stream event for JavaScript (its JSON, parsed there).
pub(crate) fn event_to_js(event: &crate::stream::StreamEvent) -> Result<JsValue, JsValue> {
    let mut text = String::new();
    push_event_json(&mut text, event, None)?;
    js_sys::JSON::parse(&text).map_err(|_| {
        to_js_error(&Error::invalid_options(
            "event",
            "could not convert an event for JavaScript",
        ))
    })
}

/// Appends a stream event as JSON, with its `raw` item spliced in as received when `raw_json` is given (the
/// item's JSON text, already parsed once, so valid): one `JSON.parse` on the JavaScript side builds both.
fn push_event_json(
    out: &mut String,
    event: &crate::stream::StreamEvent,
    raw_json: Option<&str>,
) -> Result<(), JsValue> {
    event
        .write_json(out)
        .map_err(|e| to_js_error(&Error::invalid_options("event", e.to_string())))?;
    if let Some(raw_json) = raw_json {
        // The event's object, open again for its `raw` item: `{"kind":…,"raw":…}`.
        out.pop();
        out.push_str(",\"raw\":");
        out.push_str(raw_json);
        out.push('}');
    }
    Ok(())
}

/// How the stream functions hand out events: as iterator results or as they are, with their `raw` items or
/// without (`raw: false`: no copy of each item for JavaScript to parse and keep).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventShape {
    pub(crate) as_results: bool,
    pub(crate) raw: bool,
}

/// Stream events (with their `raw` items, as `shape` says) as one JavaScript array: one JSON text, one
/// `JSON.parse`, one boundary crossing for all the events of a network chunk. With `as_results`, each element is
/// the iterator result `{done: false, value: event}` that an async iterator's `next()` hands out as it is.
pub(crate) fn events_to_js<'a>(
    events: impl IntoIterator<Item = (&'a crate::stream::StreamEvent, &'a str)>,
    shape: EventShape,
) -> Result<js_sys::Array, JsValue> {
    let events: Vec<_> = events.into_iter().collect();
    events_slice_to_js(&events, shape)
}

fn events_slice_to_js(
    events: &[(&crate::stream::StreamEvent, &str)],
    shape: EventShape,
) -> Result<js_sys::Array, JsValue> {
    // Room for the whole text at once (a copy of a large event fewer, and no doubling past what it needs): an
    // event's JSON is about as long as its item, whose text is escaped once more.
    let room: usize = events
        .iter()
        .map(|(_, raw)| {
            raw.len()
                .saturating_mul(if shape.raw { 2 } else { 1 })
                .saturating_add(64)
        })
        .fold(2, usize::saturating_add);
    // Only a hint: the text grows past it if the estimate is low, and a room that cannot be had is not asked for
    // (no capacity overflow on a 32-bit target).
    let mut text = String::new();
    let _ = text.try_reserve(room);
    text.push('[');
    for &(event, raw_json) in events {
        if text.len() > 1 {
            text.push(',');
        }
        if shape.as_results {
            text.push_str("{\"done\":false,\"value\":");
        }
        push_event_json(&mut text, event, shape.raw.then_some(raw_json))?;
        if shape.as_results {
            text.push('}');
        }
    }
    if text.len() == 1 {
        // A chunk that completed no event.
        return Ok(js_sys::Array::new());
    }
    text.push(']');
    let parsed = js_sys::JSON::parse(&text).map_err(|_| {
        to_js_error(&Error::invalid_options(
            "events",
            "could not convert events for JavaScript",
        ))
    })?;
    Ok(parsed.unchecked_into())
}

/// The `raw` option of the stream functions (default true; `undefined` and `null` count as unset, for the options
/// object as for the option): whether each event carries its `raw` item.
pub(crate) fn raw_option(options: &JsValue) -> Result<bool, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(true);
    }
    if !options.is_object() {
        return Err(Error::invalid_options("options", "must be an object"));
    }
    let raw = get(options, "raw");
    if raw.is_undefined() || raw.is_null() {
        return Ok(true);
    }
    raw.as_bool()
        .ok_or_else(|| Error::invalid_options("raw", "must be a boolean"))
}

/// Reads a value given by JavaScript through `JSON.stringify`; a wrong shape is an `invalid_request` error
/// (`invalid_options`) naming `what`.
pub(crate) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, Error> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::invalid_options(what, "not a JSON value"))?;
    serde_json::from_str(&text).map_err(|e| Error::invalid_options(what, e.to_string()))
}

/// Every SDK error reaches JavaScript as a `HeliumError` (so `?` converts in binding code).
impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        to_js_error(&err)
    }
}

fn config_options(options: Option<Ts<ConfigOptions>>) -> Result<(Runtime, Env), Error> {
    match options {
        Some(ts) => {
            let value: JsValue = ts.into();
            if value.is_undefined() || value.is_null() {
                return Ok(ConfigOptions::default().into_parts());
            }
            Ok(from_js::<ConfigOptions>(&value, "options")?.into_parts())
        }
        None => Ok(ConfigOptions::default().into_parts()),
    }
}

fn serialize<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsValue> {
    Ok(Ts::new_unchecked(to_js(value)?))
}

/// `"server"` without a `window` global (Node, edge runtimes), `"client"` in a browser window or worker.
#[wasm_bindgen(js_name = detectRuntime)]
pub fn detect_runtime() -> Ts<Runtime> {
    Ts::new_unchecked(JsValue::from_str(Runtime::detect().as_str()))
}

/// The deployment guide's `getBackendUrl`, with the API root derived from it.
///
/// @throws {HeliumError} `kind: "config"` for an invalid URL (naming the variable) or a refused http URL in
/// production.
#[wasm_bindgen(js_name = resolveBackendUrl)]
pub fn resolve_backend_url(options: Option<Ts<ConfigOptions>>) -> Result<Ts<ResolvedBackendUrl>, JsValue> {
    let (runtime, env) = config_options(options)?;
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
    let (runtime, env) = config_options(options)?;
    let config = SupabaseConfig::load(runtime, &env)?;
    serialize(&SupabaseConfigInfo::from(&config))
}

/// Every configuration problem of the runtime at once (errors and warnings, with the variable to fix and
/// how); never throws for a bad configuration.
///
/// @throws {HeliumError} `invalid_request` only for options of the wrong shape.
#[wasm_bindgen(js_name = diagnoseConfig)]
pub fn diagnose_config(options: Option<Ts<ConfigOptions>>) -> Result<Ts<ConfigDiagnosis>, JsValue> {
    let (runtime, env) = config_options(options)?;
    let d = Config::diagnose(runtime, &env);
    serialize(&ConfigDiagnosis {
        runtime: d.runtime,
        env_mode: d.env_mode,
        backend_url: d.backend.as_ref().map(ToString::to_string),
        api_root: d.backend.as_ref().map(|b| b.api_root().to_string()),
        supabase_url: d.supabase.as_ref().map(|s| s.url().to_string()),
        ok: d.is_ok(),
        problems: d.problems,
    })
}

/// Splits assistant text (a saved message, or with `partial` the chunks received so far) into prose and tool
/// calls; mid-stream, a call being written has `complete: false` and a tag cut in the middle is held back.
#[wasm_bindgen(js_name = splitAssistantText, unchecked_return_type = "Segment[]")]
pub fn split_assistant_text(text: &str, partial: Option<bool>) -> Result<JsValue, JsValue> {
    if partial.unwrap_or(false) {
        to_js(&crate::stream::split_partial_assistant_text(text))
    } else {
        to_js(&crate::stream::split_assistant_text(text))
    }
}

fn is_helium(error: &JsValue) -> bool {
    error.is_instance_of::<js_sys::Error>()
        && get(error, "name").as_string().as_deref() == Some("HeliumError")
}

fn detail_field(error: &JsValue, field: &str) -> JsValue {
    get(&get(error, "detail"), field)
}

/// `isHeliumError(e)`.
#[wasm_bindgen(js_name = isHeliumError, skip_typescript)]
pub fn is_helium_error(error: &JsValue) -> bool {
    is_helium(error) && get(error, "kind").is_string()
}

/// `isBillingError(e)`.
#[wasm_bindgen(js_name = isBillingError, skip_typescript)]
pub fn is_billing_error(error: &JsValue) -> bool {
    is_helium(error)
        && get(error, "kind").as_string().as_deref() == Some("billing")
        && !detail_field(error, "subscription").is_undefined()
}

/// `isRunLimitError(e)`.
#[wasm_bindgen(js_name = isRunLimitError, skip_typescript)]
pub fn is_run_limit_error(error: &JsValue) -> bool {
    is_helium(error)
        && get(error, "kind").as_string().as_deref() == Some("rate_limited")
        && js_sys::Array::is_array(&detail_field(error, "running_thread_ids"))
}

/// `isAgentLimitError(e)`.
#[wasm_bindgen(js_name = isAgentLimitError, skip_typescript)]
pub fn is_agent_limit_error(error: &JsValue) -> bool {
    is_helium(error)
        && get(error, "kind").as_string().as_deref() == Some("billing")
        && detail_field(error, "error_code").as_string().as_deref() == Some("AGENT_LIMIT_EXCEEDED")
}
