//! `HeliumClient`: the API client for JavaScript. Conversions only; the behaviour is the Rust [`Client`]'s.

use std::time::Duration;

use tsify::Ts;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{ConfigOptions, decode_js, to_js_error};
use crate::api::UploadFile;
use crate::api::routes::{self, Control};
use crate::auth::{Credentials, TokenProvider};
use crate::config::Config;
use crate::error::Error;
use crate::http::Call;
use crate::models::{
    AgentId, AgentRunId, AgentStartRequest, AgentsQuery, ApiKeyId, CreateApiKeyRequest, InitiateAgentRequest,
    ManualEventRequest, ProjectId, SandboxId, ThreadId,
};
use crate::platform::BoxFuture;
use crate::transport::FileData;
use crate::{Client, RetryPolicy};

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &str = r#"
/** Options of `new HeliumClient(options)` and `HeliumClient.fromEnv(overrides)`. */
export interface HeliumClientOptions {
  /** The backend URL, with or without `/api`. Without it, the configuration rules resolve one. */
  baseUrl?: string;
  /** A Supabase access token sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** Called before every request for a fresh access token (e.g. `supabase.auth.getSession()`). */
  getAccessToken?: () => string | Promise<string>;
  /** A `pk_…:sk_…` API key sent as `X-API-Key`. */
  apiKey?: string;
  /** Timeout per attempt in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Retries for idempotent calls (default 2). */
  maxRetries?: number;
  /** Overrides runtime detection for the configuration rules. */
  runtime?: Runtime;
  /** The environment for the configuration rules (default: `process.env` on a server, nothing in a browser). */
  env?: Record<string, string | undefined | null>;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call; it then rejects with a HeliumError of kind "aborted". */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

/** A file for `initiateAgent` or `uploadSandboxFile`: a `File`, or a `Blob`/bytes with a name. */
export type UploadInput = File | { name: string; data: Blob | Uint8Array | ArrayBuffer; contentType?: string };

/** The `initiateAgent` request: the form fields plus optional files. */
export type InitiateAgentInput = InitiateAgentRequest & { files?: UploadInput[] };
"#;

#[wasm_bindgen]
extern "C" {
    /// `HeliumClientOptions`
    #[wasm_bindgen(typescript_type = "HeliumClientOptions")]
    pub type HeliumClientOptions;
    /// `CallOptions`
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptions;
    /// `UploadInput`
    #[wasm_bindgen(typescript_type = "UploadInput")]
    pub type UploadInput;
    /// `InitiateAgentInput`
    #[wasm_bindgen(typescript_type = "InitiateAgentInput")]
    pub type InitiateAgentInput;
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidRequest {
        message: message.into(),
    }
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid(format!("`{key}` must be a string")))
}

fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        _ => Err(invalid(format!("`{key}` must be a non-negative number"))),
    }
}

/// A JavaScript function used as the token provider.
struct JsTokenProvider(js_sys::Function);

impl TokenProvider for JsTokenProvider {
    fn access_token(&self) -> BoxFuture<'_, Result<String, Error>> {
        Box::pin(async move {
            let auth_err = |message: String| Error::Auth { message };
            let mut value = self
                .0
                .call0(&JsValue::UNDEFINED)
                .map_err(|e| auth_err(format!("getAccessToken threw: {}", js_text(&e))))?;
            if let Some(promise) = value.dyn_ref::<js_sys::Promise>() {
                value = JsFuture::from(promise.clone())
                    .await
                    .map_err(|e| auth_err(format!("getAccessToken rejected: {}", js_text(&e))))?;
            }
            value
                .as_string()
                .ok_or_else(|| auth_err("getAccessToken must return a string".into()))
        })
    }
}

fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "a non-Error value".into())
}

/// The Helium backend API client.
#[wasm_bindgen]
#[derive(Debug)]
pub struct HeliumClient {
    inner: Client,
}

/// The configuration rules applied to the `runtime` and `env` of the options (detection and `process.env` on a
/// server when they are absent).
fn config_from(options: &JsValue) -> Result<Config, JsValue> {
    let mut config_options = ConfigOptions::default();
    if let Some(runtime) = opt_string(options, "runtime")? {
        config_options.runtime = Some(decode_js(JsValue::from_str(&runtime), "runtime")?);
    }
    let env = get(options, "env");
    if !env.is_undefined() && !env.is_null() {
        config_options.env = Some(decode_js(env, "env")?);
    }
    let (runtime, env) = config_options.into_parts();
    Ok(Config::load(runtime, &env)?)
}

