//! The SDK's one error type.
//!
//! Every fallible call returns [`Error`]. Callers branch on [`Error::kind`] (or the `kind` string in
//! JavaScript), never on message text. Messages name what to fix (a variable, a field) and never contain
//! secrets or the values of environment variables.
//!
//! The error contract is sealed: every variant holds a boxed payload whose fields are private (read them with
//! accessors), so new details can be added without breaking callers, and only the SDK builds errors (with the
//! one exception of [`Error::token_provider`], for token providers written by callers). Causes are typed and
//! reachable through [`std::error::Error::source`].

use std::fmt;
use std::time::Duration;

use crate::config::UrlProblem;
use crate::models::error::{ErrorDetail, RunLimitDetail};
use crate::stream::sse::SseError;

/// Calls `$callback!` with every error kind as `Variant "wire string" "doc"`: the one list behind
/// [`ErrorKind`], its strings and the JavaScript `HeliumErrorKind` union.
macro_rules! for_each_error_kind {
    ($callback:ident) => {
        $callback! {
            Config "config" "The configuration (environment variables or options) is missing, malformed or refused.",
            Auth "auth" "No credentials were available (no token, or the token provider failed).",
            InvalidRequest "invalid_request" "The request was refused before it was sent (a file over the upload limit, options of the wrong shape).",
            Network "network" "The connection failed (DNS, refused, reset, TLS, CORS in a browser).",
            Timeout "timeout" "The request, the response body or a stream read took longer than its timeout (also HTTP 408).",
            Aborted "aborted" "The caller cancelled the request (`AbortSignal` in JavaScript).",
            Unauthorized "unauthorized" "HTTP 401.",
            Billing "billing" "HTTP 402: the billing gate or the agent-count limit; the server's detail object is kept.",
            Forbidden "forbidden" "HTTP 403.",
            NotFound "not_found" "HTTP 404 (also a 5xx that wraps a 404, and PostgREST's PGRST116).",
            Validation "validation" "HTTP 422: the detail list is kept.",
            RateLimited "rate_limited" "HTTP 429: the run-limit detail, Retry-After and rate-limit headers are kept.",
            Server "server" "HTTP 5xx.",
            BadRequest "bad_request" "Any other non-success HTTP status (400, 405, 409, 413, …).",
            Decode "decode" "A response body that is not what the contract says.",
            Stream "stream" "The agent-run stream failed (malformed or oversized events, idle timeout, reconnects exhausted).",
        }
    };
}
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use for_each_error_kind;

macro_rules! define_error_kind {
    ($($variant:ident $wire:literal $doc:literal,)*) => {
        /// A stable, coarse classification of an [`Error`]; the same strings are used in Rust and JavaScript.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorKind {
            /// Every kind, in a stable order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The stable string for this kind (`"config"`, `"not_found"`, …), as used by `HeliumError.kind`
            /// in JavaScript.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $wire,)*
                }
            }
        }
    };
}
for_each_error_kind!(define_error_kind);

impl ErrorKind {
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

/// Any error the SDK returns. Match on the variant or, more simply, branch on [`Error::kind`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(Box<ConfigError>),
    /// The backend (or PostgREST) answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No credentials could be obtained.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The request was refused before sending.
    #[error(transparent)]
    InvalidRequest(Box<InvalidRequestError>),
    /// The connection failed, the timeout elapsed, or the caller aborted.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// The response body did not match the contract.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The agent-run stream failed.
    #[error(transparent)]
    Stream(Box<StreamError>),
}

/// ` (request id X)` when there is one.
struct Rid<'a>(Option<&'a str>);

impl fmt::Display for Rid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(r) => write!(f, " (request id {r})"),
            None => Ok(()),
        }
    }
}

/// Where a request went: `METHOD scheme://host:port/path` (never the query string, never credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(String);

impl Endpoint {
    pub(crate) fn new(method: &str, url_without_query: &str) -> Endpoint {
        Endpoint([method, " ", url_without_query].concat())
    }

    /// The endpoint as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Rate-limit headers (`X-RateLimit-Limit`, `-Remaining`, `-Reset`), as the public API v1 sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset: Option<u64>,
}

