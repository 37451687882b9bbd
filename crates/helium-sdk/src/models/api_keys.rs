//! API keys (`/api-keys`). A key is used as the `X-API-Key: pk_…:sk_…` header.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::ApiKeyId;
use super::wire::string_enum;

string_enum! {
    /// The state of an API key.
    #[cfg_attr(
        target_arch = "wasm32",
        derive(tsify::Tsify),
        tsify(type = "\"active\" | \"revoked\" | \"expired\" | (string & {})")
    )]
    pub enum ApiKeyStatus {
        /// `active`.
        Active => "active",
        /// `revoked`.
        Revoked => "revoked",
        /// `expired`.
        Expired => "expired",
    }
}

/// One item of `GET /api-keys` (the secret is never returned again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ApiKey {
    /// The key's id.
    pub key_id: ApiKeyId,
    /// The public half, `pk_…`.
    pub public_key: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// `active`, `revoked` or `expired`.
    pub status: ApiKeyStatus,
    /// Expiry time, `null` for none.
    pub expires_at: Option<String>,
    /// Last use, `null` if never used.
    pub last_used_at: Option<String>,
    /// Creation time.
    pub created_at: String,
}

/// The response of `POST /api-keys`: the new key **with its secret**, shown only once.
///
/// `Debug` redacts `secret_key`; [`CreatedApiKey::header_value`] gives the `X-API-Key` value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CreatedApiKey {
    /// The key's id.
    pub key_id: ApiKeyId,
    /// The public half, `pk_…`.
    pub public_key: String,
    /// The secret half, `sk_…`.
    pub secret_key: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// `active`.
    pub status: ApiKeyStatus,
    /// Expiry time, `null` for none.
    pub expires_at: Option<String>,
    /// Creation time.
    pub created_at: String,
}

impl CreatedApiKey {
    /// The `X-API-Key` header value, `{public_key}:{secret_key}` (as the web UI shows it).
    pub fn header_value(&self) -> String {
        format!("{}:{}", self.public_key, self.secret_key)
    }
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("key_id", &self.key_id)
            .field("public_key", &self.public_key)
            .field("secret_key", &"<redacted>")
            .field("title", &self.title)
            .field("description", &self.description)
            .field("status", &self.status)
            .field("expires_at", &self.expires_at)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The body of `POST /api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreateApiKeyRequest {
    /// The title (1..=255 characters).
    pub title: String,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Days until expiry (1..=365); never expires when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
}

impl CreateApiKeyRequest {
    /// A request with only the title set.
    pub fn new(title: impl Into<String>) -> Self {
        CreateApiKeyRequest {
            title: title.into(),
            ..CreateApiKeyRequest::default()
        }
    }
}

/// The response of `PATCH /api-keys/{key_id}/revoke` and `DELETE /api-keys/{key_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ApiKeyMessage {
    /// The confirmation text.
    pub message: String,
}
