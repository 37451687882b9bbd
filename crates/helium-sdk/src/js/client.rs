//! `HeliumClient`: the API client for JavaScript. Conversions only; the behaviour is the Rust [`Client`]'s.

use std::time::Duration;

use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{ConfigOptions, from_js, to_js, to_js_error};
use crate::api::UploadFile;
use crate::auth::{Credentials, TokenProvider};
use crate::config::Config;
use crate::error::Error;
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

fn invalid(message: impl Into<String>) -> JsValue {
    to_js_error(&Error::InvalidRequest {
        message: message.into(),
    })
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid(format!("`{key}` must be a string")))
}

fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
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

fn build(options: &JsValue, config: Option<Config>) -> Result<Client, JsValue> {
    let mut builder = Client::builder();
    builder = match (opt_string(options, "baseUrl")?, config) {
        (Some(url), _) => builder.base_url(url),
        (None, Some(config)) => builder.config(config),
        (None, None) => {
            let (runtime, env) = ConfigOptions::default().into_parts();
            builder.config(Config::load(runtime, &env).map_err(|e| to_js_error(&e))?)
        }
    };
    let provider = get(options, "getAccessToken");
    if let Some(f) = provider.dyn_ref::<js_sys::Function>() {
        builder = builder.credentials(Credentials::Provider(std::sync::Arc::new(JsTokenProvider(
            f.clone(),
        ))));
    } else if !provider.is_undefined() && !provider.is_null() {
        return Err(invalid("`getAccessToken` must be a function"));
    } else if let Some(key) = opt_string(options, "apiKey")? {
        builder = builder.credentials(Credentials::api_key(key).map_err(|e| to_js_error(&e))?);
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
    builder.build().map_err(|e| to_js_error(&e))
}

async fn upload_from_js(item: JsValue) -> Result<UploadFile, JsValue> {
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
    let name = opt_string(&item, "name")?.ok_or_else(|| invalid("an upload needs a `name`"))?;
    let data = get(&item, "data");
    let data = if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
        FileData::Blob(blob.clone())
    } else if let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() {
        FileData::Bytes(bytes.to_vec())
    } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        FileData::Bytes(js_sys::Uint8Array::new(buf).to_vec())
    } else {
        return Err(invalid(
            "an upload's `data` must be a Blob, Uint8Array or ArrayBuffer",
        ));
    };
    let file = UploadFile::new(name, data);
    Ok(match opt_string(&item, "contentType")? {
        Some(ct) => file.content_type(ct),
        None => file,
    })
}

fn ok<T: Serialize>(v: Result<T, Error>) -> Result<JsValue, JsValue> {
    match v {
        Ok(v) => to_js(&v),
        Err(e) => Err(to_js_error(&e)),
    }
}