impl RateLimit {
    /// The rate-limit headers of a response, when it has any.
    pub(crate) fn from_headers(headers: &[(String, String)]) -> Option<RateLimit> {
        let num = |name: &str| crate::http::header(headers, name).and_then(|v| v.trim().parse::<u64>().ok());
        let r = RateLimit {
            limit: num("x-ratelimit-limit"),
            remaining: num("x-ratelimit-remaining"),
            reset: num("x-ratelimit-reset"),
        };
        (r.limit.is_some() || r.remaining.is_some() || r.reset.is_some()).then_some(r)
    }
}

/// An error status from the backend, with the server's `detail` kept.
///
/// Its `Debug` output shows the detail and the PostgREST body with anything that looks like a credential
/// redacted, as its message does (the accessors give them as the server sent them).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) wrapped_status: Option<u16>,
    pub(crate) kind: ErrorKind,
    pub(crate) endpoint: Endpoint,
    pub(crate) message: String,
    pub(crate) detail: Option<ErrorDetail>,
    pub(crate) postgrest: Option<PostgrestError>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) body_error: Option<String>,
}

/// A value's `Debug` output with credentials redacted.
struct RedactedDebug<'a, T>(&'a T);

impl<T: fmt::Debug> fmt::Debug for RedactedDebug<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if f.alternate() {
            format!("{:#?}", self.0)
        } else {
            format!("{:?}", self.0)
        };
        f.write_str(&crate::auth::redact_secrets(&text))
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("wrapped_status", &self.wrapped_status)
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("message", &self.message)
            .field("detail", &RedactedDebug(&self.detail))
            .field("postgrest", &RedactedDebug(&self.postgrest))
            .field("request_id", &self.request_id)
            .field("retry_after", &self.retry_after)
            .field("rate_limit", &self.rate_limit)
            .field("body_error", &self.body_error)
            .finish()
    }
}

impl ApiError {
    /// The HTTP status as sent (500 for a wrapped 404).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The status the backend wrapped into a 5xx (`500 {"detail": "404: No sandbox found…"}` gives 404):
    /// the error is classified by it.
    pub fn wrapped_status(&self) -> Option<u16> {
        self.wrapped_status
    }

    /// The kind, from the (wrapped) status or the PostgREST code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The request.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The server's message: `detail` when it is a string (without a wrapped status prefix),
    /// `detail.message` when it is an object, the field problems of a 422, else the status text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The parsed `detail` (string, validation list or object), when the body was FastAPI's `{"detail": …}`.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        self.detail.as_ref()
    }

    /// PostgREST's `{code, message, details, hint}`, for Supabase data calls.
    pub fn postgrest(&self) -> Option<&PostgrestError> {
        self.postgrest.as_ref()
    }

    /// The request id (the server's `x-request-id`, else the one sent).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `Retry-After` delay, when the server sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The rate-limit headers, when the server sent them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit
    }

    /// Why the error body could not be read (the connection broke or timed out while reading it).
    pub fn body_error(&self) -> Option<&str> {
        self.body_error.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(inner) = self.wrapped_status {
            write!(f, " (wrapping {inner})")?;
        }
        write!(f, " from {}: {}", self.endpoint, self.message)?;
        if let Some(p) = &self.postgrest {
            // The code as sent: a body that only looks like PostgREST's may carry anything there.
            write!(f, " [{}]", crate::auth::redact_secrets(&p.code))?;
        }
        if let Some(b) = &self.body_error {
            write!(f, " (the error body could not be read: {b})")?;
        }
        write!(f, "{}", Rid(self.request_id.as_deref()))
    }
}

impl std::error::Error for ApiError {}

/// PostgREST's error body (Supabase data calls).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[non_exhaustive]
pub struct PostgrestError {
    /// `PGRST…` for PostgREST's own errors, a PostgreSQL SQLSTATE otherwise (`42501`, `23505`, …).
    pub code: String,
    /// The message.
    pub message: String,
    /// Details, when any.
    #[serde(default)]
    pub details: Option<String>,
    /// A hint, when any.
    #[serde(default)]
    pub hint: Option<String>,
}

/// Why no credentials could be sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthCause {
    /// The call needs credentials and the client has none.
    #[error("{endpoint} needs credentials: set an access token, a token provider or an API key")]
    Missing {
        /// The call.
        endpoint: Endpoint,
    },
    /// The token provider failed.
    #[error("the token provider failed: {0}")]
    Provider(String),
    /// The token provider returned an empty token.
    #[error("the token provider returned an empty token")]
    EmptyToken,
    /// The call needs a credential of another kind (e.g. a `he-` key for the public API v1).
    #[error("{endpoint} needs {needed}")]
    WrongKind {
        /// The call.
        endpoint: Endpoint,
        /// What it needs.
        needed: &'static str,
    },
}

