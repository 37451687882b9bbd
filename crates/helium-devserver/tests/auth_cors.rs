//! Auth error variants, request ids, CORS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use helium_devserver::EnvMode;
use serde_json::Value;

async fn detail(r: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = r.status().as_u16();
    let www = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, www, r.json::<Value>().await.unwrap()["detail"].clone())
}

#[tokio::test]
async fn jwt_auth_errors_like_the_backend() {
    let server = start().await;
    let url = format!("{}/billing/subscription", server.api_url());
    let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let no_sub = format!(
        "{}.{}.sig",
        enc(r#"{"alg":"HS256"}"#),
        enc(r#"{"role":"authenticated"}"#)
    );
    let bad_payload = format!("{}.{}.sig", enc(r#"{"alg":"HS256"}"#), enc("not json"));
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "No valid authentication credentials found"),
        (
            Some("Token abc".to_owned()),
            "No valid authentication credentials found",
        ),
        (
            Some("Bearer garbage".to_owned()),
            "Invalid token: Not enough segments",
        ),
        (
            Some(format!("Bearer {no_sub}")),
            "Invalid token payload - missing user ID",
        ),
    ];
    for (header, expected) in cases {
        let mut req = client().get(&url);
        if let Some(h) = &header {
            req = req.header("Authorization", h);
        }
        let (status, www, d) = detail(req.send().await.unwrap()).await;
        assert_eq!(status, 401, "{header:?}");
        assert_eq!(www.as_deref(), Some("Bearer"));
        assert_eq!(d, expected);
    }
    let (status, _, d) = detail(
        client()
            .get(&url)
            .header("Authorization", bearer(&bad_payload))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        d.as_str()
            .unwrap()
            .starts_with("Invalid token: Invalid payload string"),
        "{d}"
    );
    let (status, _, d) = detail(
        client()
            .get(&url)
            .header("Authorization", "Bearer a.b.c")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        d.as_str().unwrap().starts_with("Invalid token: Invalid header"),
        "{d}"
    );
    // the fixture bodies byte for byte
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        serde_json::to_string(&fixture_json("error_401_no_credentials.json")).unwrap()
    );
    let r = client()
        .get(&url)
        .header("Authorization", "Bearer x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        serde_json::to_string(&fixture_json("error_401_invalid_token.json")).unwrap()
    );
    let r = client()
        .get(&url)
        .header("X-API-Key", "he-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        serde_json::to_string(&fixture_json("error_401_api_key_format.json")).unwrap()
    );
    let r = client()
        .get(&url)
        .header(
            "X-API-Key",
            format!("pk_{}:sk_{}", "a".repeat(32), "b".repeat(32)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        serde_json::to_string(&fixture_json("error_401_api_key_invalid.json")).unwrap()
    );
    // any JWT-shaped token with a sub works (signature/exp not checked)
    let ok = format!(
        "{}.{}.",
        enc(r#"{"alg":"none"}"#),
        enc(r#"{"sub":"u-1","exp":1}"#)
    );
    let r = client()
        .get(&url)
        .header("Authorization", bearer(&ok))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let server = start().await;
    let url = format!("{}/health", server.api_url());
    let r = client()
        .get(&url)
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"].to_str().unwrap().len(), 36);
    server.shutdown().await;
}

const REAL_ALLOW_HEADERS: &str = "Accept, Accept-Language, Authorization, Content-Language, Content-Type, \
X-API-Key, X-MCP-Headers, X-MCP-Type, X-MCP-URL, X-Project-Id, X-Refresh-Token";

async fn preflight(url: &str, origin: &str, method: &str, headers: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .request(reqwest::Method::OPTIONS, url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method);
    if let Some(h) = headers {
        req = req.header("Access-Control-Request-Headers", h);
    }
    req.send().await.unwrap()
}

/// The preflight headers Starlette sends whatever the outcome.
fn assert_preflight_headers(r: &reqwest::Response) {
    let h = r.headers();
    assert_eq!(h["vary"], "Origin");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    );
    assert_eq!(h["access-control-max-age"], "600");
    assert_eq!(h["access-control-allow-headers"], REAL_ALLOW_HEADERS);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["content-type"], "text/plain; charset=utf-8");
    assert!(h.get("access-control-expose-headers").is_none());
}

#[tokio::test]
async fn cors_preflight_allows_exactly_the_real_headers() {
    let server = start().await;
    let url = format!("{}/agent/initiate", server.api_url());
    let origin = "http://localhost:3000";
    // every header of the real list (and the safelist), in any case and order, with odd spacing
    let all = "content-type,AUTHORIZATION ,  x-project-id,X-Mcp-Url,x-mcp-type,x-MCP-headers,x-refresh-token,X-API-KEY,accept,accept-language,content-language";
    let reversed: Vec<&str> = all.split(',').rev().collect();
    for headers in [all.to_owned(), reversed.join(", "), "Authorization".to_owned()] {
        let r = preflight(&url, origin, "POST", Some(&headers)).await;
        assert_eq!(r.status(), 200, "{headers}");
        assert_preflight_headers(&r);
        assert_eq!(r.headers()["access-control-allow-origin"], origin);
        assert_eq!(r.text().await.unwrap(), "OK");
    }
    // no Access-Control-Request-Headers at all is fine
    let r = preflight(&url, origin, "DELETE", None).await;
    assert_eq!(r.status(), 200);
    // headers the real backend does not list are refused, dev-only ones included
    for headers in [
        "x-request-id",
        "authorization, x-request-id",
        "last-event-id",
        "x-devserver-fault",
        "x-devserver-script",
        "x-unknown",
        "authorization,",
    ] {
        let r = preflight(&url, origin, "POST", Some(headers)).await;
        assert_eq!(r.status(), 400, "{headers}");
        assert_preflight_headers(&r);
        assert_eq!(r.headers()["access-control-allow-origin"], origin);
        assert_eq!(r.text().await.unwrap(), "Disallowed CORS headers", "{headers}");
    }
    // methods are matched case-sensitively; HEAD is not in the list
    for method in ["post", "HEAD", "TRACE"] {
        let r = preflight(&url, origin, method, None).await;
        assert_eq!(r.status(), 400, "{method}");
        assert_eq!(r.text().await.unwrap(), "Disallowed CORS method");
    }
    // the failing parts in Starlette's order
    let r = preflight(&url, "https://evil.example.com", "TRACE", Some("x-request-id")).await;
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.text().await.unwrap(), "Disallowed CORS origin, method, headers");
    // a preflight answers on any path, the admin API included
    let r = preflight(
        &format!("{}/__devserver/faults", server.base_url()),
        origin,
        "POST",
        Some("content-type"),
    )
    .await;
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn cors_origins_are_the_real_list_plus_explicit_ones() {
    let server = start().await;
    let url = format!("{}/health", server.api_url());
    for (origin, allowed) in [
        ("http://localhost:3000", true),
        ("https://adstitch.he2.ai", true),
        ("https://www.adstitch.he2.ai", true),
        ("http://localhost:5173", false),
        ("http://127.0.0.1:3000", false),
        ("http://[::1]:3000", false),
        ("https://localhost:3000", false),
        ("http://localhost:3000/", false),
        ("https://staging.suna.so", false),
        ("https://evil.example.com", false),
    ] {
        let r = preflight(&url, origin, "GET", Some("authorization")).await;
        assert_preflight_headers(&r);
        if allowed {
            assert_eq!(r.status(), 200, "{origin}");
            assert_eq!(r.headers()["access-control-allow-origin"], origin);
        } else {
            assert_eq!(r.status(), 400, "{origin}");
            assert!(r.headers().get("access-control-allow-origin").is_none());
            assert_eq!(r.text().await.unwrap(), "Disallowed CORS origin");
        }
    }
    server.shutdown().await;

    // a harness adds its own origin (exact match), as --cors-origin does
    let server = start_with(|o| {
        o.extra_cors_origins = vec![
            "http://127.0.0.1:5173".to_owned(),
            "https://app.example.com, http://localhost:8080/".to_owned(),
        ]
    })
    .await;
    let url = format!("{}/health", server.api_url());
    for (origin, allowed) in [
        ("http://127.0.0.1:5173", true),
        ("https://app.example.com", true),
        ("http://localhost:8080", true),
        ("http://localhost:3000", true),
        ("http://localhost:5173", false),
        ("http://127.0.0.1:5174", false),
    ] {
        let r = preflight(&url, origin, "GET", Some("Authorization, X-API-Key")).await;
        assert_eq!(r.status() == 200, allowed, "{origin}");
    }
    server.shutdown().await;

    // staging adds its origins and the preview regex
    let server = start_mode(EnvMode::Staging).await;
    let url = format!("{}/health", server.api_url());
    for (origin, allowed) in [
        ("https://staging.suna.so", true),
        ("https://suna-feature-x-prjcts.vercel.app", true),
        ("https://suna-prjcts.vercel.app", false),
        ("http://suna-a-prjcts.vercel.app", false),
    ] {
        let r = preflight(&url, origin, "GET", None).await;
        assert_eq!(r.status() == 200, allowed, "{origin}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn cors_simple_responses_like_starlette() {
    let server = start().await;
    let token = server.sample_token();
    let health = format!("{}/health", server.api_url());
    // allowed origin: echoed, credentials, Vary, no expose headers
    let r = client()
        .get(&health)
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["vary"], "Origin");
    assert!(h.get("access-control-expose-headers").is_none());
    // disallowed origin: only the credentials header (Starlette's simple_headers)
    let r = client()
        .get(&health)
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    let h = r.headers();
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert!(h.get("vary").is_none());
    assert!(h.get("access-control-expose-headers").is_none());
    // no Origin: no CORS headers at all
    let r = client().get(&health).send().await.unwrap();
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // errors and fault responses carry them too
    let r = client()
        .get(format!("{}/billing/subscription", server.api_url()))
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    let r = client()
        .get(&health)
        .header("Origin", "http://localhost:3000")
        .header("x-devserver-fault", "status=503; retry_after=2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(r.headers().get("access-control-expose-headers").is_none());

    // stream route: its own `*` stays for a disallowed origin, the origin replaces it for an allowed one
    let (_, run_id) = initiate(&server, &token, "x").await;
    let url = stream_url(&server, &run_id, &token);
    let r = client()
        .get(&url)
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    drop(r);
    let r = client()
        .get(&url)
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert_eq!(r.headers()["vary"], "Origin");
    assert!(r.headers().get("access-control-expose-headers").is_none());
    drop(r);
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    drop(r);
    server.shutdown().await;
}
