//! The dev Supabase project's gateway check and its probe endpoints (outside `/api`): the PostgREST root and
//! GoTrue's health. The tables are served by `rest.rs`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::errors::{json_response, ok};
use crate::jwt;
use crate::state::AppState;

/// The gateway's key check: the `apikey` header (or `?apikey=`) must be one of the dev project's keys (the anon
/// or the service-role key). Returns the key.
pub fn check_apikey(
    app: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<String, Box<Response>> {
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
    let secret = &app.config.jwt_secret;
    if key == jwt::project_key("anon", secret) || key == jwt::project_key("service_role", secret) {
        Ok(key)
    } else {
        Err(Box::new(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"message": "Invalid API key", "hint": "Double check your Supabase `anon` or `service_role` API key."}),
        )))
    }
}

/// `GET /rest/v1/`: a tiny PostgREST OpenAPI root.
pub async fn rest_root(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(resp) = check_apikey(&app, &headers, query.as_deref()) {
        return *resp;
    }
    ok(json!({
        "swagger": "2.0",
        "info": {
            "description": "helium-devserver: PostgREST subset (projects, threads, messages, agent_runs)",
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
pub async fn auth_health(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(resp) = check_apikey(&app, &headers, query.as_deref()) {
        return *resp;
    }
    ok(json!({
        "version": "v2.170.0",
        "name": "GoTrue",
        "description": "GoTrue is a user registration and authentication API"
    }))
}
