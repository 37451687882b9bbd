//! HS256 JWTs of the dev Supabase project: minted for tests (access tokens, the anon and service-role keys) and
//! verified by the PostgREST routes (`/rest/v1`), which, unlike the backend, check the signature and `exp`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The dev project's JWT secret unless `DevServerOptions::jwt_secret` sets another. It is public: the dev
/// backend holds no real data.
pub const DEFAULT_JWT_SECRET: &str = "helium-devserver-dev-jwt-secret-not-a-real-secret";

/// `iat` of the keys and sample tokens (fixed, so that they are stable across restarts).
const IAT: u64 = 1_758_790_000;
/// `exp` of the keys and sample tokens (2100-01-01).
pub const FAR_EXP: u64 = 4_102_444_800;

fn hmac(secret: &str, input: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Sign `claims` with HS256.
pub fn sign(claims: &Value, secret: &str) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = URL_SAFE_NO_PAD.encode(hmac(secret, &signing_input));
    format!("{signing_input}.{sig}")
}

/// A Supabase-like access token for `sub` (role `authenticated`).
pub fn access_token(sub: &str, secret: &str) -> String {
    sign(
        &json!({
            "iss": "helium-devserver/auth/v1",
            "sub": sub,
            "aud": "authenticated",
            "role": "authenticated",
            "email": "dev@helium.local",
            "iat": IAT,
            "exp": FAR_EXP,
        }),
        secret,
    )
}

/// A project API key (`anon` or `service_role`), shaped like Supabase's.
pub fn project_key(role: &str, secret: &str) -> String {
    sign(
        &json!({"iss": "supabase", "ref": "helium-dev", "role": role, "iat": IAT, "exp": FAR_EXP}),
        secret,
    )
}

/// Why PostgREST refuses a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// `PGRST301` with this message (undecodable token or bad signature).
    Invalid(String),
    /// `PGRST303` `JWT expired`.
    Expired,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Verify an HS256 token and its `exp`; the claims on success.
pub fn verify(token: &str, secret: &str) -> Result<Value, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Invalid(format!(
            "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got {})",
            parts.len()
        )));
    }
    let decode = |seg: &str| {
        URL_SAFE_NO_PAD
            .decode(seg.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .filter(Value::is_object)
    };
    let (Some(header), Some(claims)) = (
        parts.first().and_then(|s| decode(s)),
        parts.get(1).and_then(|s| decode(s)),
    ) else {
        return Err(JwtError::Invalid(
            "JWSError (CompactDecodeError Invalid Base64 or JSON)".to_owned(),
        ));
    };
    let sig_ok = header.get("alg").and_then(Value::as_str) == Some("HS256")
        && parts.get(2).is_some_and(|sig| {
            let signing_input = format!("{}.{}", parts[0], parts[1]);
            URL_SAFE_NO_PAD
                .decode(sig.trim_end_matches('='))
                .is_ok_and(|s| s == hmac(secret, &signing_input))
        });
    if !sig_ok {
        return Err(JwtError::Invalid("JWSError JWSInvalidSignature".to_owned()));
    }
    if let Some(exp) = claims.get("exp") {
        let Some(exp) = exp.as_f64() else {
            return Err(JwtError::Invalid(
                "JWSError (JSONDecodeError \"exp\" is not a NumericDate)".to_owned(),
            ));
        };
        #[allow(clippy::cast_precision_loss)]
        if exp <= now_secs() as f64 {
            return Err(JwtError::Expired);
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_failures() {
        let t = access_token("u-1", "s");
        assert_eq!(verify(&t, "s").unwrap()["sub"], "u-1");
        assert_eq!(
            verify(&t, "other").unwrap_err(),
            JwtError::Invalid("JWSError JWSInvalidSignature".to_owned())
        );
        assert!(matches!(verify("abc", "s"), Err(JwtError::Invalid(m)) if m.contains("got 1")));
        let expired = sign(&json!({"sub": "u", "exp": 1}), "s");
        assert_eq!(verify(&expired, "s").unwrap_err(), JwtError::Expired);
        let no_exp = sign(&json!({"role": "anon"}), "s");
        assert!(verify(&no_exp, "s").is_ok());
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode("{}")
        );
        assert!(verify(&unsigned, "s").is_err());
        assert_eq!(verify(&project_key("anon", "s"), "s").unwrap()["role"], "anon");
    }
}
