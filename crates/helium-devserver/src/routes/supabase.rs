//! Minimal Supabase endpoints (outside `/api`) so a `doctor` command can probe a "Supabase URL".

use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::errors::{json_response, ok};

fn looks_like_jwt(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    parts.len() == 3
        && parts.iter().take(2).all(|p| !p.is_empty())
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
        })
}

/// Check the `apikey` header (or `?apikey=`): a JWT-shaped value, `sb_publishable_…` or `sb_secret_…`.
fn check_apikey(headers: &HeaderMap, query: Option<&str>) -> Result<(), Box<Response>> {
    let from_query = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "apikey")
            .map(|(_, v)| v.into_owned())
    });
    let key = headers
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(from_query);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(Box::new(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"message": "No API key found in request", "hint": "No `apikey` request header or url param was found."}),
        )));
    };
    let valid = looks_like_jwt(&key)
        || key.strip_prefix("sb_publishable_").is_some_and(|r| !r.is_empty())
        || key.strip_prefix("sb_secret_").is_some_and(|r| !r.is_empty());
    if valid {
        Ok(())
    } else {
        Err(Box::new(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"message": "Invalid API key", "hint": "Double check your Supabase `anon` or `service_role` API key."}),
        )))
    }
}

/// `GET /rest/v1/`: a tiny PostgREST OpenAPI root.
pub async fn rest_root(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if let Err(resp) = check_apikey(&headers, query.as_deref()) {
        return *resp;
    }
    ok(json!({
        "swagger": "2.0",
        "info": {
            "description": "helium-devserver: minimal PostgREST stand-in (no tables are served)",
            "title": "standard public schema",
            "version": "12.2.3"
        },
        "basePath": "/",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": {"/": {}},
        "definitions": {}
    }))
}

/// `GET /auth/v1/health`: GoTrue's health answer.
pub async fn auth_health(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if let Err(resp) = check_apikey(&headers, query.as_deref()) {
        return *resp;
    }
    ok(json!({
        "version": "v2.170.0",
        "name": "GoTrue",
        "description": "GoTrue is a user registration and authentication API"
    }))
}
