//! The request pipeline, in named steps, each testable without a server:
//!
//! 1. [`Pipeline::prepare`]: URL, headers (accept, request id, default headers, extra headers) and body of a
//!    [`Call`], once per call; [`Pipeline::authorize`] then sets the credentials header before each attempt
//!    (a token provider may hand out a fresh token);
//! 2. `send_once`: one attempt through the transport, bounded by the timeout;
//! 3. [`classify`]: an error status and body become an [`ApiError`] with its kind;
//! 4. [`retry_delay`]: whether and after how long an idempotent call is tried again.
//!
//! Two entry points, typed by what they return: [`Pipeline::send`] (the whole body) and [`Pipeline::open`]
//! (the response head of a success, for streams).

pub(crate) mod classify;
pub(crate) mod json_limits;

use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;

pub(crate) use classify::{classify, excerpt, header};

use crate::auth::Credentials;
use crate::config::{ApiRoot, Runtime};
use crate::error::{AuthCause, Endpoint, Error, InvalidRequestCause, RateLimit, TransportKind};
use crate::platform;
use crate::transport::{
    Body, CallContext, Exchange, Failure, Method, Outcome, Request, Transport, TransportBody,
};

/// When and how often idempotent requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// The first backoff delay (default 0.5 s), doubled per retry.
    pub initial_backoff: Duration,
    /// The largest backoff delay (default 8 s).
    pub max_backoff: Duration,
    /// The largest server-requested wait honoured (`Retry-After`, or a 429's `X-RateLimit-Reset`; default
    /// 60 s); a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The default policy with `max_retries` retries.
    pub fn with_max_retries(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        }
    }

    /// The same policy with other backoff delays.
    pub fn backoff_between(self, initial: Duration, max: Duration) -> RetryPolicy {
        RetryPolicy {
            initial_backoff: initial,
            max_backoff: max,
            ..self
        }
    }

    /// The same policy with another cap on server-requested waits (`Retry-After`, a 429's `X-RateLimit-Reset`).
    pub fn with_max_retry_after(self, max_retry_after: Duration) -> RetryPolicy {
        RetryPolicy {
            max_retry_after,
            ..self
        }
    }

    /// The delay before retry number `retry` (0-based): exponential, capped, with "equal jitter" (half fixed,
    /// half random), so it is never zero.
    pub fn backoff(&self, retry: u32) -> Duration {
        platform::backoff(self.initial_backoff, self.max_backoff, retry)
    }
}

/// How a call authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMode {
    /// Never send credentials (health).
    None,
    /// Credentials required: missing ones are an `auth` error before any request.
    Required,
    /// Send credentials when there are some (sandbox routes).
    Optional,
    /// Supabase PostgREST as the signed-in user: `apikey: <public key>` and `Authorization: Bearer <the user's
    /// access token>` (an API key cannot act as a user there).
    Supabase,
    /// The public API v1 (contract §8): `X-API-Key: he-…`, or `Authorization: Bearer <access token>`, which
    /// its documentation also accepts; a `pk_…:sk_…` key is refused before sending.
    Public,
    /// An admin route (contract §4.1 item 5): `X-Admin-Api-Key` only (server runtimes).
    Admin,
}

/// Where a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// The backend's API root (`…/api`).
    Api,
    /// The Supabase project's REST root (`…/rest/v1`).
    Rest,
}

/// The Supabase project the data API talks to: its REST root and public key.
#[derive(Debug, Clone)]
pub(crate) struct RestTarget {
    pub root: String,
    pub key: crate::config::SupabaseKey,
}

/// Whether a call may be repeated safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    NotIdempotent,
}

/// The default limit on a response body read whole: 128 MiB (a 50 MB file, base64-encoded in JSON, fits).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 128 * 1024 * 1024;

/// The limit on the body of an error response (its `detail`): 1 MiB. A longer one is classified by its status
/// alone, and [`crate::ApiError::body_error`] says why.
pub const MAX_ERROR_BODY_SIZE: usize = 1024 * 1024;

