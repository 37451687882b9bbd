//! Error bodies: FastAPI's `{"detail": <string | list | object>}`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::ThreadId;

/// An error response body, `{"detail": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ErrorBody {
    /// The detail.
    pub detail: ErrorDetail,
}

/// The `detail` of an error body.
///
/// Decoding tries, in order: a string (most errors), a list of validation issues (422), an object (402 billing
/// and agent-count limits, 403 model, 429 run limit), then anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(tsify::Tsify),
    tsify(type = "string | ValidationIssue[] | Record<string, unknown>")
)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// A message, e.g. `"Thread not found"`.
    Message(String),
    /// Pydantic validation issues (422).
    Validation(Vec<ValidationIssue>),
    /// A structured detail; see the typed views [`ErrorDetail::billing`], [`ErrorDetail::run_limit`],
    /// [`ErrorDetail::agent_limit`] and [`ErrorDetail::model`].
    Object(Map<String, Value>),
    /// Any other JSON value (not produced by the backend's code paths).
    Other(Value),
}

impl ErrorDetail {
    /// The message: the string detail, or the object's `message` string.
    pub fn message(&self) -> Option<&str> {
        match self {
            ErrorDetail::Message(m) => Some(m),
            ErrorDetail::Object(o) => o.get("message").and_then(Value::as_str),
            ErrorDetail::Validation(_) | ErrorDetail::Other(_) => None,
        }
    }

    /// The validation issues of a 422.
    pub fn validation(&self) -> Option<&[ValidationIssue]> {
        match self {
            ErrorDetail::Validation(v) => Some(v),
            _ => None,
        }
    }

    /// The object detail.
    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        match self {
            ErrorDetail::Object(o) => Some(o),
            _ => None,
        }
    }

    fn view<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.as_object()
            .and_then(|o| serde_json::from_value(Value::Object(o.clone())).ok())
    }

    /// The 402 billing-gate detail (an object with `subscription`).
    pub fn billing(&self) -> Option<BillingDetail> {
        self.view()
    }

    /// The 429 parallel-run-limit detail (an object with `running_thread_ids`).
    pub fn run_limit(&self) -> Option<RunLimitDetail> {
        self.view()
    }

    /// The 402 agent-count-limit detail (an object with `error_code`, `AGENT_LIMIT_EXCEEDED`).
    pub fn agent_limit(&self) -> Option<AgentLimitDetail> {
        self.view()
    }

    /// The 403 model-not-allowed detail (an object with `allowed_models`).
    pub fn model(&self) -> Option<ModelDetail> {
        self.view()
    }
}

impl fmt::Display for ErrorDetail {
    /// The message; for a 422 the issues as `loc.path: msg` joined by `; `; otherwise the JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = self.message() {
            return f.write_str(m);
        }
        match self {
            ErrorDetail::Validation(issues) => {
                for (i, issue) in issues.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    fmt::Display::fmt(issue, f)?;
                }
                Ok(())
            }
            ErrorDetail::Object(o) => write!(f, "{}", Value::Object(o.clone())),
            ErrorDetail::Other(v) => write!(f, "{v}"),
            ErrorDetail::Message(m) => f.write_str(m),
        }
    }
}

/// One Pydantic v2 validation issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ValidationIssue {
    /// The error type, e.g. `missing`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Where: e.g. `["body", "prompt"]` (strings and indices).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "(string | number)[]"))]
    pub loc: Vec<Value>,
    /// The message, e.g. `Field required`.
    pub msg: String,
    /// The offending input (`null` when missing).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
    pub input: Value,
    /// Extra context of some issue types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub ctx: Option<Value>,
}

impl ValidationIssue {
    /// The location joined with dots, e.g. `body.prompt`.
    pub fn loc_path(&self) -> String {
        self.loc
            .iter()
            .map(|part| match part {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc_path(), self.msg)
    }
}

/// The 402 billing-gate detail: `{message, subscription}` (`subscription` is the staging free stub or a raw
/// Stripe subscription object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct BillingDetail {
    /// The limit message.
    #[serde(default)]
    pub message: String,
    /// The subscription (required to recognise this detail).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub subscription: Value,
}

/// The 429 parallel-run-limit detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct RunLimitDetail {
    /// The limit message.
    #[serde(default)]
    pub message: String,
    /// The threads with a running run (required to recognise this detail).
    pub running_thread_ids: Vec<ThreadId>,
    /// How many runs are running.
    #[serde(default)]
    pub running_count: u32,
    /// The limit (3 in production).
    #[serde(default)]
    pub limit: u32,
}

/// The 402 agent-count-limit detail of `POST /agents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentLimitDetail {
    /// The limit message.
    #[serde(default)]
    pub message: String,
    /// The account's agents.
    #[serde(default)]
    pub current_count: u32,
    /// The plan's limit.
    #[serde(default)]
    pub limit: u32,
    /// The plan, e.g. `free`.
    #[serde(default)]
    pub tier_name: String,
    /// `AGENT_LIMIT_EXCEEDED` (required to recognise this detail).
    pub error_code: String,
}

/// The 403 model-not-allowed detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ModelDetail {
    /// The message.
    #[serde(default)]
    pub message: String,
    /// The models the plan allows (required to recognise this detail).
    pub allowed_models: Vec<String>,
}
