//! Agent-run routes, gates (402/429) and thread routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::EnvMode;
use serde_json::{Value, json};

#[tokio::test]
async fn initiate_start_status_and_list_tell_one_story() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let (thread_id, run_id) = initiate(&server, &token, "Make a page").await;
    // initiate response has exactly the fixture's keys (no project_id)
    let run: Value = get_json(format!("{api}/agent-run/{run_id}"), &token).await;
    assert_eq!(keys(&run), keys(&fixture_json("agent_run.json")));
    assert_eq!(run["threadId"], thread_id.as_str());
    wait_status(&server, &run_id, &token, "completed").await;

    // start a second run on the thread (unknown keys ignored)
    let mut req = fixture_json("agent_start_request.json");
    req["mode"] = json!("agent");
    req["agent_id"] = Value::Null;
    let r = client()
        .post(format!("{api}/thread/{thread_id}/agent/start"))
        .header("Authorization", bearer(&token))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(keys(&body), keys(&fixture_json("agent_start_response.json")));
    assert_eq!(body["status"], "running");
    let run2 = body["agent_run_id"].as_str().unwrap().to_owned();
    let done = wait_status(&server, &run2, &token, "completed").await;
    assert_eq!(keys(&done), keys(&fixture_json("agent_run_completed.json")));

    let list: Value = get_json(format!("{api}/thread/{thread_id}/agent-runs"), &token).await;
    let runs = list["agent_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["id"], run2.as_str(), "created_at desc");
    assert_eq!(runs[1]["id"], run_id.as_str());
    assert_eq!(
        keys(&runs[0]),
        keys(&fixture_json("agent_runs_list.json")["agent_runs"][0])
    );

    // thread agent
    let r = client()
        .get(format!("{api}/thread/{thread_id}/agent"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        fixture_json("thread_agent_none.json")
    );

    // §5.3 thread routes
    let threads: Value = get_json(format!("{api}/threads"), &token).await;
    let fx = fixture_json("threads_list.json");
    assert_eq!(keys(&threads), keys(&fx));
    assert_eq!(keys(&threads["threads"][0]), keys(&fx["threads"][0]));
    assert_eq!(
        threads["pagination"],
        json!({"page": 1, "limit": 1000, "total": 1, "pages": 1})
    );
    let detail: Value = get_json(format!("{api}/threads/{thread_id}"), &token).await;
    let fx = fixture_json("thread_detail.json");
    assert_eq!(keys(&detail), keys(&fx));
    assert_eq!(
        keys(&detail["recent_agent_runs"][0]),
        keys(&fx["recent_agent_runs"][0])
    );
    assert_eq!(detail["recent_agent_runs"].as_array().unwrap().len(), 2);
    // the scripted create_file made a sandbox with index.html
    let sandbox_id = detail["project"]["sandbox"]["id"].as_str().unwrap();
    let r = client()
        .get(format!(
            "{api}/sandboxes/{sandbox_id}/files/content?path=/workspace/index.html"
        ))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Hello, world!"));
    let msgs: Value = get_json(format!("{api}/threads/{thread_id}/messages?order=asc"), &token).await;
    let msgs = msgs["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["type"], "user");
    assert!(msgs[0]["content"].is_string(), "user rows keep string content");
    assert!(msgs[1]["content"].is_object());
    assert_eq!(
        keys(&msgs[1]),
        keys(&fixture_json("thread_messages.json")["messages"][0])
    );
    server.shutdown().await;
}

#[tokio::test]
async fn initiate_validation_and_uploads() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let expected = serde_json::to_string(&fixture_json("error_422_initiate_missing_prompt.json")).unwrap();
    for form in [
        reqwest::multipart::Form::new().text("prompt", ""),
        reqwest::multipart::Form::new().text("mode", "agent"),
    ] {
        let r = client()
            .post(format!("{api}/agent/initiate"))
            .header("Authorization", bearer(&token))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.text().await.unwrap(), expected);
    }
    // wrong content type → empty form → 422
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .json(&json!({"prompt": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // broken multipart → 400
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .header("content-type", "multipart/form-data; boundary=zzz")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // bad bool
    let form = reqwest::multipart::Form::new()
        .text("prompt", "x")
        .text("enable_thinking", "maybe");
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // unknown agent
    let form = reqwest::multipart::Form::new()
        .text("prompt", "x")
        .text("agent_id", "nope");
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"detail":"Agent not found or access denied"}"#
    );

    // files are placed in a new sandbox and noted in the prompt
    let part = reqwest::multipart::Part::bytes(b"hello notes".to_vec()).file_name("dir/notes.txt");
    let form = reqwest::multipart::Form::new()
        .text("prompt", "Read my notes")
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
    let thread_id = r["thread_id"].as_str().unwrap();
    let detail: Value = get_json(format!("{api}/threads/{thread_id}"), &token).await;
    let sandbox_id = detail["project"]["sandbox"]["id"].as_str().unwrap();
    let files: Value = get_json(
        format!("{api}/sandboxes/{sandbox_id}/files?path=/workspace"),
        &token,
    )
    .await;
    let names: Vec<&str> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"dir_notes.txt"), "{names:?}");
    let msgs: Value = get_json(format!("{api}/threads/{thread_id}/messages?order=asc"), &token).await;
    let user_row: Value = serde_json::from_str(msgs["messages"][0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        user_row["content"],
        "Read my notes\n\n[Uploaded File: /workspace/dir_notes.txt]\n"
    );

    assert_eq!(
        helium_devserver::routes::agent::upload_path("a\\b/c.txt"),
        "/workspace/a_b_c.txt"
    );
    // oversize upload → 413 with a detail
    let big = vec![b'a'; 50 * 1024 * 1024 + 10];
    let part = reqwest::multipart::Part::bytes(big).file_name("big.bin");
    let form = reqwest::multipart::Form::new()
        .text("prompt", "x")
        .part("files", part);
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("50 MB"));
    server.shutdown().await;
}

