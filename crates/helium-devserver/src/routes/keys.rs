//! API keys (§5.8): create, list, revoke, delete.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::auth::{self, hash_secret};
use crate::errors::{ApiError, ApiResult, ok};
use crate::state::{ApiKey, AppState, new_id};
use crate::timefmt;
use crate::validation::{json_body, require_object};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(crate) fn random_alnum(n: usize) -> String {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < n
                && let Some(c) = ALNUM.get(usize::from(*b) % ALNUM.len())
            {
                out.push(char::from(*c));
            }
        }
    }
    out
}

fn key_json(k: &ApiKey) -> Value {
    json!({
        "key_id": k.key_id, "public_key": k.public_key, "title": k.title,
        "description": k.description, "status": k.status(),
        "expires_at": k.expires_at.map(timefmt::iso_z), "last_used_at": k.last_used_at,
        "created_at": k.created_at,
    })
}

/// `POST /api/api-keys` `{title (1..255), description?, expires_in_days? (1..365)}`.
pub async fn create(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let value = json_body(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let obj = require_object(value)?;
    let mut errors = Vec::new();
    let title = match obj.get("title") {
        None => {
            errors.push(crate::errors::missing_entry(&["body", "title"]));
            None
        }
        Some(Value::String(s)) if s.chars().count() < 1 => {
            errors.push(json!({"type": "string_too_short", "loc": ["body", "title"], "msg": "String should have at least 1 character", "input": s, "ctx": {"min_length": 1}}));
            None
        }
        Some(Value::String(s)) if s.chars().count() > 255 => {
            errors.push(json!({"type": "string_too_long", "loc": ["body", "title"], "msg": "String should have at most 255 characters", "input": s, "ctx": {"max_length": 255}}));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            errors.push(json!({"type": "string_type", "loc": ["body", "title"], "msg": "Input should be a valid string", "input": other}));
            None
        }
    };
    let description = match obj.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            errors.push(json!({"type": "string_type", "loc": ["body", "description"], "msg": "Input should be a valid string", "input": other}));
            None
        }
    };
    let expires_in_days = match obj.get("expires_in_days") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(d) if d < 1 => {
                errors.push(json!({"type": "greater_than_equal", "loc": ["body", "expires_in_days"], "msg": "Input should be greater than or equal to 1", "input": v, "ctx": {"ge": 1}}));
                None
            }
            Some(d) if d > 365 => {
                errors.push(json!({"type": "less_than_equal", "loc": ["body", "expires_in_days"], "msg": "Input should be less than or equal to 365", "input": v, "ctx": {"le": 365}}));
                None
            }
            Some(d) => Some(d.unsigned_abs()),
            None => {
                errors.push(json!({"type": "int_type", "loc": ["body", "expires_in_days"], "msg": "Input should be a valid integer", "input": v}));
                None
            }
        },
    };
    let Some(title) = title.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let public_key = format!("pk_{}", random_alnum(32));
    let secret_key = format!("sk_{}", random_alnum(32));
    let now = SystemTime::now();
    let key = ApiKey {
        key_id: new_id(),
        public_key: public_key.clone(),
        secret_hash: hash_secret(&app.config.api_key_secret, &secret_key),
        title,
        description,
        revoked: false,
        expires_at: expires_in_days.map(|d| now + Duration::from_secs(d * 86_400)),
        last_used_at: None,
        created_at: timefmt::iso_z(now),
        account_id: user,
    };
    let body = json!({
        "key_id": key.key_id, "public_key": public_key, "secret_key": secret_key,
        "title": key.title, "description": key.description, "status": "active",
        "expires_at": key.expires_at.map(timefmt::iso_z), "created_at": key.created_at,
    });
    app.lock().api_keys.push(key);
    Ok(ok(body))
}

/// `GET /api/api-keys`: the caller's keys, newest first.
pub async fn list(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let store = app.lock();
    let keys: Vec<Value> = store
        .api_keys
        .iter()
        .rev()
        .filter(|k| k.account_id == user)
        .map(key_json)
        .collect();
    Ok(ok(Value::Array(keys)))
}

/// `PATCH /api/api-keys/{key_id}/revoke`.
pub async fn revoke(
    State(app): State<Arc<AppState>>,
    Path(key_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    let key = store
        .api_keys
        .iter_mut()
        .find(|k| k.key_id == key_id && k.account_id == user)
        .ok_or_else(|| ApiError::not_found("API key not found"))?;
    key.revoked = true;
    Ok(ok(json!({"message": "API key revoked successfully"})))
}

/// `DELETE /api/api-keys/{key_id}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(key_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    let before = store.api_keys.len();
    store
        .api_keys
        .retain(|k| !(k.key_id == key_id && k.account_id == user));
    if store.api_keys.len() == before {
        return Err(ApiError::not_found("API key not found"));
    }
    Ok(ok(json!({"message": "API key deleted successfully"})))
}
