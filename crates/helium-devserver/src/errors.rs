//! FastAPI-style error bodies (`{"detail": ...}`) and JSON responses.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::pyjson;

/// A JSON response serialised like FastAPI's `JSONResponse` (compact, UTF-8, key order kept).
pub fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = pyjson::dumps_with(value, pyjson::FASTAPI);
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// `200 OK` with a JSON body.
pub fn ok(value: Value) -> Response {
    json_response(StatusCode::OK, &value)
}

/// An `HTTPException`: a status and a `detail` (string or object).
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `detail` value.
    pub detail: Value,
}

impl ApiError {
    /// Any status with a string detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Value::String(detail.into()),
        }
    }
    /// Any status with an object detail.
    pub fn with_value(status: StatusCode, detail: Value) -> Self {
        Self { status, detail }
    }
    /// 401 (always sent with `WWW-Authenticate: Bearer`).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }
    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }
    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }
    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
    /// 500.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }
    /// 422 with a list of Pydantic error entries.
    pub fn validation(errors: Vec<Value>) -> Self {
        Self::with_value(StatusCode::UNPROCESSABLE_ENTITY, Value::Array(errors))
    }
    /// 422 for one missing field, e.g. `loc = ["body", "prompt"]`.
    pub fn missing(loc: &[&str]) -> Self {
        Self::validation(vec![missing_entry(loc)])
    }
    /// `"Thread not found"`.
    pub fn thread_not_found() -> Self {
        Self::not_found("Thread not found")
    }
    /// `"Agent run not found"`.
    pub fn run_not_found() -> Self {
        Self::not_found("Agent run not found")
    }
    /// `"Not authorized to access this thread"`.
    pub fn thread_forbidden() -> Self {
        Self::forbidden("Not authorized to access this thread")
    }
}

/// One Pydantic `missing` error entry.
pub fn missing_entry(loc: &[&str]) -> Value {
    json!({"type": "missing", "loc": loc, "msg": "Field required", "input": null})
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.status, &json!({ "detail": self.detail }));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// Result type of the route handlers.
pub type ApiResult = Result<Response, ApiError>;

/// FastAPI's 404 for unknown routes.
pub async fn not_found_route() -> Response {
    ApiError::not_found("Not Found").into_response()
}

/// FastAPI's 405 for a known path with another method.
pub async fn method_not_allowed() -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response()
}
