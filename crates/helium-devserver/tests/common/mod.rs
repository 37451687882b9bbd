//! Shared helpers for the black-box tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions, EnvMode};
use serde_json::Value;

pub const USER: &str = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";
pub const OTHER_USER: &str = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

pub async fn start_with(f: impl FnOnce(&mut DevServerOptions)) -> DevServer {
    let mut opts = DevServerOptions {
        pace: Duration::from_millis(2),
        ..DevServerOptions::default()
    };
    f(&mut opts);
    DevServer::start(opts).await.unwrap()
}

pub async fn start() -> DevServer {
    start_with(|_| {}).await
}

pub async fn start_mode(mode: EnvMode) -> DevServer {
    start_with(|o| o.env_mode = mode).await
}

/// A client that never reuses connections (so injected connection faults are not retried
/// transparently by the pool).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// The keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// A GET with a bearer token whose answer must be JSON.
pub async fn get_json(url: impl reqwest::IntoUrl, token: &str) -> Value {
    client()
        .get(url)
        .header("Authorization", bearer(token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// One request with an optional bearer token and JSON body: the status and the JSON answer (`null` when the
/// body is not JSON).
pub async fn call(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client().request(method, url);
    if let Some(t) = token {
        req = req.header("Authorization", bearer(t));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `POST /agent/initiate` with a prompt; returns (thread_id, agent_run_id).
pub async fn initiate(server: &DevServer, token: &str, prompt: &str) -> (String, String) {
    let form = reqwest::multipart::Form::new().text("prompt", prompt.to_owned());
    let resp = client()
        .post(format!("{}/agent/initiate", server.api_url()))
        .header("Authorization", bearer(token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    let body: Value = resp.json().await.unwrap();
    (
        body["thread_id"].as_str().unwrap().to_owned(),
        body["agent_run_id"].as_str().unwrap().to_owned(),
    )
}

pub fn stream_url(server: &DevServer, run_id: &str, token: &str) -> String {
    format!("{}/agent-run/{run_id}/stream?token={token}", server.api_url())
}

/// Read a whole stream body as text.
pub async fn read_stream(server: &DevServer, run_id: &str, token: &str) -> String {
    let resp = client()
        .get(stream_url(server, run_id, token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

/// The JSON texts of an SSE body (`data: <json>\n\n` frames).
pub fn frames(body: &str) -> Vec<String> {
    assert!(body.is_empty() || body.ends_with("\n\n"), "bad framing: {body:?}");
    body.split("\n\n")
        .filter(|f| !f.is_empty())
        .map(|f| {
            assert!(!f.contains('\n'), "frame with extra lines: {f:?}");
            f.strip_prefix("data: ").expect("data: prefix").to_owned()
        })
        .collect()
}

/// Wait until the run has the given DB status.
pub async fn wait_status(server: &DevServer, run_id: &str, token: &str, status: &str) -> Value {
    for _ in 0..500 {
        let body = get_json(format!("{}/agent-run/{run_id}", server.api_url()), token).await;
        if body["status"] == status {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("run {run_id} never reached {status}");
}

/// Replace UUIDs and timestamps by placeholders.
pub fn normalize(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let is_uuid = b.get(i..i + 36).is_some_and(|s| {
            s.iter().enumerate().all(|(k, c)| match k {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
        });
        if is_uuid {
            out.push_str("<uuid>");
            i += 36;
            continue;
        }
        // 2025-09-25T10:15:02.204512+00:00
        let is_ts = b.get(i..i + 32).is_some_and(|s| {
            s.iter().enumerate().all(|(k, c)| match k {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 | 29 => *c == b':',
                19 => *c == b'.',
                26 => *c == b'+',
                _ => c.is_ascii_digit(),
            })
        });
        if is_ts {
            out.push_str("<ts>");
            i += 32;
            continue;
        }
        out.push(char::from(b[i]));
        i += 1;
    }
    out
}