/// Per-call settings (from the client, possibly overridden per call).
#[derive(Debug, Clone)]
pub(crate) struct CallSettings {
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub ctx: CallContext,
    /// The largest response body read whole, in bytes.
    pub max_response_size: usize,
}

/// One API call, built from an operation declaration.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    pub base: Base,
    /// The path under the base, ids already encoded; it may carry a fixed query (`/messages?select=*`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    pub auth: AuthMode,
    pub idempotency: Idempotency,
    pub accept: &'static str,
    /// Extra headers (e.g. `last-event-id` on a stream reconnect, server runtimes only).
    pub headers: Vec<(&'static str, String)>,
}

impl Call {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Call {
        let idempotency = if method == Method::Get {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        };
        Call {
            method,
            base: Base::Api,
            path: path.into(),
            query: Vec::new(),
            body: Body::Empty,
            auth: AuthMode::Required,
            idempotency,
            accept: "application/json",
            headers: Vec::new(),
        }
    }

    /// The call with one more header.
    pub(crate) fn header(mut self, name: &'static str, value: String) -> Call {
        self.headers.push((name, value));
        self
    }
}

/// Percent-encodes one path segment or query component (RFC 3986 unreserved characters stay as they are).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// The request headers a browser may send to the backend: its CORS `allow_headers` (contract §4.1) plus the
/// headers every browser may send without a preflight check.
pub const BACKEND_CORS_HEADERS: [&str; 11] = [
    "content-type",
    "authorization",
    "x-project-id",
    "x-mcp-url",
    "x-mcp-type",
    "x-mcp-headers",
    "x-refresh-token",
    "x-api-key",
    "accept",
    "accept-language",
    "content-language",
];

/// Which headers a client sends besides the call's own.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderPolicy {
    /// Send `x-request-id` (server runtimes; opt-in in a browser, where the backend's CORS refuses it).
    pub send_request_id: bool,
    /// Headers added to every request (e.g. trace propagation).
    pub default_headers: Vec<(String, String)>,
    /// Refuse headers outside [`BACKEND_CORS_HEADERS`] (client runtimes).
    pub cors_strict: bool,
}

impl HeaderPolicy {
    /// The policy of a runtime: strict in a browser, where every header must pass the backend's CORS.
    ///
    /// # Errors
    /// `invalid_request` (`header_not_allowed`) for a default header a browser could not send.
    pub(crate) fn new(
        runtime: Runtime,
        send_request_id: bool,
        default_headers: Vec<(String, String)>,
    ) -> Result<HeaderPolicy, Error> {
        let cors_strict = runtime == Runtime::Client;
        let default_headers: Vec<(String, String)> = default_headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        if cors_strict && let Some((name, _)) = default_headers.iter().find(|(k, _)| !cors_allowed(k)) {
            return Err(Error::invalid(InvalidRequestCause::HeaderNotAllowed(
                name.clone(),
            )));
        }
        Ok(HeaderPolicy {
            send_request_id: send_request_id || runtime == Runtime::Server,
            default_headers,
            cors_strict,
        })
    }
}

fn cors_allowed(name: &str) -> bool {
    BACKEND_CORS_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// What the pipeline needs from a client.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub api_root: ApiRoot,
    /// The Supabase project of the data API, or why there is none.
    pub rest: Result<RestTarget, crate::error::ConfigError>,
    pub credentials: Credentials,
    /// `KORTIX_ADMIN_API_KEY`, for the admin routes (server runtimes only).
    pub admin_key: Option<crate::auth::Secret>,
    pub transport: Transport,
    pub headers: HeaderPolicy,
}

/// A successful response read whole.
#[derive(Debug)]
pub(crate) struct Whole {
    pub endpoint: Endpoint,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub request_id: Option<String>,
}

