//! The SSE stream: byte format, replay, terminal rules, control, variants.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use serde_json::Value;

const ECHO: &str = r#"You asked: \\\"Make a page\\\"\\n\\n"#;

#[tokio::test]
async fn stream_matches_sample_fixture_line_for_line() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, run_id) = initiate(&server, &token, "Make a page").await;
    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["content-type"], "text/event-stream");
    assert_eq!(h["cache-control"], "no-cache, no-transform");
    assert_eq!(h["x-accel-buffering"], "no");
    assert_eq!(h["access-control-allow-origin"], "*");
    let body = resp.text().await.unwrap();
    let ours = frames(&body);
    let fixture = fixture("script_run.sse");
    let expected = frames(&fixture);
    assert_eq!(ours.len(), expected.len(), "{body}");
    assert_eq!(ours.len(), 27);
    for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
        let a = normalize(&a.replace(ECHO, ""));
        assert_eq!(a, normalize(b), "line {i}");
    }
    // the prompt is echoed, ids are fresh, the thread id is the real one
    assert!(ours[2].contains(ECHO));
    assert!(!body.contains("85f748e5-8cd9-453c-8f55-4dfc0596f25c"));
    assert!(ours[0].contains(&thread_id));
    assert_eq!(
        ours[26],
        r#"{"type": "status", "status": "completed", "message": "Agent run completed successfully"}"#
    );
    let run = wait_status(&server, &run_id, &token, "completed").await;
    assert!(run["completedAt"].is_string());
    server.shutdown().await;
}

#[tokio::test]
async fn reconnect_replays_from_first_item_and_finished_run_gets_bare_completed() {
    let server = start_with(|o| o.pace = Duration::from_millis(15)).await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "Make a page").await;
    // first connection: read 3 frames then disconnect
    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .send()
        .await
        .unwrap();
    let mut stream = resp.bytes_stream();
    let mut first = Vec::new();
    while first.windows(2).filter(|w| w == b"\n\n").count() < 3 {
        first.extend_from_slice(&stream.next().await.unwrap().unwrap());
    }
    drop(stream);
    let first = String::from_utf8(first).unwrap();
    let first_frames = frames(&first[..first.match_indices("\n\n").nth(2).unwrap().0 + 2]);
    // second connection replays the same items byte for byte, then continues to the end
    let full = read_stream(&server, &run_id, &token).await;
    let all = frames(&full);
    assert_eq!(&all[..3], &first_frames[..]);
    assert_eq!(all.len(), 27);
    // the run is finished now: replay + bare completed
    let again = read_stream(&server, &run_id, &token).await;
    let again_frames = frames(&again);
    assert_eq!(again_frames.len(), 28);
    assert_eq!(&again_frames[..27], &all[..]);
    let bare = fixture("stream_finished_run.sse");
    assert!(again.ends_with(&bare));
    server.shutdown().await;
}

#[tokio::test]
async fn expired_run_stream_is_exactly_the_finished_fixture() {
    let server = start_with(|o| o.response_ttl = Duration::ZERO).await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "hi").await;
    wait_status(&server, &run_id, &token, "completed").await;
    let body = read_stream(&server, &run_id, &token).await;
    assert_eq!(body, fixture("stream_finished_run.sse"));
    server.shutdown().await;
}

