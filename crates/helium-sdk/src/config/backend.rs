use std::fmt;

use crate::error::{ConfigError, Error};

use super::{
    BACKEND_INTERNAL_URL, DEFAULT_BACKEND_URL, Env, EnvMode, HttpUrl, NEXT_PUBLIC_BACKEND_URL, Runtime,
};

/// Which rule of the deployment guide produced the backend URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum BackendUrlSource {
    /// `BACKEND_INTERNAL_URL` (server side only).
    #[serde(rename = "BACKEND_INTERNAL_URL")]
    BackendInternalUrl,
    /// `NEXT_PUBLIC_BACKEND_URL`.
    #[serde(rename = "NEXT_PUBLIC_BACKEND_URL")]
    NextPublicBackendUrl,
    /// Nothing was set: the guide's default `http://localhost:8000`.
    #[serde(rename = "default")]
    Default,
}

impl BackendUrlSource {
    /// The variable name, or `None` for the default.
    pub fn variable(self) -> Option<&'static str> {
        match self {
            BackendUrlSource::BackendInternalUrl => Some(BACKEND_INTERNAL_URL),
            BackendUrlSource::NextPublicBackendUrl => Some(NEXT_PUBLIC_BACKEND_URL),
            BackendUrlSource::Default => None,
        }
    }
}

impl fmt::Display for BackendUrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.variable().unwrap_or("default"))
    }
}

/// The backend base URL chosen by [`resolve_backend_url`], with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendUrl {
    url: HttpUrl,
    source: BackendUrlSource,
}

impl BackendUrl {
    /// The URL as resolved (trailing slashes trimmed).
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// Which variable (or the default) it came from.
    pub fn source(&self) -> BackendUrlSource {
        self.source
    }

    /// The API root every backend route hangs off (see [`ApiRoot`]).
    pub fn api_root(&self) -> ApiRoot {
        ApiRoot::from_backend_url(&self.url)
    }
}

impl fmt::Display for BackendUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.url, f)
    }
}

/// The URL under which the backend's routes live: the backend URL with `/api` appended unless its path
/// already ends in `/api`.
///
/// The real frontend's `NEXT_PUBLIC_BACKEND_URL` ends in `/api` (`http://localhost:8000/api`), while the
/// deployment guide's default (`http://localhost:8000`) does not; both give the API root
/// `http://localhost:8000/api`. A path such as `/helium` becomes `/helium/api`; `/v2/api` stays as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiRoot {
    url: HttpUrl,
    /// `url` as text, written once: every request's URL starts with it.
    text: String,
}

impl ApiRoot {
    /// Derives the API root from a backend base URL.
    pub fn from_backend_url(url: &HttpUrl) -> ApiRoot {
        let url = if url.path() == "/api" || url.path().ends_with("/api") {
            url.clone()
        } else {
            url.join("/api")
        };
        ApiRoot {
            text: url.to_string(),
            url,
        }
    }

    /// The API root as a URL.
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// The API root as text (`http://localhost:8000/api`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The full URL of a route, e.g. `endpoint("/health")`. `path` starts with `/`.
    pub fn endpoint(&self, path: &str) -> String {
        [self.text.as_str(), path].concat()
    }
}

impl fmt::Display for ApiRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Resolves the backend URL exactly as the deployment guide's `getBackendUrl`:
///
/// ```text
/// server: BACKEND_INTERNAL_URL || NEXT_PUBLIC_BACKEND_URL || 'http://localhost:8000'
/// client: NEXT_PUBLIC_BACKEND_URL || 'http://localhost:8000'
/// ```
///
/// With JavaScript `||` semantics (an empty value is unset). The chosen value must be an absolute `http(s)`
/// URL; trailing slashes are trimmed. In production (`NEXT_PUBLIC_ENV_MODE` ‖ `ENV_MODE`), a plain `http://`
/// `NEXT_PUBLIC_BACKEND_URL` is refused unless its host is loopback; `BACKEND_INTERNAL_URL`, the internal
/// service URL of a private network, may use `http://`.
///
/// ```
/// use helium_sdk::{resolve_backend_url, Env, Runtime};
/// let env = Env::from_map([
///     ("BACKEND_INTERNAL_URL", "http://backend:8000"),
///     ("NEXT_PUBLIC_BACKEND_URL", "https://api.example.com/api/"),
/// ]);
/// assert_eq!(resolve_backend_url(Runtime::Server, &env)?.to_string(), "http://backend:8000");
/// assert_eq!(resolve_backend_url(Runtime::Client, &env)?.to_string(), "https://api.example.com/api");
/// assert_eq!(resolve_backend_url(Runtime::Server, &env)?.api_root().to_string(), "http://backend:8000/api");
/// // In production the internal URL may be plain http inside a private network.
/// let prod = Env::from_map([("ENV_MODE", "production"), ("BACKEND_INTERNAL_URL", "http://10.1.2.3:8000")]);
/// assert_eq!(resolve_backend_url(Runtime::Server, &prod)?.to_string(), "http://10.1.2.3:8000");
/// # Ok::<(), helium_sdk::Error>(())
/// ```
///
/// # Errors
/// A [`ConfigError`] naming the variable: `InvalidUrl`, `InsecureUrl` or `InvalidEnvMode`.
pub fn resolve_backend_url(runtime: Runtime, env: &Env) -> Result<BackendUrl, Error> {
    let (mode, mode_variable) = EnvMode::from_env(env)?;
    resolve_with_mode(runtime, env, mode, mode_variable)
}