/// A client from the options: `baseUrl` when given, else the configuration rules.
fn build(options: &JsValue) -> Result<Client, JsValue> {
    let mut builder = Client::builder();
    builder = match opt_string(options, "baseUrl")? {
        Some(url) => builder.base_url(url),
        None => builder.config(config_from(options)?),
    };
    let provider = get(options, "getAccessToken");
    if let Some(f) = provider.dyn_ref::<js_sys::Function>() {
        builder = builder.credentials(Credentials::Provider(std::sync::Arc::new(JsTokenProvider(
            f.clone(),
        ))));
    } else if !provider.is_undefined() && !provider.is_null() {
        return Err(invalid("`getAccessToken` must be a function").into());
    } else if let Some(key) = opt_string(options, "apiKey")? {
        builder = builder.credentials(Credentials::api_key(key)?);
    } else if let Some(token) = opt_string(options, "accessToken")? {
        builder = builder.bearer_token(token);
    }
    if let Some(ms) = opt_number(options, "timeoutMs")? {
        builder = builder.timeout(Duration::from_secs_f64(ms / 1000.0));
    }
    if let Some(n) = opt_number(options, "maxRetries")? {
        builder = builder.retry(RetryPolicy {
            max_retries: n.min(10.0) as u32,
            ..RetryPolicy::default()
        });
    }
    Ok(builder.build()?)
}

fn upload_from_js(item: JsValue) -> Result<UploadFile, Error> {
    // A File (a Blob with a name).
    if let Some(blob) = item.dyn_ref::<web_sys::Blob>() {
        let name = get(&item, "name").as_string().unwrap_or_else(|| "file".into());
        let content_type = blob.type_();
        let file = UploadFile::new(name, FileData::Blob(blob.clone()));
        return Ok(if content_type.is_empty() {
            file
        } else {
            file.content_type(content_type)
        });
    }
    let name = opt_string(&item, "name")?.ok_or_else(|| Error::InvalidRequest {
        message: "an upload needs a `name`".into(),
    })?;
    let data = get(&item, "data");
    let data = if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
        FileData::Blob(blob.clone())
    } else if let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() {
        FileData::Bytes(bytes.to_vec())
    } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        FileData::Bytes(js_sys::Uint8Array::new(buf).to_vec())
    } else {
        return Err(Error::InvalidRequest {
            message: "an upload's `data` must be a Blob, Uint8Array or ArrayBuffer".into(),
        });
    };
    let file = UploadFile::new(name, data);
    Ok(match opt_string(&item, "contentType")? {
        Some(ct) => file.content_type(ct),
        None => file,
    })
}

/// What a call's answer becomes in JavaScript.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// The JSON body, parsed by `JSON.parse` (unknown fields kept).
    Json,
    /// One field of the JSON body (`agent_runs`, `files`), an empty array when absent.
    ListField(&'static str),
    /// The raw bytes, as a `Uint8Array`.
    Bytes,
}

/// The one async path of every call (a single state machine in the wasm, whatever the number of methods).
async fn perform(client: Client, call: Result<Call, Error>, shape: Shape) -> Result<JsValue, JsValue> {
    let call = call?;
    let endpoint = client.pipeline.endpoint(&call);
    let (status, body, request_id) = client.pipeline.body(call, &client.settings).await?;
    if let Shape::Bytes = shape {
        return Ok(js_sys::Uint8Array::from(body.as_slice()).into());
    }
    let decode_error = |message: String| {
        to_js_error(&Error::Decode {
            endpoint: endpoint.clone(),
            status,
            message,
            excerpt: crate::http::excerpt(&body),
            request_id: request_id.clone(),
        })
    };
    let text = std::str::from_utf8(&body).map_err(|_| decode_error("the body is not UTF-8".into()))?;
    let value = js_sys::JSON::parse(text).map_err(|_| decode_error("the body is not JSON".into()))?;
    match shape {
        Shape::ListField(field) => {
            if !value.is_object() || js_sys::Array::is_array(&value) {
                return Err(decode_error(format!("expected an object with `{field}`")));
            }
            let list = get(&value, field);
            Ok(if list.is_undefined() || list.is_null() {
                js_sys::Array::new().into()
            } else {
                list
            })
        }
        _ => Ok(value),
    }
}

