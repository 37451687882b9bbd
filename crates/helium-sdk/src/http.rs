//! The request pipeline: URL building, auth headers, request ids, timeouts, retries with backoff and
//! Retry-After, and mapping of error responses to [`Error`].

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::auth::{Credentials, redact_secrets};
use crate::config::ApiRoot;
use crate::error::{ApiError, Error, ErrorKind};
use crate::models::error::ErrorBody;
use crate::platform;
use crate::transport::{Body, Method, Request, Response, Signal, Transport, TransportBody, TransportError};

/// When and how often idempotent requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// The first backoff delay (default 0.5 s), doubled per retry.
    pub initial_backoff: Duration,
    /// The largest backoff delay (default 8 s).
    pub max_backoff: Duration,
    /// The largest `Retry-After` honoured (default 60 s); a longer one ends the retries.
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

    /// The delay before retry number `retry` (0-based): exponential, capped, with "equal jitter" (half fixed,
    /// half random), so it is never zero.
    pub fn backoff(&self, retry: u32) -> Duration {
        platform::backoff(self.initial_backoff, self.max_backoff, retry)
    }
}

/// How a route authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMode {
    /// Never send credentials (health).
    None,
    /// Credentials required: missing ones are an `auth` error before any request.
    Required,
    /// Send credentials when there are some (sandbox routes).
    Optional,
}

/// Whether a call may be repeated safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    NotIdempotent,
}

/// Per-call settings (from the client, possibly overridden per call).
#[derive(Debug, Clone)]
pub(crate) struct CallSettings {
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub signal: Option<Signal>,
}

