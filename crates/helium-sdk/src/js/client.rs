//! `HeliumClient`: the API client for JavaScript. Conversions only; the behaviour is the Rust [`Client`]'s.
//!
//! The operation methods (`getAgentRun`, …) are not bound one by one: the package's entry installs each
//! name of `operationNames()` on the class prototype as `function (...args) { return this._call(name, args) }`,
//! and the TypeScript signatures come from the operation table (see `operations.rs`).

use std::sync::Arc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{from_js, get};
use crate::auth::TokenProvider;
use crate::client::{Client, ClientBuilder};
use crate::error::Error;
use crate::options::ClientOptions;
use crate::platform::BoxFuture;
use crate::transport::{CallContext, TransportOptions, js_message};

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
/** Options of `new HeliumClient(options)` and `HeliumClient.fromEnv(overrides)`: the core `ClientOptions`
 * plus what only JavaScript has. */
export type HeliumClientOptions = ClientOptions & {
  /** Called before every request for a fresh access token (e.g. from `supabase.auth.getSession()`). Give at
   * most one of `accessToken`, `apiKey` and `getAccessToken`. */
  getAccessToken?: () => string | Promise<string>;
  /** Called instead of the global `fetch` (instrumentation, proxies, tests). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Merged into every request's `fetch` init, e.g. `{ cache: 'no-store' }` or Next.js' `{ next: { revalidate: 60 } }`. */
  fetchOptions?: Record<string, unknown>;
  /** Called before each attempt of a request (retries included). Sees no header, body or query string. */
  onRequest?: (info: RequestHookInfo) => void;
  /** Called after each attempt with its status, or the kind of failure when there was no response. */
  onResponse?: (info: ResponseHookInfo) => void;
};

/** What `onRequest` sees of an attempt. */
export interface RequestHookInfo {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The URL's path, without the query string (`/api/agent-run/…`). */
  path: string;
  /** 0 for the first attempt. */
  attempt: number;
  /** The `X-Request-ID` sent, when one was. */
  requestId?: string;
}

/** What `onResponse` sees of an attempt. */
export interface ResponseHookInfo extends RequestHookInfo {
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The kind of failure (`"timeout"`, `"network"`, `"aborted"`, …) when none did. */
  error?: string;
  durationMs: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call; it then rejects with a HeliumError of kind "aborted". */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
  /** Merged over the client's `fetchOptions` for this call. */
  fetchOptions?: Record<string, unknown>;
}

/** A file for an upload: a `File`, or a `Blob`/bytes with a name. */
export type UploadInput = File | { name: string; data: Blob | Uint8Array | ArrayBuffer; contentType?: string };

/** The `initiateAgent` request: the form fields plus optional files. */
export type InitiateAgentRequestInput = InitiateAgentRequest & { files?: UploadInput[] };

/** The `uploadSandboxFile` request: where the file goes and the file. */
export type SandboxUploadInput = { path: string; file: UploadInput };

/** The `createThread` request (a form with an optional `name`). */
export type CreateThreadRequestInput = CreateThreadRequest;
"#;

#[wasm_bindgen]
extern "C" {
    /// `HeliumClientOptions`
    #[wasm_bindgen(typescript_type = "HeliumClientOptions")]
    pub type HeliumClientOptions;
    /// `StreamCallOptions`
    #[wasm_bindgen(typescript_type = "StreamCallOptions")]
    pub type StreamCallOptions;
    /// `CallOptions`
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptions;
    /// `RunEventOptions`
    #[wasm_bindgen(typescript_type = "RunEventOptions")]
    pub type RunEventOptions;
}

/// A JavaScript function used as the token provider.
struct JsTokenProvider(js_sys::Function);

impl TokenProvider for JsTokenProvider {
    fn access_token(&self) -> BoxFuture<'_, Result<String, Error>> {
        Box::pin(async move {
            let mut value = self
                .0
                .call0(&JsValue::UNDEFINED)
                .map_err(|e| Error::token_provider(format!("getAccessToken threw: {}", js_message(&e))))?;
            if let Some(promise) = value.dyn_ref::<js_sys::Promise>() {
                value = JsFuture::from(promise.clone()).await.map_err(|e| {
                    Error::token_provider(format!("getAccessToken rejected: {}", js_message(&e)))
                })?;
            }
            value
                .as_string()
                .ok_or_else(|| Error::token_provider("getAccessToken must return a string"))
        })
    }
}

/// The keys of the options that only JavaScript has (functions and objects that do not go through JSON).
const JS_ONLY: [&str; 5] = [
    "getAccessToken",
    "fetch",
    "fetchOptions",
    "onRequest",
    "onResponse",
];

fn optional<T: JsCast>(options: &JsValue, key: &str, what: &str) -> Result<Option<T>, Error> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<T>()
        .map(Some)
        .map_err(|_| Error::invalid_options(key, format!("must be {what}")))
}

