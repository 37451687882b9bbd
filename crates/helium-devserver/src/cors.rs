//! CORS like Starlette's `CORSMiddleware` as configured in `P:backend/api.py`, plus loopback
//! origins and extra origins for a dev server.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::EnvMode;

const BASE_ORIGINS: [&str; 3] = [
    "https://www.adstitch.he2.ai",
    "https://adstitch.he2.ai",
    "http://localhost:3000",
];

/// Methods allowed by the backend.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// Allowed request headers (the backend's list, Starlette's safelist, plus dev additions).
const ALLOW_HEADERS: [&str; 14] = [
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Language",
    "Content-Type",
    "X-API-Key",
    "X-MCP-Headers",
    "X-MCP-Type",
    "X-MCP-URL",
    "X-Project-Id",
    "X-Refresh-Token",
    "X-Request-Id",
    "x-devserver-fault",
    "x-devserver-script",
];

/// Response headers a browser may read.
pub const EXPOSE_HEADERS: &str = "X-Request-Id, Retry-After";

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

/// Which origins are allowed.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    origins: Vec<String>,
    staging_regex: bool,
    loopback: bool,
}

fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let (host, port) = if let Some(v6) = rest.strip_prefix("[::1]") {
        ("[::1]", v6)
    } else if let Some(p) = rest.strip_prefix("localhost") {
        ("localhost", p)
    } else if let Some(p) = rest.strip_prefix("127.0.0.1") {
        ("127.0.0.1", p)
    } else {
        return false;
    };
    let _ = host;
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

impl CorsPolicy {
    /// Build the policy. `strict` keeps only the backend's own list.
    pub fn new(mode: EnvMode, extra: &[String], strict: bool) -> Self {
        let mut origins = real_origins(mode);
        if !strict {
            origins.extend(
                extra
                    .iter()
                    .flat_map(|s| s.split(','))
                    .map(|s| s.trim().trim_end_matches('/').to_owned())
                    .filter(|s| !s.is_empty()),
            );
        }
        Self {
            origins,
            staging_regex: mode == EnvMode::Staging,
            loopback: !strict,
        }
    }

    /// Whether a browser origin may read responses.
    pub fn is_allowed(&self, origin: &str) -> bool {
        if self.origins.iter().any(|o| o == origin) {
            return true;
        }
        // staging: allow_origin_regex r"https://suna-.*-prjcts\.vercel\.app"
        if self.staging_regex
            && origin.starts_with("https://suna-")
            && origin.ends_with("-prjcts.vercel.app")
            && origin.len() > "https://suna--prjcts.vercel.app".len() - 1
        {
            return true;
        }
        self.loopback && is_loopback_origin(origin)
    }

    /// Answer a preflight request (`OPTIONS` with `Origin` and `Access-Control-Request-Method`).
    pub fn preflight(&self, headers: &HeaderMap) -> Response {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let method = headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let requested = headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut failures = Vec::new();
        let origin_ok = self.is_allowed(origin);
        if !origin_ok {
            failures.push("origin");
        }
        if !ALLOW_METHODS.split(", ").any(|m| m == method) {
            failures.push("method");
        }
        let headers_ok = requested
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .all(|h| ALLOW_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(h)));
        if !headers_ok {
            failures.push("headers");
        }
        let mut resp = if failures.is_empty() {
            Response::new(Body::from("OK"))
        } else {
            let mut r = Response::new(Body::from(format!("Disallowed CORS {}", failures.join(", "))));
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        };
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        if let Ok(v) = HeaderValue::from_str(&ALLOW_HEADERS.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if origin_ok {
            if let Ok(v) = HeaderValue::from_str(origin) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            }
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        resp
    }

    /// Add CORS headers to a normal response. For an allowed origin the origin replaces any
    /// `Access-Control-Allow-Origin: *` set by the route (Starlette behaviour).
    pub fn apply(&self, origin: Option<&str>, headers: &mut HeaderMap) {
        let Some(origin) = origin else {
            return;
        };
        if !self.is_allowed(origin) {
            return;
        }
        if let Ok(v) = HeaderValue::from_str(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_lists() {
        let p = CorsPolicy::new(EnvMode::Local, &["https://app.example.com".to_owned()], false);
        assert!(p.is_allowed("http://localhost:3000"));
        assert!(p.is_allowed("http://localhost:5173"));
        assert!(p.is_allowed("http://127.0.0.1:8080"));
        assert!(p.is_allowed("http://[::1]:4000"));
        assert!(p.is_allowed("https://app.example.com"));
        assert!(!p.is_allowed("http://localhost.evil.com"));
        assert!(!p.is_allowed("https://evil.example.com"));
        let strict = CorsPolicy::new(EnvMode::Production, &["https://app.example.com".to_owned()], true);
        assert!(!strict.is_allowed("http://localhost:5173"));
        assert!(!strict.is_allowed("https://app.example.com"));
        assert!(strict.is_allowed("https://adstitch.he2.ai"));
        let staging = CorsPolicy::new(EnvMode::Staging, &[], true);
        assert!(staging.is_allowed("https://suna-abc-prjcts.vercel.app"));
    }
}