/// One API call.
#[derive(Debug)]
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    pub auth: AuthMode,
    pub idempotency: Idempotency,
    pub accept: &'static str,
    /// Extra headers (e.g. `last-event-id` on a stream reconnect).
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
            path: path.into(),
            query: Vec::new(),
            body: Body::Empty,
            auth: AuthMode::Required,
            idempotency,
            accept: "application/json",
            headers: Vec::new(),
        }
    }

    pub(crate) fn query(mut self, pairs: Vec<(&'static str, String)>) -> Call {
        self.query.extend(pairs);
        self
    }

    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> Result<Call, Error> {
        let s = serde_json::to_string(body).map_err(|e| Error::InvalidRequest {
            message: format!("could not encode the request body: {e}"),
        })?;
        self.body = Body::Json(s);
        Ok(self)
    }

    pub(crate) fn body(mut self, body: Body) -> Call {
        self.body = body;
        self
    }

    pub(crate) fn auth(mut self, auth: AuthMode) -> Call {
        self.auth = auth;
        self
    }

    pub(crate) fn idempotent(mut self) -> Call {
        self.idempotency = Idempotency::Idempotent;
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: String) -> Call {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn accept(mut self, accept: &'static str) -> Call {
        self.accept = accept;
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
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the pipeline needs from a client.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub api_root: ApiRoot,
    pub credentials: Credentials,
    pub transport: Transport,
}

/// A successful response whose body has not been read yet (for streams).
pub(crate) struct Streaming {
    pub body: TransportBody,
}

enum Read {
    Whole,
    Head,
}

enum Outcome {
    Whole {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Head(Response),
}

impl Pipeline {
    fn url(&self, call: &Call) -> String {
        let mut url = self.api_root.endpoint(&call.path);
        for (i, (k, v)) in call.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_component(k));
            url.push('=');
            url.push_str(&encode_component(v));
        }
        url
    }

    pub(crate) fn endpoint(&self, call: &Call) -> String {
        format!(
            "{} {}{}",
            call.method.as_str(),
            self.api_root.url().path(),
            call.path
        )
    }

    /// Sends a call and decodes the JSON response.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        call: Call,
        settings: &CallSettings,
    ) -> Result<T, Error> {
        let endpoint = self.endpoint(&call);
        let (status, body, request_id) = self.body(call, settings).await?;
        serde_json::from_slice(&body).map_err(|e| Error::Decode {
            endpoint,
            status,
            message: e.to_string(),
            excerpt: excerpt(&body),
            request_id,
        })
    }

    /// Sends a call and returns the raw body.
    pub(crate) async fn bytes(&self, call: Call, settings: &CallSettings) -> Result<Vec<u8>, Error> {
        Ok(self.body(call, settings).await?.1)
    }

    /// Sends a call and returns the status, raw body and request id of the success.
    pub(crate) async fn body(
        &self,
        call: Call,
        settings: &CallSettings,
    ) -> Result<(u16, Vec<u8>, Option<String>), Error> {
        match self.execute(call, settings, Read::Whole).await? {
            (Outcome::Whole { status, body, .. }, rid) => Ok((status, body, rid)),
            (Outcome::Head(_), _) => Err(Error::Stream {
                message: "internal: unexpected streaming outcome".into(),
            }),
        }
    }

    /// Sends a call and returns the response head of a success; the timeout covers the head only.
    pub(crate) async fn stream(&self, call: Call, settings: &CallSettings) -> Result<Streaming, Error> {
        match self.execute(call, settings, Read::Head).await? {
            (Outcome::Head(r), _) => Ok(Streaming { body: r.body }),
            (Outcome::Whole { .. }, _) => Err(Error::Stream {
                message: "internal: unexpected whole outcome".into(),
            }),
        }
    }

    async fn execute(
        &self,
        call: Call,
        settings: &CallSettings,
        read: Read,
    ) -> Result<(Outcome, Option<String>), Error> {
        let endpoint = self.endpoint(&call);
        let url = self.url(&call);
        let request_id = platform::random_hex();
        let retry = if call.idempotency == Idempotency::Idempotent {
            settings.retry
        } else {
            RetryPolicy::none()
        };
        let mut attempt: u32 = 0;
        loop {
            if settings.signal.as_ref().is_some_and(platform::is_aborted) {
                return Err(Error::Aborted {
                    endpoint,
                    request_id: Some(request_id),
                });
            }
            let mut headers = vec![
                ("accept", call.accept.to_owned()),
                ("x-request-id", request_id.clone()),
            ];
            headers.extend(call.headers.iter().cloned());
            match call.auth {
                AuthMode::None => {}
                AuthMode::Required if self.credentials.is_none() => {
                    return Err(Error::Auth {
                        message: format!(
                            "{endpoint} needs credentials: set an access token, a token provider or an API key"
                        ),
                    });
                }
                AuthMode::Required | AuthMode::Optional => {
                    if let Some(h) = self.credentials.header().await? {
                        headers.push(h);
                    }
                }
            }
            let request = Request {
                method: call.method,
                url: url.clone(),
                headers,
                body: call.body.clone(),
            };
            let result = platform::timeout(
                settings.timeout,
                self.attempt(request, settings.signal.as_ref(), &read),
            )
            .await;
            let error = match result {
                None => Error::Timeout {
                    endpoint: endpoint.clone(),
                    after: settings.timeout,
                    request_id: Some(request_id.clone()),
                },
                Some(Err(TransportError::Aborted)) => {
                    return Err(Error::Aborted {
                        endpoint,
                        request_id: Some(request_id),
                    });
                }
                Some(Err(TransportError::Connect(message) | TransportError::Body(message))) => {
                    Error::Network {
                        endpoint: endpoint.clone(),
                        message,
                        request_id: Some(request_id.clone()),
                    }
                }
                Some(Ok(outcome)) => {
                    let (status, headers, body) = match outcome {
                        Outcome::Head(r) if (200..300).contains(&r.status) => {
                            let rid = r.header("x-request-id").map(str::to_owned).unwrap_or(request_id);
                            return Ok((Outcome::Head(r), Some(rid)));
                        }
                        Outcome::Whole {
                            status,
                            headers,
                            body,
                        } if (200..300).contains(&status) => {
                            let rid = header(&headers, "x-request-id")
                                .map(str::to_owned)
                                .unwrap_or(request_id);
                            return Ok((
                                Outcome::Whole {
                                    status,
                                    headers,
                                    body,
                                },
                                Some(rid),
                            ));
                        }
                        Outcome::Whole {
                            status,
                            headers,
                            body,
                        } => (status, headers, body),
                        Outcome::Head(r) => {
                            let status = r.status;
                            let headers = r.headers.clone();
                            let body = platform::timeout(settings.timeout, r.bytes())
                                .await
                                .and_then(Result::ok)
                                .unwrap_or_default();
                            (status, headers, body)
                        }
                    };
                    api_error(status, &headers, &body, endpoint.clone(), &request_id).into()
                }
            };
            if !error.is_transient() || attempt >= retry.max_retries {
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(d) if d > retry.max_retry_after => return Err(error),
                Some(d) => d,
                None => retry.backoff(attempt),
            };
            platform::trace_retry(&endpoint, attempt + 1, delay, &error);
            platform::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        request: Request,
        signal: Option<&Signal>,
        read: &Read,
    ) -> Result<Outcome, TransportError> {
        let response = self.transport.send(request, signal).await?;
        match read {
            Read::Head => Ok(Outcome::Head(response)),
            Read::Whole => {
                let status = response.status;
                let headers = response.headers.clone();
                let body = response.bytes().await?;
                Ok(Outcome::Whole {
                    status,
                    headers,
                    body,
                })
            }
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Retry-After` as delta-seconds (integer or decimal). HTTP-dates are not used by the backend and are ignored.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

fn api_error(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    endpoint: String,
    request_id: &str,
) -> ApiError {
    let detail = serde_json::from_slice::<ErrorBody>(body).ok().map(|b| b.detail);
    let message = match detail.as_ref().and_then(|d| d.message()) {
        Some(m) => redact_secrets(m),
        None if detail.is_some() => status_text(status).to_owned(),
        None if body.is_empty() => status_text(status).to_owned(),
        None => format!(
            "{} (the body is not a JSON error: {:?})",
            status_text(status),
            excerpt(body)
        ),
    };
    ApiError {
        status,
        kind: ErrorKind::from_status(status),
        endpoint,
        message,
        detail,
        request_id: Some(header(headers, "x-request-id").unwrap_or(request_id).to_owned()),
        retry_after: header(headers, "retry-after").and_then(parse_retry_after),
    }
}

/// The first 200 characters of a body, secrets redacted.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let cut: String = text.chars().take(200).collect();
    redact_secrets(&cut)
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
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
    fn error_bodies_map_to_kinds() {
        let e = api_error(
            404,
            &[],
            br#"{"detail": "Agent run not found"}"#,
            "GET /api/agent-run/x".into(),
            "rid",
        );
        assert_eq!(
            (e.kind, e.message.as_str(), e.request_id.as_deref()),
            (ErrorKind::NotFound, "Agent run not found", Some("rid"))
        );
        let e = api_error(
            502,
            &[("retry-after".into(), "2".into())],
            b"<html>bad gateway</html>",
            "GET /api/health".into(),
            "r",
        );
        assert_eq!(e.kind, ErrorKind::Server);
        assert!(e.message.contains("<html>bad gateway"), "{}", e.message);
        assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
        let e = api_error(
            401,
            &[],
            br#"{"detail": "Invalid token: eyJhbGciOi.eyJzdWIi.c2ln"}"#,
            "x".into(),
            "r",
        );
        assert!(!e.message.contains("eyJzdWIi"), "{}", e.message);
    }
}
