//! Configuration: where code runs, which environment it reads, which backend and Supabase project it talks to.
//!
//! The rules are those of the Helium deployment guide and behave identically natively, in wasm under Node and
//! in wasm in a browser:
//!
//! | what | server runtime | client runtime |
//! |---|---|---|
//! | backend URL | `BACKEND_INTERNAL_URL` ‖ `NEXT_PUBLIC_BACKEND_URL` ‖ `http://localhost:8000` | `NEXT_PUBLIC_BACKEND_URL` ‖ `http://localhost:8000` |
//! | env mode | `NEXT_PUBLIC_ENV_MODE` ‖ `ENV_MODE` ‖ `local` | same |
//! | Supabase URL | `SUPABASE_URL` ‖ `NEXT_PUBLIC_SUPABASE_URL` | `NEXT_PUBLIC_SUPABASE_URL` |
//! | Supabase key | `SUPABASE_SERVICE_ROLE_KEY` ‖ `SUPABASE_ANON_KEY` ‖ `NEXT_PUBLIC_SUPABASE_ANON_KEY` | `NEXT_PUBLIC_SUPABASE_ANON_KEY` |
//!
//! `‖` is JavaScript's `||`: an empty value counts as unset. See [`resolve_backend_url`] for the API root rule.

mod backend;
mod diagnose;
mod env;
mod supabase;
mod url;

pub use backend::{ApiRoot, BackendUrl, BackendUrlSource, Config, resolve_backend_url};
pub use diagnose::{Diagnosis, Diagnostic, KeyFinding, Severity};
pub use env::{Env, EnvMode, Runtime};
pub use supabase::{JwtRole, KeyKind, SupabaseConfig, SupabaseKey};
pub use url::{HttpUrl, Scheme, UrlProblem};

/// `BACKEND_INTERNAL_URL`: the server-side backend URL (e.g. the backend's address inside a private network).
pub const BACKEND_INTERNAL_URL: &str = "BACKEND_INTERNAL_URL";
/// `NEXT_PUBLIC_BACKEND_URL`: the backend URL the browser uses (and the server when no internal URL is set).
pub const NEXT_PUBLIC_BACKEND_URL: &str = "NEXT_PUBLIC_BACKEND_URL";
/// `NEXT_PUBLIC_ENV_MODE`: `local`, `staging` or `production`, read first.
pub const NEXT_PUBLIC_ENV_MODE: &str = "NEXT_PUBLIC_ENV_MODE";
/// `ENV_MODE`: the backend's name for the env mode, read when `NEXT_PUBLIC_ENV_MODE` is unset.
pub const ENV_MODE: &str = "ENV_MODE";
/// `SUPABASE_URL`: the Supabase project URL on the server side.
pub const SUPABASE_URL: &str = "SUPABASE_URL";
/// `SUPABASE_SERVICE_ROLE_KEY`: the server-side service-role key (never sent to a browser).
pub const SUPABASE_SERVICE_ROLE_KEY: &str = "SUPABASE_SERVICE_ROLE_KEY";
/// `SUPABASE_ANON_KEY`: the server-side anon key.
pub const SUPABASE_ANON_KEY: &str = "SUPABASE_ANON_KEY";
/// `NEXT_PUBLIC_SUPABASE_URL`: the Supabase project URL the browser uses.
pub const NEXT_PUBLIC_SUPABASE_URL: &str = "NEXT_PUBLIC_SUPABASE_URL";
/// `NEXT_PUBLIC_SUPABASE_ANON_KEY`: the anon (or publishable) key the browser uses.
pub const NEXT_PUBLIC_SUPABASE_ANON_KEY: &str = "NEXT_PUBLIC_SUPABASE_ANON_KEY";
/// The guide's default backend URL when nothing is set.
pub const DEFAULT_BACKEND_URL: &str = "http://localhost:8000";

/// Every variable the configuration core reads, in a stable order.
pub const VARIABLES: [&str; 9] = [
    BACKEND_INTERNAL_URL,
    NEXT_PUBLIC_BACKEND_URL,
    NEXT_PUBLIC_ENV_MODE,
    ENV_MODE,
    SUPABASE_URL,
    SUPABASE_SERVICE_ROLE_KEY,
    SUPABASE_ANON_KEY,
    NEXT_PUBLIC_SUPABASE_URL,
    NEXT_PUBLIC_SUPABASE_ANON_KEY,
];
