//! The public API v1 (`he-` keys) natively against the in-process dev backend over real HTTP: the key's
//! place among the credentials, quick actions with their limits, results, waiting, realtime items, follow-ups,
//! stop, history and files with auto-pagination, file content, and the rate limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use bytes::Bytes;
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::models::{
    FileContentResponse, FilesPage, FollowUpAccepted, HistoryPage, HistoryQuery, PublicFollowUpRequest,
    PublicRunStatus, PublicStopResponse, QuickActionRequest, QuickActionResponse, RealtimeItem,
    ThreadResponse, ThreadResponseQuery, WithRateLimit,
};
use helium_sdk::{Client, Credentials, ErrorKind, RetryPolicy, UploadFile, WaitOptions};
use serde_json::{Value, json};

const USER: &str = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../helium-devserver/fixtures/public_v1"
);

async fn server_with(f: impl FnOnce(&mut DevServerOptions)) -> DevServer {
    let mut options = DevServerOptions {
        pace: Duration::from_millis(2),
        ..DevServerOptions::default()
    };
    f(&mut options);
    DevServer::start(options).await.unwrap()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().backoff_between(Duration::from_millis(20), Duration::from_millis(80))
}

fn public_client(server: &DevServer) -> (Client, String) {
    let key = server.create_public_api_key(USER);
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(&key)
        .retry(fast_retry())
        .build()
        .unwrap();
    (client, key)
}

async fn request_log(server: &DevServer) -> Vec<Value> {
    reqwest::get(format!("{}/__devserver/requests", server.base_url()))
        .await
        .unwrap()
        .json::<Vec<Value>>()
        .await
        .unwrap()
}

async fn count_requests(server: &DevServer, method: &str, path_prefix: &str) -> usize {
    request_log(server)
        .await
        .iter()
        .filter(|r| r["method"] == method && r["path"].as_str().unwrap_or("").starts_with(path_prefix))
        .count()
}

#[test]
fn contract_fixtures_decode() {
    let read = |name: &str| std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
    let quick: QuickActionResponse = serde_json::from_str(&read("quick_action_response.json")).unwrap();
    assert_eq!(quick.message, "Task created and execution started");
    let result: ThreadResponse = serde_json::from_str(&read("thread_response_completed.json")).unwrap();
    assert_eq!(result.status, PublicRunStatus::Completed);
    assert!(result.text().contains("index.html"));
    assert_eq!(result.code_blocks[0].language, "html");
    assert_eq!(result.files[0].text(), Some(result.code_blocks[0].code.as_str()));
    let history: HistoryPage = serde_json::from_str(&read("history_response.json")).unwrap();
    assert_eq!(history.messages.len(), 2);
    assert_eq!(history.messages[1].has_code, Some(true));
    assert!(!history.pagination.has_next);
    let files: FilesPage = serde_json::from_str(&read("files_list_response.json")).unwrap();
    assert_eq!(files.pagination.total_items, 1);
    let file: FileContentResponse = serde_json::from_str(&read("file_content_response.json")).unwrap();
    assert_eq!(
        file.file.bytes().unwrap().unwrap(),
        file.file.content.as_deref().unwrap().as_bytes()
    );
    let follow: FollowUpAccepted = serde_json::from_str(&read("follow_up_response.json")).unwrap();
    assert_eq!(follow.status, PublicRunStatus::Running);
    let stop: PublicStopResponse = serde_json::from_str(&read("stop_response.json")).unwrap();
    assert!(stop.status.is_terminal());
    // The rate limit is not a wire field: it is never decoded from a body.
    assert!(stop.rate_limit().is_none());
    // The realtime sample, and the internal item form a client must tolerate too.
    let sample = read("realtime_sample.sse");
    let items: Vec<RealtimeItem> = sample
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| RealtimeItem::from_value(serde_json::from_str(d).unwrap()))
        .collect();
    assert!(matches!(&items[1], RealtimeItem::Content { content } if content.contains("index.html")));
    assert!(items.last().unwrap().is_terminal());
    assert_eq!(
        RealtimeItem::from_value(json!({"role": "assistant", "content": "Hi"})),
        RealtimeItem::Content { content: "Hi".into() }
    );
    assert!(matches!(
        RealtimeItem::from_value(json!({"status_type": "finish", "finish_reason": "stop"})),
        RealtimeItem::Finish { reason: Some(r) } if r == "stop"
    ));
    assert!(RealtimeItem::from_value(json!({"type": "status", "status": "STOPPED"})).is_terminal());
}

