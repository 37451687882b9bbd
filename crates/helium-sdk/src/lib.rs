#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod config;
pub mod error;
mod platform;

#[cfg(target_arch = "wasm32")]
pub mod js;

pub use config::{
    ApiRoot, BackendUrl, BackendUrlSource, Config, Env, EnvMode, HttpUrl, JwtRole, KeyKind, Runtime,
    SupabaseConfig, SupabaseKey, resolve_backend_url,
};
pub use error::{ConfigError, EnvOrigin, Error, ErrorKind, KeyProblem};

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
