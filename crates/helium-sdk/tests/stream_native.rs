//! The agent-run stream natively against the dev backend: a full run, reconnects after dropped connections
//! (each item exactly once, in order), stop, and the `Stream` impl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use futures::StreamExt;
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::models::InitiateAgentRequest;
use helium_sdk::stream::{ReconnectPolicy, RunState, StreamEvent, StreamOptions};
use helium_sdk::{Client, ErrorKind};
use serde_json::{Value, json};

async fn server(pace_ms: u64) -> DevServer {
    DevServer::start(DevServerOptions {
        pace: Duration::from_millis(pace_ms),
        ..DevServerOptions::default()
    })
    .await
    .unwrap()
}

fn client(server: &DevServer) -> Client {
    Client::builder()
        .base_url(server.api_url())
        .bearer_token(server.sample_token())
        .build()
        .unwrap()
}

/// Starts a run; its id.
async fn start(client: &Client, prompt: &str) -> helium_sdk::models::AgentRunId {
    client
        .agent()
        .initiate(&InitiateAgentRequest::new(prompt))
        .await
        .unwrap()
        .agent_run_id
        .unwrap()
}

fn fast_reconnect() -> StreamOptions {
    StreamOptions::default().reconnect(ReconnectPolicy {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        ..ReconnectPolicy::default()
    })
}