impl Whole {
    /// The body as JSON.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::decode(
                self.endpoint.clone(),
                self.status,
                e.to_string(),
                &self.body,
                self.request_id.clone(),
            )
        })
    }
}

/// The head of a successful response whose body is still to be read (streams).
pub(crate) struct Head {
    pub body: TransportBody,
    pub request_id: Option<String>,
}

/// What one attempt produced.
enum Attempt<T> {
    /// A 2xx response, read by the entry point's reader.
    Success(T, u16, Vec<(String, String)>),
    /// A 2xx response whose body is over the size limit (not read to its end).
    TooLarge(u16, usize),
    /// An error status; its body is still to be read.
    Failure(u16, Vec<(String, String)>, TransportBody),
}

impl Whole {
    /// The rate-limit headers, when the server sent them.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }
}

impl Pipeline {
    /// The root a call's path hangs off.
    fn root(&self, call: &Call) -> Result<&str, Error> {
        match call.base {
            Base::Api => Ok(self.api_root.as_str()),
            Base::Rest => match &self.rest {
                Ok(rest) => Ok(&rest.root),
                Err(e) => Err(e.clone().into()),
            },
        }
    }

    /// `METHOD scheme://host:port/api/path` (never the query string).
    pub(crate) fn endpoint(&self, call: &Call) -> Endpoint {
        let path = call.path.split('?').next().unwrap_or_default();
        let root = self.root(call).unwrap_or("(Supabase not configured)");
        Endpoint::new(call.method.as_str(), &[root, path].concat())
    }

    /// Step 1: the request of a call, without credentials. Fails for a header a browser could not send to the
    /// backend, and for a Supabase call without a Supabase project.
    pub(crate) fn prepare(&self, call: &Call, request_id: Option<&str>) -> Result<Request, Error> {
        let mut url = self.root(call)?.to_owned();
        url.push_str(&call.path);
        let mut separator = if call.path.contains('?') { '&' } else { '?' };
        for (k, v) in &call.query {
            url.push(separator);
            separator = '&';
            url.push_str(&encode_component(k));
            url.push('=');
            url.push_str(&encode_component(v));
        }
        // The backend's CORS allow-list binds browser calls to the backend; Supabase's gateway allows its own
        // headers (`apikey`, `prefer`, …).
        let cors_strict = self.headers.cors_strict && call.base == Base::Api;
        let mut headers = Vec::with_capacity(4 + self.headers.default_headers.len() + call.headers.len());
        headers.push(("accept".to_owned(), call.accept.to_owned()));
        if let Some(rid) = request_id {
            headers.push(("x-request-id".to_owned(), rid.to_owned()));
        }
        headers.extend(self.headers.default_headers.iter().cloned());
        for (k, v) in &call.headers {
            if cors_strict && !cors_allowed(k) {
                return Err(Error::invalid(InvalidRequestCause::HeaderNotAllowed(
                    (*k).to_owned(),
                )));
            }
            headers.push(((*k).to_owned(), v.clone()));
        }
        Ok(Request {
            method: call.method,
            url,
            headers,
            body: call.body.clone(),
        })
    }

