//! [`ClientOptions`]: the one set of client options, accepted by [`crate::ClientBuilder`], by the JavaScript
//! `new HeliumClient(options)` and `HeliumClient.fromEnv(overrides)`, and by the `helium` CLI.
//!
//! # Credential precedence
//!
//! This is the only place the rule is written down; every entry point applies it through
//! [`ClientOptions::credentials`]:
//!
//! 1. **Explicit credentials**: `accessToken`, `apiKey`, or a token provider (`getAccessToken` in JavaScript,
//!    [`crate::ClientBuilder::token_provider`] in Rust). Give at most one; two are an `invalid_request` error
//!    (`invalid_options`), never a silent choice.
//! 2. **The environment**, only when the client is built from it (`Client::from_env`, `HeliumClient.fromEnv`,
//!    the CLI) and only in a server runtime (a browser has no private environment): `HELIUM_API_KEY`, else
//!    `HELIUM_ACCESS_TOKEN`.
//! 3. Otherwise none: calls that need credentials fail with kind `auth` before anything is sent.
//!
//! **API keys are recognised by their form**, wherever they come from (`apiKey`, `HELIUM_API_KEY`,
//! [`crate::ClientBuilder::api_key`]): `pk_…:sk_…` is the backend's own key (the internal routes), `he-…` a
//! public API v1 key (contract §8; `client.public_v1()` only). Anything else is a `config` error
//! (`invalid_api_key`) naming the option or variable. Each key works where it is valid and fails before sending
//! elsewhere, with kind `auth`: a `he-` key on an internal route (the real backend would answer 401 "Invalid API
//! key format"), a `pk_…:sk_…` key on the public API v1. An access token (or token provider) works on both.
//!
//! **The admin key** (`X-Admin-Api-Key`, contract §4.1) is not a user credential and does not compete with
//! them: it is a separate slot, used only by the admin operations (`client.admin()`), from `adminApiKey` (or
//! [`crate::ClientBuilder::admin_api_key`]), else — from the environment, on a server — `KORTIX_ADMIN_API_KEY`
//! (the frontend's variable). Like a Supabase secret key it is refused in a client runtime: an explicit one, or
//! one in the environment `fromEnv` reads there, is a `config` error (`secret_key_in_client`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::auth::{Credentials, Secret, TokenProvider};
use crate::config::{Env, Runtime};
use crate::error::Error;

/// `HELIUM_ACCESS_TOKEN`: a Supabase access token read by `from_env` (server runtimes).
pub const HELIUM_ACCESS_TOKEN: &str = "HELIUM_ACCESS_TOKEN";
/// `HELIUM_API_KEY`: a `pk_…:sk_…` or `he-…` API key read by `from_env` (server runtimes; wins over the token).
pub const HELIUM_API_KEY: &str = "HELIUM_API_KEY";
/// `KORTIX_ADMIN_API_KEY`: the admin key read by `from_env` (server runtimes only; refused in a client runtime).
pub const KORTIX_ADMIN_API_KEY: &str = "KORTIX_ADMIN_API_KEY";

/// Options of a client. Every field is optional; see the module docs for the credential precedence.
///
/// In JavaScript the names are camelCase (`baseUrl`, `accessToken`, …) and unknown names are an error (a typo
/// never goes unnoticed).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The backend URL, with or without `/api`. Without it, the configuration rules resolve one from `env`
    /// (`BACKEND_INTERNAL_URL` ‖ `NEXT_PUBLIC_BACKEND_URL` ‖ `http://localhost:8000` on a server).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub base_url: Option<String>,
    /// A Supabase access token, sent as `Authorization: Bearer`.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub access_token: Option<Secret>,
    /// An API key, sent as `X-API-Key`: `pk_…:sk_…` (the internal routes) or `he-…` (the public API v1),
    /// recognised by its form.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub api_key: Option<Secret>,
    /// The admin key (`X-Admin-Api-Key`) for the admin operations. Server runtimes only: refused in a client
    /// runtime.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub admin_api_key: Option<Secret>,
    /// Overrides runtime detection (`server` without a `window` global, `client` in a browser).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub runtime: Option<Runtime>,
    /// The environment for the configuration rules and `fromEnv` credentials (default: the process
    /// environment on a server, nothing in a browser). `undefined`/`null`/empty values count as unset.
    #[serde(default)]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, string | undefined | null>")
    )]
    pub env: Option<BTreeMap<String, Option<String>>>,
    /// Timeout of each attempt in milliseconds, including reading the body (default 30000). Streams use it
    /// for the response head only.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<u64>,
    /// Retries after the first attempt for idempotent calls (default 2; at most 10).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_retries: Option<u32>,
    /// The largest response body read whole, in bytes (default 128 MiB). A longer one fails with kind `decode`,
    /// code `body_too_large`, as soon as its `Content-Length` or the bytes read show it. Streams are bounded
    /// per event instead (`maxEventSize` of the stream options).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_response_size: Option<u64>,
    /// Send an `x-request-id` header in a browser too (server runtimes always send one). Off by default: the
    /// backend's CORS `allow_headers` does not list `X-Request-Id`, so browsers would fail the preflight of
    /// every call; turn it on only when the backend's allow-list includes it.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub send_request_id: Option<bool>,
    /// The Supabase project URL for the data API (default: the configuration rules,
    /// `NEXT_PUBLIC_SUPABASE_URL` in a browser, `SUPABASE_URL` ‖ `NEXT_PUBLIC_SUPABASE_URL` on a server).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub supabase_url: Option<String>,
    /// The Supabase **public** key for the data API (anon JWT or `sb_publishable_…`; default: the
    /// configuration rules' public key, never the service-role key). A secret key is refused in a browser.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub supabase_key: Option<Secret>,
    /// Headers added to every request (e.g. `traceparent`). In a browser, only headers the backend's CORS
    /// allows are accepted (see `BACKEND_CORS_HEADERS`); others are an `invalid_request` error.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Record<string, string>"))]
    pub headers: Option<BTreeMap<String, String>>,
}

