//! The SDK's one error type.
//!
//! Every fallible call returns [`Error`]. Callers branch on [`Error::kind`] (or the `kind` string in
//! JavaScript), never on message text. Messages name what to fix (a variable, a field) and never contain
//! secrets or the values of environment variables.

use std::fmt;

use crate::config::UrlProblem;

/// A stable, coarse classification of an [`Error`]; the same strings are used in Rust and JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration (environment variables or options) is missing, malformed or refused.
    Config,
}

impl ErrorKind {
    /// The stable string for this kind (`"config"`, …), as used by the JavaScript `HeliumError.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any error the SDK returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Error {
    /// The coarse kind callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// The configuration problem, when [`Error::kind`] is [`ErrorKind::Config`].
    pub fn as_config(&self) -> Option<&ConfigError> {
        match self {
            Error::Config(e) => Some(e),
        }
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
            ConfigError::InvalidOptions(_) => None,
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