/// No credentials could be obtained.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("no credentials: {cause}")]
#[non_exhaustive]
pub struct AuthError {
    #[source]
    pub(crate) cause: AuthCause,
}

impl AuthError {
    /// Why.
    pub fn cause(&self) -> &AuthCause {
        &self.cause
    }
}

/// Why a request was refused before it was sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequestCause {
    /// A file over an upload limit.
    #[error("{name} is {size} bytes; the limit is {limit} bytes per file")]
    FileTooLarge {
        /// The file name.
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A limit of the request itself (prompt length, file count, total size, file type).
    #[error("{0}")]
    Limit(String),
    /// A file could not be read from disk.
    #[error("cannot read {path}: {message}")]
    ReadFile {
        /// The path.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The request body could not be encoded.
    #[error("could not encode the request body: {0}")]
    Encode(String),
    /// Options or arguments of the wrong shape (JavaScript values, builder values).
    #[error("invalid {what}: {message}")]
    InvalidOptions {
        /// Which option or argument.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// A request header a browser would have to send but the backend's CORS policy refuses.
    #[error(
        "the header {0} would make the browser's CORS preflight fail: the backend allows only \
         Content-Type, Authorization, X-Project-Id, X-MCP-URL, X-MCP-Type, X-MCP-Headers, X-Refresh-Token and X-API-Key"
    )]
    HeaderNotAllowed(String),
    /// The HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    HttpClient(String),
}

/// The request was refused before sending.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid request: {cause}")]
#[non_exhaustive]
pub struct InvalidRequestError {
    #[source]
    pub(crate) cause: InvalidRequestCause,
}

impl InvalidRequestError {
    /// Why.
    pub fn cause(&self) -> &InvalidRequestCause {
        &self.cause
    }
}

/// What went wrong on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection failed or broke.
    Network,
    /// The timeout elapsed.
    Timeout,
    /// The caller aborted.
    Aborted,
}

/// The connection failed, the timeout elapsed, or the caller aborted.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TransportError {
    pub(crate) kind: TransportKind,
    pub(crate) endpoint: Endpoint,
    pub(crate) message: String,
    pub(crate) after: Option<Duration>,
    pub(crate) request_id: Option<String>,
}

impl TransportError {
    /// Network, timeout or aborted.
    pub fn transport_kind(&self) -> TransportKind {
        self.kind
    }

    /// The request.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The transport's description (network errors).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The timeout that elapsed (timeouts).
    pub fn after(&self) -> Option<Duration> {
        self.after
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TransportKind::Network => write!(f, "network error on {}: {}", self.endpoint, self.message)?,
            TransportKind::Timeout => write!(
                f,
                "timed out after {} ms on {}",
                self.after.unwrap_or_default().as_millis(),
                self.endpoint
            )?,
            TransportKind::Aborted => write!(f, "aborted: {}", self.endpoint)?,
        }
        write!(f, "{}", Rid(self.request_id.as_deref()))
    }
}

impl std::error::Error for TransportError {}

/// The response body did not match the contract.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecodeError {
    pub(crate) endpoint: Endpoint,
    pub(crate) status: u16,
    pub(crate) message: String,
    pub(crate) excerpt: String,
    pub(crate) request_id: Option<String>,
    pub(crate) size_limit: Option<usize>,
}

impl DecodeError {
    /// The response size limit the body exceeded (code `body_too_large`); `None` for a body that was read
    /// whole but did not decode.
    pub fn size_limit(&self) -> Option<usize> {
        self.size_limit
    }

    /// The request.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The decoder's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The start of the body, with anything that looks like a secret replaced by `[redacted]`.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response of {} (HTTP {}): {}; body starts with {:?}{}",
            self.endpoint,
            self.status,
            self.message,
            self.excerpt,
            Rid(self.request_id.as_deref())
        )
    }
}

impl std::error::Error for DecodeError {}

