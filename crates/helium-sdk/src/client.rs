//! The API client: configuration, credentials, timeouts and retries, and the resource handlers.

use std::time::Duration;

use crate::api::{AgentApi, AgentsApi, ApiKeysApi, BillingApi, FlagsApi, ProjectApi, RunsApi, SandboxApi};
use crate::auth::{Credentials, TokenProvider};
use crate::config::{ApiRoot, Config, Env, HttpUrl, Runtime};
use crate::error::{ConfigError, Error};
use crate::http::{CallSettings, Pipeline, RetryPolicy};
use crate::models::{ProjectId, SandboxId};
use crate::platform::Shared;
use crate::transport::{Signal, Transport};

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// `HELIUM_ACCESS_TOKEN`: a Supabase access token used by [`Client::from_env`].
pub const HELIUM_ACCESS_TOKEN: &str = "HELIUM_ACCESS_TOKEN";
/// `HELIUM_API_KEY`: a `pk_…:sk_…` API key used by [`Client::from_env`] (takes precedence over the token).
pub const HELIUM_API_KEY: &str = "HELIUM_API_KEY";

/// A client of the Helium backend. Cheap to clone (one shared connection pool).
///
/// ```no_run
/// # async fn demo() -> Result<(), helium_sdk::Error> {
/// use helium_sdk::{Client, models::InitiateAgentRequest};
/// let client = Client::builder()
///     .base_url("http://localhost:8000/api")
///     .bearer_token("<supabase access token>")
///     .build()?;
/// let health = client.health().await?;
/// let started = client.agent().initiate(InitiateAgentRequest::new("Write a haiku")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) pipeline: Shared<Pipeline>,
    pub(crate) settings: CallSettings,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the process environment: the backend from the configuration core (server
    /// runtime natively), credentials from `HELIUM_API_KEY` or else `HELIUM_ACCESS_TOKEN` when set.
    ///
    /// # Errors
    /// Configuration errors (see [`crate::resolve_backend_url`]) and an invalid `HELIUM_API_KEY`.
    pub fn from_env() -> Result<Client, Error> {
        Client::from_env_map(Runtime::detect(), &Env::from_process())
    }

    /// As [`Client::from_env`], from an explicit runtime and environment.
    ///
    /// # Errors
    /// See [`Client::from_env`].
    pub fn from_env_map(runtime: Runtime, env: &Env) -> Result<Client, Error> {
        let mut builder = Client::builder().config(Config::load(runtime, env)?);
        if let Some(key) = env.get(HELIUM_API_KEY) {
            builder = builder.credentials(Credentials::api_key(key)?);
        } else if let Some(token) = env.get(HELIUM_ACCESS_TOKEN) {
            builder = builder.bearer_token(token);
        }
        builder.build()
    }

    /// The API root requests go to.
    pub fn api_root(&self) -> &ApiRoot {
        &self.pipeline.api_root
    }

    /// A copy of this client with another timeout per request (the connection pool is shared).
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client {
            settings: CallSettings {
                timeout,
                ..self.settings.clone()
            },
            ..self.clone()
        }
    }

    /// A copy of this client with another retry policy.
    pub fn with_retry(&self, retry: RetryPolicy) -> Client {
        Client {
            settings: CallSettings {
                retry,
                ..self.settings.clone()
            },
            ..self.clone()
        }
    }

    /// A copy of this client with other credentials.
    pub fn with_credentials(&self, credentials: Credentials) -> Client {
        let pipeline = Pipeline {
            credentials,
            ..(*self.pipeline).clone()
        };
        Client {
            pipeline: Shared::new(pipeline),
            settings: self.settings.clone(),
        }
    }

    /// A copy whose calls are cancelled by `signal` (JavaScript `AbortSignal`; natively, drop the future).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn with_signal(&self, signal: Option<Signal>) -> Client {
        Client {
            settings: CallSettings {
                signal,
                ..self.settings.clone()
            },
            ..self.clone()
        }
    }

    /// Agent runs: initiate a project, thread and run; start a run on a thread; the thread's agent.
    pub fn agent(&self) -> AgentApi<'_> {
        AgentApi { client: self }
    }

    /// Run status and control: get, list, stop, pause, resume, takeover, release, manual events.
    pub fn runs(&self) -> RunsApi<'_> {
        RunsApi { client: self }
    }

    /// Files of one sandbox.
    pub fn sandbox(&self, id: impl Into<SandboxId>) -> SandboxApi<'_> {
        SandboxApi {
            client: self,
            id: id.into(),
        }
    }

    /// Project-level operations (sandbox activation).
    pub fn project(&self, id: impl Into<ProjectId>) -> ProjectApi<'_> {
        ProjectApi {
            client: self,
            id: id.into(),
        }
    }

    /// Billing: subscription, check-status, available models, token usage.
    pub fn billing(&self) -> BillingApi<'_> {
        BillingApi { client: self }
    }

    /// Agents (custom agents or the default one).
    pub fn agents(&self) -> AgentsApi<'_> {
        AgentsApi { client: self }
    }

    /// Feature flags.
    pub fn flags(&self) -> FlagsApi<'_> {
        FlagsApi { client: self }
    }

    /// API keys.
    pub fn api_keys(&self) -> ApiKeysApi<'_> {
        ApiKeysApi { client: self }
    }
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    config: Option<Config>,
    credentials: Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// The backend URL, with or without `/api` (the API root rule of [`ApiRoot`] applies).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A resolved configuration (its API root is used).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// A bearer access token (a Supabase session's `access_token`).
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::bearer(token))
    }

    /// A token provider called before every request.
    pub fn token_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.credentials(Credentials::provider(provider))
    }

    /// The timeout of each attempt of a request, including reading the body (default 30 s). Streams use it
    /// for the response head only.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The TCP connect timeout (native only; default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The retry policy for idempotent requests.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Retries after the first attempt for idempotent requests (default 2).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry = Some(RetryPolicy {
            max_retries: n,
            ..self.retry.unwrap_or_default()
        });
        self
    }

    /// Builds the client. Without a base URL or configuration, the configuration is read from the environment.
    ///
    /// # Errors
    /// A configuration error for an invalid base URL or environment.
    pub fn build(self) -> Result<Client, Error> {
        let api_root = match (self.base_url, self.config) {
            (Some(url), _) => ApiRoot::from_backend_url(&HttpUrl::parse(&url).map_err(|problem| {
                ConfigError::InvalidUrl {
                    variable: "base_url",
                    problem,
                    origin: crate::EnvOrigin::Explicit,
                }
            })?),
            (None, Some(config)) => config.api_root(),
            (None, None) => Config::from_env()?.api_root(),
        };
        let transport =
            Transport::new(self.connect_timeout.unwrap_or(Duration::from_secs(10))).map_err(|e| {
                Error::InvalidRequest {
                    message: format!("could not create the HTTP client: {e}"),
                }
            })?;
        Ok(Client {
            pipeline: Shared::new(Pipeline {
                api_root,
                credentials: self.credentials,
                transport,
            }),
            settings: CallSettings {
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                retry: self.retry.unwrap_or_default(),
                signal: None,
            },
        })
    }
}
