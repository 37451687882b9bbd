#![doc = include_str!("../README.md")]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod auth;
pub mod cors;
pub mod errors;
pub mod faults;
pub mod fixtures;
pub mod hostile;
pub mod jwt;
pub mod pyjson;
pub mod routes;
pub mod script;
pub mod server;
pub mod state;
pub mod stream;
pub mod timefmt;
pub mod validation;

/// The backend's `ENV_MODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvMode {
    /// Billing off, no run limit, local-shaped billing responses.
    #[default]
    Local,
    /// The 402 billing gate is enforced.
    Staging,
    /// The parallel-run limit (429) is enforced.
    Production,
}

impl EnvMode {
    /// `local`, `staging` or `production`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvMode::Local => "local",
            EnvMode::Staging => "staging",
            EnvMode::Production => "production",
        }
    }
}

impl std::fmt::Display for EnvMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`EnvMode::from_str`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnvModeError(pub String);

impl std::fmt::Display for ParseEnvModeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid env mode '{}': expected local, staging or production",
            self.0
        )
    }
}

impl std::error::Error for ParseEnvModeError {}

impl FromStr for EnvMode {
    type Err = ParseEnvModeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Ok(EnvMode::Local),
            "staging" => Ok(EnvMode::Staging),
            "production" => Ok(EnvMode::Production),
            _ => Err(ParseEnvModeError(s.to_owned())),
        }
    }
}

/// Upload limits of the public API v1 (`quick-action`, follow-ups), §8.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicFileLimits {
    /// Files per request (documented: 10).
    pub max_files: usize,
    /// Bytes per file (documented: 50 MB).
    pub max_file_bytes: usize,
    /// Bytes for all files of a request (documented: 200 MB).
    pub max_total_bytes: usize,
}

impl Default for PublicFileLimits {
    fn default() -> Self {
        Self {
            max_files: 10,
            max_file_bytes: 50 * 1024 * 1024,
            max_total_bytes: 200 * 1024 * 1024,
        }
    }
}

/// Options for [`DevServer::start`].
#[derive(Debug, Clone)]
pub struct DevServerOptions {
    /// Interface to bind (default `127.0.0.1`).
    pub host: IpAddr,
    /// Port; `0` picks a free one.
    pub port: u16,
    /// Env mode (default [`EnvMode::Local`]).
    pub env_mode: EnvMode,
    /// Delay before each scripted stream item (default 40 ms).
    pub pace: Duration,
    /// Origins allowed besides the backend's own list for the env mode (each entry may be a comma list).
    /// Matching is exact, as in Starlette: `http://127.0.0.1:5173` does not allow `http://localhost:5173`.
    pub extra_cors_origins: Vec<String>,
    /// Parallel-run limit in production; `None` reads env `MAX_PARALLEL_AGENT_RUNS`, else 3.
    pub max_parallel_runs: Option<usize>,
    /// Runs a user may start in staging before the 402 billing gate closes (default 3).
    pub staging_free_runs: u32,
    /// How long a finished run keeps its stream items (default 24 h, like the Redis TTL).
    pub response_ttl: Duration,
    /// HMAC key for API-key secrets; `None` reads env `API_KEY_SECRET`, else the backend default.
    pub api_key_secret: Option<String>,
    /// Feature flags reported by `/api/feature-flags` (all others are off).
    pub feature_flags: Vec<(String, bool)>,
    /// Agents a user may have in staging and production before `POST /agents` and the JSON import answer
    /// 402 `AGENT_LIMIT_EXCEEDED` (default 2, the free tier of `error_402_agent_count.json`; local is unlimited).
    pub agent_limit: usize,
    /// `KORTIX_ADMIN_API_KEY` for the `/api/admin/*` routes; `None` reads env `KORTIX_ADMIN_API_KEY` (unset → the
    /// admin routes answer 500 `Admin API key not configured on server`).
    pub admin_api_key: Option<String>,
    /// Public API v1 keys accepted from the start: (`he-` + 36 alphanumerics, user id). More with
    /// [`DevServer::create_public_api_key`] or `POST /__devserver/public-keys`.
    pub public_api_keys: Vec<(String, String)>,
    /// Public API v1 requests per caller and window (default 100, the documented free tier).
    pub public_rate_limit: u32,
    /// Public API v1 rate-limit window (default one hour).
    pub public_rate_window: Duration,
    /// Public API v1 upload limits (default the documented 10 files, 50 MB each, 200 MB in all).
    pub public_file_limits: PublicFileLimits,
    /// HS256 secret of the dev Supabase project (tokens, anon and service-role keys); `None` uses
    /// [`jwt::DEFAULT_JWT_SECRET`].
    pub jwt_secret: Option<String>,
}