#[tokio::test]
async fn he_keys_work_on_the_public_api_only_and_are_never_printed() {
    let server = server_with(|_| {}).await;
    let (client, key) = public_client(&server);
    assert!(!format!("{client:?}").contains(&key));

    let started = client
        .public_v1()
        .quick_action(&QuickActionRequest::new("Write a hello page"))
        .await
        .unwrap();
    assert_eq!(started.message, "Task created and execution started");
    let rate = started.rate_limit.expect("rate-limit headers");
    assert_eq!((rate.limit, rate.remaining), (Some(100), Some(99)));
    assert!(rate.reset.unwrap() > 1_700_000_000);

    let result = client
        .public_v1()
        .wait_for_result(
            &started.thread_id,
            &started.project_id,
            &WaitOptions::within(Duration::from_secs(30)),
        )
        .await
        .unwrap();
    assert_eq!(result.status, PublicRunStatus::Completed);
    assert_eq!(result.agent_run_id.as_ref(), Some(&started.agent_run_id));
    // The answer is the run's last assistant message (the dev backend's scripted run ends describing its file).
    assert!(result.text().contains("index.html"), "{}", result.text());
    assert!(result.has_files && result.files.iter().any(|f| f.file_name == "index.html"));
    assert!(result.rate_limit.is_some());

    // The same key on an internal route fails before sending, with kind auth.
    let before = count_requests(&server, "GET", "/api/agent-run/").await;
    let err = client.runs().get(&started.agent_run_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.to_string().contains("public API v1"), "{err}");
    assert!(!err.to_string().contains(&key));
    let err = client.sandboxes().list("sb", "/workspace").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(count_requests(&server, "GET", "/api/agent-run/").await, before);

    // A pk_…:sk_… key is refused on the public API before sending; an access token is accepted there.
    let pk = client.with_credentials(Credentials::api_key("pk_abcd:sk_efgh").unwrap());
    let posts = count_requests(&server, "POST", "/api/v1/public/").await;
    let err = pk
        .public_v1()
        .quick_action(&QuickActionRequest::new("x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(count_requests(&server, "POST", "/api/v1/public/").await, posts);
    let bearer = client.with_credentials(Credentials::bearer(server.sample_token()));
    let again = bearer
        .public_v1()
        .response(
            &started.thread_id,
            &started.project_id,
            &ThreadResponseQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.status, PublicRunStatus::Completed);

    // An unknown he- key is the documented 401.
    let unknown =
        client.with_credentials(Credentials::public_api_key(format!("he-{}", "0".repeat(36))).unwrap());
    let err = unknown
        .public_v1()
        .history(&started.thread_id, &started.project_id, &HistoryQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(err.as_api().unwrap().message(), "API key not found");

    // Another user's thread is not found.
    let other = client.with_credentials(
        Credentials::api_key(server.create_public_api_key("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")).unwrap(),
    );
    let err = other
        .public_v1()
        .response(
            &started.thread_id,
            &started.project_id,
            &ThreadResponseQuery::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn upload_limits_are_checked_before_anything_is_sent() {
    let server = server_with(|_| {}).await;
    let (client, _) = public_client(&server);
    let api = client.public_v1();
    let code = |r: Result<QuickActionResponse, helium_sdk::Error>| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
        e.code().unwrap().to_owned()
    };
    assert_eq!(
        code(api.quick_action(&QuickActionRequest::new("")).await),
        "limit"
    );
    assert_eq!(
        code(api.quick_action(&QuickActionRequest::new("x".repeat(5001))).await),
        "limit"
    );
    let mut eleven = QuickActionRequest::new("many");
    for i in 0..11 {
        eleven = eleven.file(UploadFile::from_bytes(format!("f{i}.txt"), &b"x"[..]));
    }
    assert_eq!(code(api.quick_action(&eleven).await), "limit");
    let exe = QuickActionRequest::new("run").file(UploadFile::from_bytes("tool.exe", &b"MZ"[..]));
    assert_eq!(code(api.quick_action(&exe).await), "limit");
    // 50 MB + 1 byte: one buffer shared by every file of the request, never copied.
    let big = Bytes::from(vec![0u8; 50 * 1024 * 1024 + 1]);
    let too_big = QuickActionRequest::new("big").file(UploadFile::from_bytes("big.zip", big));
    assert_eq!(code(api.quick_action(&too_big).await), "file_too_large");
    let part = Bytes::from(vec![0u8; 42 * 1024 * 1024]);
    let mut total = QuickActionRequest::new("total");
    for i in 0..5 {
        total = total.file(UploadFile::from_bytes(format!("p{i}.zip"), part.clone()));
    }
    assert_eq!(code(api.quick_action(&total).await), "limit");
    let follow = PublicFollowUpRequest::new("y".repeat(5001));
    let err = api.follow_up("t", "p", &follow).await.unwrap_err();
    assert_eq!(err.code(), Some("limit"));
    // Nothing reached the server; 5000 characters and files alone are within the limits.
    assert_eq!(count_requests(&server, "POST", "/api/v1/public/").await, 0);
    let ok = api
        .quick_action(&QuickActionRequest::new("é".repeat(5000)))
        .await
        .unwrap();
    assert!(ok.success);
    let files_only = QuickActionRequest::new("").file(UploadFile::from_bytes("Notes.MD", &b"# notes"[..]));
    api.quick_action(&files_only).await.unwrap();
}

#[tokio::test]
async fn history_files_and_file_content_page_by_page() {
    let server = server_with(|_| {}).await;
    let (client, _) = public_client(&server);
    let api = client.public_v1();
    let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, 0xfe, 1, 2, 3];
    let request = QuickActionRequest::new("Describe these files")
        .file(UploadFile::from_bytes("notes.txt", &b"some notes"[..]))
        .file(UploadFile::from_bytes("image.png", png.clone()));
    let started = api.quick_action(&request).await.unwrap();
    let (thread, project) = (started.thread_id.clone(), started.project_id.clone());
    let result = api
        .wait_for_result(
            &thread,
            &project,
            &WaitOptions::within(Duration::from_secs(30)).with_file_content(),
        )
        .await
        .unwrap();
    let page = result.files.iter().find(|f| f.file_name == "index.html").unwrap();
    assert!(page.text().unwrap().contains("<h1>"), "{page:?}");

    // Every message, one per page: the iteration follows has_next.
    let one_per_page = HistoryQuery {
        page_size: Some(1),
        ..HistoryQuery::default()
    };
    let first = api.history(&thread, &project, &one_per_page).await.unwrap();
    assert!(first.pagination.has_next && first.messages.len() == 1);
    let messages = api
        .history_all(&thread, &project, &one_per_page)
        .collect_all()
        .await
        .unwrap();
    assert!(messages.len() >= 2, "{messages:?}");
    assert_eq!(messages[0].role, "user");
    assert!(messages[0].content.contains("Describe these files"));
    assert!(messages.iter().any(|m| m.role == "assistant"));

    // Every file, as a Stream.
    use futures::StreamExt as _;
    let files: Vec<_> = api
        .files_all(&thread, &project)
        .map(|f| f.unwrap())
        .collect()
        .await;
    let mut names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["image.png", "index.html", "notes.txt"]);

    // Content: inline text, base64 decoded, raw download.
    let id_of = |name: &str| {
        files
            .iter()
            .find(|f| f.file_name == name)
            .unwrap()
            .file_id
            .clone()
    };
    let notes = api.file(id_of("notes.txt"), &project, &thread).await.unwrap();
    assert_eq!(notes.file.text(), Some("some notes"));
    assert!(notes.rate_limit.is_some());
    let image = api.file(id_of("image.png"), &project, &thread).await.unwrap();
    assert_ne!(image.file.encoding.as_deref(), Some("utf-8"));
    assert_eq!(image.file.text(), None);
    assert_eq!(image.file.bytes().unwrap().unwrap(), png);
    assert_eq!(
        api.read_file(id_of("image.png"), &project, &thread)
            .await
            .unwrap(),
        png
    );
    assert_eq!(
        api.download_file(id_of("image.png"), &project, &thread)
            .await
            .unwrap(),
        png
    );
    let err = api
        .file(format!("{thread}:/workspace/missing.txt"), &project, &thread)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn realtime_items_follow_ups_stop_and_the_wait_deadline() {
    let server = server_with(|_| {}).await;
    let (client, _) = public_client(&server);
    let api = client.public_v1();
    let started = api
        .quick_action(&QuickActionRequest::new("Stream this"))
        .await
        .unwrap();
    let (thread, project) = (started.thread_id.clone(), started.project_id.clone());
    let query = ThreadResponseQuery {
        timeout: Some(30),
        ..ThreadResponseQuery::default()
    };
    let items = api
        .realtime(&thread, &project, &query)
        .collect_all()
        .await
        .unwrap();
    assert!(
        matches!(&items[0], RealtimeItem::Status { status, .. } if *status == PublicRunStatus::Running),
        "{items:?}"
    );
    let text: String = items
        .iter()
        .filter_map(|i| match i {
            RealtimeItem::Content { content } => Some(content.as_str()),
            _ => None,
        })
        .collect();
    assert!(text.contains("Stream this"), "{text}");
    assert!(items.last().unwrap().is_terminal());
    assert!(
        matches!(items.last().unwrap(), RealtimeItem::Status { status, .. } if *status == PublicRunStatus::Completed)
    );

    // A follow-up starts a new run that answers it.
    let follow = api
        .follow_up(
            &thread,
            &project,
            &PublicFollowUpRequest::new("And now a second page"),
        )
        .await
        .unwrap();
    assert_eq!(follow.message, "Follow-up accepted");
    let result = api
        .wait_for_result(&thread, &project, &WaitOptions::within(Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(result.agent_run_id.as_ref(), Some(&follow.agent_run_id));
    assert_eq!(result.status, PublicRunStatus::Completed);
    let history = api
        .history_all(&thread, &project, &HistoryQuery::default())
        .collect_all()
        .await
        .unwrap();
    let users: Vec<&str> = history
        .iter()
        .filter(|m| m.role == "user")
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(users, ["Stream this", "And now a second page"]);

    // A run that holds: the wait ends at the caller's deadline with kind timeout, then stop ends the run.
    api.follow_up(&thread, &project, &PublicFollowUpRequest::new("please [hold]"))
        .await
        .unwrap();
    let t0 = Instant::now();
    let err = api
        .wait_for_result(
            &thread,
            &project,
            &WaitOptions::within(Duration::from_millis(2500)).poll_every(Duration::from_secs(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(t0.elapsed() >= Duration::from_millis(2400) && t0.elapsed() < Duration::from_secs(8));
    let stopped = api.stop(&thread, &project).await.unwrap();
    assert_eq!(stopped.status, PublicRunStatus::Stopped);
    let result = api
        .wait_for_result(&thread, &project, &WaitOptions::within(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(result.status, PublicRunStatus::Stopped);
    let err = api.stop(&thread, &project).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_429_is_waited_out_until_the_reset_and_exposed_on_errors() {
    let server = server_with(|o| {
        o.public_rate_limit = 3;
        o.public_rate_window = Duration::from_secs(2);
    })
    .await;
    let (client, _) = public_client(&server);
    let api = client.public_v1();
    // The window ends at a whole second (the reset header has seconds): start just after one, so the four
    // calls below fall in one window.
    let into_second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    tokio::time::sleep(Duration::from_millis(u64::from(1000 - into_second) + 20)).await;
    let started = api.quick_action(&QuickActionRequest::new("count")).await.unwrap();
    let (thread, project) = (started.thread_id.clone(), started.project_id.clone());
    let second = api
        .history(&thread, &project, &HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(second.rate_limit.unwrap().remaining, Some(1));
    api.history(&thread, &project, &HistoryQuery::default())
        .await
        .unwrap();

    // Not idempotent: the 429 is the caller's, with the headers.
    let err = api
        .quick_action(&QuickActionRequest::new("more"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(
        err.as_api().unwrap().message(),
        "Rate limit exceeded. Please try again later."
    );
    let rate = err.rate_limit().unwrap();
    assert_eq!((rate.limit, rate.remaining), (Some(3), Some(0)));
    let reset = rate.reset.unwrap();
    // A cap below the wait ends the retries at once.
    let impatient = client.with_retry(fast_retry().with_max_retry_after(Duration::ZERO));
    let err = impatient
        .public_v1()
        .history(&thread, &project, &HistoryQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);

    // Idempotent: waits until the reset, then the retry succeeds in the new window.
    let history_path = format!("/api/v1/public/threads/{thread}/history");
    let before = count_requests(&server, "GET", &history_path).await;
    let t0 = Instant::now();
    let page = api
        .history(&thread, &project, &HistoryQuery::default())
        .await
        .unwrap();
    let waited = t0.elapsed();
    assert!(!page.messages.is_empty());
    assert_eq!(page.rate_limit.unwrap().remaining, Some(2));
    assert_eq!(count_requests(&server, "GET", &history_path).await, before + 2);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now >= reset, "retried before the reset ({now} < {reset})");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}
