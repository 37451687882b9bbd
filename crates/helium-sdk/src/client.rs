//! The API client: configuration, credentials, timeouts and retries, and the resource handlers.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Credentials, Secret, TokenProvider};
use crate::config::{ApiRoot, Config, HttpUrl, Runtime};
use crate::config::{SupabaseConfig, SupabaseKey};
use crate::error::{ConfigError, EnvOrigin, Error, InvalidRequestCause};
use crate::http::{CallSettings, HeaderPolicy, Pipeline, RestTarget, RetryPolicy};
use crate::options::ClientOptions;
use crate::platform::Shared;
use crate::transport::{CallContext, Transport, TransportOptions};

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of the Helium backend. Cheap to clone (one shared connection pool); the resource handlers
/// (`client.runs()`, …) are clones too.
///
/// ```no_run
/// # async fn demo() -> Result<(), helium_sdk::Error> {
/// use helium_sdk::{Client, models::InitiateAgentRequest};
/// let client = Client::builder()
///     .base_url("http://localhost:8000/api")
///     .bearer_token("<supabase access token>")
///     .build()?;
/// let health = client.health().await?;
/// let started = client.agent().initiate(&InitiateAgentRequest::new("Write a haiku")).await?;
/// if let Some(run_id) = &started.agent_run_id {
///     let run = client.runs().get(run_id).await?;
///     println!("{} is {}", run.id, run.status);
/// }
/// # let _ = health;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) pipeline: Shared<Pipeline>,
    pub(crate) settings: CallSettings,
    pub(crate) runtime: Runtime,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the process environment: the backend from the configuration rules, and
    /// credentials from `HELIUM_API_KEY` or else `HELIUM_ACCESS_TOKEN` (see [`crate::options`] for the
    /// precedence).
    ///
    /// # Errors
    /// Configuration errors (see [`crate::resolve_backend_url`]) and a malformed `HELIUM_API_KEY`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_options(ClientOptions::default())
            .env_credentials()
            .build()
    }

    /// As [`Client::from_env`], from an explicit runtime and environment.
    ///
    /// # Errors
    /// See [`Client::from_env`].
    pub fn from_env_map(runtime: Runtime, env: &crate::Env) -> Result<Client, Error> {
        let options = ClientOptions {
            runtime: Some(runtime),
            env: Some(env.to_map()),
            ..ClientOptions::default()
        };
        ClientBuilder::from_options(options).env_credentials().build()
    }

    /// The API root requests go to.
    pub fn api_root(&self) -> &ApiRoot {
        &self.pipeline.api_root
    }

    /// The runtime the client was built for (`Server` natively).
    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// A copy of this client with another timeout per request (the connection pool is shared).
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut c = self.clone();
        c.settings.timeout = timeout;
        c
    }

    /// A copy of this client with another retry policy.
    pub fn with_retry(&self, retry: RetryPolicy) -> Client {
        let mut c = self.clone();
        c.settings.retry = retry;
        c
    }

    /// A copy of this client with other credentials.
    pub fn with_credentials(&self, credentials: Credentials) -> Client {
        let pipeline = Pipeline {
            credentials,
            ..(*self.pipeline).clone()
        };
        Client {
            pipeline: Shared::new(pipeline),
            ..self.clone()
        }
    }

    /// A copy whose calls use this transport context (JavaScript `AbortSignal` and `fetch` options; natively,
    /// a call is cancelled by dropping its future).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn with_context(&self, ctx: CallContext) -> Client {
        let mut c = self.clone();
        c.settings.ctx = ctx;
        c
    }
}

/// Builds a [`Client`] from [`ClientOptions`] and the Rust-only settings (a token provider, a full retry
/// policy, a `reqwest::Client`, a connect timeout).
#[derive(Default)]
pub struct ClientBuilder {
    options: ClientOptions,
    config: Option<Config>,
    provider: Option<Arc<dyn TokenProvider>>,
    env_credentials: bool,
    retry: Option<RetryPolicy>,
    pub(crate) transport: TransportOptions,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("options", &self.options)
            .field("config", &self.config)
            .field("provider", &self.provider.as_ref().map(|_| ".."))
            .field("env_credentials", &self.env_credentials)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder starting from options (the same options the JavaScript constructor and the CLI take).
    pub fn from_options(options: ClientOptions) -> ClientBuilder {
        ClientBuilder {
            options,
            ..ClientBuilder::default()
        }
    }

