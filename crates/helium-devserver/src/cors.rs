//! CORS exactly like Starlette's `CORSMiddleware` as the backend configures it (`P:backend/api.py:145-165`,
//! contract §4.1): the backend's allow-list for the env mode plus explicitly added origins, the backend's
//! request-header list plus Starlette's safelist, credentials allowed, no exposed headers.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::EnvMode;

const BASE_ORIGINS: [&str; 3] = [
    "https://www.adstitch.he2.ai",
    "https://adstitch.he2.ai",
    "http://localhost:3000",
];

/// Methods allowed by the backend, in its order (`Access-Control-Allow-Methods`).
pub const ALLOW_METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Starlette's `SAFELISTED_HEADERS`.
const SAFELISTED_HEADERS: [&str; 4] = ["Accept", "Accept-Language", "Content-Language", "Content-Type"];

/// The backend's `allow_headers`.
const BACKEND_HEADERS: [&str; 8] = [
    "Content-Type",
    "Authorization",
    "X-Project-Id",
    "X-MCP-URL",
    "X-MCP-Type",
    "X-MCP-Headers",
    "X-Refresh-Token",
    "X-API-Key",
];

/// `sorted(SAFELISTED_HEADERS | set(allow_headers))`, with the original spellings.
pub fn allowed_request_headers() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = SAFELISTED_HEADERS
        .iter()
        .chain(BACKEND_HEADERS.iter())
        .copied()
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The backend's `allow_origins` for an env mode (what `/api/health` reports).
pub fn real_origins(mode: EnvMode) -> Vec<String> {
    let mut list: Vec<String> = BASE_ORIGINS.iter().map(|s| (*s).to_owned()).collect();
    match mode {
        EnvMode::Local => list.push("http://localhost:3000".to_owned()),
        EnvMode::Staging => {
            list.push("https://staging.suna.so".to_owned());
            list.push("http://localhost:3000".to_owned());
        }
        EnvMode::Production => {}
    }
    list
}

/// Starlette's `allow_origin_regex.fullmatch` for the staging regex `https://suna-.*-prjcts\.vercel\.app`
/// (`.` in `.*` does not match a newline).
fn staging_regex_fullmatch(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("https://suna-") else {
        return false;
    };
    let Some(middle) = rest.strip_suffix("-prjcts.vercel.app") else {
        return false;
    };
    !middle.contains('\n')
}

/// The CORS configuration: which origins are allowed.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    origins: Vec<String>,
    staging_regex: bool,
    allow_headers: Vec<&'static str>,
    allow_headers_lower: Vec<String>,
}

