use std::fmt;

use base64::Engine as _;

use crate::error::{ConfigError, Error, KeyProblem};

use super::backend::parse_config_url;
use super::{
    Env, EnvMode, HttpUrl, NEXT_PUBLIC_SUPABASE_ANON_KEY, NEXT_PUBLIC_SUPABASE_URL, Runtime,
    SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_URL,
};

/// The `role` claim of a legacy (JWT) Supabase key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JwtRole {
    /// `anon`: safe to ship to browsers.
    Anon,
    /// `service_role`: bypasses row-level security; server only.
    ServiceRole,
    /// Any other role (e.g. `authenticated` when a user's access token was pasted by mistake).
    Other(String),
}

impl JwtRole {
    /// The claim value.
    pub fn as_str(&self) -> &str {
        match self {
            JwtRole::Anon => "anon",
            JwtRole::ServiceRole => "service_role",
            JwtRole::Other(s) => s,
        }
    }
}

/// What kind of Supabase API key a value is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A legacy JWT key, with its `role` claim and its `exp` (seconds since the epoch), if any.
    LegacyJwt {
        /// The `role` claim.
        role: JwtRole,
        /// The `exp` claim.
        expires_at: Option<i64>,
    },
    /// A new-style `sb_publishable_…` key (browser-safe).
    Publishable,
    /// A new-style `sb_secret_…` key (server only).
    Secret,
}

impl KeyKind {
    /// True for keys that must never reach a browser: a `service_role` JWT or an `sb_secret_…` key.
    pub fn is_secret(&self) -> bool {
        matches!(
            self,
            KeyKind::Secret
                | KeyKind::LegacyJwt {
                    role: JwtRole::ServiceRole,
                    ..
                }
        )
    }

    /// A short stable label: `anon_jwt`, `service_role_jwt`, `jwt`, `publishable` or `secret`.
    pub fn label(&self) -> &'static str {
        match self {
            KeyKind::LegacyJwt {
                role: JwtRole::Anon, ..
            } => "anon_jwt",
            KeyKind::LegacyJwt {
                role: JwtRole::ServiceRole,
                ..
            } => "service_role_jwt",
            KeyKind::LegacyJwt {
                role: JwtRole::Other(_),
                ..
            } => "jwt",
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            KeyKind::LegacyJwt {
                role: JwtRole::Anon, ..
            } => "anon JWT",
            KeyKind::LegacyJwt {
                role: JwtRole::ServiceRole,
                ..
            } => "service_role JWT",
            KeyKind::LegacyJwt {
                role: JwtRole::Other(_),
                ..
            } => "JWT",
            KeyKind::Publishable => "sb_publishable_",
            KeyKind::Secret => "sb_secret_",
        }
    }
}

/// A Supabase API key. The key itself is only reachable through [`SupabaseKey::expose_secret`];
/// `Debug` and `Display` show its kind and a short fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct SupabaseKey {
    value: String,
    kind: KeyKind,
}

impl SupabaseKey {
    /// Recognises a key: a legacy JWT (its payload is decoded, not verified), `sb_publishable_…` or
    /// `sb_secret_…`.
    ///
    /// # Errors
    /// A [`KeyProblem`] that never contains key material.
    pub fn parse(value: &str) -> Result<SupabaseKey, KeyProblem> {
        let value = value.trim();
        let kind = if let Some(rest) = value.strip_prefix("sb_publishable_") {
            check_opaque(rest)?;
            KeyKind::Publishable
        } else if let Some(rest) = value.strip_prefix("sb_secret_") {
            check_opaque(rest)?;
            KeyKind::Secret
        } else {
            parse_jwt(value)?
        };
        Ok(SupabaseKey {
            value: value.to_owned(),
            kind,
        })
    }

    /// The kind of key.
    pub fn kind(&self) -> &KeyKind {
        &self.kind
    }

    /// A short, stable, non-reversible identifier of the key (8 hex digits of its FNV-1a 64 hash), so that two
    /// configurations can be compared without printing either key.
    pub fn fingerprint(&self) -> String {
        format!("{:08x}", crate::platform::fnv1a64(self.value.as_bytes()) >> 32)
    }

    /// The key itself, for sending it as Supabase's `apikey` header. Do not log it.
    pub fn expose_secret(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for SupabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupabaseKey")
            .field("kind", &self.kind)
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SupabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} key (fingerprint {})",
            self.kind.describe(),
            self.fingerprint()
        )
    }
}

fn check_opaque(rest: &str) -> Result<(), KeyProblem> {
    if rest.is_empty()
        || !rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(KeyProblem::Truncated);
    }
    Ok(())
}

fn parse_jwt(value: &str) -> Result<KeyKind, KeyProblem> {
    let segments: Vec<&str> = value.split('.').collect();
    if segments.len() == 1 {
        return Err(KeyProblem::UnknownFormat);
    }
    let [_header, payload, _signature] = segments.as_slice() else {
        return Err(KeyProblem::SegmentCount(segments.len()));
    };
    let bytes = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    )
    .decode(payload)
    .map_err(|_| KeyProblem::Base64)?;
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| KeyProblem::Json)?;
    let role = match claims.get("role").and_then(|r| r.as_str()) {
        Some("anon") => JwtRole::Anon,
        Some("service_role") => JwtRole::ServiceRole,
        Some(other) => JwtRole::Other(other.to_owned()),
        None => return Err(KeyProblem::NoRole),
    };
    let expires_at = claims
        .get("exp")
        .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64)));
    Ok(KeyKind::LegacyJwt { role, expires_at })
}