    /// The backend URL, with or without `/api` (the API root rule of [`ApiRoot`] applies).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options.base_url = Some(url.into());
        self
    }

    /// The runtime to build for, instead of the detected one (`Client` applies the browser rules: no request id,
    /// only headers the backend's CORS allows, no secret keys).
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.options.runtime = Some(runtime);
        self
    }

    /// A resolved configuration (its API root and runtime are used when no base URL is set).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Credentials (replacing any set before).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.options.access_token = None;
        self.options.api_key = None;
        self.provider = None;
        match credentials {
            Credentials::None => {}
            Credentials::Bearer(t) => self.options.access_token = Some(t),
            Credentials::ApiKey(k) | Credentials::PublicApiKey(k) => self.options.api_key = Some(k),
            Credentials::Provider(p) => self.provider = Some(p),
        }
        self
    }

    /// A bearer access token (a Supabase session's `access_token`).
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::Bearer(Secret::new(token)))
    }

    /// An API key, `pk_…:sk_…` (the internal routes) or `he-…` (the public API v1), recognised by its form
    /// when building.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self = self.credentials(Credentials::None);
        self.options.api_key = Some(Secret::new(key));
        self
    }

    /// The admin key (`X-Admin-Api-Key`) for the admin operations, besides any user credentials. Server
    /// runtimes only: building a client-runtime client with it fails (`secret_key_in_client`).
    pub fn admin_api_key(mut self, key: impl Into<String>) -> Self {
        self.options.admin_api_key = Some(Secret::new(key));
        self
    }

    /// A token provider called before every request.
    pub fn token_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.credentials(Credentials::provider(provider))
    }

    /// A shared token provider.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn token_provider_arc(self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credentials(Credentials::Provider(provider))
    }

    /// Reads credentials from the environment when none are given explicitly (`HELIUM_API_KEY`, then
    /// `HELIUM_ACCESS_TOKEN`; server runtimes only), and the admin key from `KORTIX_ADMIN_API_KEY`.
    pub fn env_credentials(mut self) -> Self {
        self.env_credentials = true;
        self
    }

    /// The timeout of each attempt of a request, including reading the body (default 30 s). Streams use it
    /// for the response head only.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout_ms = Some(timeout.as_millis().min(u128::from(u64::MAX)) as u64);
        self
    }

    /// The largest response body read whole, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`](crate::DEFAULT_MAX_RESPONSE_SIZE), 128 MiB). A body announced or
    /// found to be longer fails with kind `decode`, code `body_too_large`, as soon as that is known: it is not
    /// read to its end. Agent-run streams are bounded per event instead ([`crate::stream::StreamOptions`]).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.options.max_response_size = Some(bytes as u64);
        self
    }

    /// The retry policy for idempotent requests.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Retries after the first attempt for idempotent requests (default 2).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = Some(n);
        self
    }

    /// Adds a header to every request (e.g. `traceparent`). In a browser only the headers the backend's CORS
    /// allows are accepted.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options
            .headers
            .get_or_insert_with(Default::default)
            .insert(name.into(), value.into());
        self
    }

    /// The Supabase project of the data API (`client.data()`): its URL and public key (anon JWT or
    /// `sb_publishable_…`). Without it, the configuration rules' public key is used.
    pub fn supabase(mut self, url: impl Into<String>, public_key: impl Into<String>) -> Self {
        self.options.supabase_url = Some(url.into());
        self.options.supabase_key = Some(Secret::new(public_key));
        self
    }

    /// Sends `x-request-id` in a browser too (see [`ClientOptions::send_request_id`]).
    pub fn send_request_id(mut self, on: bool) -> Self {
        self.options.send_request_id = Some(on);
        self
    }

    /// Builds the client. Without a base URL or configuration, the configuration rules are applied to the
    /// options' runtime and environment.
    ///
    /// # Errors
    /// A configuration error for an invalid base URL (naming where it came from) or environment; a malformed
    /// API key; conflicting credentials; a default header a browser could not send.
    pub fn build(self) -> Result<Client, Error> {
        let env = self.options.resolved_env();
        let (api_root, runtime) = match (&self.options.base_url, &self.config) {
            (Some(url), _) => {
                let url = HttpUrl::parse(url)
                    .map_err(|problem| ConfigError::invalid_url("baseUrl", problem, EnvOrigin::Options))?;
                (ApiRoot::from_backend_url(&url), self.options.resolved_runtime())
            }
            (None, Some(config)) => (
                config.api_root(),
                self.options.runtime.unwrap_or(config.runtime()),
            ),
            (None, None) => {
                let runtime = self.options.resolved_runtime();
                (Config::load(runtime, &env)?.api_root(), runtime)
            }
        };
        let credentials = self
            .options
            .credentials(self.provider, self.env_credentials, runtime, &env)?;
        let admin_key = self.options.admin_key(self.env_credentials, runtime, &env)?;
        let rest = rest_target(&self.options, runtime, &env)?;
        let headers = HeaderPolicy::new(
            runtime,
            self.options.send_request_id.unwrap_or(false),
            self.options.headers.unwrap_or_default().into_iter().collect(),
        )?;
        let transport = Transport::new(&self.transport, runtime)
            .map_err(|e| Error::invalid(InvalidRequestCause::HttpClient(e)))?;
        let retry = match (self.retry, self.options.max_retries) {
            (Some(policy), _) => policy,
            (None, Some(n)) => RetryPolicy::with_max_retries(n.min(10)),
            (None, None) => RetryPolicy::default(),
        };
        Ok(Client {
            pipeline: Shared::new(Pipeline {
                api_root,
                rest,
                credentials,
                admin_key,
                transport,
                headers,
            }),
            settings: CallSettings {
                timeout: self
                    .options
                    .timeout_ms
                    .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
                retry,
                ctx: CallContext::default(),
                max_response_size: self
                    .options
                    .max_response_size
                    .map_or(crate::http::DEFAULT_MAX_RESPONSE_SIZE, |n| {
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }),
            },
            runtime,
        })
    }
}

