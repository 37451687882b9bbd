//! Credentials: a bearer access token, an async token provider, a `pk_…:sk_…` API key, a `he-…` public API v1
//! key, or none; the admin key; and redaction of anything that looks like a secret.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::error::{AuthCause, ConfigError, Error};
use crate::platform::{BoxFuture, MaybeSend, MaybeSendSync};

/// A string that must not be printed: `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for putting it in a header. Do not log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Supplies a fresh access token per request (e.g. from a Supabase session that refreshes itself). A closure
/// `|| async { Ok(token) }` is one; report a failure with [`Error::token_provider`].
pub trait TokenProvider: MaybeSendSync {
    /// The current access token.
    fn access_token(&self) -> BoxFuture<'_, Result<String, Error>>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + MaybeSendSync,
    Fut: Future<Output = Result<String, Error>> + MaybeSend + 'static,
{
    fn access_token(&self) -> BoxFuture<'_, Result<String, Error>> {
        Box::pin(self())
    }
}

/// How requests authenticate.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials (health checks, public sandboxes).
    #[default]
    None,
    /// `Authorization: Bearer <Supabase access token>`.
    Bearer(Secret),
    /// A provider asked for a token before every request.
    Provider(Arc<dyn TokenProvider>),
    /// `X-API-Key: pk_…:sk_…`: the backend's own API key, for the internal routes.
    ApiKey(Secret),
    /// `X-API-Key: he-…`: a public API v1 key (contract §8), valid on `/v1/public/*` only (`client.public_v1()`).
    PublicApiKey(Secret),
}

