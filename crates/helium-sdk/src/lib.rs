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

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