/// The Supabase project of the data API: the `supabaseUrl`/`supabaseKey` options (both or neither; a bad value
/// is an error now), else the configuration rules' public key (a missing or bad environment is reported when a
/// data call is made, so that a backend-only client still builds).
fn rest_target(
    options: &ClientOptions,
    runtime: Runtime,
    env: &crate::Env,
) -> Result<Result<RestTarget, ConfigError>, Error> {
    let missing = |what: &'static str, option: &'static str| ConfigError::Missing {
        what,
        looked_for: vec![option],
        origin: EnvOrigin::Options,
    };
    match (&options.supabase_url, &options.supabase_key) {
        (Some(url), Some(key)) => {
            let url = HttpUrl::parse(url)
                .map_err(|problem| ConfigError::invalid_url("supabaseUrl", problem, EnvOrigin::Options))?;
            let key = SupabaseKey::parse(key.expose_secret()).map_err(|reason| ConfigError::InvalidKey {
                variable: "supabaseKey",
                reason,
            })?;
            if runtime == Runtime::Client && key.kind().is_secret() {
                return Err(ConfigError::SecretKeyInClient {
                    variable: "supabaseKey",
                    kind: key.kind().label(),
                }
                .into());
            }
            Ok(Ok(RestTarget {
                root: format!("{url}/rest/v1"),
                key,
            }))
        }
        (Some(_), None) => Err(missing("the Supabase key", "supabaseKey").into()),
        (None, Some(_)) => Err(missing("the Supabase URL", "supabaseUrl").into()),
        (None, None) => Ok(match SupabaseConfig::load_public(runtime, env) {
            Ok(c) => Ok(RestTarget {
                root: c.rest_url(),
                key: c.key().clone(),
            }),
            Err(e) => Err(e
                .as_config()
                .cloned()
                .unwrap_or_else(|| missing("the Supabase project", "supabaseUrl"))),
        }),
    }
}
