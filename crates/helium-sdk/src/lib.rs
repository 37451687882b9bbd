#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod api;
pub mod auth;
mod client;
pub mod config;
pub mod error;
mod http;
pub mod models;
mod platform;
pub mod stream;
mod transport;

#[cfg(target_arch = "wasm32")]
pub mod js;

pub use api::UploadFile;
pub use auth::{Credentials, Secret, TokenProvider};
pub use client::{Client, ClientBuilder, DEFAULT_TIMEOUT, HELIUM_ACCESS_TOKEN, HELIUM_API_KEY};
pub use config::{
    ApiRoot, BackendUrl, BackendUrlSource, Config, Env, EnvMode, HttpUrl, JwtRole, KeyKind, Runtime,
    SupabaseConfig, SupabaseKey, resolve_backend_url,
};
pub use error::{ApiError, ConfigError, EnvOrigin, Error, ErrorKind, KeyProblem};
pub use http::RetryPolicy;
pub use platform::{BoxFuture, MaybeSendSync};
pub use transport::FileData;

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