    /// Step 1b, before each attempt: sets (or refreshes) the credentials headers.
    pub(crate) async fn authorize(&self, request: &mut Request, call: &Call) -> Result<(), Error> {
        let headers: Vec<(&'static str, String)> = match call.auth {
            AuthMode::None => return Ok(()),
            AuthMode::Required if self.credentials.is_none() => {
                return Err(Error::auth(AuthCause::Missing {
                    endpoint: self.endpoint(call),
                }));
            }
            AuthMode::Required | AuthMode::Optional if self.credentials.is_public_api_key() => {
                return Err(Error::auth(AuthCause::WrongKind {
                    endpoint: self.endpoint(call),
                    needed: "an access token or a pk_…:sk_… API key (a he- key is valid on the public API v1 \
                             only: client.public_v1())",
                }));
            }
            AuthMode::Required | AuthMode::Optional => self.credentials.header().await?.into_iter().collect(),
            AuthMode::Public if self.credentials.is_none() => {
                return Err(Error::auth(AuthCause::Missing {
                    endpoint: self.endpoint(call),
                }));
            }
            AuthMode::Public if self.credentials.is_backend_api_key() => {
                return Err(Error::auth(AuthCause::WrongKind {
                    endpoint: self.endpoint(call),
                    needed: "a he- API key or an access token (the public API v1 does not take pk_…:sk_… keys)",
                }));
            }
            AuthMode::Public => self.credentials.header().await?.into_iter().collect(),
            AuthMode::Admin => match &self.admin_key {
                Some(key) => vec![("x-admin-api-key", key.expose_secret().to_owned())],
                None => {
                    return Err(Error::auth(AuthCause::WrongKind {
                        endpoint: self.endpoint(call),
                        needed: "the admin API key (adminApiKey, or KORTIX_ADMIN_API_KEY on a server)",
                    }));
                }
            },
            AuthMode::Supabase => {
                let token = self.user_token(call).await?;
                let key = match &self.rest {
                    Ok(rest) => rest.key.expose_secret().to_owned(),
                    Err(e) => return Err(e.clone().into()),
                };
                vec![("apikey", key), ("authorization", format!("Bearer {token}"))]
            }
        };
        request.headers.retain(|(k, _)| {
            k != "authorization" && k != "x-api-key" && k != "apikey" && k != "x-admin-api-key"
        });
        for (name, value) in headers {
            request.headers.push((name.to_owned(), value));
        }
        Ok(())
    }

    /// The signed-in user's access token, for calls that act as that user.
    async fn user_token(&self, call: &Call) -> Result<String, Error> {
        self.credentials.access_token().await?.ok_or_else(|| {
            Error::auth(AuthCause::WrongKind {
                endpoint: self.endpoint(call),
                needed: "a Supabase access token (the data API acts as the signed-in user; an API key cannot)",
            })
        })
    }

    /// The signed-in user's id: the `sub` of the access token (decoded, not verified, as the backend does).
    pub(crate) async fn subject(&self, call: &Call) -> Result<String, Error> {
        let token = self.user_token(call).await?;
        crate::auth::token_subject(&token).ok_or_else(|| {
            Error::auth(AuthCause::WrongKind {
                endpoint: self.endpoint(call),
                needed: "an access token whose payload names the user (`sub`)",
            })
        })
    }

    fn new_request_id(&self) -> Option<String> {
        self.headers.send_request_id.then(platform::random_hex)
    }

    /// Sends a call and returns the whole body of the success.
    pub(crate) async fn send(&self, call: Call, settings: &CallSettings) -> Result<Whole, Error> {
        let endpoint = self.endpoint(&call);
        let limit = settings.max_response_size;
        let (body, status, headers, request_id) = self
            .execute(call, &endpoint, settings, |body: TransportBody| body.all(limit))
            .await?;
        Ok(Whole {
            endpoint,
            status,
            headers,
            body,
            request_id,
        })
    }

    /// Sends a call and returns the head of the success; the timeout covers the head only.
    pub(crate) async fn open(&self, call: Call, settings: &CallSettings) -> Result<Head, Error> {
        let endpoint = self.endpoint(&call);
        let (body, _, _, request_id) = self
            .execute(call, &endpoint, settings, |body: TransportBody| async move {
                Ok(body)
            })
            .await?;
        Ok(Head { body, request_id })
    }