/// What the public API v1's keys look like: `he-` and alphanumerics (the documentation shows 36 of them).
pub(crate) fn is_public_api_key(key: &str) -> bool {
    key.strip_prefix("he-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// What the backend's own API keys look like: `pk_…:sk_…`.
fn is_backend_api_key(key: &str) -> bool {
    key.split_once(':')
        .is_some_and(|(p, s)| p.len() > 3 && p.starts_with("pk_") && s.len() > 3 && s.starts_with("sk_"))
}

impl Credentials {
    /// A bearer access token.
    pub fn bearer(token: impl Into<String>) -> Credentials {
        Credentials::Bearer(Secret::new(token))
    }

    /// An API key, recognised by its form: `pk_…:sk_…` (as shown once by `POST /api-keys`; the internal
    /// routes) or `he-…` (a public API v1 key; `client.public_v1()` only).
    ///
    /// # Errors
    /// [`ConfigError::InvalidApiKey`] when it is of neither form.
    pub fn api_key(key: impl Into<String>) -> Result<Credentials, Error> {
        Credentials::api_key_from(key.into(), None)
    }

    /// As [`Credentials::api_key`], naming the variable the key was read from in the error.
    pub(crate) fn api_key_from(key: String, variable: Option<&'static str>) -> Result<Credentials, Error> {
        let key = key.trim().to_owned();
        if is_public_api_key(&key) {
            return Ok(Credentials::PublicApiKey(Secret::new(key)));
        }
        if !is_backend_api_key(&key) {
            return Err(ConfigError::InvalidApiKey {
                variable,
                expected: "pk_…:sk_… (public and secret key joined by a colon) or he-… (a public API v1 key)",
            }
            .into());
        }
        Ok(Credentials::ApiKey(Secret::new(key)))
    }

    /// A public API v1 key (`he-` and alphanumerics), sent as `X-API-Key` on `/v1/public/*` calls.
    ///
    /// # Errors
    /// [`ConfigError::InvalidApiKey`] when it is not of that form.
    pub fn public_api_key(key: impl Into<String>) -> Result<Credentials, Error> {
        let key = key.into().trim().to_owned();
        if !is_public_api_key(&key) {
            return Err(ConfigError::InvalidApiKey {
                variable: None,
                expected: "he- followed by letters and digits",
            }
            .into());
        }
        Ok(Credentials::PublicApiKey(Secret::new(key)))
    }

    /// A token provider.
    pub fn provider(provider: impl TokenProvider + 'static) -> Credentials {
        Credentials::Provider(Arc::new(provider))
    }

    /// True when there are no credentials.
    pub fn is_none(&self) -> bool {
        matches!(self, Credentials::None)
    }

    /// The user's access token (a bearer token or the provider's), for calls that act as the signed-in user
    /// (the Supabase data API); `None` for API keys and no credentials.
    pub(crate) async fn access_token(&self) -> Result<Option<String>, Error> {
        match self {
            Credentials::Bearer(t) => Ok(Some(t.expose_secret().to_owned())),
            Credentials::Provider(p) => {
                let token = p.access_token().await?;
                if token.is_empty() {
                    return Err(Error::auth(AuthCause::EmptyToken));
                }
                Ok(Some(token))
            }
            Credentials::None | Credentials::ApiKey(_) | Credentials::PublicApiKey(_) => Ok(None),
        }
    }

    /// True for a public API v1 key (`he-…`).
    pub(crate) fn is_public_api_key(&self) -> bool {
        matches!(self, Credentials::PublicApiKey(_))
    }

    /// True for a backend API key (`pk_…:sk_…`).
    pub(crate) fn is_backend_api_key(&self) -> bool {
        matches!(self, Credentials::ApiKey(_))
    }

    /// The header to send, if any.
    pub(crate) async fn header(&self) -> Result<Option<(&'static str, String)>, Error> {
        Ok(match self {
            Credentials::None => None,
            Credentials::Bearer(t) => Some(("authorization", format!("Bearer {}", t.expose_secret()))),
            Credentials::ApiKey(k) | Credentials::PublicApiKey(k) => {
                Some(("x-api-key", k.expose_secret().to_owned()))
            }
            Credentials::Provider(p) => {
                let token = p.access_token().await?;
                if token.is_empty() {
                    return Err(Error::auth(AuthCause::EmptyToken));
                }
                Some(("authorization", format!("Bearer {token}")))
            }
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Credentials::None => "Credentials::None",
            Credentials::Bearer(_) => "Credentials::Bearer([redacted])",
            Credentials::Provider(_) => "Credentials::Provider(..)",
            Credentials::ApiKey(_) => "Credentials::ApiKey([redacted])",
            Credentials::PublicApiKey(_) => "Credentials::PublicApiKey([redacted])",
        })
    }
}

/// The `sub` claim of a JWT access token, decoded without verifying the signature (as the backend does,
/// contract §4.1): the user the token belongs to.
pub(crate) fn token_subject(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("sub")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Replaces anything in `text` that looks like a credential with `[redacted]`: JWTs (`eyJ….…`), API secret
/// keys (`sk_…`, `pk_…:sk_…`), public API v1 keys (`he-…`), Supabase secret keys (`sb_secret_…`) and the word
/// after `Bearer`. The whole word holding one is replaced, also when the credential is glued to other text
/// (`token=eyJ…`, `key:sk_…`, a JWT after letters).
pub fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut after_bearer = false;
    let is_word = is_word_char;
    let flush = |word: &mut String, out: &mut String, after_bearer: &mut bool| {
        if word.is_empty() {
            return;
        }
        let secret = *after_bearer || looks_secret(word);
        *after_bearer = word.eq_ignore_ascii_case("bearer");
        out.push_str(if secret { "[redacted]" } else { word });
        word.clear();
    };
    for c in text.chars() {
        if is_word(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut after_bearer);
            if !c.is_whitespace() {
                after_bearer = false;
            }
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut after_bearer);
    out
}

/// The characters of the words [`redact_secrets`] looks at: ASCII letters and digits and `_-.:=+/`.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '=' | '+' | '/')
}

/// Whether a word (ASCII letters, digits and `_-.:=+/`) holds a credential anywhere in it. Linear in the word's
/// length.
fn looks_secret(word: &str) -> bool {
    let bytes = word.as_bytes();
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    // A JWT: a base64url run holding `eyJ` (`{"`) at least 10 characters before its end, followed by a dot.
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && base64url(bytes[i]) {
            i += 1;
        }
        let run = &bytes[start..i];
        if bytes.get(i) == Some(&b'.')
            && let Some(p) = run.windows(3).position(|w| w == b"eyJ")
            && run.len() - p >= 10
        {
            return true;
        }
        i += 1;
    }
    // Keys, where a word starts or after a separator (`key=sk_…`, `a:sk_…`; not `task_id`).
    (0..bytes.len()).any(|i| {
        if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            return false;
        }
        let rest = &bytes[i..];
        rest.starts_with(b"sk_")
            || rest.starts_with(b"sb_secret_")
            || rest.strip_prefix(b"he-").is_some_and(|key| {
                let alnum = key.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                alnum + 3 > 10
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        let text = format!(
            r#"{{"secret_key": "sk_abc123", "key": "pk_a1:sk_b2", "t": "{jwt}", "s": "sb_secret_x9"}} Authorization: Bearer opaque-token-1 ok"#
        );
        let red = redact_secrets(&text);
        for leaked in ["sk_abc123", "pk_a1:sk_b2", jwt, "sb_secret_x9", "opaque-token-1"] {
            assert!(!red.contains(leaked), "{leaked} in {red}");
        }
        assert!(red.contains(r#""secret_key": "[redacted]""#), "{red}");
        assert!(red.ends_with("[redacted] ok"), "{red}");
        assert_eq!(redact_secrets("Agent run not found"), "Agent run not found");
        assert_eq!(redact_secrets("pk_public_only é"), "pk_public_only é");
        let he = format!("he-{}", "a1B2".repeat(9));
        assert_eq!(
            redact_secrets(&format!("key {he} rejected")),
            "key [redacted] rejected"
        );
        assert_eq!(redact_secrets("he-llo world"), "he-llo world");
    }

    #[test]
    fn redacts_credentials_glued_to_other_text() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let he = format!("he-{}", "a1B2".repeat(9));
        for text in [
            format!("Agent{jwt} run not found"),
            format!("GET /stream?token={jwt}&x=1"),
            jwt.to_owned(),
            "key=sk_live_123 and secret:sb_secret_abc".to_owned(),
            format!("api_key={he}"),
            // Cut after its first segment and a dot, as an excerpt may cut it.
            "token=eyJhbGciOiJIUzI1NiJ9.eyJzdW".to_owned(),
        ] {
            let red = redact_secrets(&text);
            for part in [
                "eyJzdWIiOiJmdXp6In0",
                "c2lnbmF0dXJl",
                "sk_live_123",
                "sb_secret_abc",
                &he,
                "eyJzdW",
            ] {
                assert!(!red.contains(part), "{part} in {red}");
            }
            assert!(red.contains("[redacted]"), "{red}");
        }
        // Long words are scanned once (a quadratic scan would not finish this in any reasonable time).
        let long = format!("{}x{}.y", "he-eyJ".repeat(200_000), "a".repeat(200_000));
        assert_eq!(redact_secrets(&long), "[redacted]");
        let plain = "a".repeat(1 << 20);
        assert_eq!(redact_secrets(&plain), plain);
        // Ordinary words that merely contain the prefixes stay.
        for text in [
            "task_id mask_value",
            "keyJust.now",
            "the-he-llo",
            "eyJust.x",
            "Agent run not found",
        ] {
            assert_eq!(redact_secrets(text), text);
        }
    }

    #[test]
    fn token_subjects() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let token = format!(
            "{}.{}.sig",
            b64("{}"),
            b64(r#"{"sub":"user-1","role":"authenticated"}"#)
        );
        assert_eq!(token_subject(&token).as_deref(), Some("user-1"));
        assert_eq!(token_subject(&format!("h.{}.s", b64(r#"{"role":"anon"}"#))), None);
        for bad in ["", "a", "a.b", "a.!!!.c", &format!("h.{}.s", b64("not json"))] {
            assert_eq!(token_subject(bad), None, "{bad}");
        }
    }

    #[test]
    fn api_key_format_is_checked_and_never_printed() {
        assert!(Credentials::api_key("pk_abc:sk_def").is_ok());
        // A he- key is recognised by its form, by the same entry point.
        let he = format!("he-{}", "x".repeat(36));
        assert!(matches!(
            Credentials::api_key(&he).unwrap(),
            Credentials::PublicApiKey(_)
        ));
        assert!(matches!(
            Credentials::public_api_key(&he).unwrap(),
            Credentials::PublicApiKey(_)
        ));
        assert!(Credentials::public_api_key("pk_abc:sk_def").is_err());
        assert!(!format!("{:?}", Credentials::api_key(&he).unwrap()).contains(&he));
        for bad in ["he-", "he-ab_c", "pk_abc", "pk_:sk_", "sk_def:pk_abc", ""] {
            assert_eq!(
                Credentials::api_key(bad)
                    .unwrap_err()
                    .as_config()
                    .map(ConfigError::code),
                Some("invalid_api_key")
            );
        }
        let c = Credentials::api_key("pk_abc:sk_def").unwrap();
        assert!(!format!("{c:?}").contains("sk_def"));
        assert_eq!(
            format!("{:?} {}", Secret::new("tok"), Secret::new("tok")),
            "[redacted] [redacted]"
        );
    }
}
