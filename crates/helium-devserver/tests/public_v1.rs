//! The public API v1 (§8.2, documented behaviour): keys, limits, long-poll and realtime responses, follow-ups,
//! stop, history, files, rate limits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use helium_devserver::{DevServer, PublicFileLimits};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

struct Api {
    base: String,
    key: String,
}

impl Api {
    fn new(server: &DevServer) -> Api {
        Api {
            base: format!("{}/v1/public", server.api_url()),
            key: server.create_public_api_key(USER),
        }
    }
    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
        let r = req.header("X-API-Key", &self.key).send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }
    async fn quick(&self, form: Form) -> (u16, Value) {
        let (s, _, b) = self
            .send(
                client()
                    .post(format!("{}/quick-action", self.base))
                    .multipart(form),
            )
            .await;
        (s, b)
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = self.send(client().get(format!("{}/{path}", self.base))).await;
        (s, b)
    }
}

fn prompt(p: &str) -> Form {
    Form::new().text("prompt", p.to_owned())
}

#[tokio::test]
async fn keys_and_bearer_tokens() {
    let server = start().await;
    let url = format!("{}/v1/public/quick-action", server.api_url());
    let r = client().post(&url).multipart(prompt("x")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("x-ratelimit-limit").is_none());
    for key in [
        format!("he-{}", "a".repeat(36)),
        "he-short".to_owned(),
        "pk_x:sk_y".to_owned(),
    ] {
        let r = client()
            .post(&url)
            .header("X-API-Key", &key)
            .multipart(prompt("x"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{key}");
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            fixture_json("public_v1/error_401.json")
        );
    }
    // keys from the admin route work; so does a bearer token
    let made: Value = client()
        .post(format!("{}/__devserver/public-keys", server.base_url()))
        .json(&json!({"user_id": OTHER_USER}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = made["api_key"].as_str().unwrap();
    assert!(key.starts_with("he-") && key.len() == 39 && key[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    let r = client()
        .post(&url)
        .header("X-API-Key", key)
        .multipart(prompt("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let thread = r.json::<Value>().await.unwrap()["thread_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = client()
        .post(&url)
        .header("Authorization", bearer(&server.sample_token()))
        .multipart(prompt("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // the key's user owns what it made: the sample user cannot see it
    let r = client()
        .get(format!(
            "{}/v1/public/threads/{thread}/history?project_id=x",
            server.api_url()
        ))
        .header("Authorization", bearer(&server.sample_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    server.shutdown().await;
}

#[tokio::test]
async fn quick_action_checks_every_documented_limit() {
    let server = start().await;
    let api = Api::new(&server);
    let (s, body) = api.quick(Form::new()).await;
    assert_eq!(
        (s, body),
        (400, fixture_json("public_v1/error_400_missing_prompt.json"))
    );
    let (s, _) = api.quick(prompt("   ")).await;
    assert_eq!(s, 400);
    let (s, _) = api.quick(prompt(&"x".repeat(5001))).await;
    assert_eq!(s, 400);
    let (s, _) = api.quick(prompt(&"\u{e9}".repeat(5000))).await;
    assert_eq!(s, 200, "5000 characters, not bytes");
    let mut eleven = prompt("files");
    for i in 0..11 {
        eleven = eleven.part("files", Part::bytes(b"x".to_vec()).file_name(format!("f{i}.txt")));
    }
    let (s, body) = api.quick(eleven).await;
    assert_eq!(s, 400, "{body}");
    let mut ten = prompt("files");
    for i in 0..10 {
        ten = ten.part("files", Part::bytes(b"x".to_vec()).file_name(format!("f{i}.txt")));
    }
    assert_eq!(api.quick(ten).await.0, 200);
    let (s, body) = api
        .quick(prompt("x").part("files", Part::bytes(b"MZ".to_vec()).file_name("run.exe")))
        .await;
    assert_eq!(
        (s, body["detail"].as_str().unwrap()),
        (400, "File type not allowed: run.exe")
    );
    for ext in ["png", "pdf", "docx", "csv", "md", "mp3", "zip", "7z", "JPEG"] {
        let (s, _) = api
            .quick(Form::new().part("files", Part::bytes(b"x".to_vec()).file_name(format!("a.{ext}"))))
            .await;
        assert_eq!(s, 200, "{ext}: files alone are enough");
    }
    for (field, value) in [
        ("reasoning_effort", "extreme"),
        ("source", "desktop"),
        ("metadata", "not json"),
    ] {
        let (s, _) = api.quick(prompt("x").text(field, value)).await;
        assert_eq!(s, 400, "{field}");
    }
    let (s, body) = api
        .quick(
            prompt("Make a page")
                .text("reasoning_effort", "high")
                .text("source", "widget")
                .text("metadata", r#"{"ticket": 7}"#)
                .text("enable_thinking", "true"),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&body),
        keys(&fixture_json("public_v1/quick_action_response.json"))
    );
    assert_eq!(body["message"], "Task created and execution started");
    // the project, thread and run are the internal ones
    let r: Value = client()
        .get(format!(
            "{}/agent-run/{}",
            server.api_url(),
            body["agent_run_id"].as_str().unwrap()
        ))
        .header("Authorization", bearer(&server.sample_token()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["threadId"], body["thread_id"]);
    server.shutdown().await;

    // the byte limits, made small for the test (the defaults are the documented 50 MB / 200 MB)
    let server = start_with(|o| {
        o.public_file_limits = PublicFileLimits {
            max_files: 10,
            max_file_bytes: 1000,
            max_total_bytes: 2500,
        };
    })
    .await;
    let api = Api::new(&server);
    let file = |n: usize, name: &str| Part::bytes(vec![b'a'; n]).file_name(name.to_owned());
    let (s, body) = api.quick(prompt("x").part("files", file(1001, "big.txt"))).await;
    assert_eq!(s, 400, "{body}");
    let (s, body) = api
        .quick(
            prompt("x")
                .part("files", file(1000, "a.txt"))
                .part("files", file(1000, "b.txt"))
                .part("files", file(501, "c.txt")),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    let (s, _) = api
        .quick(
            prompt("x")
                .part("files", file(1000, "a.txt"))
                .part("files", file(1000, "b.txt"))
                .part("files", file(500, "c.txt")),
        )
        .await;
    assert_eq!(s, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn response_long_poll_realtime_follow_up_stop_history_and_files() {
    let server = start().await;
    let api = Api::new(&server);
    let (_, made) = api
        .quick(prompt("Make a page").part("files", Part::bytes(vec![0, 159, 146, 150]).file_name("logo.png")))
        .await;
    let thread = made["thread_id"].as_str().unwrap().to_owned();
    let project = made["project_id"].as_str().unwrap().to_owned();
    let q = format!("project_id={project}");
    // validation
    assert_eq!(api.get(&format!("threads/{thread}/response")).await.0, 422);
    assert_eq!(
        api.get(&format!("threads/{thread}/response?{q}&timeout=601"))
            .await
            .0,
        422
    );
    assert_eq!(
        api.get(&format!("threads/{thread}/response?project_id=nope"))
            .await
            .0,
        404
    );
    // long-poll until the run ends
    let (s, resp) = api
        .get(&format!(
            "threads/{thread}/response?{q}&timeout=30&include_file_content=true"
        ))
        .await;
    assert_eq!(s, 200);
    let fx = fixture_json("public_v1/thread_response_completed.json");
    assert_eq!(keys(&resp), keys(&fx));
    assert_eq!(resp["status"], "completed");
    assert_eq!(resp["agent_run_id"], made["agent_run_id"]);
    assert_eq!(
        resp["response"]["content"],
        "I've created `index.html` with a Hello World heading in /workspace."
    );
    assert_eq!(keys(&resp["files"][0]), keys(&fx["files"][0]));
    assert_eq!(
        resp["files"][0]["file_id"],
        format!("{thread}:/workspace/index.html")
    );
    assert_eq!(resp["files"][0]["encoding"], "utf-8");
    assert!(
        resp["files"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Hello, world!")
    );
    assert_eq!(
        (resp["has_code"].clone(), resp["has_files"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(resp["code_blocks"][0]["language"], "html");

    // realtime on the finished run: running, the text chunks, the final status
    let r = client()
        .get(format!(
            "{}/threads/{thread}/response?{q}&realtime=true",
            api.base
        ))
        .header("X-API-Key", &api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert!(r.headers().get("x-ratelimit-remaining").is_some());
    let body = r.text().await.unwrap();
    let lines = frames(&body);
    assert_eq!(
        lines.first().unwrap(),
        r#"{"type": "status", "status": "running"}"#
    );
    assert_eq!(
        lines.last().unwrap(),
        r#"{"type": "status", "status": "completed"}"#
    );
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with(r#"{"type": "content", "content": "#))
    );
    assert!(body.contains(r#"{"type": "content", "content": " in /workspace.\n\n"}"#));

    // a follow-up that holds, seen live by realtime, then stopped
    let (s, _, fu) = api
        .send(
            client()
                .post(format!("{}/threads/{thread}/response?{q}", api.base))
                .multipart(prompt("Wait here [hold]")),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&fu),
        keys(&fixture_json("public_v1/follow_up_response.json"))
    );
    assert_eq!(
        (fu["status"].clone(), fu["message"].clone()),
        (json!("running"), json!("Follow-up accepted"))
    );
    let (_, resp) = api.get(&format!("threads/{thread}/response?{q}&timeout=0")).await;
    assert_eq!(
        (resp["status"].clone(), resp["agent_run_id"].clone()),
        (json!("running"), fu["agent_run_id"].clone())
    );
    let started = std::time::Instant::now();
    let (_, resp) = api.get(&format!("threads/{thread}/response?{q}&timeout=1")).await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "long-poll waits for the timeout"
    );
    assert_eq!(resp["status"], "running");
    let live = client()
        .get(format!(
            "{}/threads/{thread}/response?{q}&realtime=true&timeout=30",
            api.base
        ))
        .header("X-API-Key", &api.key)
        .send()
        .await
        .unwrap();
    let (s, _, stopped) = api
        .send(client().post(format!("{}/threads/{thread}/agent/stop?{q}", api.base)))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&stopped),
        keys(&fixture_json("public_v1/stop_response.json"))
    );
    assert_eq!(
        (stopped["agent_run_id"].clone(), stopped["status"].clone()),
        (fu["agent_run_id"].clone(), json!("stopped"))
    );
    let live = live.text().await.unwrap();
    assert_eq!(
        frames(&live).last().unwrap(),
        r#"{"type": "status", "status": "stopped"}"#
    );
    let (s, _, _) = api
        .send(client().post(format!("{}/threads/{thread}/agent/stop?{q}", api.base)))
        .await;
    assert_eq!(s, 404, "nothing left to stop");

    // history: both user prompts and the assistant's text, paged
    let (s, hist) = api
        .get(&format!("threads/{thread}/history?{q}&page_size=100"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&hist),
        keys(&fixture_json("public_v1/history_response.json"))
    );
    let msgs = hist["messages"].as_array().unwrap();
    let roles: Vec<&str> = msgs.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles.first(), Some(&"user"));
    assert!(
        msgs[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("Make a page\n\n[Uploaded File: /workspace/logo.png]")
    );
    assert!(
        msgs.iter()
            .any(|m| m["role"] == "user" && m["content"] == "Wait here [hold]")
    );
    assert!(
        msgs.iter()
            .all(|m| !m["content"].as_str().unwrap_or("").contains("<function_calls>"))
    );
    assert!(msgs[0]["created_at"].as_str().unwrap().ends_with('Z'));
    let n = msgs.len();
    let (_, page) = api
        .get(&format!("threads/{thread}/history?{q}&page=2&page_size=1"))
        .await;
    assert_eq!(page["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["pagination"],
        json!({"current_page": 2, "total_pages": n, "has_next": n > 2})
    );

    // files: list, JSON (text inline, binary base64), download
    let (s, list) = api.get(&format!("threads/{thread}/files?{q}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&list),
        keys(&fixture_json("public_v1/files_list_response.json"))
    );
    let names: Vec<&str> = list["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["index.html", "logo.png"]);
    assert_eq!(list["pagination"], json!({"current_page": 1, "total_items": 2}));
    let html_id = format!("{thread}:/workspace/index.html");
    let (s, f) = api.get(&format!("files/{html_id}?{q}&thread_id={thread}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&f["file"]),
        keys(&fixture_json("public_v1/file_content_response.json")["file"])
    );
    assert_eq!(
        (f["file"]["file_type"].clone(), f["file"]["encoding"].clone()),
        (json!("text/html"), json!("utf-8"))
    );
    let (_, f) = api
        .get(&format!(
            "files/{thread}%3A%2Fworkspace%2Flogo.png?{q}&thread_id={thread}"
        ))
        .await;
    assert_eq!(
        (f["file"]["encoding"].clone(), f["file"]["content"].clone()),
        (json!("base64"), json!("AJ+Slg=="))
    );
    let r = client()
        .get(format!(
            "{}/files/{html_id}?{q}&thread_id={thread}&download=true",
            api.base
        ))
        .header("X-API-Key", &api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/html");
    assert!(r.text().await.unwrap().starts_with("<!DOCTYPE html>"));
    assert_eq!(
        api.get(&format!("files/{html_id}?{q}")).await.0,
        422,
        "thread_id is required"
    );
    assert_eq!(
        api.get(&format!(
            "files/{thread}:/workspace/nope.txt?{q}&thread_id={thread}"
        ))
        .await
        .0,
        404
    );
    server.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let server = start_with(|o| o.public_rate_limit = 3).await;
    let api = Api::new(&server);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let (s, h, _) = api
            .send(client().get(format!("{}/threads/nope/history?project_id=p", api.base)))
            .await;
        assert_eq!(s, 404, "errors after auth count and carry the headers too");
        assert_eq!(h["x-ratelimit-limit"], "3");
        let reset: u64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!(reset > now && reset <= now + 3601, "{reset}");
        remaining.push(h["x-ratelimit-remaining"].to_str().unwrap().to_owned());
    }
    assert_eq!(remaining, vec!["2", "1", "0"]);
    let (s, h, body) = api
        .send(client().get(format!("{}/threads/nope/history?project_id=p", api.base)))
        .await;
    assert_eq!((s, body), (429, fixture_json("public_v1/error_429.json")));
    assert_eq!(h["x-ratelimit-remaining"], "0");
    // another caller has its own budget
    let other = Api {
        base: api.base.clone(),
        key: server.create_public_api_key(OTHER_USER),
    };
    let (s, _, _) = other
        .send(client().get(format!("{}/threads/nope/history?project_id=p", other.base)))
        .await;
    assert_eq!(s, 404);
    server.shutdown().await;

    // a short window resets
    let server = start_with(|o| {
        o.public_rate_limit = 1;
        o.public_rate_window = Duration::from_secs(1);
    })
    .await;
    let api = Api::new(&server);
    let url = format!("{}/threads/nope/history?project_id=p", api.base);
    // The window ends at a whole second (the reset header has seconds): start the pair just after one.
    let into_second = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    tokio::time::sleep(Duration::from_millis(u64::from(1000 - into_second) + 20)).await;
    assert_eq!(api.send(client().get(&url)).await.0, 404);
    assert_eq!(api.send(client().get(&url)).await.0, 429);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(api.send(client().get(&url)).await.0, 404);
    server.shutdown().await;
}
