//! Auth error variants, request ids, CORS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
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

#[tokio::test]
async fn cors_preflight_and_simple_requests() {
    let server = start_with(|o| o.extra_cors_origins = vec!["https://app.example.com".to_owned()]).await;
    let url = format!("{}/agent/initiate", server.api_url());
    let preflight = |origin: &'static str, headers: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    for origin in [
        "http://localhost:3000",
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "https://adstitch.he2.ai",
        "https://app.example.com",
    ] {
        let r = preflight(
            origin,
            "authorization, content-type, x-request-id, x-devserver-fault",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200, "{origin}");
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], origin);
        assert_eq!(h["access-control-allow-credentials"], "true");
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            assert!(methods.contains(m));
        }
        let allowed = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for name in [
            "authorization",
            "x-api-key",
            "x-refresh-token",
            "x-request-id",
            "x-devserver-fault",
        ] {
            assert!(allowed.contains(name), "{name}");
        }
    }
    let r = preflight("https://evil.example.com", "authorization")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.text().await.unwrap(), "Disallowed CORS origin");
    let r = preflight("http://localhost:3000", "x-unknown").await.unwrap();
    assert_eq!(r.status(), 400);

    // simple request: origin echoed, expose headers set; disallowed origin gets nothing
    let health = format!("{}/health", server.api_url());
    let r = client()
        .get(&health)
        .header("Origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(
        r.headers()["access-control-expose-headers"],
        "X-Request-Id, Retry-After"
    );
    let r = client()
        .get(&health)
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // stream route: `*`, replaced by the origin when allowed
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x").await;
    let url = stream_url(&server, &run_id, &token);
    let r = client()
        .get(&url)
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
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
    drop(r);
    server.shutdown().await;
}

#[tokio::test]
async fn strict_cors_keeps_only_the_real_list() {
    let server = start_with(|o| {
        o.strict_cors = true;
        o.extra_cors_origins = vec!["https://app.example.com".to_owned()];
    })
    .await;
    let url = format!("{}/health", server.api_url());
    for (origin, ok) in [
        ("http://localhost:3000", true),
        ("http://localhost:5173", false),
        ("https://app.example.com", false),
    ] {
        let r = client()
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status() == 200, ok, "{origin}");
    }
    server.shutdown().await;
}
