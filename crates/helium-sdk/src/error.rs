//! The SDK's one error type.
//!
//! Every fallible call returns [`Error`]. Callers branch on [`Error::kind`] (or the `kind` string in
//! JavaScript), never on message text. Messages name what to fix (a variable, a field) and never contain
//! secrets or the values of environment variables.

use std::fmt;

use std::time::Duration;

use crate::config::UrlProblem;
use crate::models::error::{ErrorDetail, RunLimitDetail};

/// A stable, coarse classification of an [`Error`]; the same strings are used in Rust and JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration (environment variables or options) is missing, malformed or refused.
    Config,
    /// No credentials were available (no token, or the token provider failed).
    Auth,
    /// The request was refused before it was sent (e.g. a file over the 50 MB upload limit).
    InvalidRequest,
    /// The connection failed (DNS, refused, reset, TLS, CORS in a browser).
    Network,
    /// The request or the response body took longer than the timeout.
    Timeout,
    /// The caller cancelled the request (`AbortSignal` in JavaScript).
    Aborted,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 402: the billing gate; the server's detail object is kept.
    Billing,
    /// HTTP 403.
    Forbidden,
    /// HTTP 404.
    NotFound,
    /// HTTP 422: the detail list is kept.
    Validation,
    /// HTTP 429: the run-limit detail and Retry-After are kept.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// Any other non-success HTTP status (400, 405, 413, …).
    BadRequest,
    /// A response body that is not what the contract says.
    Decode,
    /// The agent-run stream failed (malformed or oversized events, reconnects exhausted).
    Stream,
}

impl ErrorKind {
    /// The stable string for this kind (`"config"`, `"not_found"`, …), as used by `HeliumError.kind` in JavaScript.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::Auth => "auth",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Billing => "billing",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Validation => "validation",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Decode => "decode",
            ErrorKind::Stream => "stream",
        }
    }

    /// The kind of an HTTP error status.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            402 => ErrorKind::Billing,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadRequest,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any error the SDK returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The backend answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No credentials could be obtained.
    #[error("no credentials: {message}")]
    Auth {
        /// What went wrong (never a token).
        message: String,
    },
    /// The request was refused before sending.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// The connection failed.
    #[error("network error on {endpoint}: {message}{}", rid(request_id))]
    Network {
        /// `METHOD /path` (never the query string).
        endpoint: String,
        /// The transport's description.
        message: String,
        /// The request id sent.
        request_id: Option<String>,
    },
    /// The timeout elapsed.
    #[error("timed out after {} ms on {endpoint}{}", after.as_millis(), rid(request_id))]
    Timeout {
        /// `METHOD /path`.
        endpoint: String,
        /// The timeout that elapsed.
        after: Duration,
        /// The request id sent.
        request_id: Option<String>,
    },
    /// The caller cancelled the request.
    #[error("aborted: {endpoint}{}", rid(request_id))]
    Aborted {
        /// `METHOD /path`.
        endpoint: String,
        /// The request id sent.
        request_id: Option<String>,
    },
    /// The response body did not match the contract.
    #[error(
        "could not decode the response of {endpoint} (HTTP {status}): {message}; body starts with {excerpt:?}{}",
        rid(request_id)
    )]
    Decode {
        /// `METHOD /path`.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The decoder's message.
        message: String,
        /// The start of the body, with anything that looks like a secret replaced by `[redacted]`.
        excerpt: String,
        /// The request id.
        request_id: Option<String>,
    },
    /// The agent-run stream failed.
    #[error("stream error: {message}")]
    Stream {
        /// What went wrong.
        message: String,
    },
}

fn rid(request_id: &Option<String>) -> String {
    request_id
        .as_ref()
        .map(|r| format!(" (request id {r})"))
        .unwrap_or_default()
}

