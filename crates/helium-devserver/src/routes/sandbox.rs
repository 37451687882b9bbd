//! Sandbox files (§5.4). Auth is optional (Bearer only); public projects are readable.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Value, json};

use crate::auth;
use crate::errors::{ApiError, ApiResult, missing_entry, ok};
use crate::state::{AppState, Store};
use crate::validation::read_form;

/// Python `urllib.parse.quote` safe set (`_.-~` and `/` kept).
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'/');

/// The backend's `normalize_path`: `urllib.parse.unquote` (only `%XX`; `+` is kept; invalid sequences stay
/// literal; bytes that are not UTF-8 become U+FFFD), then every `\uXXXX` (regex `\\u([0-9a-fA-F]{4})`,
/// non-overlapping, left to right, replaced text not re-scanned) becomes `chr(int(XXXX, 16))`.
///
/// A `\uXXXX` naming a UTF-16 surrogate (`\ud800`–`\udfff`) is kept literally: Python would build a string
/// that cannot be encoded, and what the real backend then answers is not known.
pub fn normalize_path(raw: &str) -> String {
    let decoded = percent_decode_str(raw).decode_utf8_lossy().into_owned();
    if !decoded.contains("\\u") {
        return decoded;
    }
    let mut out = String::with_capacity(decoded.len());
    let mut rest = decoded.as_str();
    while let Some(pos) = rest.find("\\u") {
        let (before, from) = rest.split_at(pos);
        out.push_str(before);
        let hex = from
            .get(2..6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        let ch = hex
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match ch {
            Some(c) => {
                out.push(c);
                rest = from.get(6..).unwrap_or("");
            }
            None => {
                out.push('\\');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `path` query parameter as the backend sees it: Starlette form-decodes the query (`+` → space, `%XX`;
/// the last of repeated values wins), then `normalize_path` decodes it again.
fn query_path(query: Option<&str>) -> Result<String, ApiError> {
    query
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "path")
                .last()
                .map(|(_, v)| v.into_owned())
        })
        .map(|p| normalize_path(&p))
        .ok_or_else(|| ApiError::validation(vec![missing_entry(&["query", "path"])]))
}

/// `verify_sandbox_access`: 404 / 401 / 403.
fn sandbox_access(store: &Store, sandbox_id: &str, user: Option<&str>) -> Result<(), ApiError> {
    if !store.sandboxes.contains_key(sandbox_id) {
        return Err(ApiError::not_found("Sandbox not found"));
    }
    let project = store
        .projects
        .values()
        .find(|p| p.sandbox_id() == Some(sandbox_id))
        .ok_or_else(|| ApiError::not_found("Sandbox not found"))?;
    if project.is_public {
        return Ok(());
    }
    match user {
        None => Err(ApiError::unauthorized(
            "Authentication required for this resource",
        )),
        Some(u) if u == project.account_id => Ok(()),
        Some(_) => Err(ApiError::forbidden("Not authorized to access this sandbox")),
    }
}

/// `GET /api/sandboxes/{id}/files?path=/workspace`.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Path(sandbox_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let dir = query_path(query.as_deref())?;
    let user = auth::optional_user(&headers);
    let store = app.lock();
    sandbox_access(&store, &sandbox_id, user.as_deref())?;
    let dir = dir.trim_end_matches('/').to_owned();
    let prefix = format!("{dir}/");
    let mut entries: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(sb) = store.sandboxes.get(&sandbox_id) {
        for (path, file) in &sb.files {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((sub, _)) => {
                    entries.entry(sub.to_owned()).or_insert_with(|| {
                        json!({"name": sub, "path": format!("{prefix}{sub}"), "is_dir": true, "size": 4096, "mod_time": file.mod_time, "permissions": "0755"})
                    });
                }
                None => {
                    entries.insert(
                        rest.to_owned(),
                        json!({"name": rest, "path": path, "is_dir": false, "size": file.data.len(), "mod_time": file.mod_time, "permissions": "0644"}),
                    );
                }
            }
        }
    }
    Ok(ok(json!({"files": entries.into_values().collect::<Vec<_>>()})))
}

/// `GET /api/sandboxes/{id}/files/content?path=…`: raw bytes as an attachment.
pub async fn content(
    State(app): State<Arc<AppState>>,
    Path(sandbox_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let path = query_path(query.as_deref())?;
    let user = auth::optional_user(&headers);
    let store = app.lock();
    sandbox_access(&store, &sandbox_id, user.as_deref())?;
    let file = store
        .sandboxes
        .get(&sandbox_id)
        .and_then(|sb| sb.files.get(&path))
        .ok_or_else(|| ApiError::not_found(format!("Failed to download file: File not found: {path}")))?;
    let name = path.rsplit('/').next().unwrap_or(&path);
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        utf8_percent_encode(name, QUOTE)
    );
    let mut resp = Response::new(Body::from(file.data.clone()));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// `POST /api/sandboxes/{id}/files` multipart `path` + `file`.
pub async fn upload(
    State(app): State<Arc<AppState>>,
    Path(sandbox_id): Path<String>,
    req: Request,
) -> ApiResult {
    let headers = req.headers().clone();
    let form = read_form(req).await?;
    // A multipart text field is not form-decoded, only normalised; an empty Form value counts as missing.
    let path = form.get("path").filter(|p| !p.is_empty()).map(normalize_path);
    let file = form.files.iter().find(|f| f.field == "file");
    let mut errors = Vec::new();
    if path.is_none() {
        errors.push(missing_entry(&["body", "path"]));
    }
    if file.is_none() {
        errors.push(missing_entry(&["body", "file"]));
    }
    let (Some(path), Some(file)) = (path, file) else {
        return Err(ApiError::validation(errors));
    };
    let user = auth::optional_user(&headers);
    let mut store = app.lock();
    sandbox_access(&store, &sandbox_id, user.as_deref())?;
    store.write_file(&sandbox_id, &path, file.data.clone());
    Ok(ok(json!({"status": "success", "created": true, "path": path})))
}

/// `DELETE /api/sandboxes/{id}/files?path=…`.
pub async fn delete_file(
    State(app): State<Arc<AppState>>,
    Path(sandbox_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let path = query_path(query.as_deref())?;
    let user = auth::optional_user(&headers);
    let mut store = app.lock();
    sandbox_access(&store, &sandbox_id, user.as_deref())?;
    let removed = store
        .sandboxes
        .get_mut(&sandbox_id)
        .and_then(|sb| sb.files.remove(&path));
    if removed.is_none() {
        return Err(ApiError::not_found(format!("File not found: {path}")));
    }
    Ok(ok(json!({"status": "success", "deleted": true, "path": path})))
}

/// `DELETE /api/sandboxes/{id}`.
pub async fn delete_sandbox(
    State(app): State<Arc<AppState>>,
    Path(sandbox_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::optional_user(&headers);
    let mut store = app.lock();
    sandbox_access(&store, &sandbox_id, user.as_deref())?;
    if let Some(sb) = store.sandboxes.remove(&sandbox_id)
        && let Some(p) = store.projects.get_mut(&sb.project_id)
    {
        p.sandbox = json!({});
    }
    Ok(ok(
        json!({"status": "success", "deleted": true, "sandbox_id": sandbox_id}),
    ))
}

/// `POST /api/project/{id}/sandbox/ensure-active`.
pub async fn ensure_active(
    State(app): State<Arc<AppState>>,
    Path(project_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::optional_user(&headers);
    let store = app.lock();
    let project = store
        .projects
        .get(&project_id)
        .ok_or_else(|| ApiError::not_found("Project not found"))?;
    if !project.is_public {
        match user.as_deref() {
            None => {
                return Err(ApiError::unauthorized(
                    "Authentication required for this resource",
                ));
            }
            Some(u) if u == project.account_id => {}
            Some(_) => return Err(ApiError::forbidden("Not authorized to access this project")),
        }
    }
    let sandbox_id = project
        .sandbox_id()
        .filter(|id| store.sandboxes.contains_key(*id))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "404: No sandbox found for this project",
            )
        })?;
    Ok(ok(
        json!({"status": "success", "sandbox_id": sandbox_id, "message": "Sandbox is active"}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_path_is_unquote_then_unicode_escapes() {
        for (raw, want) in [
            ("/workspace/a+b.txt", "/workspace/a+b.txt"),
            ("100%41.txt", "100A.txt"),
            ("100%2541.txt", "100%41.txt"),
            ("50% off", "50% off"),
            ("%zz%4", "%zz%4"),
            ("caf%C3%A9", "caf\u{e9}"),
            ("bad%FF.txt", "bad\u{fffd}.txt"),
            ("\u{fc}%20x", "\u{fc} x"),
            ("\\u0041\\u00", "A\\u00"),
            ("\\u00e9", "\u{e9}"),
            ("\\u005cu0041", "\\u0041"),
            ("%5Cu0041", "A"),
            ("\\\\u0041", "\\A"),
            ("\\ud800x", "\\ud800x"),
            ("\\u+041", "\\u+041"),
            ("\\u00\u{e9}1", "\\u00\u{e9}1"),
        ] {
            assert_eq!(normalize_path(raw), want, "{raw}");
        }
    }
}
