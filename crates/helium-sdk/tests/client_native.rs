//! The API client natively against the in-process dev backend over real HTTP: every handler, each error
//! kind through fault injection, retries and Retry-After, timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions, EnvMode};
use helium_sdk::models::{
    AgentRunId, AgentRunStatus, AgentStartRequest, AgentsQuery, CreateApiKeyRequest, InitiateAgentRequest,
    ManualEventRequest, MinutesLimit, ProjectId, SandboxId, ThreadId,
};
use helium_sdk::stream::{ControlSignal, RunState, StreamEvent};
use helium_sdk::{Client, Credentials, ErrorKind, RetryPolicy, SandboxUpload, UploadFile};
use serde_json::{Value, json};

async fn server_with(f: impl FnOnce(&mut DevServerOptions)) -> DevServer {
    let mut options = DevServerOptions {
        pace: Duration::from_millis(2),
        ..DevServerOptions::default()
    };
    f(&mut options);
    DevServer::start(options).await.unwrap()
}

async fn server() -> DevServer {
    server_with(|_| {}).await
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().backoff_between(Duration::from_millis(20), Duration::from_millis(80))
}

fn client(server: &DevServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.sample_token())
        .retry(fast_retry())
        .build()
        .unwrap()
}

async fn admin(server: &DevServer, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new().request(method, format!("{}/__devserver/{path}", server.base_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "admin {path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn schedule(server: &DevServer, method: &str, path: &str, fault: &str) {
    admin(
        server,
        reqwest::Method::POST,
        "faults",
        Some(json!({"method": method, "path": path, "fault": fault})),
    )
    .await;
}

async fn requests_to(server: &DevServer, method: &str, path: &str) -> Vec<Value> {
    let log = admin(server, reqwest::Method::GET, "requests", None).await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .cloned()
        .collect()
}

#[tokio::test]
async fn health_needs_no_credentials_and_both_base_url_spellings_work() {
    let server = server().await;
    for base in [
        server.base_url(),
        server.api_url(),
        format!("{}/", server.api_url()),
    ] {
        let anonymous = Client::builder().base_url(base).build().unwrap();
        assert_eq!(anonymous.api_root().to_string(), server.api_url());
        let health = anonymous.health().await.unwrap();
        assert_eq!(health.status, "ok");
        assert_eq!(health.instance_id.as_deref(), Some("single"));
        assert_eq!(health.environment.as_deref(), Some("local"));
    }
    let docker = client(&server).health_docker().await.unwrap();
    assert_eq!(docker.status, "ok");
}

#[tokio::test]
async fn initiate_status_stream_and_list_tell_one_story() {
    let server = server().await;
    let client = client(&server);
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("Build me a landing page"))
        .await
        .unwrap();
    let run_id = started.agent_run_id.clone().unwrap();
    let run = client.runs().get(&run_id).await.unwrap();
    assert_eq!(run.id, run_id);
    assert_eq!(run.thread_id, started.thread_id);

    let transcript = client.runs().stream(&run_id).collect_transcript().await.unwrap();
    assert_eq!(
        transcript.terminal(),
        Some(&StreamEvent::RunStatus {
            state: RunState::Completed,
            message: Some("Agent run completed successfully".into())
        })
    );
    assert!(
        transcript.final_text().contains("Build me a landing page"),
        "{}",
        transcript.final_text()
    );
    assert_eq!(transcript.messages().len(), 2);
    assert_eq!(transcript.tools(), ["create_file", "complete"]);
    assert!(transcript.event_count() >= 27);

    let run = client.runs().get(&run_id).await.unwrap();
    assert_eq!(run.status, AgentRunStatus::Completed);
    assert!(run.completed_at.is_some());
    let runs = client.runs().list(&started.thread_id).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, run_id);
    assert_eq!(runs[0].status, AgentRunStatus::Completed);

    // A second run on the same thread, then the stream of a finished run replays and ends.
    let second = client
        .agent()
        .start(&started.thread_id, &AgentStartRequest::default())
        .await
        .unwrap();
    assert_eq!(second.status, AgentRunStatus::Running);
    let events = client
        .runs()
        .stream(&second.agent_run_id)
        .collect_transcript()
        .await
        .unwrap();
    assert!(events.terminal().is_some());
    let again = client.runs().stream(&run_id).collect_transcript().await.unwrap();
    assert_eq!(again.messages(), transcript.messages());
    let runs = client.runs().list(&started.thread_id).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].id, second.agent_run_id, "newest first");
    let agent = client.agent().thread_agent(&started.thread_id).await.unwrap();
    assert_eq!(agent.source, "none");
}