impl ClientOptions {
    /// The environment these options name: `env` when given (empty values dropped), else the process
    /// environment (nothing in a browser).
    pub fn resolved_env(&self) -> Env {
        match &self.env {
            Some(map) => Env::from_map(map.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?)))),
            None => Env::from_process(),
        }
    }

    /// The runtime: `runtime` when given, else detected.
    pub fn resolved_runtime(&self) -> Runtime {
        self.runtime.unwrap_or_else(Runtime::detect)
    }

    /// The credentials by the one precedence (module docs): explicit ones (`access_token`, `api_key`,
    /// `provider`; at most one), else — when `from_env` and in a server runtime — `HELIUM_API_KEY`, then
    /// `HELIUM_ACCESS_TOKEN` from `env`.
    ///
    /// # Errors
    /// `invalid_request` (`invalid_options`) for more than one explicit credential; `config`
    /// (`invalid_api_key`, naming the option or variable) for an API key of the wrong form.
    pub fn credentials(
        &self,
        provider: Option<Arc<dyn TokenProvider>>,
        from_env: bool,
        runtime: Runtime,
        env: &Env,
    ) -> Result<Credentials, Error> {
        let explicit = [
            self.access_token.is_some(),
            self.api_key.is_some(),
            provider.is_some(),
        ];
        if explicit.iter().filter(|set| **set).count() > 1 {
            return Err(Error::invalid_options(
                "credentials",
                "give one of accessToken, apiKey or a token provider (getAccessToken), not several",
            ));
        }
        if let Some(token) = &self.access_token {
            return Ok(Credentials::Bearer(token.clone()));
        }
        if let Some(key) = &self.api_key {
            return Credentials::api_key_from(key.expose_secret().to_owned(), Some("apiKey"));
        }
        if let Some(provider) = provider {
            return Ok(Credentials::Provider(provider));
        }
        if from_env && runtime == Runtime::Server {
            if let Some(key) = env.get(HELIUM_API_KEY) {
                return Credentials::api_key_from(key.to_owned(), Some(HELIUM_API_KEY));
            }
            if let Some(token) = env.get(HELIUM_ACCESS_TOKEN) {
                return Ok(Credentials::bearer(token.trim()));
            }
        }
        Ok(Credentials::None)
    }

    /// The admin key (module docs): `admin_api_key`, else — when `from_env` and in a server runtime —
    /// `KORTIX_ADMIN_API_KEY` from `env`.
    ///
    /// # Errors
    /// `config` (`secret_key_in_client`) for an admin key in a client runtime, given explicitly or found in the
    /// environment `from_env` reads.
    pub fn admin_key(&self, from_env: bool, runtime: Runtime, env: &Env) -> Result<Option<Secret>, Error> {
        let refused = |variable: &'static str| -> Error {
            crate::error::ConfigError::SecretKeyInClient {
                variable,
                kind: "server-only admin API",
            }
            .into()
        };
        if let Some(key) = &self.admin_api_key {
            if runtime == Runtime::Client {
                return Err(refused("adminApiKey"));
            }
            return Ok(Some(Secret::new(key.expose_secret().trim())));
        }
        if !from_env {
            return Ok(None);
        }
        match env.get(KORTIX_ADMIN_API_KEY) {
            Some(_) if runtime == Runtime::Client => Err(refused(KORTIX_ADMIN_API_KEY)),
            Some(key) => Ok(Some(Secret::new(key.trim()))),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_map(pairs.iter().copied())
    }

    fn kind(c: &Credentials) -> &'static str {
        match c {
            Credentials::None => "none",
            Credentials::Bearer(_) => "bearer",
            Credentials::Provider(_) => "provider",
            Credentials::ApiKey(_) => "api_key",
            Credentials::PublicApiKey(_) => "public_api_key",
        }
    }

    #[test]
    fn one_credential_precedence() {
        let both = env(&[(HELIUM_API_KEY, "pk_abc:sk_def"), (HELIUM_ACCESS_TOKEN, "tok")]);
        let token_only = env(&[(HELIUM_ACCESS_TOKEN, "tok")]);
        let none = ClientOptions::default();
        let s = Runtime::Server;
        // The environment: API key over token, on a server, only when asked to read it.
        assert_eq!(kind(&none.credentials(None, true, s, &both).unwrap()), "api_key");
        assert_eq!(
            kind(&none.credentials(None, true, s, &token_only).unwrap()),
            "bearer"
        );
        assert_eq!(kind(&none.credentials(None, false, s, &both).unwrap()), "none");
        assert_eq!(
            kind(&none.credentials(None, true, Runtime::Client, &both).unwrap()),
            "none"
        );
        // Explicit credentials win over the environment.
        let explicit = ClientOptions {
            access_token: Some(Secret::new("t")),
            ..ClientOptions::default()
        };
        assert_eq!(
            kind(&explicit.credentials(None, true, s, &both).unwrap()),
            "bearer"
        );
        // Two explicit credentials are an error, not a guess.
        let two = ClientOptions {
            api_key: Some(Secret::new("pk_abc:sk_def")),
            ..explicit.clone()
        };
        let err = two.credentials(None, false, s, &both).unwrap_err();
        assert_eq!(err.code(), Some("invalid_options"));
        let provider: Arc<dyn TokenProvider> = Arc::new(|| async { Ok::<_, Error>("p".to_owned()) });
        assert!(explicit.credentials(Some(provider), false, s, &both).is_err());
        // A he- key is recognised by its form, from the option and from the environment.
        let he = format!("he-{}", "k".repeat(36));
        let public = ClientOptions {
            api_key: Some(Secret::new(he.clone())),
            ..ClientOptions::default()
        };
        assert_eq!(
            kind(&public.credentials(None, false, s, &both).unwrap()),
            "public_api_key"
        );
        let he_env = env(&[(HELIUM_API_KEY, he.as_str()), (HELIUM_ACCESS_TOKEN, "tok")]);
        assert_eq!(
            kind(&none.credentials(None, true, s, &he_env).unwrap()),
            "public_api_key"
        );
        // A malformed key names where it came from and never shows the value.
        let bad = env(&[(HELIUM_API_KEY, "he_1234")]);
        let err = none.credentials(None, true, s, &bad).unwrap_err();
        assert_eq!(err.as_config().and_then(|c| c.variable()), Some(HELIUM_API_KEY));
        assert!(
            err.to_string().contains(HELIUM_API_KEY) && !err.to_string().contains("he_1234"),
            "{err}"
        );
    }

    #[test]
    fn admin_key_is_its_own_slot_and_server_only() {
        let s = Runtime::Server;
        let c = Runtime::Client;
        let admin_env = env(&[
            (KORTIX_ADMIN_API_KEY, "adm-secret-1"),
            (HELIUM_ACCESS_TOKEN, "tok"),
        ]);
        let none = ClientOptions::default();
        // From the environment on a server, besides the user's credentials; not read unless asked to.
        let key = none.admin_key(true, s, &admin_env).unwrap().unwrap();
        assert_eq!(key.expose_secret(), "adm-secret-1");
        assert_eq!(
            kind(&none.credentials(None, true, s, &admin_env).unwrap()),
            "bearer"
        );
        assert!(none.admin_key(false, s, &admin_env).unwrap().is_none());
        // The explicit option wins over the environment.
        let explicit = ClientOptions {
            admin_api_key: Some(Secret::new("adm-explicit")),
            access_token: Some(Secret::new("t")),
            ..ClientOptions::default()
        };
        let key = explicit.admin_key(true, s, &admin_env).unwrap().unwrap();
        assert_eq!(key.expose_secret(), "adm-explicit");
        // Refused in a client runtime, given or found, naming where it came from and never the value.
        for (options, variable) in [(&explicit, "adminApiKey"), (&none, KORTIX_ADMIN_API_KEY)] {
            let err = options.admin_key(true, c, &admin_env).unwrap_err();
            assert_eq!(err.code(), Some("secret_key_in_client"));
            assert_eq!(err.as_config().and_then(|e| e.variable()), Some(variable));
            let text = err.to_string();
            assert!(!text.contains("adm-"), "{text}");
        }
        assert!(!format!("{explicit:?}").contains("adm-explicit"));
    }

    #[test]
    fn options_decode_camel_case_and_refuse_unknown_names() {
        let o: ClientOptions = serde_json::from_str(
            r#"{"baseUrl":"http://x","accessToken":"t","timeoutMs":5,"env":{"A":null}}"#,
        )
        .unwrap();
        assert_eq!(o.base_url.as_deref(), Some("http://x"));
        assert_eq!(o.timeout_ms, Some(5));
        assert!(!format!("{o:?}").contains("\"t\""));
        assert!(serde_json::from_str::<ClientOptions>(r#"{"acessToken":"t"}"#).is_err());
    }
}