#[wasm_bindgen]
impl HeliumClient {
    /// A client. Without `baseUrl`, the backend comes from the configuration rules (`resolveBackendUrl`).
    ///
    /// @throws {HeliumError} `config` for an invalid URL or API key, `invalid_request` for wrong option types.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<HeliumClientOptions>) -> Result<HeliumClient, JsValue> {
        let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
        Ok(HeliumClient {
            inner: build(&options)?,
        })
    }

    /// A client configured from the environment: the backend URL by the deployment guide's rules for the
    /// detected (or given) runtime and `env` (default: `process.env` on a server); `overrides` may set
    /// credentials, timeouts and retries.
    ///
    /// @throws {HeliumError} `config` when the environment is invalid.
    #[wasm_bindgen(js_name = fromEnv)]
    pub fn from_env(overrides: Option<HeliumClientOptions>) -> Result<HeliumClient, JsValue> {
        let overrides: JsValue = overrides.map(Into::into).unwrap_or(JsValue::UNDEFINED);
        Ok(HeliumClient {
            inner: build(&overrides)?,
        })
    }

    /// The API root requests go to (e.g. `http://localhost:8000/api`).
    #[wasm_bindgen(getter, js_name = apiRoot)]
    pub fn api_root(&self) -> String {
        self.inner.api_root().to_string()
    }
}

impl HeliumClient {
    /// The client with per-call options applied.
    pub(crate) fn call_client(&self, options: Option<CallOptions>) -> Result<Client, JsValue> {
        let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
        let mut client = self.inner.clone();
        if let Some(ms) = opt_number(&options, "timeoutMs")? {
            client = client.with_timeout(Duration::from_secs_f64(ms / 1000.0));
        }
        let signal = get(&options, "signal");
        if !signal.is_undefined() && !signal.is_null() {
            let signal = signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| invalid("`signal` must be an AbortSignal"))?;
            client = client.with_signal(Some(signal));
        }
        Ok(client)
    }
}

#[wasm_bindgen]
impl HeliumClient {
    fn spawn(
        &self,
        options: Option<CallOptions>,
        call: Result<Call, Error>,
        shape: Shape,
    ) -> js_sys::Promise {
        match self.call_client(options) {
            Ok(client) => wasm_bindgen_futures::future_to_promise(perform(client, call, shape)),
            Err(e) => js_sys::Promise::reject(&e),
        }
    }

