//! Authentication like `P:backend/utils/auth_utils.py`: `X-API-Key pk_…:sk_…` first, then an
//! unverified `Authorization: Bearer <jwt>`, then (stream only) `?token=`.

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::timefmt;

/// The fixtures' user id; the sample token carries it as `sub`.
pub const SAMPLE_USER_ID: &str = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";

/// A JWT (`header.payload.signature`) with the given `sub`, shaped like a Supabase access token and signed with
/// the dev project's secret (HS256). The backend routes never check the signature; `/rest/v1` does.
pub fn token_for(sub: &str, secret: &str) -> String {
    crate::jwt::access_token(sub, secret)
}

/// Python's lenient `base64.urlsafe_b64decode` (characters outside the alphabet are dropped,
/// padding is optional, trailing bits are ignored).
fn b64url_decode_lenient(segment: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let cleaned: String = segment
        .chars()
        .filter_map(|c| match c {
            '+' => Some('-'),
            '/' => Some('_'),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect();
    LENIENT.decode(cleaned).ok()
}

/// Decode a JWT without verifying it, returning PyJWT's error message on failure.
pub fn decode_jwt_unverified(token: &str) -> Result<Value, String> {
    let Some((signing_input, crypto)) = token.rsplit_once('.') else {
        return Err("Not enough segments".to_owned());
    };
    let Some((header_seg, payload_seg)) = signing_input.split_once('.') else {
        return Err("Not enough segments".to_owned());
    };
    let header_bytes = b64url_decode_lenient(header_seg).ok_or("Invalid header padding")?;
    let header: Value = serde_json::from_slice(&header_bytes)
        .map_err(|e| format!("Invalid header string: {}", python_json_error(&e)))?;
    if !header.is_object() {
        return Err("Invalid header string: must be a json object".to_owned());
    }
    let payload_bytes = b64url_decode_lenient(payload_seg).ok_or("Invalid payload padding")?;
    b64url_decode_lenient(crypto).ok_or("Invalid crypto padding")?;
    let payload: Value = serde_json::from_slice(&payload_bytes)
        .map_err(|e| format!("Invalid payload string: {}", python_json_error(&e)))?;
    if !payload.is_object() {
        return Err("Invalid payload string: must be a json object".to_owned());
    }
    Ok(payload)
}

/// A Python-`json`-like message for a decode error (`Expecting value: line 1 column 1 (char 0)`).
fn python_json_error(e: &serde_json::Error) -> String {
    let what = if e.is_eof() {
        "Expecting value"
    } else {
        match e.classify() {
            serde_json::error::Category::Syntax => "Expecting value",
            _ => "Invalid control character",
        }
    };
    let col = e.column().saturating_sub(1);
    format!("{what}: line {} column {} (char {col})", e.line(), col + 1)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn sub_from_payload(payload: &Value) -> Result<String, ApiError> {
    let sub = match payload.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) if n.as_f64() != Some(0.0) => n.to_string(),
        Some(Value::Bool(true)) => "True".to_owned(),
        _ => None.ok_or_else(|| ApiError::unauthorized("Invalid token payload - missing user ID"))?,
    };
    Ok(sub)
}

fn user_from_jwt(token: &str) -> Result<String, ApiError> {
    let payload = decode_jwt_unverified(token)
        .map_err(|msg| ApiError::unauthorized(format!("Invalid token: {msg}")))?;
    sub_from_payload(&payload)
}

/// HMAC-SHA256 of an API-key secret, hex encoded.
pub fn hash_secret(key: &str, secret: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(secret.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_key_part(part: &str, prefix: &str) -> bool {
    part.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 32 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn user_from_api_key(state: &AppState, value: &str) -> Result<String, ApiError> {
    let Some((public, secret)) = value.split_once(':') else {
        return Err(ApiError::unauthorized(
            "Invalid API key format. Expected format: pk_xxx:sk_xxx",
        ));
    };
    let invalid = |reason: &str| ApiError::unauthorized(format!("Invalid API key: {reason}"));
    if !valid_key_part(public, "pk_") || !valid_key_part(secret, "sk_") {
        return Err(invalid("Invalid API key format"));
    }
    let mut store = state.lock();
    let Some(key) = store.api_keys.iter_mut().find(|k| k.public_key == public) else {
        return Err(invalid("API key not found"));
    };
    match key.status() {
        "revoked" => return Err(invalid("API key is revoked")),
        "expired" => return Err(invalid("API key expired")),
        _ => {}
    }
    if key.secret_hash != hash_secret(&state.config.api_key_secret, secret) {
        return Err(invalid("Invalid secret key"));
    }
    key.last_used_at = Some(timefmt::now_iso());
    Ok(key.account_id.clone())
}

/// `get_current_user_id_from_jwt`: API key, else Bearer JWT.
pub fn require_user(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(key) = header_str(headers, "x-api-key") {
        return user_from_api_key(state, key);
    }
    match header_str(headers, "authorization").and_then(|v| v.strip_prefix("Bearer ")) {
        Some(token) => user_from_jwt(token),
        None => Err(ApiError::unauthorized(
            "No valid authentication credentials found",
        )),
    }
}

/// `get_user_id_from_stream_auth`: headers first, then `?token=`.
pub fn require_stream_user(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<String, ApiError> {
    let has_header_auth = headers.contains_key("x-api-key")
        || header_str(headers, "authorization").is_some_and(|v| v.starts_with("Bearer "));
    if has_header_auth {
        return require_user(state, headers);
    }
    match token {
        Some(t) if !t.is_empty() => user_from_jwt(t),
        _ => Err(ApiError::unauthorized(
            "No valid authentication credentials found",
        )),
    }
}

/// `get_optional_user_id`: only the Bearer header; anything bad gives `None`.
pub fn optional_user(headers: &HeaderMap) -> Option<String> {
    let token = header_str(headers, "authorization")?.strip_prefix("Bearer ")?;
    user_from_jwt(token).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn sample_token_round_trips() {
        let t = token_for(SAMPLE_USER_ID, "secret");
        assert_eq!(t.split('.').count(), 3);
        let payload = decode_jwt_unverified(&t).unwrap();
        assert_eq!(payload["sub"], SAMPLE_USER_ID);
    }

    #[test]
    fn pyjwt_error_messages() {
        assert_eq!(
            decode_jwt_unverified("garbage").unwrap_err(),
            "Not enough segments"
        );
        assert_eq!(decode_jwt_unverified("a.b").unwrap_err(), "Not enough segments");
        assert!(
            decode_jwt_unverified("a.b.c")
                .unwrap_err()
                .starts_with("Invalid header")
        );
        let no_sub = format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"role":"x"}"#)
        );
        let err = user_from_jwt(&no_sub).unwrap_err();
        assert_eq!(err.detail, "Invalid token payload - missing user ID");
    }

    #[test]
    fn hmac_is_stable() {
        assert_eq!(hash_secret("k", "s"), hash_secret("k", "s"));
        assert_ne!(hash_secret("k", "s"), hash_secret("k", "t"));
        assert_eq!(hash_secret("k", "s").len(), 64);
    }
}
