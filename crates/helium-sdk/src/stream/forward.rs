//! Forwarding a run to a browser: the frames a server writes (each item in the backend's own format, see
//! [`StreamItem::sse_frame`](super::StreamItem::sse_frame)), and the one frame the backend never sends: an
//! `event: error` frame that carries a failure of the server's own stream to the browser as a typed error.

use serde_json::{Value, json};

use crate::Error;
use crate::error::StreamCause;

/// The SSE event type of the error frame (the backend's stream only has default-type events).
pub const ERROR_EVENT: &str = "error";

/// The `event: error` frame for a failure of the server's stream: its kind, status, code, request id and a
/// message without URLs (the backend's address stays on the server).
pub fn error_frame(err: &Error) -> String {
    let message = match (err.as_api(), err.as_stream().map(|s| s.cause())) {
        (Some(api), _) => api.message().to_owned(),
        (_, Some(StreamCause::ReconnectsExhausted { attempts, last })) => {
            format!(
                "gave up after {attempts} reconnect attempts (last failure: {})",
                last.kind()
            )
        }
        (_, Some(cause)) => cause.to_string(),
        _ => format!("the server's connection to the backend failed ({})", err.kind()),
    };
    let mut body = json!({ "kind": err.kind().as_str(), "message": message });
    if let Some(status) = err.status() {
        body["status"] = json!(status);
    }
    if let Some(code) = err.code() {
        body["code"] = json!(code);
    }
    if let Some(rid) = err.request_id() {
        body["requestId"] = json!(rid);
    }
    format!("event: {ERROR_EVENT}\ndata: {body}\n\n")
}

/// A failure forwarded in an `event: error` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedError {
    /// The error kind on the server (`"network"`, `"stream"`, `"not_found"`, …).
    pub kind: String,
    /// The message, without URLs.
    pub message: String,
    /// The HTTP status, when the backend answered.
    pub status: Option<u16>,
    /// The error code, when there was one.
    pub code: Option<String>,
    /// The backend request id, when there was one.
    pub request_id: Option<String>,
}

impl ForwardedError {
    /// Reads the data of an `event: error` frame; anything unexpected still gives an error of kind `stream`.
    pub fn parse(data: &str) -> ForwardedError {
        let v: Value = serde_json::from_str(data).unwrap_or(Value::Null);
        let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        ForwardedError {
            kind: text("kind").unwrap_or_else(|| "stream".into()),
            message: text("message").unwrap_or_else(|| format!("the server's stream failed: {data}")),
            status: v
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
            code: text("code"),
            request_id: text("requestId"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn error_frames_round_trip_without_the_backend_url() {
        let err = Error::stream(
            "run-1",
            StreamCause::ReconnectsExhausted {
                attempts: 5,
                last: Box::new(Error::stream("run-1", StreamCause::EndedEarly, None)),
            },
            Some("rid-9".into()),
        );
        let frame = error_frame(&err);
        assert!(
            frame.starts_with("event: error\ndata: {") && frame.ends_with("}\n\n"),
            "{frame}"
        );
        let data = frame.lines().nth(1).unwrap().strip_prefix("data: ").unwrap();
        let back = ForwardedError::parse(data);
        assert_eq!(back.kind, "stream");
        assert_eq!(back.request_id.as_deref(), Some("rid-9"));
        assert!(back.message.contains("5 reconnect attempts"), "{}", back.message);
        assert!(!frame.contains("http"), "{frame}");
    }

    #[test]
    fn a_garbled_error_frame_is_still_an_error() {
        let e = ForwardedError::parse("not json");
        assert_eq!((e.kind.as_str(), e.status), ("stream", None));
        assert!(e.message.contains("not json"));
    }
}