    async fn execute<T, R, F>(
        &self,
        call: Call,
        endpoint: &Endpoint,
        settings: &CallSettings,
        read: R,
    ) -> Result<(T, u16, Vec<(String, String)>, Option<String>), Error>
    where
        R: Fn(TransportBody) -> F,
        F: Future<Output = Result<T, Failure>>,
    {
        let request_id = self.new_request_id();
        let policy = match call.idempotency {
            Idempotency::Idempotent => settings.retry,
            Idempotency::NotIdempotent => RetryPolicy::none(),
        };
        let mut request = self.prepare(&call, request_id.as_deref())?;
        let mut attempt: u32 = 0;
        loop {
            if settings.ctx.aborted() {
                return Err(Error::transport(
                    TransportKind::Aborted,
                    endpoint.clone(),
                    String::new(),
                    request_id,
                ));
            }
            self.authorize(&mut request, &call).await?;
            let observation = self.transport.observe(&Exchange {
                method: call.method.as_str(),
                path: url_path(&request.url),
                attempt,
                request_id: request_id.as_deref(),
            });
            let attempt_fut = self.send_once(&request, &settings.ctx, &read);
            let result = self
                .transport
                .within(&observation, platform::timeout(settings.timeout, attempt_fut))
                .await;
            let error = match result {
                None => {
                    self.transport.observed(observation, Outcome::Failed("timeout"));
                    Error::timeout(endpoint.clone(), settings.timeout, request_id.clone())
                }
                Some(Err(failure)) => {
                    let e = failure_error(failure, endpoint, request_id.clone());
                    self.transport
                        .observed(observation, Outcome::Failed(e.kind().as_str()));
                    e
                }
                Some(Ok(Attempt::Success(value, status, headers))) => {
                    let rid = header(&headers, "x-request-id").map(str::to_owned).or(request_id);
                    self.transport.observed(observation, Outcome::Status(status));
                    return Ok((value, status, headers, rid));
                }
                Some(Ok(Attempt::TooLarge(status, limit))) => {
                    self.transport.observed(observation, Outcome::Status(status));
                    // Not transient: the same body comes back on a retry.
                    return Err(Error::body_too_large(endpoint.clone(), status, limit, request_id));
                }
                Some(Ok(Attempt::Failure(status, headers, body))) => {
                    let read = body.all(MAX_ERROR_BODY_SIZE);
                    let (body, body_error) = match platform::timeout(settings.timeout, read).await {
                        Some(Ok(b)) => (b, None),
                        Some(Err(Failure::Aborted)) => {
                            return Err(Error::transport(
                                TransportKind::Aborted,
                                endpoint.clone(),
                                String::new(),
                                request_id,
                            ));
                        }
                        Some(Err(Failure::Connect(m) | Failure::Body(m))) => (Bytes::new(), Some(m)),
                        Some(Err(Failure::TooLarge(limit))) => (
                            Bytes::new(),
                            Some(format!("the error body exceeds {limit} bytes and was not read")),
                        ),
                        None => (
                            Bytes::new(),
                            Some(format!("timed out after {} ms", settings.timeout.as_millis())),
                        ),
                    };
                    self.transport.observed(observation, Outcome::Status(status));
                    let mut e = classify(status, &headers, &body, endpoint.clone(), request_id.as_deref());
                    e.body_error = body_error;
                    Error::from(e)
                }
            };
            let Some(delay) = retry_delay(&policy, &error, attempt, platform::now_epoch_secs()) else {
                return Err(error);
            };
            platform::trace_retry(endpoint, attempt + 1, delay, &error);
            platform::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Step 2: one attempt.
    async fn send_once<T, R, F>(
        &self,
        request: &Request,
        ctx: &CallContext,
        read: &R,
    ) -> Result<Attempt<T>, Failure>
    where
        R: Fn(TransportBody) -> F,
        F: Future<Output = Result<T, Failure>>,
    {
        let response = self.transport.send(request, ctx).await?;
        if (200..300).contains(&response.status) {
            match read(response.body).await {
                Ok(value) => Ok(Attempt::Success(value, response.status, response.headers)),
                Err(Failure::TooLarge(limit)) => Ok(Attempt::TooLarge(response.status, limit)),
                Err(failure) => Err(failure),
            }
        } else {
            Ok(Attempt::Failure(response.status, response.headers, response.body))
        }
    }
}

/// The path of a URL, without scheme, host or query (`/api/health`).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The one mapping of transport failures to errors (requests and stream reconnects).
pub(crate) fn failure_error(failure: Failure, endpoint: &Endpoint, request_id: Option<String>) -> Error {
    match failure {
        Failure::Aborted => Error::transport(
            TransportKind::Aborted,
            endpoint.clone(),
            String::new(),
            request_id,
        ),
        Failure::Connect(message) | Failure::Body(message) => {
            Error::transport(TransportKind::Network, endpoint.clone(), message, request_id)
        }
        Failure::TooLarge(limit) => Error::body_too_large(endpoint.clone(), 200, limit, request_id),
    }
}

/// Step 4: the wait before the next attempt, or `None` when the error is final: not transient, retries
/// exhausted, or a server-requested wait over [`RetryPolicy::max_retry_after`]. A `Retry-After` is honoured;
/// a 429 without one but with `X-RateLimit-Reset` waits until the reset (`now` is the Unix time in seconds).
pub(crate) fn retry_delay(policy: &RetryPolicy, error: &Error, attempt: u32, now: u64) -> Option<Duration> {
    if !error.is_transient() || attempt >= policy.max_retries {
        return None;
    }
    let requested = error.retry_after().or_else(|| {
        let api = error.as_api()?;
        if api.status() != 429 {
            return None;
        }
        let reset = api.rate_limit()?.reset?;
        Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
    });
    match requested {
        Some(d) if d > policy.max_retry_after => None,
        Some(d) => Some(d),
        None => Some(policy.backoff(attempt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HttpUrl;

    fn pipeline(runtime: Runtime, send_request_id: bool) -> Pipeline {
        let url = HttpUrl::parse("http://backend.internal:8000").unwrap();
        Pipeline {
            api_root: ApiRoot::from_backend_url(&url),
            rest: Err(crate::error::ConfigError::Missing {
                what: "the Supabase URL",
                looked_for: vec![],
                origin: crate::EnvOrigin::Explicit,
            }),
            credentials: Credentials::bearer("tok"),
            admin_key: None,
            transport: Transport::new(&Default::default(), runtime).unwrap(),
            headers: HeaderPolicy::new(
                runtime,
                send_request_id,
                vec![("traceparent".into(), "00-1".into())],
            )
            .unwrap_or_default(),
        }
    }

    #[test]
    fn backoff_doubles_caps_and_is_never_zero() {
        let p = RetryPolicy::default();
        for retry in 0..40 {
            let d = p.backoff(retry);
            let base =
                (Duration::from_millis(500) * 2u32.saturating_pow(retry.min(20))).min(Duration::from_secs(8));
            assert!(d >= base / 2 && d <= base, "retry {retry}: {d:?} vs {base:?}");
            assert!(d > Duration::ZERO);
        }
    }

    #[test]
    fn encodes_components() {
        assert_eq!(
            encode_component("/workspace/a b/ü.txt"),
            "%2Fworkspace%2Fa%20b%2F%C3%BC.txt"
        );
        assert_eq!(encode_component("abc-_.~"), "abc-_.~");
    }

    #[test]
    fn prepare_builds_url_and_server_headers() {
        let p = pipeline(Runtime::Server, false);
        let mut call = Call::new(Method::Get, "/sandboxes/a%2Fb/files");
        call.query.push(("path".into(), "/w s".into()));
        let req = p.prepare(&call, Some("rid1")).unwrap();
        assert_eq!(
            req.url,
            "http://backend.internal:8000/api/sandboxes/a%2Fb/files?path=%2Fw%20s"
        );
        let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["accept", "x-request-id", "traceparent"]);
    }

    #[test]
    fn client_runtime_sends_only_cors_allowed_headers() {
        // A browser client refuses default headers the backend's CORS rejects…
        let err =
            HeaderPolicy::new(Runtime::Client, false, vec![("traceparent".into(), "x".into())]).unwrap_err();
        assert_eq!(err.code(), Some("header_not_allowed"));
        // …sends no request id unless asked to…
        let policy = HeaderPolicy::new(Runtime::Client, false, vec![]).unwrap();
        assert!(!policy.send_request_id && policy.cors_strict);
        assert!(
            HeaderPolicy::new(Runtime::Client, true, vec![])
                .unwrap()
                .send_request_id
        );
        let mut p = pipeline(Runtime::Server, false);
        p.headers = policy;
        let req = p.prepare(&Call::new(Method::Get, "/health"), None).unwrap();
        assert!(
            req.headers.iter().all(|(k, _)| cors_allowed(k)),
            "{:?}",
            req.headers
        );
        // …and refuses a call header outside the allow-list instead of sending it.
        let call = Call::new(Method::Get, "/x").header("last-event-id", "3".into());
        assert_eq!(
            p.prepare(&call, None).unwrap_err().code(),
            Some("header_not_allowed")
        );
    }

    #[test]
    fn authorize_requires_or_refreshes_credentials() {
        let p = pipeline(Runtime::Server, false);
        let call = Call::new(Method::Get, "/x");
        let mut req = p.prepare(&call, None).unwrap();
        futures_lite_block_on(p.authorize(&mut req, &call)).unwrap();
        futures_lite_block_on(p.authorize(&mut req, &call)).unwrap();
        let auth: Vec<_> = req.headers.iter().filter(|(k, _)| k == "authorization").collect();
        assert_eq!(auth.len(), 1);
        assert_eq!(auth[0].1, "Bearer tok");
        let mut none = p.clone();
        none.credentials = Credentials::None;
        let err = futures_lite_block_on(none.authorize(&mut req, &call)).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Auth);
        assert!(
            err.to_string().contains("GET http://backend.internal:8000/api/x"),
            "{err}"
        );
    }

    /// Polls a future that never waits (credentials without a provider).
    fn futures_lite_block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    #[test]
    fn retry_delay_rules() {
        let policy = RetryPolicy::default();
        let ep = || Endpoint::new("GET", "http://h/api/x");
        let api = |status: u16, headers: &[(&str, &str)], body: &str| -> Error {
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            classify(status, &headers, body.as_bytes(), ep(), None).into()
        };
        // Not transient, or out of attempts: final.
        assert_eq!(
            retry_delay(&policy, &api(404, &[], r#"{"detail":"x"}"#), 0, 0),
            None
        );
        assert_eq!(retry_delay(&policy, &api(503, &[], ""), 2, 0), None);
        // A 5xx wrapping a 404 is not retried.
        assert_eq!(
            retry_delay(&policy, &api(500, &[], r#"{"detail":"404: No sandbox"}"#), 0, 0),
            None
        );
        // Backoff, Retry-After, a too-long Retry-After, a 429's reset time.
        assert!(
            retry_delay(&policy, &api(503, &[], ""), 0, 0).is_some_and(|d| d <= Duration::from_millis(500))
        );
        assert_eq!(
            retry_delay(&policy, &api(503, &[("retry-after", "3")], ""), 0, 0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_delay(&policy, &api(429, &[("retry-after", "61")], ""), 0, 0),
            None
        );
        assert_eq!(
            retry_delay(&policy, &api(429, &[("x-ratelimit-reset", "1005")], ""), 0, 1000),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_delay(&policy, &api(429, &[("x-ratelimit-reset", "5000")], ""), 0, 1000),
            None
        );
        let t = Error::timeout(ep(), Duration::from_secs(1), None);
        assert!(retry_delay(&policy, &t, 1, 0).is_some());
        let aborted = failure_error(Failure::Aborted, &ep(), None);
        assert_eq!(retry_delay(&policy, &aborted, 0, 0), None);
    }
}