#[tokio::test]
async fn stop_mid_run_ends_the_stream_with_stop() {
    let server = server_with(|o| o.pace = Duration::from_millis(40)).await;
    let client = client(&server);
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("long task"))
        .await
        .unwrap();
    let run_id = started.agent_run_id.unwrap();
    let mut stream = client.runs().stream(&run_id);
    for _ in 0..3 {
        let item = stream.next().await.unwrap().unwrap();
        assert!(!item.event.is_terminal());
    }
    let stopped = client.runs().stop(&run_id).await.unwrap();
    assert_eq!(stopped.status, "stopped");
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item.unwrap().event);
    }
    assert_eq!(
        last,
        Some(StreamEvent::Control {
            signal: ControlSignal::Stop
        })
    );
    assert!(stream.next().await.is_none());
    assert_eq!(
        client.runs().get(&run_id).await.unwrap().status,
        AgentRunStatus::Stopped
    );
}

#[tokio::test]
async fn pause_resume_and_manual_events_reach_the_stream() {
    let server = server_with(|o| o.pace = Duration::from_millis(30)).await;
    let client = client(&server);
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("watch me"))
        .await
        .unwrap();
    let run_id = started.agent_run_id.unwrap();
    assert_eq!(client.runs().pause(&run_id).await.unwrap().status, "pausing");
    assert_eq!(client.runs().resume(&run_id).await.unwrap().status, "resuming");
    assert_eq!(client.runs().takeover(&run_id).await.unwrap().status, "takeover");
    assert_eq!(client.runs().release(&run_id).await.unwrap().status, "released");
    let event = ManualEventRequest {
        r#type: "browser_click".into(),
        data: json!({"x": 1, "description": "clicked"}),
    };
    assert_eq!(
        client.runs().manual_event(&run_id, &event).await.unwrap().status,
        "ok"
    );
    let mut saw_paused = false;
    let mut saw_manual = false;
    let mut stream = client.runs().stream(&run_id);
    while let Some(item) = stream.next().await {
        match item.unwrap().event {
            StreamEvent::RunStatus {
                state: RunState::Paused,
                ..
            } => saw_paused = true,
            StreamEvent::ManualEvent { event_type, data, .. } => {
                assert_eq!(event_type, "browser_click");
                assert_eq!(data["x"], 1);
                saw_manual = true;
            }
            _ => {}
        }
    }
    assert!(saw_paused && saw_manual);
}

async fn sandbox_of(server: &DevServer, thread: &ThreadId) -> (ProjectId, SandboxId) {
    let detail: Value = reqwest::Client::new()
        .get(format!("{}/threads/{}", server.api_url(), thread))
        .bearer_auth(server.sample_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let project = detail["project_id"].as_str().unwrap().to_owned();
    let sandbox = detail["project"]["sandbox"]["id"].as_str().unwrap().to_owned();
    (ProjectId::from(project), SandboxId::from(sandbox))
}

#[tokio::test]
async fn files_through_initiate_and_the_sandbox_routes() {
    let server = server().await;
    let client = client(&server);
    // "é" decomposed (NFD) is sent NFC-normalised, as the frontend does.
    let file = UploadFile::from_bytes("re\u{301}sume\u{301}.txt", b"hello sandbox".to_vec())
        .content_type("text/plain");
    assert_eq!(file.name(), "r\u{e9}sum\u{e9}.txt");
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("read my file").file(file))
        .await
        .unwrap();
    let (project, sandbox_id) = sandbox_of(&server, &started.thread_id).await;
    let sandbox = client.sandboxes();
    let files = sandbox.list(&sandbox_id, "/workspace").await.unwrap();
    let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"r\u{e9}sum\u{e9}.txt"), "{names:?}");
    assert_eq!(
        sandbox
            .read(&sandbox_id, "/workspace/r\u{e9}sum\u{e9}.txt")
            .await
            .unwrap(),
        b"hello sandbox"
    );

    let upload = SandboxUpload::new(
        "/workspace/notes/a b.md",
        UploadFile::from_bytes("a b.md", b"# notes".to_vec()),
    );
    let created = sandbox.upload(&sandbox_id, &upload).await.unwrap();
    assert!(created.created);
    assert_eq!(created.path, "/workspace/notes/a b.md");
    assert_eq!(
        sandbox
            .read(&sandbox_id, "/workspace/notes/a b.md")
            .await
            .unwrap(),
        b"# notes"
    );
    let deleted = sandbox
        .delete_file(&sandbox_id, "/workspace/notes/a b.md")
        .await
        .unwrap();
    assert!(deleted.deleted);
    let err = sandbox
        .read(&sandbox_id, "/workspace/notes/a b.md")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        client
            .projects()
            .ensure_sandbox_active(&project)
            .await
            .unwrap()
            .sandbox_id,
        sandbox_id
    );
    assert!(sandbox.delete(&sandbox_id).await.unwrap().deleted);

    // A project without a sandbox: the backend's wrapped 500 "404: …" is a not_found, not retried.
    let err = client
        .projects()
        .ensure_sandbox_active(&project)
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(500)));
    assert_eq!(err.as_api().unwrap().wrapped_status(), Some(404));
    assert_eq!(
        err.as_api().unwrap().message(),
        "No sandbox found for this project"
    );

    // Over the 50 MB limit: refused before sending.
    let big = UploadFile::from_bytes("big.bin", vec![0u8; 50 * 1024 * 1024 + 1]);
    let err = sandbox
        .upload("x", &SandboxUpload::new("/workspace/big.bin", big))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.code(), Some("file_too_large"));
}