/// The Supabase project the frontend (client side) or the server talks to, with its key.
///
/// Client side: `NEXT_PUBLIC_SUPABASE_URL` and `NEXT_PUBLIC_SUPABASE_ANON_KEY`. Server side: `SUPABASE_URL` ‖
/// `NEXT_PUBLIC_SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` ‖ `SUPABASE_ANON_KEY` ‖
/// `NEXT_PUBLIC_SUPABASE_ANON_KEY`. A secret key (service-role JWT, `sb_secret_…`) is refused on the client side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupabaseConfig {
    runtime: Runtime,
    env_mode: EnvMode,
    url: HttpUrl,
    url_variable: &'static str,
    key: SupabaseKey,
    key_variable: &'static str,
}

impl SupabaseConfig {
    /// Loads the Supabase configuration for `runtime` from `env`.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] (naming the variables looked at and where), `InvalidUrl`, `InsecureUrl`,
    /// `InvalidKey`, `SecretKeyInClient` or `InvalidEnvMode`.
    pub fn load(runtime: Runtime, env: &Env) -> Result<SupabaseConfig, Error> {
        let keys: &[&'static str] = match runtime {
            Runtime::Client => &[NEXT_PUBLIC_SUPABASE_ANON_KEY],
            Runtime::Server => &[
                SUPABASE_SERVICE_ROLE_KEY,
                SUPABASE_ANON_KEY,
                NEXT_PUBLIC_SUPABASE_ANON_KEY,
            ],
        };
        Self::load_with(runtime, env, keys, runtime == Runtime::Client)
    }

    /// The project URL and its **public** key (anon JWT or `sb_publishable_…`), for code that acts as the
    /// signed-in user (the SDK's data API, supabase-js): `NEXT_PUBLIC_SUPABASE_ANON_KEY` on the client side,
    /// `SUPABASE_ANON_KEY` ‖ `NEXT_PUBLIC_SUPABASE_ANON_KEY` on the server side. The service-role key is never
    /// chosen, and a secret key in one of these variables is an error on either side.
    ///
    /// # Errors
    /// As [`SupabaseConfig::load`].
    pub fn load_public(runtime: Runtime, env: &Env) -> Result<SupabaseConfig, Error> {
        let keys: &[&'static str] = match runtime {
            Runtime::Client => &[NEXT_PUBLIC_SUPABASE_ANON_KEY],
            Runtime::Server => &[SUPABASE_ANON_KEY, NEXT_PUBLIC_SUPABASE_ANON_KEY],
        };
        Self::load_with(runtime, env, keys, true)
    }

    fn load_with(
        runtime: Runtime,
        env: &Env,
        key_names: &[&'static str],
        refuse_secret: bool,
    ) -> Result<SupabaseConfig, Error> {
        let (env_mode, mode_variable) = EnvMode::from_env(env)?;
        let url_names: &[&'static str] = match runtime {
            Runtime::Client => &[NEXT_PUBLIC_SUPABASE_URL],
            Runtime::Server => &[SUPABASE_URL, NEXT_PUBLIC_SUPABASE_URL],
        };
        let missing = |what, names: &[&'static str]| ConfigError::Missing {
            what,
            looked_for: names.to_vec(),
            origin: env.origin(),
        };
        let (url_variable, url) = env
            .first_of(url_names)
            .ok_or_else(|| missing("the Supabase URL", url_names))?;
        let url = parse_config_url(url_variable, url, env, env_mode, mode_variable)?;
        let (key_variable, key) = env
            .first_of(key_names)
            .ok_or_else(|| missing("the Supabase key", key_names))?;
        let key = SupabaseKey::parse(key).map_err(|reason| ConfigError::InvalidKey {
            variable: key_variable,
            reason,
        })?;
        if refuse_secret && key.kind().is_secret() {
            return Err(ConfigError::SecretKeyInClient {
                variable: key_variable,
                kind: key.kind().describe(),
            }
            .into());
        }
        Ok(SupabaseConfig {
            runtime,
            env_mode,
            url,
            url_variable,
            key,
            key_variable,
        })
    }

    /// The project URL.
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// The variable the URL came from.
    pub fn url_variable(&self) -> &'static str {
        self.url_variable
    }

    /// The key.
    pub fn key(&self) -> &SupabaseKey {
        &self.key
    }

    /// The variable the key came from.
    pub fn key_variable(&self) -> &'static str {
        self.key_variable
    }

    /// The runtime it was loaded for.
    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The env mode it was loaded under.
    pub fn env_mode(&self) -> EnvMode {
        self.env_mode
    }

    /// PostgREST: `{url}/rest/v1`.
    pub fn rest_url(&self) -> String {
        self.url.join("/rest/v1").to_string()
    }

    /// GoTrue (Auth): `{url}/auth/v1`.
    pub fn auth_url(&self) -> String {
        self.url.join("/auth/v1").to_string()
    }

    /// Storage: `{url}/storage/v1`.
    pub fn storage_url(&self) -> String {
        self.url.join("/storage/v1").to_string()
    }

    /// Realtime websocket: `wss://…/realtime/v1` (`ws://` for a plain-http project URL).
    pub fn realtime_url(&self) -> String {
        let scheme = match self.url.scheme() {
            super::Scheme::Https => "wss",
            super::Scheme::Http => "ws",
        };
        self.url.join("/realtime/v1").to_string_with_scheme(scheme)
    }
}

impl fmt::Display for SupabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Supabase {} (from {}), {} from {}",
            self.url, self.url_variable, self.key, self.key_variable
        )
    }
}
