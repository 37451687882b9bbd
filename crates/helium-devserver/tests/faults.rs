//! Fault injection: every directive, the schedule, the request log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures::StreamExt;
use serde_json::{Value, json};

#[tokio::test]
async fn status_times_retry_after_and_request_log() {
    let server = start().await;
    let url = format!("{}/health", server.api_url());
    let fault = "status=503; times=2; retry_after=1";
    for _ in 0..2 {
        let r = client()
            .get(&url)
            .header("x-devserver-fault", fault)
            .header("x-request-id", "req-1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.headers()["x-request-id"], "req-1");
        assert_eq!(r.text().await.unwrap(), r#"{"detail":"Server is shutting down"}"#);
    }
    let r = client()
        .get(&url)
        .header("x-devserver-fault", fault)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // 500 body, and `key=` shares a counter across paths
    let f = "status=500; times=1; key=k1";
    let r = client()
        .get(&url)
        .header("x-devserver-fault", f)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"detail":"Internal server error: injected fault"}"#
    );
    let r = client()
        .get(format!("{}/health-docker", server.api_url()))
        .header("x-devserver-fault", f)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // 429 has the run-limit shape; other codes get a reason phrase
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "status=429")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"]["running_count"], 3);
    assert_eq!(body["detail"]["limit"], 3);
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "status=502")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(r.text().await.unwrap(), r#"{"detail":"Bad Gateway"}"#);
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "status=408")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 408);
    // invalid directive
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "explode")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // request log
    let log: Value = client()
        .get(format!("{}/__devserver/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 9);
    assert_eq!(log[0]["method"], "GET");
    assert_eq!(log[0]["path"], "/api/health");
    assert_eq!(log[0]["request_id"], "req-1");
    assert_eq!(log[0]["fault"], fault);
    assert_eq!(log[0]["status"], 503);
    assert_eq!(log[2]["fault"], Value::Null);
    assert_eq!(log[2]["status"], 200);
    assert!(log[8]["at_ms"].as_u64().unwrap() >= log[0]["at_ms"].as_u64().unwrap());
    let r = client()
        .delete(format!("{}/__devserver/requests", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log: Value = client()
        .get(format!("{}/__devserver/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log, json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn delay_adds_latency() {
    let server = start().await;
    let t = Instant::now();
    let r = client()
        .get(format!("{}/health", server.api_url()))
        .header("x-devserver-fault", "delay_ms=250")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(250));
    server.shutdown().await;
}

#[tokio::test]
async fn reset_closes_connection_without_response() {
    let server = start().await;
    let err = client()
        .get(format!("{}/health", server.api_url()))
        .header("x-devserver-fault", "reset")
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status());
    assert!(err.status().is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn truncate_sends_partial_body() {
    let server = start().await;
    let r = client()
        .get(format!("{}/health", server.api_url()))
        .header("x-devserver-fault", "truncate=10")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let len: usize = r.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(len > 10);
    let mut got = Vec::new();
    let mut stream = r.bytes_stream();
    let mut errored = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got.extend_from_slice(&c),
            Err(_) => {
                errored = true;
                break;
            }
        }
    }
    assert!(errored, "client must see an error");
    assert_eq!(got, br#"{"status":"#);
    server.shutdown().await;
}

#[tokio::test]
async fn drop_after_and_eof_after_on_stream() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "Make a page").await;
    let url = stream_url(&server, &run_id, &token);
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "drop_after=3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut got = Vec::new();
    let mut stream = r.bytes_stream();
    let mut errored = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got.extend_from_slice(&c),
            Err(_) => {
                errored = true;
                break;
            }
        }
    }
    assert!(errored);
    let text = String::from_utf8(got).unwrap();
    assert_eq!(frames(&text).len(), 3);

    let r = client()
        .get(&url)
        .header("x-devserver-fault", "eof_after=4")
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    let f = frames(&text);
    assert_eq!(f.len(), 4);
    assert!(!f.iter().any(|l| l.contains(r#""status": "completed""#)));
    server.shutdown().await;
}

#[tokio::test]
async fn stall_non_stream_and_stream() {
    let server = start().await;
    let t = Instant::now();
    let err = client()
        .get(format!("{}/health", server.api_url()))
        .header("x-devserver-fault", "stall; stall_ms=200")
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none());
    assert!(t.elapsed() >= Duration::from_millis(200));

    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x").await;
    let t = Instant::now();
    let r = client()
        .get(stream_url(&server, &run_id, &token))
        .header("x-devserver-fault", "stall; stall_ms=300")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert!(t.elapsed() < Duration::from_millis(300));
    let mut stream = r.bytes_stream();
    let first = stream.next().await;
    assert!(matches!(first, Some(Err(_)) | None), "no bytes expected");
    assert!(t.elapsed() >= Duration::from_millis(300));
    server.shutdown().await;
}

#[tokio::test]
async fn scheduled_faults_and_token_route() {
    let server = start().await;
    let admin = format!("{}/__devserver/faults", server.base_url());
    let r = client()
        .post(&admin)
        .json(&json!({"method": "GET", "path": "/api/health*", "fault": "status=503; times=2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let health = format!("{}/health", server.api_url());
    let statuses: Vec<u16> = futures::future::join_all(
        (0..3).map(|_| async { client().get(&health).send().await.unwrap().status().as_u16() }),
    )
    .await;
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, vec![200, 503, 503]);
    // method mismatch does not match
    client()
        .post(&admin)
        .json(&json!({"method": "POST", "path": "/api/health", "fault": "status=500"}))
        .send()
        .await
        .unwrap();
    assert_eq!(client().get(&health).send().await.unwrap().status(), 200);
    // clear
    client()
        .post(&admin)
        .json(&json!({"method": null, "path": "/api/health", "fault": "status=500"}))
        .send()
        .await
        .unwrap();
    assert_eq!(client().get(&health).send().await.unwrap().status(), 500);
    assert_eq!(client().delete(&admin).send().await.unwrap().status(), 200);
    assert_eq!(client().get(&health).send().await.unwrap().status(), 200);
    // bad schedule
    let r = client()
        .post(&admin)
        .json(&json!({"path": "/x", "fault": "nope=1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // token route
    let t: Value = client()
        .get(format!(
            "{}/__devserver/token?sub={OTHER_USER}",
            server.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["token"], server.token_for(OTHER_USER));
    server.shutdown().await;
}

#[tokio::test]
async fn html_page_instead_of_json() {
    let server = start().await;
    let url = format!("{}/health", server.api_url());
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().starts_with("<!DOCTYPE html>"));
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "html; status=502")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().contains("<h1>"));
}

#[tokio::test]
async fn request_log_never_holds_credentials_from_urls() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x").await;
    let _ = read_stream(&server, &run_id, &token).await;
    let anon = server.anon_key();
    let r = client()
        .get(format!(
            "{}/rest/v1/threads?select=thread_id&apikey={anon}",
            server.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log: serde_json::Value = client()
        .get(format!("{}/__devserver/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(!text.contains(&token), "{text}");
    assert!(!text.contains(&anon));
    let queries: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["query"].as_str())
        .collect();
    assert!(queries.contains(&"token=<redacted>"), "{queries:?}");
    assert!(
        queries.contains(&"select=thread_id&apikey=<redacted>"),
        "{queries:?}"
    );
    server.shutdown().await;
}

/// Reads a body to its end or its first error: the bytes, and whether it ended with an error.
async fn read_all(r: reqwest::Response) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let mut stream = r.bytes_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got.extend_from_slice(&c),
            Err(_) => return (got, true),
        }
    }
    (got, false)
}

#[tokio::test]
async fn byte_cuts_on_the_stream_and_other_routes() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "Make a page").await;
    let url = stream_url(&server, &run_id, &token);
    // The run followed to its end, then its replay (now fixed) as the reference.
    client().get(&url).send().await.unwrap().bytes().await.unwrap();
    let full = client().get(&url).send().await.unwrap().bytes().await.unwrap();
    for at in [0, 1, 7, 100, full.len() / 2, full.len() - 1] {
        let r = client()
            .get(&url)
            .header("x-devserver-fault", format!("drop_at={at}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (got, errored) = read_all(r).await;
        assert!(errored, "drop_at={at} aborts");
        assert!(got == full[..at], "drop_at={at} sends exactly the first bytes");

        let r = client()
            .get(&url)
            .header("x-devserver-fault", format!("eof_at={at}"))
            .send()
            .await
            .unwrap();
        let (got, errored) = read_all(r).await;
        assert!(!errored, "eof_at={at} ends cleanly");
        assert!(got == full[..at], "eof_at={at}");
    }
    // A cut past the end changes nothing.
    let r = client()
        .get(&url)
        .header("x-devserver-fault", format!("eof_at={}", full.len() + 10))
        .send()
        .await
        .unwrap();
    assert!(read_all(r).await == (full.to_vec(), false));

    // A JSON route keeps its Content-Length when aborted, and loses it for a clean early end.
    let health = format!("{}/health", server.api_url());
    let r = client()
        .get(&health)
        .header("x-devserver-fault", "drop_at=5")
        .send()
        .await
        .unwrap();
    assert!(r.content_length().unwrap() > 5);
    let (got, errored) = read_all(r).await;
    assert!(errored && got.len() == 5);
    let r = client()
        .get(&health)
        .header("x-devserver-fault", "eof_at=5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap().len(), 5);

    // stall_at sends the bytes, then nothing until stall_ms, then aborts.
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "stall_at=10; stall_ms=200")
        .send()
        .await
        .unwrap();
    let (got, errored) = read_all(r).await;
    assert!(errored);
    assert!(got == full[..10]);
    server.shutdown().await;
}

#[tokio::test]
async fn cr_and_bom_framings() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "Make a page").await;
    let url = stream_url(&server, &run_id, &token);
    client().get(&url).send().await.unwrap().bytes().await.unwrap();
    let plain = client().get(&url).send().await.unwrap().text().await.unwrap();
    let r = client()
        .get(&url)
        .header("x-devserver-fault", "framing=cr,bom")
        .send()
        .await
        .unwrap();
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = std::str::from_utf8(&body[3..]).unwrap();
    assert!(!text.contains('\n'));
    assert!(text.replace('\r', "\n") == plain);
    assert_eq!(
        body.windows(3).filter(|w| w == &[0xEF, 0xBB, 0xBF]).count(),
        1,
        "one BOM, at the start"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn connections_are_counted() {
    let server = start().await;
    let count = |v: &Value| v["accepted"].as_u64().unwrap();
    let url = format!("{}/__devserver/connections", server.base_url());
    let before: Value = client().get(&url).send().await.unwrap().json().await.unwrap();
    // Without a pool, one connection per request (the admin call itself included).
    for _ in 0..3 {
        client()
            .get(format!("{}/health", server.api_url()))
            .send()
            .await
            .unwrap();
    }
    let after: Value = client().get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(count(&after) - count(&before), 4);
    // A pooled client reuses one.
    let pooled = reqwest::Client::new();
    for _ in 0..3 {
        pooled
            .get(format!("{}/health", server.api_url()))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let last: Value = pooled.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(count(&last) - count(&after), 1);
    assert!(last["open"].as_u64().unwrap() >= 1);
    server.shutdown().await;
}