#[tokio::test]
async fn start_errors() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let (thread_id, _) = initiate(&server, &token, "x [hold]").await;
    let url = format!("{api}/thread/{thread_id}/agent/start");
    // malformed JSON
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    assert_eq!(body["detail"][0]["msg"], "JSON decode error");
    // wrong types
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&token))
        .json(&json!({"enable_thinking": "perhaps", "model_name": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"].as_array().unwrap().len(), 2);
    // not an object
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&token))
        .json(&json!([1]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // oversized JSON body and undecodable path segments still get FastAPI-style JSON bodies
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.json::<Value>().await.unwrap()["detail"].is_string());
    let r = client()
        .get(format!("{api}/agent-run/%FF%FE"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert!(r.json::<Value>().await.unwrap()["detail"].is_string());
    // unknown thread / other user
    let r = client()
        .post(format!("{api}/thread/nope/agent/start"))
        .header("Authorization", bearer(&token))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), r#"{"detail":"Thread not found"}"#);
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&server.token_for(OTHER_USER)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"detail":"Not authorized to access this thread"}"#
    );
    for path in [
        format!("{api}/thread/{thread_id}/agent-runs"),
        format!("{api}/threads/{thread_id}"),
        format!("{api}/threads/{thread_id}/messages"),
        format!("{api}/billing/thread-token-usage/{thread_id}"),
    ] {
        let r = client()
            .get(&path)
            .header("Authorization", bearer(&server.token_for(OTHER_USER)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    for path in [
        format!("{api}/agent-run/nope"),
        format!("{api}/agent-run/nope/stop"),
    ] {
        let req = if path.ends_with("stop") {
            client().post(&path)
        } else {
            client().get(&path)
        };
        let r = req.header("Authorization", bearer(&token)).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.text().await.unwrap(), r#"{"detail":"Agent run not found"}"#);
    }
    // starting again stops the held run of the same project
    let r: Value = client()
        .post(&url)
        .header("Authorization", bearer(&token))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "running");
    let list: Value = get_json(format!("{api}/thread/{thread_id}/agent-runs"), &token).await;
    assert_eq!(list["agent_runs"][1]["status"], "stopped");
    server.shutdown().await;
}

#[tokio::test]
async fn staging_billing_gate_402() {
    let server = start_with(|o| {
        o.env_mode = EnvMode::Staging;
        o.staging_free_runs = 1;
    })
    .await;
    let token = server.sample_token();
    let api = server.api_url();
    let status: Value = get_json(format!("{api}/billing/check-status"), &token).await;
    assert_eq!(status["can_run"], true);
    let (thread_id, _) = initiate(&server, &token, "x").await;
    let form = reqwest::multipart::Form::new().text("prompt", "again");
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 402);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        fixture_json("error_402_billing.json")
    );
    let r = client()
        .post(format!("{api}/thread/{thread_id}/agent/start"))
        .header("Authorization", bearer(&token))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 402);
    let status: Value = get_json(format!("{api}/billing/check-status"), &token).await;
    assert_eq!(status, fixture_json("billing_check_status_staging_blocked.json"));
    // another user is not blocked
    initiate(&server, &server.token_for(OTHER_USER), "x").await;
    server.shutdown().await;
}

#[tokio::test]
async fn production_parallel_run_limit_429() {
    let server = start_mode(EnvMode::Production).await;
    let token = server.sample_token();
    let mut threads = Vec::new();
    for _ in 0..3 {
        threads.push(initiate(&server, &token, "x [hold]").await.0);
    }
    let form = reqwest::multipart::Form::new().text("prompt", "x");
    let r = client()
        .post(format!("{}/agent/initiate", server.api_url()))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    let fx = fixture_json("error_429_agent_run_limit.json");
    assert_eq!(body["detail"]["message"], fx["detail"]["message"]);
    assert_eq!(keys(&body["detail"]), keys(&fx["detail"]));
    assert_eq!(body["detail"]["running_thread_ids"], json!(threads));
    assert_eq!(body["detail"]["running_count"], 3);
    assert_eq!(body["detail"]["limit"], 3);
    server.shutdown().await;
}