#[tokio::test]
async fn billing_agents_flags_and_api_keys() {
    let server = server().await;
    let client = client(&server);
    let sub = client.billing().subscription().await.unwrap();
    assert_eq!(sub.plan_name.as_deref(), Some("free"));
    let check = client.billing().check_status().await.unwrap();
    assert!(check.can_run);
    assert_eq!(
        check.subscription.minutes_limit,
        Some(MinutesLimit::Text("no limit".into()))
    );
    let models = client.billing().available_models().await.unwrap();
    assert!(!models.models.is_empty());
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("usage"))
        .await
        .unwrap();
    client
        .billing()
        .thread_token_usage(&started.thread_id)
        .await
        .unwrap();

    let agents = client.agents().list(&AgentsQuery::default()).await.unwrap();
    assert_eq!(agents.agents.len(), 1);
    assert_eq!(agents.agents[0].agent_id.as_str(), "helium-default");
    assert_eq!(
        client
            .agents()
            .get(&agents.agents[0].agent_id)
            .await
            .unwrap()
            .name,
        "Helium"
    );
    let flags = client.flags().list().await.unwrap();
    assert!(!flags.flags.get("custom_agents").copied().unwrap_or(false));
    assert!(!client.flags().get("custom_agents").await.unwrap().enabled);

    let created = client
        .api_keys()
        .create(&CreateApiKeyRequest {
            title: "ci".into(),
            description: None,
            expires_in_days: Some(30),
        })
        .await
        .unwrap();
    assert!(!format!("{created:?}").contains(&created.secret_key));
    let keys = client.api_keys().list().await.unwrap();
    assert!(keys.iter().any(|k| k.key_id == created.key_id));
    let by_key = client.with_credentials(Credentials::api_key(created.header_value()).unwrap());
    assert_eq!(by_key.runs().list(&started.thread_id).await.unwrap().len(), 1);
    client.api_keys().revoke(&created.key_id).await.unwrap();
    let err = by_key.runs().list(&started.thread_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(err.to_string().contains("API key is revoked"), "{err}");
    assert!(!err.to_string().contains(&created.secret_key));
    client.api_keys().delete(&created.key_id).await.unwrap();
}

#[tokio::test]
async fn http_errors_map_to_kinds_with_the_server_detail() {
    let server = server().await;
    let client = client(&server);
    // No credentials: refused before any request.
    let anonymous = Client::builder().base_url(server.base_url()).build().unwrap();
    assert_eq!(
        anonymous
            .runs()
            .get(&AgentRunId::from("x"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Auth
    );
    // Garbage token: the backend's 401 text.
    let garbage = client.with_credentials(Credentials::bearer("not-a-jwt"));
    let err = garbage.runs().get(&AgentRunId::from("x")).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Unauthorized, Some(401)));
    assert!(
        err.to_string().contains("Invalid token: Not enough segments"),
        "{err}"
    );
    assert!(err.request_id().is_some());
    // 404
    let err = client
        .runs()
        .get(&AgentRunId::from("00000000-0000-0000-0000-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.as_api().unwrap().message(), "Agent run not found");
    // 403: another user's thread.
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("mine"))
        .await
        .unwrap();
    let other = client.with_credentials(Credentials::bearer(
        server.token_for("11111111-2222-3333-4444-555555555555"),
    ));
    let err = other.runs().list(&started.thread_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(
        err.as_api().unwrap().message(),
        "Not authorized to access this thread"
    );
    // 422 keeps the detail list.
    let err = client
        .agent()
        .initiate(&InitiateAgentRequest::new(""))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let detail = serde_json::to_value(err.detail().unwrap()).unwrap();
    assert_eq!(detail[0]["loc"], json!(["body", "prompt"]));
    // 5xx bodies.
    schedule(&server, "GET", "/api/billing/subscription", "status=503; times=3").await;
    let err = client.billing().subscription().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(503)));
    assert_eq!(err.as_api().unwrap().message(), "Server is shutting down");
    // HTML where JSON was expected: a decode error with a redacted excerpt.
    schedule(&server, "GET", "/api/feature-flags", "html; times=1").await;
    let err = client.flags().list().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Decode, Some(200)));
    assert!(err.to_string().contains("<!DOCTYPE html>"), "{err}");
}