/// Split `--cors-origin` / `HELIUM_DEV_CORS_ORIGINS` values (each may be a comma list).
pub fn split_origins(extra: &[String]) -> Vec<String> {
    extra
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().trim_end_matches('/').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A header value decoded as Latin-1, as Starlette does.
fn latin1(v: &HeaderValue) -> String {
    v.as_bytes().iter().map(|b| char::from(*b)).collect()
}

impl CorsPolicy {
    /// The backend's list for `mode` plus `extra` origins (each entry may be a comma list).
    pub fn new(mode: EnvMode, extra: &[String]) -> Self {
        let mut origins = real_origins(mode);
        origins.extend(split_origins(extra));
        let allow_headers = allowed_request_headers();
        let allow_headers_lower = allow_headers.iter().map(|h| h.to_lowercase()).collect();
        Self {
            origins,
            staging_regex: mode == EnvMode::Staging,
            allow_headers,
            allow_headers_lower,
        }
    }

    /// Whether a browser origin is allowed (exact match, or the staging regex).
    pub fn is_allowed(&self, origin: &str) -> bool {
        (self.staging_regex && staging_regex_fullmatch(origin)) || self.origins.iter().any(|o| o == origin)
    }

    /// The origins allowed by exact match (the backend's list, then the extras).
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Whether the request is a preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    pub fn is_preflight(method: &axum::http::Method, headers: &HeaderMap) -> bool {
        method == axum::http::Method::OPTIONS
            && headers.contains_key(header::ORIGIN)
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// Answer a preflight like Starlette's `preflight_response`.
    pub fn preflight(&self, headers: &HeaderMap) -> Response {
        let origin = headers.get(header::ORIGIN).map(latin1).unwrap_or_default();
        let method = headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .map(latin1)
            .unwrap_or_default();
        let requested = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).map(latin1);
        let mut failures = Vec::new();
        let origin_ok = self.is_allowed(&origin);
        if !origin_ok {
            failures.push("origin");
        }
        if !ALLOW_METHODS.contains(&method.as_str()) {
            failures.push("method");
        }
        if let Some(requested) = requested {
            // `for header in [h.lower() for h in requested_headers.split(",")]: if header.strip() not in ...`
            let all_ok = requested.split(',').all(|h| {
                let h = h.to_lowercase();
                self.allow_headers_lower.iter().any(|a| a == h.trim())
            });
            if !all_ok {
                failures.push("headers");
            }
        }
        let mut resp = if failures.is_empty() {
            Response::new(Body::from("OK"))
        } else {
            let mut r = Response::new(Body::from(format!("Disallowed CORS {}", failures.join(", "))));
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        };
        let h = resp.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if let Ok(v) = HeaderValue::from_str(&ALLOW_METHODS.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        if let Ok(v) = HeaderValue::from_str(&self.allow_headers.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if origin_ok && let Ok(v) = HeaderValue::from_str(&origin) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        resp
    }

    /// Starlette's `simple_response` for a request with an `Origin` header: `Access-Control-Allow-Credentials:
    /// true` always; for an allowed origin, `Access-Control-Allow-Origin: <origin>` (replacing a route's `*`)
    /// and `Origin` added to `Vary`.
    pub fn apply(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        let Some(origin) = origin else {
            return;
        };
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if !self.is_allowed(&latin1(origin)) {
            return;
        }
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        let vary = match headers.get(header::VARY) {
            Some(existing) => format!("{}, Origin", latin1(existing)),
            None => "Origin".to_owned(),
        };
        if let Ok(v) = HeaderValue::from_str(&vary) {
            headers.insert(header::VARY, v);
        }
    }
}

/// Whether a path belongs to the dev Supabase project (`/rest/v1`, `/auth/v1`, `/storage/v1`), whose gateway has
/// its own CORS.
pub fn is_supabase_path(path: &str) -> bool {
    path == "/rest/v1"
        || ["/rest/v1/", "/auth/v1/", "/storage/v1/"]
            .iter()
            .any(|p| path.starts_with(p))
}

/// Headers PostgREST lets a browser read.
const SUPABASE_EXPOSE: &str = "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit";

/// A preflight on a Supabase path, answered as hosted Supabase's gateway does: any origin, any requested header.
pub fn supabase_preflight(headers: &HeaderMap) -> Response {
    let mut resp = Response::new(Body::empty());
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"),
    );
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    resp
}

/// CORS headers of a Supabase response to a request with an `Origin`.
pub fn supabase_apply(origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    if origin.is_none() {
        return;
    }
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(SUPABASE_EXPOSE),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        let p = CorsPolicy::new(
            EnvMode::Local,
            &["https://app.example.com, http://127.0.0.1:5173/".to_owned()],
        );
        assert!(p.is_allowed("http://localhost:3000"));
        assert!(p.is_allowed("https://app.example.com"));
        assert!(p.is_allowed("http://127.0.0.1:5173"));
        assert!(!p.is_allowed("http://localhost:5173"));
        assert!(!p.is_allowed("http://127.0.0.1:8080"));
        assert!(!p.is_allowed("http://localhost:3000/"));
        assert!(!p.is_allowed("https://suna-abc-prjcts.vercel.app"));
        let staging = CorsPolicy::new(EnvMode::Staging, &[]);
        assert!(staging.is_allowed("https://suna-abc-prjcts.vercel.app"));
        assert!(staging.is_allowed("https://suna--prjcts.vercel.app"));
        assert!(!staging.is_allowed("https://suna-prjcts.vercel.app"));
        assert!(staging.is_allowed("https://staging.suna.so"));
        let prod = CorsPolicy::new(EnvMode::Production, &[]);
        assert!(prod.is_allowed("https://adstitch.he2.ai"));
        assert!(!prod.is_allowed("https://staging.suna.so"));
    }

    #[test]
    fn header_list_is_sorted_like_python() {
        assert_eq!(
            allowed_request_headers().join(", "),
            "Accept, Accept-Language, Authorization, Content-Language, Content-Type, X-API-Key, \
             X-MCP-Headers, X-MCP-Type, X-MCP-URL, X-Project-Id, X-Refresh-Token"
        );
    }
}
