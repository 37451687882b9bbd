#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod api;
pub mod auth;
mod client;
pub mod config;
pub mod error;
mod http;
pub mod models;
pub mod options;
mod platform;
pub mod stream;
mod transport;

#[cfg(target_arch = "wasm32")]
pub mod js;

pub use api::{ProfileImageUpload, SandboxUpload, UploadFile, WaitOptions};
pub use auth::{Credentials, Secret, TokenProvider};
pub use client::{Client, ClientBuilder, DEFAULT_TIMEOUT};
pub use config::{
    ApiRoot, BackendUrl, BackendUrlSource, Config, Env, EnvMode, HttpUrl, JwtRole, KeyKind, Runtime,
    SupabaseConfig, SupabaseKey, resolve_backend_url,
};
pub use error::{ApiError, ConfigError, Endpoint, EnvOrigin, Error, ErrorKind, KeyProblem, RateLimit};
pub use http::{BACKEND_CORS_HEADERS, DEFAULT_MAX_RESPONSE_SIZE, MAX_ERROR_BODY_SIZE, RetryPolicy};
pub use options::{ClientOptions, HELIUM_ACCESS_TOKEN, HELIUM_API_KEY, KORTIX_ADMIN_API_KEY};
pub use platform::{BoxFuture, MaybeSend, MaybeSendSync};
pub use serde_json::Value;
pub use transport::FileData;

/// Internals exposed to the fuzz targets only (`--cfg fuzzing`, set by `tests/fuzz.sh`); not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    /// Classifies an error response the way the request pipeline does.
    pub fn classify(status: u16, headers: &[(String, String)], body: &[u8]) -> crate::Error {
        let endpoint = crate::Endpoint::new("GET", "http://fuzz.invalid/api/x");
        crate::http::classify(status, headers, body, endpoint, Some("rid")).into()
    }

    /// Reads a `Retry-After` value the way the retry step does.
    pub fn retry_after(value: &str) -> Option<std::time::Duration> {
        crate::http::classify::parse_retry_after(value)
    }

    /// Why a JSON text would not decode natively although `JSON.parse` may accept it (the check JavaScript
    /// results get), or `None`.
    pub fn json_exceeds_native_limits(text: &str) -> Option<&'static str> {
        crate::http::json_limits::exceeds_native_limits(text)
    }

    /// Decodes a success body the way the request pipeline does (the error a malformed one gives).
    pub fn decode<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, crate::Error> {
        serde_json::from_slice(body).map_err(|e| {
            crate::Error::decode(
                crate::Endpoint::new("GET", "http://fuzz.invalid/api/x"),
                status,
                e.to_string(),
                body,
                None,
            )
        })
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