#[tokio::test]
async fn stop_ends_live_stream_with_stop_and_sets_db_status() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, run_id) = initiate(&server, &token, "Make a page [hold]").await;
    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(async move { resp.text().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let r = client()
        .post(format!("{}/agent-run/{run_id}/stop", server.api_url()))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), r#"{"status":"stopped"}"#);
    let body = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    let f = frames(&body);
    assert_eq!(f.last().unwrap(), r#"{"type": "status", "status": "STOP"}"#);
    assert_eq!(f.len(), 14, "turn 1 (13 items) then STOP");
    let run = wait_status(&server, &run_id, &token, "stopped").await;
    assert!(run["completedAt"].is_string());
    let list: Value = get_json(
        format!("{}/thread/{thread_id}/agent-runs", server.api_url()),
        &token,
    )
    .await;
    assert_eq!(list["agent_runs"][0]["status"], "stopped");
    // after the stop a reconnect gets the stored items + bare completed (no STOP)
    let again = frames(&read_stream(&server, &run_id, &token).await);
    assert_eq!(again.len(), 14);
    assert_eq!(again[13], r#"{"type": "status", "status": "completed"}"#);
    server.shutdown().await;
}

#[tokio::test]
async fn pause_resume_and_manual_event_appear_in_stream() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "Make a page [pause]").await;
    let api = server.api_url();
    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(async move { resp.text().await.unwrap() });
    // wait until the run paused itself after turn 1
    tokio::time::sleep(Duration::from_millis(200)).await;
    let event = fixture("agent_manual_event_request.json");
    let r = client()
        .post(format!("{api}/agent-run/{run_id}/manual-event"))
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), r#"{"status":"ok"}"#);
    for (route, answer) in [
        ("pause", "pausing"),
        ("takeover", "takeover"),
        ("release", "released"),
        ("resume", "resuming"),
    ] {
        let r = client()
            .post(format!("{api}/agent-run/{run_id}/{route}"))
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], answer);
    }
    let body = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    let f = frames(&body);
    let expected = frames(&fixture("stream_paused_manual_event.sse"));
    assert_eq!(f[13], expected[0], "paused item after turn 1");
    assert_eq!(normalize(&f[14]), normalize(&expected[1]), "manual event");
    // pause/takeover while already paused emit nothing; release resumes turn 2
    assert_eq!(f.len(), 13 + 2 + 14);
    assert_eq!(
        f.iter().filter(|l| l.contains(r#""status": "paused""#)).count(),
        1
    );
    assert_eq!(
        f.last().unwrap(),
        r#"{"type": "status", "status": "completed", "message": "Agent run completed successfully"}"#
    );
    server.shutdown().await;
}

#[tokio::test]
async fn manual_event_validation() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x [hold]").await;
    let r = client()
        .post(format!("{}/agent-run/{run_id}/manual-event", server.api_url()))
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .body(r#"{"data": []}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"][0]["loc"][1], "type");
    assert_eq!(body["detail"][1]["type"], "dict_type");
    server.shutdown().await;
}

#[tokio::test]
async fn error_variants() {
    let server = start_with(|o| o.pace = Duration::from_millis(20)).await;
    let token = server.sample_token();
    // LLM error: non-terminal error item, then completed
    let (_, run_id) = initiate(&server, &token, "[llm_error] go").await;
    let f = frames(&read_stream(&server, &run_id, &token).await);
    let fx = frames(&fixture("stream_llm_error.sse"));
    assert_eq!(f[2], fx[0]);
    assert_eq!(f.last().unwrap(), &fx[1]);
    wait_status(&server, &run_id, &token, "completed").await;

    // worker error: error item, then control ERROR; DB failed with an error text
    let (_, run_id) = initiate(&server, &token, "[worker_error] go").await;
    let f = frames(&read_stream(&server, &run_id, &token).await);
    assert_eq!(
        normalize(&f[0]),
        normalize(&frames(&fixture("stream_worker_error.sse"))[0])
    );
    let last = f.last().unwrap();
    assert!(
        last == r#"{"type": "status", "status": "ERROR"}"#
            || last == r#"{"type": "status", "status": "completed"}"#
    );
    let run = wait_status(&server, &run_id, &token, "failed").await;
    assert!(run["error"].as_str().unwrap().contains("not found"));

    // billing stop: terminal stopped item
    let (_, run_id) = initiate(&server, &token, "[billing_stop]").await;
    let f = frames(&read_stream(&server, &run_id, &token).await);
    assert_eq!(f[2], frames(&fixture("stream_billing_stopped.sse"))[0]);
    assert_eq!(f.len(), 3);
    wait_status(&server, &run_id, &token, "stopped").await;

    // explicit script header
    let form = reqwest::multipart::Form::new().text("prompt", "plain");
    let r: Value = client()
        .post(format!("{}/agent/initiate", server.api_url()))
        .header("Authorization", bearer(&token))
        .header("x-devserver-script", "llm_error")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let f = frames(&read_stream(&server, r["agent_run_id"].as_str().unwrap(), &token).await);
    assert_eq!(f.len(), 5);
    server.shutdown().await;
}

#[tokio::test]
async fn stream_auth_and_access_errors() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x [hold]").await;
    let base = format!("{}/agent-run/{run_id}/stream", server.api_url());
    let r = client().get(&base).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = client()
        .get(format!("{base}?token=garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"detail":"Invalid token: Not enough segments"}"#
    );
    let other = server.token_for(OTHER_USER);
    let r = client()
        .get(format!("{base}?token={other}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), fixture_compact("error_403_thread.json"));
    let r = client()
        .get(format!(
            "{}/agent-run/nope/stream?token={token}",
            server.api_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.text().await.unwrap(),
        fixture_compact("error_404_agent_run.json")
    );
    // header auth works too
    let r = client()
        .get(&base)
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    drop(r);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_live_streams() {
    let server = start().await;
    let token = server.sample_token();
    let (_, run_id) = initiate(&server, &token, "x [hold]").await;
    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(async move { resp.text().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap();
}

fn fixture_compact(name: &str) -> String {
    serde_json::to_string(&fixture_json(name)).unwrap()
}

#[tokio::test]
async fn scripted_run_says_only_what_the_dev_backend_did() {
    let server = start_with(|o| o.pace = Duration::from_millis(5)).await;
    let token = server.sample_token();
    let api = server.api_url();
    // a project that already has a sandbox: the script writes into it
    let part = reqwest::multipart::Part::bytes(b"notes".to_vec()).file_name("notes.txt");
    let form = reqwest::multipart::Form::new()
        .text("prompt", "Make a page")
        .part("files", part);
    let r: Value = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let thread_id = r["thread_id"].as_str().unwrap().to_owned();
    let run_id = r["agent_run_id"].as_str().unwrap().to_owned();
    let detail: Value = get_json(format!("{api}/threads/{thread_id}"), &token).await;
    let sandbox_id = detail["project"]["sandbox"]["id"].as_str().unwrap().to_owned();
    let file_url = format!("{api}/sandboxes/{sandbox_id}/files/content?path=/workspace/index.html");
    let r = client()
        .get(&file_url)
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "no index.html before the tool ran");

    let resp = client()
        .get(stream_url(&server, &run_id, &token))
        .send()
        .await
        .unwrap();
    let mut body = resp.bytes_stream();
    let mut buf = String::new();
    let mut all = Vec::new();
    let mut checked_file = false;
    while let Some(chunk) = body.next().await {
        buf.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let frame = buf[..end].strip_prefix("data: ").unwrap().to_owned();
            buf.drain(..end + 2);
            let item: Value = serde_json::from_str(&frame).unwrap();
            if item["type"] == "tool" && frame.contains(r#"\"function_name\": \"create_file\""#) {
                // the tool result says the file was created, and it is there as soon as the row is seen
                let content: Value = serde_json::from_str(item["content"].as_str().unwrap()).unwrap();
                let result = &content["tool_execution"]["result"];
                assert_eq!(result["output"], "File 'index.html' created successfully.");
                let written = content["tool_execution"]["arguments"]["file_contents"]
                    .as_str()
                    .unwrap();
                let r = client()
                    .get(&file_url)
                    .header("Authorization", bearer(&token))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                assert_eq!(r.text().await.unwrap(), written);
                checked_file = true;
            }
            all.push(frame);
        }
    }
    assert!(checked_file);
    assert_eq!(all.len(), 27);
    let text = all.join("\n");
    // "port 8080" and a preview URL's "//8080-", not a bare "8080": ids and timestamps may hold those digits.
    for claim in ["port 8080", "//8080-", "daytona", "served on", "HTTP server"] {
        assert!(!text.contains(claim), "the run claims {claim:?}");
    }
    let saved: Vec<&String> = all
        .iter()
        .filter(|f| f.contains(r#""type": "assistant""#) && f.contains(r#"\"stream_status\": \"complete\""#))
        .collect();
    assert_eq!(saved.len(), 2);
    assert!(saved[1].contains("I've created `index.html` with a Hello World heading in /workspace."));
    // the same sandbox, with the uploaded file and the created one
    let list: Value = get_json(
        format!("{api}/sandboxes/{sandbox_id}/files?path=/workspace"),
        &token,
    )
    .await;
    let names: Vec<&str> = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["index.html", "notes.txt"]);
    server.shutdown().await;
}