impl Default for DevServerOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            env_mode: EnvMode::Local,
            pace: Duration::from_millis(40),
            extra_cors_origins: Vec::new(),
            max_parallel_runs: None,
            staging_free_runs: 3,
            response_ttl: Duration::from_secs(86_400),
            api_key_secret: None,
            feature_flags: Vec::new(),
            jwt_secret: None,
            agent_limit: 2,
            admin_api_key: None,
            public_api_keys: Vec::new(),
            public_rate_limit: 100,
            public_rate_window: Duration::from_secs(3600),
            public_file_limits: PublicFileLimits::default(),
        }
    }
}

fn base_url(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
    }
}

/// A running dev server.
#[derive(Debug)]
pub struct DevServer {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    state: Arc<state::AppState>,
}

impl DevServer {
    /// Bind, spawn the server on the current tokio runtime and return once it is listening.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(options: DevServerOptions) -> std::io::Result<DevServer> {
        let listener = TcpListener::bind(SocketAddr::new(options.host, options.port)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(false);
        let max_parallel_runs = options
            .max_parallel_runs
            .or_else(|| {
                std::env::var("MAX_PARALLEL_AGENT_RUNS")
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(3);
        let api_key_secret = options
            .api_key_secret
            .clone()
            .or_else(|| std::env::var("API_KEY_SECRET").ok())
            .unwrap_or_else(|| "default-secret-key-change-in-production".to_owned());
        let config = state::Config {
            env_mode: options.env_mode,
            pace: options.pace,
            max_parallel_runs,
            api_key_secret,
            response_ttl: options.response_ttl,
            staging_free_runs: options.staging_free_runs,
            feature_flags: options.feature_flags.clone(),
            agent_limit: options.agent_limit,
            public_rate_limit: options.public_rate_limit,
            public_rate_window: options.public_rate_window,
            public_file_limits: options.public_file_limits,
            admin_api_key: options
                .admin_api_key
                .clone()
                .or_else(|| std::env::var("KORTIX_ADMIN_API_KEY").ok())
                .filter(|k| !k.is_empty()),
            jwt_secret: options
                .jwt_secret
                .clone()
                .unwrap_or_else(|| jwt::DEFAULT_JWT_SECRET.to_owned()),
        };
        let app = Arc::new(state::AppState {
            config,
            store: Mutex::new(state::Store::default()),
            faults: faults::FaultRegistry::default(),
            cors: cors::CorsPolicy::new(options.env_mode, &options.extra_cors_origins),
            started: Instant::now(),
            shutdown: rx.clone(),
            base_url: base_url(addr),
            open_streams: std::sync::atomic::AtomicUsize::new(0),
            connections_accepted: std::sync::atomic::AtomicU64::new(0),
            connections_open: std::sync::atomic::AtomicUsize::new(0),
        });
        {
            let mut store = app.lock();
            for (key, user) in &options.public_api_keys {
                store.public_keys.insert(key.clone(), user.clone());
            }
        }
        let router = routes::router(app.clone());
        let task = tokio::spawn(server::serve(listener, app.clone(), router, rx));
        Ok(DevServer {
            addr,
            shutdown: tx,
            task,
            state: app,
        })
    }

    /// `http://HOST:PORT` (no trailing slash). It is also the dev Supabase project's URL (`/rest/v1`, `/auth/v1`).
    pub fn base_url(&self) -> String {
        base_url(self.addr)
    }

    /// `base_url() + "/api"`.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An access token (HS256, signed with the dev project's secret, role `authenticated`) for the fixtures'
    /// user `2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b`.
    pub fn sample_token(&self) -> String {
        auth::token_for(auth::SAMPLE_USER_ID, &self.state.config.jwt_secret)
    }

    /// An access token (HS256, role `authenticated`) whose `sub` is `sub`.
    pub fn token_for(&self, sub: &str) -> String {
        auth::token_for(sub, &self.state.config.jwt_secret)
    }

    /// Any claims signed with the dev project's secret (e.g. an expired token, another role).
    pub fn sign_jwt(&self, claims: &serde_json::Value) -> String {
        jwt::sign(claims, &self.state.config.jwt_secret)
    }

    /// The dev Supabase project's anon key (`apikey`; an HS256 JWT with role `anon`). Public by design.
    pub fn anon_key(&self) -> String {
        jwt::project_key("anon", &self.state.config.jwt_secret)
    }

    /// The dev Supabase project's service-role key (bypasses row-level security on `/rest/v1`). Never served over HTTP.
    pub fn service_role_key(&self) -> String {
        jwt::project_key("service_role", &self.state.config.jwt_secret)
    }

    /// A new public API v1 key (`he-` + 36 alphanumerics) for `user_id`.
    pub fn create_public_api_key(&self, user_id: &str) -> String {
        routes::public_v1::create_key(&self.state, user_id)
    }

    /// The env mode the server runs in.
    pub fn env_mode(&self) -> EnvMode {
        self.state.config.env_mode
    }

    /// Stop accepting, end live streams and scripted runs, and wait for the server task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}