    /// `GET /health` (no credentials).
    #[wasm_bindgen(unchecked_return_type = "Promise<HealthResponse>")]
    pub fn health(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::health()), Shape::Json)
    }

    /// `POST /agent/initiate` (multipart, with optional files: `File`s, or `{name, data}` with a Blob/bytes).
    #[wasm_bindgen(js_name = initiateAgent, unchecked_return_type = "Promise<InitiateAgentResponse>")]
    pub fn initiate_agent(
        &self,
        request: InitiateAgentInput,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let request: JsValue = request.into();
        let call = initiate_call(request);
        self.spawn(options, call, Shape::Json)
    }

    /// `POST /thread/{threadId}/agent/start`.
    #[wasm_bindgen(js_name = startAgent, unchecked_return_type = "Promise<AgentStartResponse>")]
    pub fn start_agent(
        &self,
        thread_id: String,
        request: Option<Ts<AgentStartRequest>>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let call = match request {
            Some(r) => decode_js::<AgentStartRequest>(r.into(), "startAgent request"),
            None => Ok(AgentStartRequest::default()),
        }
        .and_then(|req| routes::start(&ThreadId::from(thread_id), &req));
        self.spawn(options, call, Shape::Json)
    }

    /// `GET /thread/{threadId}/agent`.
    #[wasm_bindgen(js_name = getThreadAgent, unchecked_return_type = "Promise<ThreadAgentResponse>")]
    pub fn get_thread_agent(&self, thread_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::thread_agent(&ThreadId::from(thread_id))),
            Shape::Json,
        )
    }

    /// `GET /agent-run/{id}` (camelCase keys, as the backend sends them).
    #[wasm_bindgen(js_name = getAgentRun, unchecked_return_type = "Promise<AgentRun>")]
    pub fn get_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::run(&AgentRunId::from(id))), Shape::Json)
    }

    /// `GET /thread/{threadId}/agent-runs`, newest first.
    #[wasm_bindgen(js_name = listAgentRuns, unchecked_return_type = "Promise<AgentRunSummary[]>")]
    pub fn list_agent_runs(&self, thread_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::runs_of_thread(&ThreadId::from(thread_id))),
            Shape::ListField("agent_runs"),
        )
    }

    fn control(&self, id: String, action: Control, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::control(&AgentRunId::from(id), action)),
            Shape::Json,
        )
    }

    /// `POST /agent-run/{id}/stop` (retried: safe to repeat).
    #[wasm_bindgen(js_name = stopAgentRun, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn stop_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.control(id, Control::Stop, options)
    }

    /// `POST /agent-run/{id}/pause`.
    #[wasm_bindgen(js_name = pauseAgentRun, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn pause_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.control(id, Control::Pause, options)
    }

    /// `POST /agent-run/{id}/resume`.
    #[wasm_bindgen(js_name = resumeAgentRun, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn resume_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.control(id, Control::Resume, options)
    }

    /// `POST /agent-run/{id}/takeover`.
    #[wasm_bindgen(js_name = takeoverAgentRun, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn takeover_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.control(id, Control::Takeover, options)
    }

    /// `POST /agent-run/{id}/release`.
    #[wasm_bindgen(js_name = releaseAgentRun, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn release_agent_run(&self, id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.control(id, Control::Release, options)
    }

    /// `POST /agent-run/{id}/manual-event` with `{type, data}`.
    #[wasm_bindgen(js_name = sendManualEvent, unchecked_return_type = "Promise<RunControlResponse>")]
    pub fn send_manual_event(
        &self,
        id: String,
        event: Ts<ManualEventRequest>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let call = decode_js::<ManualEventRequest>(event.into(), "manual event")
            .and_then(|event| routes::manual_event(&AgentRunId::from(id), &event));
        self.spawn(options, call, Shape::Json)
    }

    /// `GET /sandboxes/{sandboxId}/files?path=…`.
    #[wasm_bindgen(js_name = listSandboxFiles, unchecked_return_type = "Promise<FileInfo[]>")]
    pub fn list_sandbox_files(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::list_files(&SandboxId::from(sandbox_id), &path)),
            Shape::ListField("files"),
        )
    }

    /// `GET /sandboxes/{sandboxId}/files/content?path=…` as bytes.
    #[wasm_bindgen(js_name = readSandboxFile, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn read_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::read_file(&SandboxId::from(sandbox_id), &path)),
            Shape::Bytes,
        )
    }

    /// `POST /sandboxes/{sandboxId}/files`.
    #[wasm_bindgen(js_name = uploadSandboxFile, unchecked_return_type = "Promise<FileCreated>")]
    pub fn upload_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        file: UploadInput,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let call = upload_from_js(file.into())
            .and_then(|file| routes::upload_file(&SandboxId::from(sandbox_id), &path, file));
        self.spawn(options, call, Shape::Json)
    }

    /// `DELETE /sandboxes/{sandboxId}/files?path=…`.
    #[wasm_bindgen(js_name = deleteSandboxFile, unchecked_return_type = "Promise<FileDeleted>")]
    pub fn delete_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::delete_file(&SandboxId::from(sandbox_id), &path)),
            Shape::Json,
        )
    }

    /// `DELETE /sandboxes/{sandboxId}`.
    #[wasm_bindgen(js_name = deleteSandbox, unchecked_return_type = "Promise<SandboxDeleted>")]
    pub fn delete_sandbox(&self, sandbox_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::delete_sandbox(&SandboxId::from(sandbox_id))),
            Shape::Json,
        )
    }

    /// `POST /project/{projectId}/sandbox/ensure-active`.
    #[wasm_bindgen(js_name = ensureSandboxActive, unchecked_return_type = "Promise<EnsureActiveResponse>")]
    pub fn ensure_sandbox_active(&self, project_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::ensure_sandbox_active(&ProjectId::from(project_id))),
            Shape::Json,
        )
    }

    /// `GET /billing/subscription`.
    #[wasm_bindgen(js_name = getSubscription, unchecked_return_type = "Promise<SubscriptionStatus>")]
    pub fn get_subscription(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::subscription()), Shape::Json)
    }

    /// `GET /billing/check-status`.
    #[wasm_bindgen(js_name = checkBillingStatus, unchecked_return_type = "Promise<CheckStatusResponse>")]
    pub fn check_billing_status(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::check_status()), Shape::Json)
    }

    /// `GET /billing/available-models`.
    #[wasm_bindgen(js_name = getAvailableModels, unchecked_return_type = "Promise<AvailableModels>")]
    pub fn get_available_models(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::available_models()), Shape::Json)
    }

    /// `GET /billing/thread-token-usage/{threadId}`.
    #[wasm_bindgen(js_name = getThreadTokenUsage, unchecked_return_type = "Promise<ThreadTokenUsage>")]
    pub fn get_thread_token_usage(&self, thread_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::thread_token_usage(&ThreadId::from(thread_id))),
            Shape::Json,
        )
    }

    /// `GET /agents`.
    #[wasm_bindgen(js_name = listAgents, unchecked_return_type = "Promise<AgentsList>")]
    pub fn list_agents(
        &self,
        query: Option<Ts<AgentsQuery>>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let call = match query {
            Some(q) => decode_js::<AgentsQuery>(q.into(), "agents query"),
            None => Ok(AgentsQuery::default()),
        }
        .map(|q| routes::agents(&q));
        self.spawn(options, call, Shape::Json)
    }

    /// `GET /agents/{agentId}`.
    #[wasm_bindgen(js_name = getAgent, unchecked_return_type = "Promise<Agent>")]
    pub fn get_agent(&self, agent_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::agent(&AgentId::from(agent_id))), Shape::Json)
    }

    /// `GET /feature-flags`.
    #[wasm_bindgen(js_name = getFeatureFlags, unchecked_return_type = "Promise<FeatureFlags>")]
    pub fn get_feature_flags(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::flags()), Shape::Json)
    }

    /// `GET /feature-flags/{name}`.
    #[wasm_bindgen(js_name = getFeatureFlag, unchecked_return_type = "Promise<FeatureFlag>")]
    pub fn get_feature_flag(&self, name: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::flag(&name)), Shape::Json)
    }

    /// `POST /api-keys`: the secret is in the answer only this once.
    #[wasm_bindgen(js_name = createApiKey, unchecked_return_type = "Promise<CreatedApiKey>")]
    pub fn create_api_key(
        &self,
        request: Ts<CreateApiKeyRequest>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let call = decode_js::<CreateApiKeyRequest>(request.into(), "createApiKey request")
            .and_then(|r| routes::create_api_key(&r));
        self.spawn(options, call, Shape::Json)
    }

    /// `GET /api-keys`.
    #[wasm_bindgen(js_name = listApiKeys, unchecked_return_type = "Promise<ApiKey[]>")]
    pub fn list_api_keys(&self, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(options, Ok(routes::api_keys()), Shape::Json)
    }

    /// `PATCH /api-keys/{keyId}/revoke`.
    #[wasm_bindgen(js_name = revokeApiKey, unchecked_return_type = "Promise<ApiKeyMessage>")]
    pub fn revoke_api_key(&self, key_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::revoke_api_key(&ApiKeyId::from(key_id))),
            Shape::Json,
        )
    }

    /// `DELETE /api-keys/{keyId}`.
    #[wasm_bindgen(js_name = deleteApiKey, unchecked_return_type = "Promise<ApiKeyMessage>")]
    pub fn delete_api_key(&self, key_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        self.spawn(
            options,
            Ok(routes::delete_api_key(&ApiKeyId::from(key_id))),
            Shape::Json,
        )
    }
}

/// The initiate call from `{prompt, …, files?}`: files become multipart parts without copying Blobs.
fn initiate_call(request: JsValue) -> Result<Call, Error> {
    let files_js = get(&request, "files");
    let mut files = Vec::new();
    if let Some(array) = files_js.dyn_ref::<js_sys::Array>() {
        for item in array.iter() {
            files.push(upload_from_js(item)?);
        }
    } else if !files_js.is_undefined() && !files_js.is_null() {
        return Err(Error::InvalidRequest {
            message: "`files` must be an array".into(),
        });
    }
    let req: InitiateAgentRequest = decode_js(request, "initiateAgent request")?;
    routes::initiate(&req, files)
}