fn resolve_with_mode(
    runtime: Runtime,
    env: &Env,
    mode: EnvMode,
    mode_variable: Option<&'static str>,
) -> Result<BackendUrl, Error> {
    let candidates: &[&'static str] = match runtime {
        Runtime::Server => &[BACKEND_INTERNAL_URL, NEXT_PUBLIC_BACKEND_URL],
        Runtime::Client => &[NEXT_PUBLIC_BACKEND_URL],
    };
    let (source, url) = match env.first_of(candidates) {
        Some((variable, value)) => {
            let source = if variable == BACKEND_INTERNAL_URL {
                BackendUrlSource::BackendInternalUrl
            } else {
                BackendUrlSource::NextPublicBackendUrl
            };
            (
                source,
                parse_config_url(variable, value, env, mode, mode_variable)?,
            )
        }
        None => (
            BackendUrlSource::Default,
            HttpUrl::parse(DEFAULT_BACKEND_URL).map_err(|problem| ConfigError::InvalidUrl {
                variable: "default",
                problem,
                origin: env.origin(),
            })?,
        ),
    };
    Ok(BackendUrl { url, source })
}

/// Parses a configured URL and applies the production rule.
pub(super) fn parse_config_url(
    variable: &'static str,
    value: &str,
    env: &Env,
    mode: EnvMode,
    mode_variable: Option<&'static str>,
) -> Result<HttpUrl, ConfigError> {
    let url = HttpUrl::parse(value).map_err(|problem| ConfigError::InvalidUrl {
        variable,
        problem,
        origin: env.origin(),
    })?;
    // In production a browser-facing URL must be https unless it is loopback. `BACKEND_INTERNAL_URL` is the
    // guide's internal service URL, reached inside a private network where plain http is normal (the
    // diagnosis warns when its host does not look private).
    if mode == EnvMode::Production
        && variable != BACKEND_INTERNAL_URL
        && url.scheme() == super::Scheme::Http
        && !url.is_loopback()
    {
        return Err(ConfigError::InsecureUrl {
            variable,
            mode_variable: mode_variable.unwrap_or("ENV_MODE"),
        });
    }
    Ok(url)
}

/// The resolved client configuration: runtime, env mode and backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    runtime: Runtime,
    env_mode: EnvMode,
    backend: BackendUrl,
}

impl Config {
    /// Resolves the configuration for `runtime` from `env`.
    ///
    /// # Errors
    /// See [`resolve_backend_url`].
    pub fn load(runtime: Runtime, env: &Env) -> Result<Config, Error> {
        let (env_mode, mode_variable) = EnvMode::from_env(env)?;
        let backend = resolve_with_mode(runtime, env, env_mode, mode_variable)?;
        Ok(Config {
            runtime,
            env_mode,
            backend,
        })
    }

    /// The configuration for the detected runtime from the process environment
    /// ([`Runtime::detect`], [`Env::from_process`]).
    ///
    /// # Errors
    /// See [`resolve_backend_url`].
    pub fn from_env() -> Result<Config, Error> {
        Config::load(Runtime::detect(), &Env::from_process())
    }

    /// The runtime the configuration was resolved for.
    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The env mode.
    pub fn env_mode(&self) -> EnvMode {
        self.env_mode
    }

    /// The backend URL and its source.
    pub fn backend(&self) -> &BackendUrl {
        &self.backend
    }

    /// The API root.
    pub fn api_root(&self) -> ApiRoot {
        self.backend.api_root()
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} runtime, {} mode, backend {} (from {}), API root {}",
            self.runtime,
            self.env_mode,
            self.backend,
            self.backend.source(),
            self.api_root()
        )
    }
}