/// A client from the options (`new` and `fromEnv` share this body; `from_env` adds the environment's
/// credentials by the one precedence of [`ClientOptions`]).
fn build(options: &JsValue, from_env: bool) -> Result<Client, Error> {
    let rest = js_sys::Object::new();
    if options.is_object() {
        // Object.assign over a fresh object cannot fail.
        let _ = js_sys::Object::assign(&rest, options.unchecked_ref());
        for key in JS_ONLY {
            let _ = js_sys::Reflect::delete_property(&rest, &JsValue::from_str(key));
        }
    } else if !options.is_undefined() && !options.is_null() {
        return Err(Error::invalid_options("options", "must be an object"));
    }
    let core: ClientOptions = from_js(&rest, "options")?;
    let mut builder = ClientBuilder::from_options(core);
    if let Some(f) = optional::<js_sys::Function>(options, "getAccessToken", "a function")? {
        builder = builder.token_provider_arc(Arc::new(JsTokenProvider(f)));
    }
    builder.transport = TransportOptions {
        fetch: optional::<js_sys::Function>(options, "fetch", "a function")?,
        fetch_options: optional::<js_sys::Object>(options, "fetchOptions", "an object")?,
        on_request: optional::<js_sys::Function>(options, "onRequest", "a function")?,
        on_response: optional::<js_sys::Function>(options, "onResponse", "a function")?,
    };
    if from_env {
        builder = builder.env_credentials();
    }
    builder.build()
}

/// The Helium backend API client.
#[wasm_bindgen]
#[derive(Debug)]
pub struct HeliumClient {
    inner: Client,
}

#[wasm_bindgen]
impl HeliumClient {
    /// A client. Without `baseUrl`, the backend comes from the configuration rules (`resolveBackendUrl`).
    ///
    /// @throws {HeliumError} `config` for an invalid URL or API key, `invalid_request` for options of the
    /// wrong shape or several credentials.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "HeliumClientOptions")] options: Option<JsValue>,
    ) -> Result<HeliumClient, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        Ok(HeliumClient {
            inner: build(&options, false)?,
        })
    }

    /// A client configured from the environment: the backend URL by the deployment guide's rules for the
    /// detected (or given) runtime and `env` (default: `process.env` on a server), and — on a server — the
    /// credentials of `HELIUM_API_KEY` or `HELIUM_ACCESS_TOKEN` unless `overrides` gives some.
    ///
    /// @throws {HeliumError} `config` when the environment is invalid.
    #[wasm_bindgen(js_name = fromEnv)]
    pub fn from_env(overrides: Option<HeliumClientOptions>) -> Result<HeliumClient, JsValue> {
        let overrides: JsValue = overrides.map_or(JsValue::UNDEFINED, Into::into);
        Ok(HeliumClient {
            inner: build(&overrides, true)?,
        })
    }

    /// The API root requests go to (e.g. `http://localhost:8000/api`).
    #[wasm_bindgen(getter, js_name = apiRoot)]
    pub fn api_root(&self) -> String {
        self.inner.api_root().to_string()
    }

    /// The runtime the client was built for.
    #[wasm_bindgen(getter, unchecked_return_type = "Runtime")]
    pub fn runtime(&self) -> String {
        self.inner.runtime().as_str().to_owned()
    }

    /// Runs a declared operation: `args` are its parameters, then its input (if it has one), then the call
    /// options. The package's entry gives every operation its own method.
    #[wasm_bindgen(js_name = "_call", skip_typescript)]
    pub fn call(&self, name: String, args: js_sys::Array) -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(super::operations::run(self.inner.clone(), name, args))
    }
}

impl HeliumClient {
    /// The client with per-call options (`signal`, `timeoutMs`, `fetchOptions`) applied.
    pub(crate) fn call_client(&self, options: &JsValue) -> Result<Client, Error> {
        call_client(&self.inner, options)
    }
}

/// `client` with per-call options applied.
pub(crate) fn call_client(client: &Client, options: &JsValue) -> Result<Client, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(client.clone());
    }
    if !options.is_object() {
        return Err(Error::invalid_options("call options", "must be an object"));
    }
    let mut client = client.clone();
    let ms = get(options, "timeoutMs");
    if !ms.is_undefined() && !ms.is_null() {
        match ms.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => {
                client = client.with_timeout(Duration::from_secs_f64(n / 1000.0))
            }
            _ => {
                return Err(Error::invalid_options(
                    "timeoutMs",
                    "must be a non-negative number",
                ));
            }
        }
    }
    let ctx = CallContext {
        signal: optional::<web_sys::AbortSignal>(options, "signal", "an AbortSignal")?,
        fetch_options: optional::<js_sys::Object>(options, "fetchOptions", "an object")?,
    };
    Ok(client.with_context(ctx))
}