/// Why an agent-run stream failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamCause {
    /// The SSE framing was broken (an event over the size limit).
    #[error(transparent)]
    Sse(#[from] SseError),
    /// An item was not JSON.
    #[error("an item is not JSON ({0})")]
    NotJson(String),
    /// After a reconnect, the replayed items differ from those delivered before.
    #[error("after reconnecting, item {index} differs from the one delivered before")]
    ReplayMismatch {
        /// The position of the item.
        index: usize,
    },
    /// After a reconnect, the server sent the run's end instead of replaying the items delivered before: the
    /// run ended while the stream was disconnected and the server no longer keeps its items (the backend
    /// expires them 24 h after the end). Items after the delivered ones, if there were any, are lost; the run's
    /// final state is `client.runs().get(id)`'s.
    #[error(
        "the run ended while disconnected and the server no longer replays its items: {delivered} were delivered, \
         any later ones are lost"
    )]
    ReplayExpired {
        /// Items delivered before the connection dropped.
        delivered: usize,
    },
    /// The body ended before a terminal event.
    #[error("the stream ended before a terminal event")]
    EndedEarly,
    /// No bytes arrived within the stream's idle timeout.
    #[error("no data for {} ms (the stream's idle timeout)", .0.as_millis())]
    Idle(Duration),
    /// The connection could not be re-established within the reconnect policy.
    #[error("gave up after {attempts} reconnect attempts: {last}")]
    ReconnectsExhausted {
        /// Reconnect attempts made.
        attempts: u32,
        /// The last failure.
        #[source]
        last: Box<Error>,
    },
}

/// The agent-run stream failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("stream of agent run {run_id}: {cause}{}", Rid(request_id.as_deref()))]
#[non_exhaustive]
pub struct StreamError {
    pub(crate) run_id: String,
    #[source]
    pub(crate) cause: StreamCause,
    pub(crate) request_id: Option<String>,
}

impl StreamError {
    /// The run.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Why.
    pub fn cause(&self) -> &StreamCause {
        &self.cause
    }
}

impl Error {
    /// An error for a [`crate::TokenProvider`] written by the caller: the provider could not produce a token.
    /// The message must not contain the token.
    pub fn token_provider(message: impl Into<String>) -> Error {
        Error::auth(AuthCause::Provider(message.into()))
    }

    pub(crate) fn auth(cause: AuthCause) -> Error {
        Error::Auth(Box::new(AuthError { cause }))
    }

    pub(crate) fn invalid(cause: InvalidRequestCause) -> Error {
        Error::InvalidRequest(Box::new(InvalidRequestError { cause }))
    }

    pub(crate) fn invalid_options(what: impl Into<String>, message: impl Into<String>) -> Error {
        Error::invalid(InvalidRequestCause::InvalidOptions {
            what: what.into(),
            message: message.into(),
        })
    }

    pub(crate) fn transport(
        kind: TransportKind,
        endpoint: Endpoint,
        message: String,
        request_id: Option<String>,
    ) -> Error {
        Error::Transport(Box::new(TransportError {
            kind,
            endpoint,
            message,
            after: None,
            request_id,
        }))
    }

    pub(crate) fn timeout(endpoint: Endpoint, after: Duration, request_id: Option<String>) -> Error {
        Error::Transport(Box::new(TransportError {
            kind: TransportKind::Timeout,
            endpoint,
            message: String::new(),
            after: Some(after),
            request_id,
        }))
    }

    pub(crate) fn decode(
        endpoint: Endpoint,
        status: u16,
        message: impl Into<String>,
        body: &[u8],
        request_id: Option<String>,
    ) -> Error {
        Error::Decode(Box::new(DecodeError {
            endpoint,
            status,
            // A decoder's message may quote a value of the body.
            message: crate::auth::redact_secrets(&message.into()),
            excerpt: crate::http::excerpt(body),
            request_id,
            size_limit: None,
        }))
    }

    /// A response body over the client's size limit (it was not read to its end).
    pub(crate) fn body_too_large(
        endpoint: Endpoint,
        status: u16,
        limit: usize,
        request_id: Option<String>,
    ) -> Error {
        Error::Decode(Box::new(DecodeError {
            endpoint,
            status,
            message: format!("the body exceeds the response size limit of {limit} bytes"),
            excerpt: String::new(),
            request_id,
            size_limit: Some(limit),
        }))
    }

    pub(crate) fn stream(run_id: &str, cause: StreamCause, request_id: Option<String>) -> Error {
        Error::Stream(Box::new(StreamError {
            run_id: run_id.to_owned(),
            cause,
            request_id,
        }))
    }