async fn schedule(server: &DevServer, path: &str, fault: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{}/__devserver/faults", server.base_url()))
        .json(&json!({"method": "GET", "path": path, "fault": fault}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

async fn stream_connections(server: &DevServer, run: &str) -> usize {
    let log: Value = reqwest::get(format!("{}/__devserver/requests", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/api/agent-run/{run}/stream");
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == path)
        .count()
}

/// Reads a finished run's replay without faults: the reference sequence.
async fn reference(client: &Client, run: &helium_sdk::models::AgentRunId) -> Vec<Value> {
    let mut out = Vec::new();
    let mut s = client.runs().stream(run);
    while let Some(item) = s.next().await {
        out.push(item.unwrap().raw());
    }
    out
}

#[tokio::test]
async fn dropped_and_ended_connections_resume_with_every_item_once() {
    for fault in [
        "drop_after=5; times=1",
        "eof_after=9; times=2",
        "drop_after=1; times=3",
    ] {
        let server = server(5).await;
        let client = client(&server);
        let run = start(&client, "resilience").await;
        schedule(&server, &format!("/api/agent-run/{run}/stream"), fault).await;
        let mut got = Vec::new();
        let mut s = client.runs().stream_with(&run, fast_reconnect());
        while let Some(item) = s.next().await {
            got.push(item.unwrap().raw());
        }
        assert!(
            stream_connections(&server, run.as_str()).await >= 2,
            "{fault}: a reconnect happened"
        );
        // The finished run's replay (read without faults) is the reference: same items, same order.
        let expected = reference(&client, &run).await;
        assert_eq!(got, expected, "{fault}: every item once, in order");
        assert_eq!(got.last().unwrap()["message"], "Agent run completed successfully");
        assert!(got.len() >= 27);
    }
}

#[tokio::test]
async fn a_run_that_ended_while_disconnected_yields_its_terminal_event() {
    let server = server(1).await;
    let client = client(&server);
    let run = start(&client, "quick").await;
    // The first connection dies after 3 items; by the time we reconnect the run is over.
    schedule(
        &server,
        &format!("/api/agent-run/{run}/stream"),
        "drop_after=3; times=1; delay_ms=0",
    )
    .await;
    let mut s = client.runs().stream_with(
        &run,
        StreamOptions::default().reconnect(ReconnectPolicy {
            initial_delay: Duration::from_millis(300),
            ..ReconnectPolicy::default()
        }),
    );
    let mut events = Vec::new();
    while let Some(item) = s.next().await {
        events.push(item.unwrap().event);
    }
    assert!(matches!(
        events.last(),
        Some(StreamEvent::RunStatus {
            state: RunState::Completed,
            ..
        })
    ));
    let terminals = events.iter().filter(|e| e.is_terminal()).count();
    assert_eq!(terminals, 1);
}

#[tokio::test]
async fn gives_up_after_the_configured_attempts() {
    let server = server(5).await;
    let client = client(&server);
    let run = start(&client, "doomed").await;
    schedule(&server, &format!("/api/agent-run/{run}/stream"), "drop_after=0").await;
    let mut options = fast_reconnect();
    options.reconnect.max_attempts = 2;
    options.reconnect.check_status = false;
    let mut s = client.runs().stream_with(&run, options);
    let err = s.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stream);
    assert!(err.to_string().contains("2 reconnect attempts"), "{err}");
    assert!(s.next().await.is_none());
    assert_eq!(stream_connections(&server, run.as_str()).await, 3);
}

#[tokio::test]
async fn opening_errors_are_typed_and_not_retried_as_reconnects() {
    let server = server(5).await;
    let client = client(&server);
    let mut s = client.runs().stream("no-such-run");
    let err = s.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(s.next().await.is_none());
    let anonymous = Client::builder().base_url(server.api_url()).build().unwrap();
    let err = anonymous.runs().stream("x").next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn the_stream_impl_and_the_token_stays_out_of_the_url() {
    let server = server(2).await;
    let client = client(&server);
    let run = start(&client, "stream trait").await;
    let events: Vec<_> = client.runs().stream(&run).collect().await;
    assert!(events.len() >= 27);
    assert!(events.iter().all(Result::is_ok));
    let log: Value = reqwest::get(format!("{}/__devserver/requests", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for r in log.as_array().unwrap() {
        assert!(!r["query"].as_str().unwrap_or_default().contains("token"), "{r}");
    }
}

#[tokio::test]
async fn scripted_variants_end_as_the_contract_says() {
    let server = server(1).await;
    let client = client(&server);
    let cases = [
        (
            "[llm_error] go",
            StreamEvent::RunStatus {
                state: RunState::Completed,
                message: Some("Agent run completed successfully".into()),
            },
            true,
        ),
        (
            "[worker_error] go",
            StreamEvent::Control {
                signal: helium_sdk::stream::ControlSignal::Error,
            },
            true,
        ),
    ];
    for (prompt, last, saw_error) in cases {
        let run = start(&client, prompt).await;
        let transcript = client.runs().stream(&run).collect_transcript().await.unwrap();
        assert_eq!(transcript.terminal(), Some(&last), "{prompt}");
        assert_eq!(
            !transcript.errors().is_empty(),
            saw_error,
            "{prompt}: a non-terminal error was seen first"
        );
    }
}

/// Other SSE framings: CRLF line endings, `: keepalive` comments and `{"type": "ping"}` heartbeats, and servers
/// that number their events (`id:`) and resume after `Last-Event-ID` instead of replaying.
#[tokio::test]
async fn other_framings_and_resuming_servers_deliver_each_item_once() {
    for framing in ["crlf,pings", "ids", "ids,crlf,pings"] {
        let server = server(5).await;
        let client = client(&server);
        let run = start(&client, "framings").await;
        let path = format!("/api/agent-run/{run}/stream");
        // The first connection drops after 6 frames; every connection uses the framing.
        schedule(
            &server,
            &path,
            &format!("framing={framing}; drop_after=6; times=1"),
        )
        .await;
        schedule(&server, &path, &format!("framing={framing}")).await;
        let mut got = Vec::new();
        let mut s = client.runs().stream_with(&run, fast_reconnect());
        while let Some(item) = s.next().await {
            got.push(item.unwrap().raw());
        }
        assert!(
            got.iter().all(|v| v["type"] != "ping"),
            "{framing}: heartbeats are not events"
        );
        let expected = reference(&client, &run).await;
        assert_eq!(got, expected, "{framing}: every item once, in order");
        assert_eq!(s.delivered(), expected.len());
        if framing.contains("ids") {
            let log: Value = reqwest::get(format!("{}/__devserver/requests", server.base_url()))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                log.as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["path"] == path)
                    .count()
                    >= 2
            );
        }
    }
}

/// Parses forwarded frames back into (event, raw) pairs, as `fromReadableStream` does.
fn reparse(frames: &str) -> Vec<(StreamEvent, Value)> {
    let mut parser = helium_sdk::stream::sse::SseParser::default();
    let mut events = Vec::new();
    parser.feed(frames.as_bytes(), &mut events).unwrap();
    assert!(!parser.finish(), "every frame ends with its blank line");
    events
        .into_iter()
        .map(|e| {
            assert_eq!(e.event, None, "item frames are default-type events");
            let raw: Value = serde_json::from_str(&e.data).unwrap();
            (StreamEvent::decode(&raw), raw)
        })
        .collect()
}

#[tokio::test]
async fn forwarded_frames_carry_the_same_events_in_the_backends_format() {
    let server = server(2).await;
    let client = client(&server);
    let run = start(&client, "forward me").await;
    // A reconnect on the way: the forwarded frames are still each item once.
    schedule(
        &server,
        &format!("/api/agent-run/{run}/stream"),
        "drop_after=4; times=1",
    )
    .await;
    let mut frames = String::new();
    let mut items = Vec::new();
    let mut s = client.runs().stream_with(&run, fast_reconnect());
    while let Some(item) = s.next().await {
        let item = item.unwrap();
        frames.push_str(&item.sse_frame());
        let raw = item.raw();
        items.push((item.event, raw));
    }
    assert!(
        frames.contains(r#"data: {"type": "status", "status": "completed""#),
        "Python spacing kept"
    );
    assert_eq!(reparse(&frames), items);

    // A stopped run's bare `completed` is forwarded as the state it really ended in.
    let run = start(&client, "stop me").await;
    client.runs().stop(&run).await.unwrap();
    let mut s = client.runs().stream(&run);
    let mut last = None;
    while let Some(item) = s.next().await {
        last = Some(item.unwrap());
    }
    let last = last.unwrap();
    assert_eq!(
        last.raw(),
        json!({"type": "status", "status": "completed"}),
        "raw stays as sent"
    );
    let forwarded = reparse(&last.sse_frame());
    assert!(
        matches!(
            forwarded[0].0,
            StreamEvent::RunStatus {
                state: RunState::Stopped,
                ..
            }
        ),
        "{forwarded:?}"
    );
    assert_eq!(forwarded[0].0, last.event);
}

async fn open_streams(server: &DevServer) -> u64 {
    let v: Value = reqwest::get(format!("{}/__devserver/streams", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["open"].as_u64().unwrap()
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection_to_the_backend() {
    let server = server(20).await;
    let client = client(&server);
    let run = start(&client, "then pause").await;
    let mut s = client.runs().stream(&run);
    s.next().await.unwrap().unwrap();
    // Paused: the stream stays open with nothing to send.
    client.runs().pause(&run).await.unwrap();
    assert_eq!(open_streams(&server).await, 1);
    drop(s);
    let mut open = 1;
    for _ in 0..100 {
        open = open_streams(&server).await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(open, 0, "the backend saw the connection close");
}

#[tokio::test]
async fn a_run_whose_items_expired_while_disconnected_is_a_typed_error_not_a_silent_gap() {
    // The replay list is dropped as soon as the run ends (the backend keeps it 24 h).
    let server = DevServer::start(DevServerOptions {
        pace: Duration::from_millis(1),
        response_ttl: Duration::ZERO,
        ..DevServerOptions::default()
    })
    .await
    .unwrap();
    let client = client(&server);
    let run = client
        .agent()
        .initiate(&InitiateAgentRequest::new("expiring"))
        .await
        .unwrap()
        .agent_run_id
        .unwrap();
    schedule(
        &server,
        &format!("/api/agent-run/{run}/stream"),
        "drop_after=3; times=1",
    )
    .await;
    // Reconnect only once the run is over (the status check is off, so the delay is waited in full).
    let mut s = client.runs().stream_with(
        &run,
        StreamOptions::default().reconnect(ReconnectPolicy {
            initial_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(400),
            check_status: false,
            ..ReconnectPolicy::default()
        }),
    );
    let mut delivered = 0;
    let err = loop {
        match s.next().await {
            Some(Ok(_)) => delivered += 1,
            Some(Err(e)) => break e,
            None => panic!("the stream ended as if complete after {delivered} items"),
        }
    };
    assert_eq!(delivered, 3);
    assert_eq!(err.kind(), ErrorKind::Stream);
    assert_eq!(
        err.as_stream().unwrap().cause(),
        &helium_sdk::error::StreamCause::ReplayExpired { delivered: 3 }
    );
    assert!(s.next().await.is_none());
}