fn typed<T: Tsify + Serialize>(v: Result<T, Error>) -> Result<Ts<T>, JsValue> {
    ok(v).map(Ts::new_unchecked)
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
            inner: build(&options, None)?,
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
        let mut config_options = ConfigOptions::default();
        if let Some(runtime) = opt_string(&overrides, "runtime")? {
            config_options.runtime = Some(from_js(JsValue::from_str(&runtime), "runtime")?);
        }
        let env = get(&overrides, "env");
        if !env.is_undefined() && !env.is_null() {
            config_options.env = Some(from_js(env, "env")?);
        }
        let (runtime, env) = config_options.into_parts();
        let config = Config::load(runtime, &env).map_err(|e| to_js_error(&e))?;
        Ok(HeliumClient {
            inner: build(&overrides, Some(config))?,
        })
    }

    /// The API root requests go to (e.g. `http://localhost:8000/api`).
    #[wasm_bindgen(getter, js_name = apiRoot)]
    pub fn api_root(&self) -> String {
        self.inner.api_root().to_string()
    }

    fn with(&self, options: Option<CallOptions>) -> Result<Client, JsValue> {
        self.call_client(options)
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
    /// `GET /health` (no credentials).
    pub async fn health(
        &self,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::HealthResponse>, JsValue> {
        typed(self.with(options)?.health().await)
    }

    /// `POST /agent/initiate` (multipart, with optional files).
    #[wasm_bindgen(js_name = initiateAgent)]
    pub async fn initiate_agent(
        &self,
        request: InitiateAgentInput,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::InitiateAgentResponse>, JsValue> {
        let request: JsValue = request.into();
        let files_js = get(&request, "files");
        let mut files = Vec::new();
        if let Some(array) = files_js.dyn_ref::<js_sys::Array>() {
            for item in array.iter() {
                files.push(upload_from_js(item).await?);
            }
        } else if !files_js.is_undefined() && !files_js.is_null() {
            return Err(invalid("`files` must be an array"));
        }
        let req: InitiateAgentRequest = from_js(request, "initiateAgent request")?;
        typed(self.with(options)?.agent().initiate_with_files(req, files).await)
    }

    /// `POST /thread/{threadId}/agent/start`.
    #[wasm_bindgen(js_name = startAgent)]
    pub async fn start_agent(
        &self,
        thread_id: String,
        request: Option<Ts<AgentStartRequest>>,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::AgentStartResponse>, JsValue> {
        let req = match request {
            Some(r) => from_js(r.into(), "startAgent request")?,
            None => AgentStartRequest::default(),
        };
        typed(
            self.with(options)?
                .agent()
                .start(&ThreadId::from(thread_id), &req)
                .await,
        )
    }

    /// `GET /thread/{threadId}/agent`.
    #[wasm_bindgen(js_name = getThreadAgent)]
    pub async fn get_thread_agent(
        &self,
        thread_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::ThreadAgentResponse>, JsValue> {
        typed(
            self.with(options)?
                .agent()
                .thread_agent(&ThreadId::from(thread_id))
                .await,
        )
    }

    /// `GET /agent-run/{id}`.
    #[wasm_bindgen(js_name = getAgentRun)]
    pub async fn get_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::AgentRun>, JsValue> {
        typed(self.with(options)?.runs().get(&AgentRunId::from(id)).await)
    }

    /// `GET /thread/{threadId}/agent-runs`, newest first.
    #[wasm_bindgen(js_name = listAgentRuns, unchecked_return_type = "AgentRunSummary[]")]
    pub async fn list_agent_runs(
        &self,
        thread_id: String,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        ok(self.with(options)?.runs().list(&ThreadId::from(thread_id)).await)
    }

    /// `POST /agent-run/{id}/stop`.
    #[wasm_bindgen(js_name = stopAgentRun)]
    pub async fn stop_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        typed(self.with(options)?.runs().stop(&AgentRunId::from(id)).await)
    }

    /// `POST /agent-run/{id}/pause`.
    #[wasm_bindgen(js_name = pauseAgentRun)]
    pub async fn pause_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        typed(self.with(options)?.runs().pause(&AgentRunId::from(id)).await)
    }

    /// `POST /agent-run/{id}/resume`.
    #[wasm_bindgen(js_name = resumeAgentRun)]
    pub async fn resume_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        typed(self.with(options)?.runs().resume(&AgentRunId::from(id)).await)
    }

    /// `POST /agent-run/{id}/takeover`.
    #[wasm_bindgen(js_name = takeoverAgentRun)]
    pub async fn takeover_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        typed(self.with(options)?.runs().takeover(&AgentRunId::from(id)).await)
    }

    /// `POST /agent-run/{id}/release`.
    #[wasm_bindgen(js_name = releaseAgentRun)]
    pub async fn release_agent_run(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        typed(self.with(options)?.runs().release(&AgentRunId::from(id)).await)
    }

    /// `POST /agent-run/{id}/manual-event` with `{type, data}`.
    #[wasm_bindgen(js_name = sendManualEvent)]
    pub async fn send_manual_event(
        &self,
        id: String,
        event: Ts<ManualEventRequest>,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::RunControlResponse>, JsValue> {
        let event: ManualEventRequest = from_js(event.into(), "manual event")?;
        typed(
            self.with(options)?
                .runs()
                .manual_event(&AgentRunId::from(id), &event)
                .await,
        )
    }

    /// `GET /sandboxes/{sandboxId}/files?path=…`.
    #[wasm_bindgen(js_name = listSandboxFiles, unchecked_return_type = "FileInfo[]")]
    pub async fn list_sandbox_files(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        ok(self
            .with(options)?
            .sandbox(SandboxId::from(sandbox_id))
            .list(&path)
            .await)
    }

    /// `GET /sandboxes/{sandboxId}/files/content?path=…` as bytes.
    #[wasm_bindgen(js_name = readSandboxFile)]
    pub async fn read_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let bytes = self
            .with(options)?
            .sandbox(SandboxId::from(sandbox_id))
            .read(&path)
            .await
            .map_err(|e| to_js_error(&e))?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()))
    }

    /// `POST /sandboxes/{sandboxId}/files`.
    #[wasm_bindgen(js_name = uploadSandboxFile)]
    pub async fn upload_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        file: UploadInput,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::FileCreated>, JsValue> {
        let file = upload_from_js(file.into()).await?;
        typed(
            self.with(options)?
                .sandbox(SandboxId::from(sandbox_id))
                .upload(&path, file)
                .await,
        )
    }

    /// `DELETE /sandboxes/{sandboxId}/files?path=…`.
    #[wasm_bindgen(js_name = deleteSandboxFile)]
    pub async fn delete_sandbox_file(
        &self,
        sandbox_id: String,
        path: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::FileDeleted>, JsValue> {
        typed(
            self.with(options)?
                .sandbox(SandboxId::from(sandbox_id))
                .delete(&path)
                .await,
        )
    }

    /// `DELETE /sandboxes/{sandboxId}`.
    #[wasm_bindgen(js_name = deleteSandbox)]
    pub async fn delete_sandbox(
        &self,
        sandbox_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::SandboxDeleted>, JsValue> {
        typed(
            self.with(options)?
                .sandbox(SandboxId::from(sandbox_id))
                .delete_sandbox()
                .await,
        )
    }

    /// `POST /project/{projectId}/sandbox/ensure-active`.
    #[wasm_bindgen(js_name = ensureSandboxActive)]
    pub async fn ensure_sandbox_active(
        &self,
        project_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::EnsureActiveResponse>, JsValue> {
        typed(
            self.with(options)?
                .project(ProjectId::from(project_id))
                .ensure_sandbox_active()
                .await,
        )
    }

    /// `GET /billing/subscription`.
    #[wasm_bindgen(js_name = getSubscription)]
    pub async fn get_subscription(
        &self,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::SubscriptionStatus>, JsValue> {
        typed(self.with(options)?.billing().subscription().await)
    }

    /// `GET /billing/check-status`.
    #[wasm_bindgen(js_name = checkBillingStatus)]
    pub async fn check_billing_status(
        &self,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::CheckStatusResponse>, JsValue> {
        typed(self.with(options)?.billing().check_status().await)
    }

    /// `GET /billing/available-models`.
    #[wasm_bindgen(js_name = getAvailableModels)]
    pub async fn get_available_models(
        &self,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::AvailableModels>, JsValue> {
        typed(self.with(options)?.billing().available_models().await)
    }

    /// `GET /billing/thread-token-usage/{threadId}`.
    #[wasm_bindgen(js_name = getThreadTokenUsage)]
    pub async fn get_thread_token_usage(
        &self,
        thread_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::ThreadTokenUsage>, JsValue> {
        typed(
            self.with(options)?
                .billing()
                .thread_token_usage(&ThreadId::from(thread_id))
                .await,
        )
    }

    /// `GET /agents`.
    #[wasm_bindgen(js_name = listAgents)]
    pub async fn list_agents(
        &self,
        query: Option<Ts<AgentsQuery>>,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::AgentsList>, JsValue> {
        let query = match query {
            Some(q) => from_js(q.into(), "agents query")?,
            None => AgentsQuery::default(),
        };
        typed(self.with(options)?.agents().list(&query).await)
    }

    /// `GET /agents/{agentId}`.
    #[wasm_bindgen(js_name = getAgent)]
    pub async fn get_agent(
        &self,
        agent_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::Agent>, JsValue> {
        typed(self.with(options)?.agents().get(&AgentId::from(agent_id)).await)
    }

    /// `GET /feature-flags`.
    #[wasm_bindgen(js_name = getFeatureFlags)]
    pub async fn get_feature_flags(
        &self,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::FeatureFlags>, JsValue> {
        typed(self.with(options)?.flags().list().await)
    }

    /// `GET /feature-flags/{name}`.
    #[wasm_bindgen(js_name = getFeatureFlag)]
    pub async fn get_feature_flag(
        &self,
        name: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::FeatureFlag>, JsValue> {
        typed(self.with(options)?.flags().get(&name).await)
    }

    /// `POST /api-keys`.
    #[wasm_bindgen(js_name = createApiKey)]
    pub async fn create_api_key(
        &self,
        request: Ts<CreateApiKeyRequest>,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::CreatedApiKey>, JsValue> {
        let request: CreateApiKeyRequest = from_js(request.into(), "createApiKey request")?;
        typed(self.with(options)?.api_keys().create(&request).await)
    }

    /// `GET /api-keys`.
    #[wasm_bindgen(js_name = listApiKeys, unchecked_return_type = "ApiKey[]")]
    pub async fn list_api_keys(&self, options: Option<CallOptions>) -> Result<JsValue, JsValue> {
        ok(self.with(options)?.api_keys().list().await)
    }

    /// `PATCH /api-keys/{keyId}/revoke`.
    #[wasm_bindgen(js_name = revokeApiKey)]
    pub async fn revoke_api_key(
        &self,
        key_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::ApiKeyMessage>, JsValue> {
        typed(
            self.with(options)?
                .api_keys()
                .revoke(&ApiKeyId::from(key_id))
                .await,
        )
    }

    /// `DELETE /api-keys/{keyId}`.
    #[wasm_bindgen(js_name = deleteApiKey)]
    pub async fn delete_api_key(
        &self,
        key_id: String,
        options: Option<CallOptions>,
    ) -> Result<Ts<crate::models::ApiKeyMessage>, JsValue> {
        typed(
            self.with(options)?
                .api_keys()
                .delete(&ApiKeyId::from(key_id))
                .await,
        )
    }
}