    /// The coarse kind callers branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_) => ErrorKind::Config,
            Error::Api(e) => e.kind,
            Error::Auth(_) => ErrorKind::Auth,
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::Transport(e) => match e.kind {
                TransportKind::Network => ErrorKind::Network,
                TransportKind::Timeout => ErrorKind::Timeout,
                TransportKind::Aborted => ErrorKind::Aborted,
            },
            Error::Decode(_) => ErrorKind::Decode,
            Error::Stream(_) => ErrorKind::Stream,
        }
    }

    /// The configuration problem, when [`Error::kind`] is [`ErrorKind::Config`].
    pub fn as_config(&self) -> Option<&ConfigError> {
        match self {
            Error::Config(e) => Some(e),
            _ => None,
        }
    }

    /// The agent-count-limit detail of a 402 (`POST /agents`, the JSON import): `current_count`, `limit`,
    /// `tier_name`, `error_code` `AGENT_LIMIT_EXCEEDED`.
    pub fn agent_limit(&self) -> Option<crate::models::AgentLimitDetail> {
        self.detail().and_then(ErrorDetail::agent_limit)
    }

    /// The HTTP error, when the backend answered with an error status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The stream failure, when [`Error::kind`] is [`ErrorKind::Stream`].
    pub fn as_stream(&self) -> Option<&StreamError> {
        match self {
            Error::Stream(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, for API and decode errors (the outer status for a wrapped error).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The server's `detail`, for API errors that had one.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        self.as_api().and_then(ApiError::detail)
    }

    /// The request, for errors of a request.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        match self {
            Error::Api(e) => Some(&e.endpoint),
            Error::Transport(e) => Some(&e.endpoint),
            Error::Decode(e) => Some(&e.endpoint),
            _ => None,
        }
    }

    /// The request id of the failed request, when one was sent or returned.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Transport(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::Stream(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(ApiError::retry_after)
    }

    /// The rate-limit headers of the failed response, when it had them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.as_api().and_then(ApiError::rate_limit)
    }

    /// A short, stable code refining the kind, where there is one: the [`ConfigError::code`], the PostgREST
    /// code, `invalid_options` / `file_too_large` / `limit` / `header_not_allowed` for refused requests,
    /// `body_too_large` for a response body over the client's size limit.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Config(c) => Some(c.code()),
            Error::Api(e) => e.postgrest.as_ref().map(|p| p.code.as_str()),
            Error::InvalidRequest(e) => Some(match e.cause {
                InvalidRequestCause::FileTooLarge { .. } => "file_too_large",
                InvalidRequestCause::Limit(_) => "limit",
                InvalidRequestCause::ReadFile { .. } => "read_file",
                InvalidRequestCause::Encode(_) => "encode",
                InvalidRequestCause::InvalidOptions { .. } => "invalid_options",
                InvalidRequestCause::HeaderNotAllowed(_) => "header_not_allowed",
                InvalidRequestCause::HttpClient(_) => "http_client",
            }),
            Error::Decode(e) if e.size_limit.is_some() => Some("body_too_large"),
            _ => None,
        }
    }

    /// True for failures that may pass on a retry: connection errors, timeouts, and HTTP 408, 429 and 5xx
    /// (not a 5xx that wraps a 4xx). Idempotent calls are retried on these, and a dropped agent stream is
    /// resumed on them.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(e) => e.kind != TransportKind::Aborted,
            Error::Api(e) => match e.wrapped_status {
                Some(inner) => inner == 408 || inner == 429 || inner >= 500,
                None => e.status == 408 || e.status == 429 || e.status >= 500,
            },
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

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(Box::new(e))
    }
}