#[tokio::test]
async fn billing_gate_in_staging_and_run_limit_in_production() {
    let staging = server_with(|o| o.env_mode = EnvMode::Staging).await;
    let client = client(&staging);
    let mut last = None;
    for i in 0..6 {
        match client
            .agent()
            .initiate(&InitiateAgentRequest::new(format!("run {i}")))
            .await
        {
            Ok(_) => {}
            Err(e) => {
                last = Some(e);
                break;
            }
        }
    }
    let err = last.expect("the staging billing gate must trip");
    assert_eq!((err.kind(), err.status()), (ErrorKind::Billing, Some(402)));
    assert!(err.as_api().unwrap().message().contains("credits"), "{err}");

    let production = server_with(|o| {
        o.env_mode = EnvMode::Production;
        o.pace = Duration::from_millis(500);
    })
    .await;
    let client = self::client(&production);
    let mut threads = Vec::new();
    for i in 0..3 {
        threads.push(
            client
                .agent()
                .initiate(&InitiateAgentRequest::new(format!("p{i}")))
                .await
                .unwrap()
                .thread_id,
        );
    }
    let err = client
        .agent()
        .initiate(&InitiateAgentRequest::new("one too many"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let limit = err.run_limit().unwrap();
    assert_eq!((limit.running_count, limit.limit), (3, 3));
    let mut running = limit.running_thread_ids.clone();
    running.sort();
    threads.sort();
    assert_eq!(running, threads);
    // Not idempotent: not retried.
    let posts = requests_to(&production, "POST", "/api/agent/initiate").await;
    assert_eq!(posts.len(), 4);
}

#[tokio::test]
async fn idempotent_calls_are_retried_and_honour_retry_after() {
    let server = server().await;
    let client = client(&server);
    schedule(&server, "GET", "/api/health", "status=503; times=2").await;
    assert_eq!(client.health().await.unwrap().status, "ok");
    let log = requests_to(&server, "GET", "/api/health").await;
    assert_eq!(log.len(), 3);
    let ids: Vec<_> = log.iter().map(|r| r["request_id"].clone()).collect();
    assert!(
        ids.iter().all(|i| *i == ids[0] && i.is_string()),
        "one request id across retries: {ids:?}"
    );

    schedule(
        &server,
        "GET",
        "/api/feature-flags",
        "status=429; times=1; retry_after=1",
    )
    .await;
    client.flags().list().await.unwrap();
    let log = requests_to(&server, "GET", "/api/feature-flags").await;
    assert_eq!(log.len(), 2);
    let gap = log[1]["at_ms"].as_u64().unwrap() - log[0]["at_ms"].as_u64().unwrap();
    assert!(gap >= 1000, "Retry-After: 1 honoured, gap {gap} ms");

    // Out of retries: the last error, with its status.
    schedule(&server, "GET", "/api/billing/check-status", "status=502").await;
    let err = client.billing().check_status().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(502)));
    assert_eq!(
        requests_to(&server, "GET", "/api/billing/check-status")
            .await
            .len(),
        3
    );

    // A Retry-After over the cap ends the retries at once.
    schedule(
        &server,
        "GET",
        "/api/billing/available-models",
        "status=503; retry_after=120",
    )
    .await;
    let err = client.billing().available_models().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        requests_to(&server, "GET", "/api/billing/available-models")
            .await
            .len(),
        1
    );

    // stop is safe to repeat and retried; start is not.
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("x"))
        .await
        .unwrap();
    let run = started.agent_run_id.unwrap();
    schedule(
        &server,
        "POST",
        &format!("/api/agent-run/{run}/stop"),
        "status=500; times=1",
    )
    .await;
    assert_eq!(client.runs().stop(&run).await.unwrap().status, "stopped");
    let path = format!("/api/thread/{}/agent/start", started.thread_id);
    schedule(&server, "POST", &path, "status=500; times=1").await;
    let err = client
        .agent()
        .start(&started.thread_id, &AgentStartRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(requests_to(&server, "POST", &path).await.len(), 1);
}

