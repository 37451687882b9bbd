//! Request-body parsing with FastAPI/Pydantic v2 error shapes.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};
use bytes::{Bytes, BytesMut};
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, missing_entry};

/// Largest accepted upload (per file), like the frontend's check.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// Body limit of the multipart routes: one maximal file plus form overhead.
pub const MULTIPART_BODY_LIMIT: usize = MAX_FILE_BYTES + 1024 * 1024;

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.to_ascii_lowercase())
}

/// Parse a JSON request body the way FastAPI does for a required Pydantic body parameter.
/// Returns the JSON value (not yet validated against the model).
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Err(ApiError::validation(vec![missing_entry(&["body"])]));
    }
    let is_json = match content_type(headers) {
        None => true,
        Some(ct) => {
            let mime = ct.split(';').next().unwrap_or("").trim().to_owned();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        }
    };
    if !is_json {
        return Ok(Value::String(String::from_utf8_lossy(body).into_owned()));
    }
    serde_json::from_slice(body).map_err(|e| {
        let pos = byte_offset(body, e.line(), e.column());
        ApiError::validation(vec![json!({
            "type": "json_invalid",
            "loc": ["body", pos],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": if e.is_eof() && pos == 0 { "Expecting value" } else { python_reason(&e) }},
        })])
    })
}

fn python_reason(e: &serde_json::Error) -> &'static str {
    let msg = e.to_string();
    if msg.contains("key must be a string") {
        "Expecting property name enclosed in double quotes"
    } else if msg.contains("expected `:`") {
        "Expecting ':' delimiter"
    } else if msg.contains("expected `,` or `}`") {
        "Expecting ',' delimiter"
    } else if msg.contains("trailing characters") {
        "Extra data"
    } else if msg.contains("control character") {
        "Invalid control character at"
    } else {
        "Expecting value"
    }
}

fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1);
        }
        offset += l.len() + 1;
    }
    offset.min(body.len())
}

/// The body must be a JSON object (Pydantic `model_attributes_type` otherwise).
pub fn require_object(value: Value) -> Result<Map<String, Value>, ApiError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ApiError::validation(vec![json!({
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": other,
        })])),
    }
}

/// Pydantic lax boolean from a string.
pub fn parse_bool_str(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" => Some(false),
        _ => None,
    }
}

/// Collects field errors of a model.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<Value>);

impl Errors {
    /// Required string field (`missing` / `string_type`).
    pub fn req_string(&mut self, obj: &Map<String, Value>, name: &str) -> Option<String> {
        match obj.get(name) {
            None => {
                self.0.push(missing_entry(&["body", name]));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.0.push(json!({"type": "string_type", "loc": ["body", name], "msg": "Input should be a valid string", "input": other}));
                None
            }
        }
    }

    /// Required number field (`missing` / `float_type`).
    pub fn req_number(&mut self, obj: &Map<String, Value>, name: &str) -> Option<f64> {
        match obj.get(name) {
            None => {
                self.0.push(missing_entry(&["body", name]));
                None
            }
            Some(v) => match v
                .as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(n) => Some(n),
                None => {
                    self.0.push(json!({"type": "float_parsing", "loc": ["body", name], "msg": "Input should be a valid number, unable to parse string as a number", "input": v}));
                    None
                }
            },
        }
    }

    /// Optional string field (`null` allowed).
    pub fn opt_string(&mut self, obj: &Map<String, Value>, name: &str) -> Option<String> {
        match obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.0.push(json!({"type": "string_type", "loc": ["body", name], "msg": "Input should be a valid string", "input": other}));
                None
            }
        }
    }

    /// Boolean field with a default.
    pub fn bool_field(&mut self, obj: &Map<String, Value>, name: &str, default: bool) -> bool {
        match obj.get(name) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => n.as_i64() == Some(1),
            Some(Value::String(s)) if parse_bool_str(s).is_some() => parse_bool_str(s).unwrap_or(default),
            Some(other @ Value::String(_)) | Some(other @ Value::Number(_)) => {
                self.0.push(json!({"type": "bool_parsing", "loc": ["body", name], "msg": "Input should be a valid boolean, unable to interpret input", "input": other}));
                default
            }
            Some(other) => {
                self.0.push(json!({"type": "bool_type", "loc": ["body", name], "msg": "Input should be a valid boolean", "input": other}));
                default
            }
        }
    }

    /// Turn collected errors into a 422.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Form field name.
    pub field: String,
    /// Client file name.
    pub filename: String,
    /// Content.
    pub data: Bytes,
}