/// A configuration problem. Each variant names the variable (or option) to fix and where it was looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A variable is set but its value is not an absolute `http(s)` base URL.
    #[error("{variable} is not a valid backend or Supabase URL: {problem} (read from {origin})")]
    #[non_exhaustive]
    InvalidUrl {
        /// The variable that holds the value.
        variable: &'static str,
        /// What is wrong with it.
        problem: UrlProblem,
        /// Where the value came from.
        origin: EnvOrigin,
    },
    /// A plain `http://` URL to a non-loopback host in production, for a URL a browser uses.
    #[error(
        "{variable} uses plain http:// to a non-loopback host, which is refused in production \
         (env mode from {mode_variable}); use https://"
    )]
    #[non_exhaustive]
    InsecureUrl {
        /// The variable that holds the URL.
        variable: &'static str,
        /// The variable that set the production mode.
        mode_variable: &'static str,
    },
    /// A required value is not set (or is empty) in any of the variables it may come from.
    #[error("{what} is not configured: set {} (looked in {origin})", looked_for.join(" or "))]
    #[non_exhaustive]
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
    #[non_exhaustive]
    InvalidEnvMode {
        /// `NEXT_PUBLIC_ENV_MODE` or `ENV_MODE`.
        variable: &'static str,
    },
    /// A Supabase key that cannot be understood.
    #[error("{variable} is not a valid Supabase key: {reason}")]
    #[non_exhaustive]
    InvalidKey {
        /// The variable that holds the key.
        variable: &'static str,
        /// What is wrong with it (never the key itself).
        reason: KeyProblem,
    },
    /// A service-role JWT, `sb_secret_…` key or the admin API key where code runs in a browser.
    #[error(
        "{variable} holds a {kind} key, which must never reach a browser; \
         on the client side use only public keys (the Supabase anon or sb_publishable_ key)"
    )]
    #[non_exhaustive]
    SecretKeyInClient {
        /// The variable that holds the key.
        variable: &'static str,
        /// The key kind, e.g. `service_role JWT`.
        kind: &'static str,
    },
    /// An API key of the wrong form.
    #[error("{} must have the form {expected}", variable.unwrap_or("the API key"))]
    #[non_exhaustive]
    InvalidApiKey {
        /// The variable it was read from, when it came from the environment.
        variable: Option<&'static str>,
        /// The expected form.
        expected: &'static str,
    },
}

impl ConfigError {
    pub(crate) fn invalid_url(variable: &'static str, problem: UrlProblem, origin: EnvOrigin) -> ConfigError {
        ConfigError::InvalidUrl {
            variable,
            problem,
            origin,
        }
    }

    /// A stable, fine-grained code for this problem (`"invalid_url"`, `"missing"`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::InvalidUrl { .. } => "invalid_url",
            ConfigError::InsecureUrl { .. } => "insecure_url",
            ConfigError::Missing { .. } => "missing",
            ConfigError::InvalidEnvMode { .. } => "invalid_env_mode",
            ConfigError::InvalidKey { .. } => "invalid_key",
            ConfigError::SecretKeyInClient { .. } => "secret_key_in_client",
            ConfigError::InvalidApiKey { .. } => "invalid_api_key",
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
            ConfigError::InvalidApiKey { variable, .. } => *variable,
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
    /// The client options (`ClientBuilder`, the JavaScript constructor, CLI flags).
    Options,
}

impl fmt::Display for EnvOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnvOrigin::Explicit => "the env map passed by the caller",
            EnvOrigin::Process => "the process environment",
            EnvOrigin::JsProcess => "process.env",
            EnvOrigin::None => "no environment: in a browser, pass env values explicitly",
            EnvOrigin::Options => "the client options",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_small_send_and_sync() {
        assert!(
            std::mem::size_of::<Error>() <= 16,
            "{}",
            std::mem::size_of::<Error>()
        );
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_send_sync::<ErrorKind>();
    }

    #[test]
    fn kinds_have_unique_strings() {
        let mut seen = std::collections::HashSet::new();
        for k in ErrorKind::ALL {
            assert!(seen.insert(k.as_str()), "{k}");
        }
        assert_eq!(ErrorKind::ALL.len(), 16);
    }

    #[test]
    fn causes_are_reachable_through_source() {
        use std::error::Error as _;
        let last = Error::timeout(
            Endpoint::new("GET", "http://h:1/api/x"),
            Duration::from_secs(1),
            None,
        );
        let e = Error::stream(
            "run-1",
            StreamCause::ReconnectsExhausted {
                attempts: 3,
                last: Box::new(last.clone()),
            },
            None,
        );
        let cause = e.source().expect("stream cause");
        assert!(cause.to_string().starts_with("gave up after 3"), "{cause}");
        let inner = cause.source().expect("last error");
        assert_eq!(inner.to_string(), last.to_string());
        let a = Error::token_provider("session expired");
        assert_eq!(a.kind(), ErrorKind::Auth);
        assert_eq!(
            a.source().map(|s| s.to_string()).as_deref(),
            Some("the token provider failed: session expired")
        );
        let i = Error::invalid(InvalidRequestCause::Encode("x".into()));
        assert!(i.source().is_some());
        assert_eq!(i.code(), Some("encode"));
    }
}
