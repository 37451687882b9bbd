//! The `tracing` spans of the native client, in a test binary of their own: `tracing` caches per call site
//! whether anyone listens, so the subscriber is installed before any request is made in this process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::models::AgentRunId;
use helium_sdk::{Client, ErrorKind, RetryPolicy};
use serde_json::json;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_attempt_is_a_tracing_span_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = DevServer::start(DevServerOptions {
        pace: Duration::from_millis(2),
        ..DevServerOptions::default()
    })
    .await
    .unwrap();
    let token = server.sample_token();
    let client = Client::builder()
        .base_url(server.base_url())
        .bearer_token(token.clone())
        .retry(RetryPolicy::default().backoff_between(Duration::from_millis(20), Duration::from_millis(80)))
        .build()
        .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/__devserver/faults", server.base_url()))
        .json(&json!({"method": "GET", "path": "/api/health", "fault": "status=503; times=1"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    client.health().await.unwrap();
    let missing = client
        .runs()
        .get(&AgentRunId::from("no-such-run"))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The event that ends each attempt, inside its span.
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("helium_sdk::request{") && l.contains("helium_sdk::http: response"))
        .collect();
    let health: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("path=\"/api/health\""))
        .collect();
    assert_eq!(health.len(), 2, "one span per attempt: {log}");
    assert!(
        health[0].contains("attempt=0") && health[0].contains("status=503"),
        "{}",
        health[0]
    );
    assert!(
        health[1].contains("attempt=1") && health[1].contains("status=200"),
        "{}",
        health[1]
    );
    assert!(
        health
            .iter()
            .all(|l| l.contains("method=\"GET\"") && l.contains("duration_ms="))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("path=\"/api/agent-run/no-such-run\"") && l.contains("status=404")),
        "{log}"
    );
    assert!(!log.contains(&token), "the access token never reaches a span");
}