#[tokio::test]
async fn timeouts_resets_and_truncated_bodies() {
    let server = server().await;
    let client = client(&server);
    let no_retry = client.with_retry(RetryPolicy::none());
    schedule(&server, "GET", "/api/health", "delay_ms=1500; times=1").await;
    let err = no_retry
        .with_timeout(Duration::from_millis(200))
        .health()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // Retried, the second attempt is fast.
    schedule(&server, "GET", "/api/health", "delay_ms=5000; times=1").await;
    client
        .with_timeout(Duration::from_millis(1500))
        .health()
        .await
        .unwrap();

    schedule(&server, "GET", "/api/feature-flags", "reset; times=1").await;
    let err = no_retry.flags().list().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    schedule(&server, "GET", "/api/feature-flags", "reset; times=1").await;
    client.flags().list().await.unwrap();

    schedule(
        &server,
        "GET",
        "/api/billing/subscription",
        "truncate=10; times=1",
    )
    .await;
    let err = no_retry.billing().subscription().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    schedule(
        &server,
        "GET",
        "/api/billing/subscription",
        "truncate=10; times=1",
    )
    .await;
    client.billing().subscription().await.unwrap();

    // Dropping the future cancels the call natively.
    schedule(&server, "GET", "/api/agents", "stall; stall_ms=5000").await;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(200),
        client.agents().list(&AgentsQuery::default()),
    )
    .await;
    assert!(cancelled.is_err());
    // An unreachable backend is a network error.
    let unreachable = Client::builder()
        .base_url("http://127.0.0.1:9")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(unreachable.health().await.unwrap_err().kind(), ErrorKind::Network);
}

#[tokio::test]
async fn a_body_over_the_size_limit_fails_typed_without_retries() {
    let server = server().await;
    let client = client(&server);
    let started = client
        .agent()
        .initiate(&InitiateAgentRequest::new("big file").file(UploadFile::from_bytes("a.txt", b"a".to_vec())))
        .await
        .unwrap();
    let (_, sandbox_id) = sandbox_of(&server, &started.thread_id).await;
    let big = vec![b'x'; 300 * 1024];
    let upload = SandboxUpload::new(
        "/workspace/big.bin",
        UploadFile::from_bytes("big.bin", big.clone()),
    );
    client.sandboxes().upload(&sandbox_id, &upload).await.unwrap();
    assert_eq!(
        client
            .sandboxes()
            .read(&sandbox_id, "/workspace/big.bin")
            .await
            .unwrap(),
        big
    );
    let limited = Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.sample_token())
        .retry(fast_retry())
        .max_response_size(64 * 1024)
        .build()
        .unwrap();
    let path = format!("/api/sandboxes/{sandbox_id}/files/content");
    let before = requests_to(&server, "GET", &path).await.len();
    let err = limited
        .sandboxes()
        .read(&sandbox_id, "/workspace/big.bin")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.code(), Some("body_too_large"));
    let helium_sdk::Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.size_limit(), Some(64 * 1024));
    assert!(err.to_string().contains("65536 bytes"), "{err}");
    // Not transient: the same body would come back.
    assert_eq!(requests_to(&server, "GET", &path).await.len(), before + 1);
    // Exactly the limit is accepted.
    let exact = Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.sample_token())
        .max_response_size(big.len())
        .build()
        .unwrap();
    assert_eq!(
        exact
            .sandboxes()
            .read(&sandbox_id, "/workspace/big.bin")
            .await
            .unwrap()
            .len(),
        big.len()
    );
}

#[tokio::test]
async fn token_provider_is_called_per_request() {
    let server = server().await;
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let token = server.sample_token();
    let counter = calls.clone();
    let client = Client::builder()
        .base_url(server.api_url())
        .token_provider(move || {
            let token = token.clone();
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Ok::<_, helium_sdk::Error>(token) }
        })
        .build()
        .unwrap();
    client.api_keys().list().await.unwrap();
    client.billing().subscription().await.unwrap();
    client.health().await.unwrap(); // no credentials for health
    client.flags().list().await.unwrap(); // nor for feature flags
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}