/// An error status from the backend, with the server's `detail` kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The kind derived from the status.
    pub kind: ErrorKind,
    /// `METHOD /path` (never the query string).
    pub endpoint: String,
    /// The server's message: `detail` when it is a string, `detail.message` when it is an object, else the status text.
    pub message: String,
    /// The parsed `detail` (string, validation list or object), when the body was FastAPI's `{"detail": …}`.
    pub detail: Option<ErrorDetail>,
    /// The request id (the server's `x-request-id`, else the one sent).
    pub request_id: Option<String>,
    /// The `Retry-After` delay, when the server sent one.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {} from {}: {}{}",
            self.status,
            self.endpoint,
            self.message,
            rid(&self.request_id)
        )
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// The coarse kind callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::Config,
            Error::Api(e) => e.kind,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Error::Network { .. } => ErrorKind::Network,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Aborted { .. } => ErrorKind::Aborted,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Stream { .. } => ErrorKind::Stream,
        }
    }

    /// The configuration problem, when [`Error::kind`] is [`ErrorKind::Config`].
    pub fn as_config(&self) -> Option<&ConfigError> {
        match self {
            Error::Config(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP error, when the backend answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's `detail`, for API errors that had one.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        self.as_api().and_then(|e| e.detail.as_ref())
    }

    /// The request id of the failed request, when one was sent or returned.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Network { request_id, .. }
            | Error::Timeout { request_id, .. }
            | Error::Aborted { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(|e| e.retry_after)
    }

    /// True for failures that may pass on a retry: connection errors, timeouts, and HTTP 408, 429 and 5xx.
    /// Idempotent calls are retried on these, and a dropped agent stream is resumed on them.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Network { .. } => true,
            Error::Api(e) => e.status == 408 || e.status == 429 || e.status >= 500,
            _ => false,
        }
    }

    /// The run-limit detail of a 429 (`running_thread_ids`, `running_count`, `limit`).
    pub fn run_limit(&self) -> Option<RunLimitDetail> {
        self.detail().and_then(ErrorDetail::run_limit)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// A configuration problem. Each variant names the variable (or option) to fix and where it was looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A variable is set but its value is not an absolute `http(s)` base URL.
    #[error("{variable} is not a valid backend or Supabase URL: {problem} (read from {origin})")]
    InvalidUrl {
        /// The variable that holds the value.
        variable: &'static str,
        /// What is wrong with it.
        problem: UrlProblem,
        /// Where the value came from.
        origin: EnvOrigin,
    },
    /// A plain `http://` URL to a non-loopback host in production.
    #[error(
        "{variable} uses plain http:// to a non-loopback host, which is refused in production \
         (env mode from {mode_variable}); use https://"
    )]
    InsecureUrl {
        /// The variable that holds the URL.
        variable: &'static str,
        /// The variable that set the production mode.
        mode_variable: &'static str,
    },
    /// A required value is not set (or is empty) in any of the variables it may come from.
    #[error("{what} is not configured: set {} (looked in {origin})", looked_for.join(" or "))]
    Missing {
        /// What is missing, in words.
        what: &'static str,
        /// The variables that were looked at, in order of precedence.
        looked_for: Vec<&'static str>,
        /// Where they were looked for.
        origin: EnvOrigin,
    },
    /// An env mode other than `local`, `staging` or `production`.
    #[error("{variable} must be local, staging or production (any case)")]
    InvalidEnvMode {
        /// `NEXT_PUBLIC_ENV_MODE` or `ENV_MODE`.
        variable: &'static str,
    },
    /// A Supabase key that cannot be understood.
    #[error("{variable} is not a valid Supabase key: {reason}")]
    InvalidKey {
        /// The variable that holds the key.
        variable: &'static str,
        /// What is wrong with it (never the key itself).
        reason: KeyProblem,
    },
    /// A service-role JWT or `sb_secret_…` key where code runs in a browser.
    #[error(
        "{variable} holds a {kind} key, which must never reach a browser; \
         use the anon or sb_publishable_ key on the client side"
    )]
    SecretKeyInClient {
        /// The variable that holds the key.
        variable: &'static str,
        /// The key kind, e.g. `service_role JWT`.
        kind: &'static str,
    },
    /// An API key that is not `pk_…:sk_…`.
    #[error("the API key must have the form pk_…:sk_… (public and secret key joined by a colon)")]
    InvalidApiKey,
    /// Options passed from JavaScript have the wrong shape.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
}

impl ConfigError {
    /// A stable, fine-grained code for this problem (`"invalid_url"`, `"missing"`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::InvalidUrl { .. } => "invalid_url",
            ConfigError::InsecureUrl { .. } => "insecure_url",
            ConfigError::Missing { .. } => "missing",
            ConfigError::InvalidEnvMode { .. } => "invalid_env_mode",
            ConfigError::InvalidKey { .. } => "invalid_key",
            ConfigError::SecretKeyInClient { .. } => "secret_key_in_client",
            ConfigError::InvalidApiKey => "invalid_api_key",
            ConfigError::InvalidOptions(_) => "invalid_options",
        }
    }

    /// The variable to fix, when there is a single one.
    pub fn variable(&self) -> Option<&'static str> {
        match self {
            ConfigError::InvalidUrl { variable, .. }
            | ConfigError::InsecureUrl { variable, .. }
            | ConfigError::InvalidEnvMode { variable }
            | ConfigError::InvalidKey { variable, .. }
            | ConfigError::SecretKeyInClient { variable, .. } => Some(variable),
            ConfigError::Missing { looked_for, .. } => looked_for.first().copied(),
            ConfigError::InvalidApiKey | ConfigError::InvalidOptions(_) => None,
        }
    }
}

/// Why a Supabase key could not be read. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyProblem {
    /// Not a JWT, `sb_publishable_…` or `sb_secret_…`.
    #[error("expected a JWT (three dot-separated parts), an sb_publishable_… or an sb_secret_… key")]
    UnknownFormat,
    /// A JWT with the wrong number of dot-separated segments.
    #[error("malformed JWT: expected 3 dot-separated segments, found {0}")]
    SegmentCount(usize),
    /// A segment that is not base64url.
    #[error("malformed JWT: the payload is not valid base64url")]
    Base64,
    /// A payload that is not a JSON object.
    #[error("malformed JWT: the payload is not a JSON object")]
    Json,
    /// A JWT payload without a string `role` claim.
    #[error("the JWT has no role claim; Supabase keys carry role anon or service_role")]
    NoRole,
    /// `sb_publishable_` / `sb_secret_` with nothing after it, or characters a key cannot contain.
    #[error("the key is truncated or contains invalid characters")]
    Truncated,
}

/// Where environment values were read from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvOrigin {
    /// A map the caller passed in.
    Explicit,
    /// The native process environment.
    Process,
    /// `process.env` of the JavaScript runtime (Node and other server runtimes).
    JsProcess,
    /// No environment: a browser sees only what is passed in.
    None,
}

impl fmt::Display for EnvOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnvOrigin::Explicit => "the env map passed by the caller",
            EnvOrigin::Process => "the process environment",
            EnvOrigin::JsProcess => "process.env",
            EnvOrigin::None => "no environment: in a browser, pass env values explicitly",
        })
    }
}