/// A parsed form (multipart or urlencoded). Other content types give an empty form, as
/// Starlette does, so required fields then fail with 422 `missing`.
#[derive(Debug, Default)]
pub struct Form {
    /// Text fields in order.
    pub fields: Vec<(String, String)>,
    /// File fields in order.
    pub files: Vec<Upload>,
}

impl Form {
    /// The last value of a text field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn too_large(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("File '{name}' is too large. Maximum file size is 50 MB."),
    )
}

fn parse_error() -> ApiError {
    ApiError::bad_request("There was an error parsing the body")
}

/// Read a form body (51 MiB at most, 50 MiB per file).
pub async fn read_form(req: Request<Body>) -> Result<Form, ApiError> {
    read_form_limited(req, MULTIPART_BODY_LIMIT, MAX_FILE_BYTES).await
}

/// Read a form body with other limits (`body_limit` for the whole body, `file_limit` per file).
pub async fn read_form_limited(
    req: Request<Body>,
    body_limit: usize,
    file_limit: usize,
) -> Result<Form, ApiError> {
    let ct = content_type(req.headers()).unwrap_or_default();
    let mut form = Form::default();
    if ct.starts_with("application/x-www-form-urlencoded") {
        let bytes = axum::body::to_bytes(req.into_body(), body_limit)
            .await
            .map_err(|_| too_large("body"))?;
        form.fields = form_urlencoded::parse(&bytes).into_owned().collect();
        return Ok(form);
    }
    if !ct.starts_with("multipart/form-data") {
        return Ok(form);
    }
    // A multipart body with no part at all (empty, or only `--boundary--`) is an empty form for Starlette's parser.
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, body_limit)
        .await
        .map_err(|_| too_large("body"))?;
    let boundary = ct
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_owned());
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty()
        || boundary.is_some_and(|b| trimmed.eq_ignore_ascii_case(format!("--{b}--").as_bytes()))
    {
        return Ok(form);
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| parse_error())?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large("body"));
            }
            Err(_) => return Err(parse_error()),
        };
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                let mut field = field;
                let mut buf = BytesMut::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if buf.len() + chunk.len() > file_limit {
                                return Err(too_large(&filename));
                            }
                            buf.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(too_large(&filename));
                        }
                        Err(_) => return Err(parse_error()),
                    }
                }
                form.files.push(Upload {
                    field: name,
                    filename,
                    data: buf.freeze(),
                });
            }
            None => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large("body")
                    } else {
                        parse_error()
                    }
                })?;
                // Starlette decodes a text part as UTF-8 and falls back to Latin-1.
                let text = match String::from_utf8(bytes.to_vec()) {
                    Ok(t) => t,
                    Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
                };
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_gives_json_invalid() {
        let err = json_body(&HeaderMap::new(), &Bytes::from_static(b"{\"a\": ")).unwrap_err();
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.detail[0]["type"], "json_invalid");
        assert_eq!(err.detail[0]["loc"][0], "body");
        let err = json_body(&HeaderMap::new(), &Bytes::new()).unwrap_err();
        assert_eq!(err.detail[0]["type"], "missing");
    }

    #[test]
    fn lax_bools() {
        let obj = json!({"a": "yes", "b": 0, "c": "maybe", "d": [1]});
        let obj = obj.as_object().unwrap();
        let mut errs = Errors::default();
        assert!(errs.bool_field(obj, "a", false));
        assert!(!errs.bool_field(obj, "b", true));
        errs.bool_field(obj, "c", false);
        errs.bool_field(obj, "d", false);
        assert_eq!(errs.0.len(), 2);
        assert_eq!(errs.0[0]["type"], "bool_parsing");
        assert_eq!(errs.0[1]["type"], "bool_type");
    }
}
