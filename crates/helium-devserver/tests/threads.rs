//! §5.3 thread and message routes of the backend, and follow-up runs on new messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::DevServer;
use serde_json::{Value, json};

async fn create_thread(server: &DevServer, token: &str, name: Option<&str>) -> (String, String) {
    let mut form = reqwest::multipart::Form::new();
    if let Some(n) = name {
        form = form.text("name", n.to_owned());
    }
    let r = client()
        .post(format!("{}/threads", server.api_url()))
        .header("Authorization", bearer(token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), keys(&fixture_json("thread_create_response.json")));
    (
        body["thread_id"].as_str().unwrap().to_owned(),
        body["project_id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn create_list_and_detail() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let (t1, p1) = create_thread(&server, &token, Some("Research")).await;
    let (t2, _) = create_thread(&server, &token, None).await;
    // urlencoded works too, and an empty name is the default
    let r = client()
        .post(format!("{api}/threads"))
        .header("Authorization", bearer(&token))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=")
        .send()
        .await
        .unwrap();
    let t3 = r.json::<Value>().await.unwrap()["thread_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (s, detail) = call(
        reqwest::Method::GET,
        &format!("{api}/threads/{t1}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(keys(&detail), keys(&fixture_json("thread_detail.json")));
    assert_eq!(detail["project_id"], p1.as_str());
    assert_eq!(detail["project"]["name"], "Research");
    assert_eq!(detail["message_count"], 0);
    assert_eq!(detail["recent_agent_runs"], json!([]));
    // the project got a sandbox, and it is usable
    let sandbox_id = detail["project"]["sandbox"]["id"].as_str().unwrap();
    let (s, files) = call(
        reqwest::Method::GET,
        &format!("{api}/sandboxes/{sandbox_id}/files?path=/workspace"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!((s, files), (200, json!({"files": []})));
    for t in [&t2, &t3] {
        let (_, d) = call(
            reqwest::Method::GET,
            &format!("{api}/threads/{t}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(d["project"]["name"], "New Project");
    }

    // paging: newest first
    let (_, page1) = call(
        reqwest::Method::GET,
        &format!("{api}/threads?page=1&limit=2"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(keys(&page1), keys(&fixture_json("threads_list.json")));
    assert_eq!(
        page1["pagination"],
        json!({"page": 1, "limit": 2, "total": 3, "pages": 2})
    );
    let ids: Vec<&str> = page1["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["thread_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![t3.as_str(), t2.as_str()]);
    let (_, page2) = call(
        reqwest::Method::GET,
        &format!("{api}/threads?page=2&limit=2"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(page2["threads"][0]["thread_id"], t1.as_str());
    assert_eq!(page2["threads"].as_array().unwrap().len(), 1);
    let (s, _) = call(
        reqwest::Method::GET,
        &format!("{api}/threads?limit=0"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 422);
    // another user sees none of them, and may not open them
    let other = server.token_for(OTHER_USER);
    let (_, list) = call(
        reqwest::Method::GET,
        &format!("{api}/threads"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(list["pagination"]["total"], 0);
    let (s, body) = call(
        reqwest::Method::GET,
        &format!("{api}/threads/{t1}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!((s, body), (403, fixture_json("error_403_thread.json")));
    let (s, body) = call(
        reqwest::Method::GET,
        &format!("{api}/threads/00000000-0000-4000-8000-000000000000"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!((s, body), (404, fixture_json("error_404_thread.json")));
    let (s, _) = call(reqwest::Method::POST, &format!("{api}/threads"), None, None).await;
    assert_eq!(s, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn messages_create_add_list_delete() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let (thread_id, _) = create_thread(&server, &token, None).await;
    let url = format!("{api}/threads/{thread_id}/messages");

    let (s, row) = call(
        reqwest::Method::POST,
        &url,
        Some(&token),
        Some(json!({"type": "user", "content": "Hello"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&row),
        keys(&fixture_json("thread_messages.json")["messages"][0])
    );
    assert_eq!(row["content"], json!({"role": "user", "content": "Hello"}));
    assert_eq!(row["is_llm_message"], true);
    assert_eq!(row["metadata"], json!({}));
    let (_, note) = call(
        reqwest::Method::POST,
        &url,
        Some(&token),
        Some(json!({"type": "assistant_note", "content": "ok", "is_llm_message": false})),
    )
    .await;
    assert_eq!(note["content"], json!({"role": "assistant", "content": "ok"}));
    assert_eq!(note["is_llm_message"], false);
    let r = client()
        .post(format!("{url}/add?message=Second%20one"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["type"], "user");
    assert_eq!(added["is_llm_message"], true);
    assert_eq!(added["content"], json!({"role": "user", "content": "Second one"}));

    // validation and access
    let (s, body) = call(
        reqwest::Method::POST,
        &url,
        Some(&token),
        Some(json!({"type": "user"})),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "content"]));
    let (s, body) = call(
        reqwest::Method::POST,
        &url,
        Some(&token),
        Some(json!({"type": 1, "content": "x", "is_llm_message": "maybe"})),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["detail"].as_array().unwrap().len(), 2);
    let (s, body) = call(reqwest::Method::POST, &format!("{url}/add"), Some(&token), None).await;
    assert_eq!(s, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "message"]));
    let other = server.token_for(OTHER_USER);
    let (s, _) = call(
        reqwest::Method::POST,
        &url,
        Some(&other),
        Some(json!({"type": "user", "content": "x"})),
    )
    .await;
    assert_eq!(s, 403);

    // listing: desc by default, asc on request
    let (_, desc) = call(reqwest::Method::GET, &url, Some(&token), None).await;
    let ids: Vec<&Value> = desc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["message_id"])
        .collect();
    assert_eq!(
        ids,
        vec![&added["message_id"], &note["message_id"], &row["message_id"]]
    );
    let (_, asc) = call(
        reqwest::Method::GET,
        &format!("{url}?order=asc"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(asc["messages"][0]["message_id"], row["message_id"]);

    // delete: only LLM messages go; the answer is the same either way
    for m in [&row, &note] {
        let (s, body) = call(
            reqwest::Method::DELETE,
            &format!("{url}/{}", m["message_id"].as_str().unwrap()),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(
            (s, body),
            (200, json!({"message": "Message deleted successfully"}))
        );
    }
    let (_, left) = call(
        reqwest::Method::GET,
        &format!("{url}?order=asc"),
        Some(&token),
        None,
    )
    .await;
    let ids: Vec<&Value> = left["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["message_id"])
        .collect();
    assert_eq!(ids, vec![&note["message_id"], &added["message_id"]]);
    let (_, detail) = call(
        reqwest::Method::GET,
        &format!("{api}/threads/{thread_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(detail["message_count"], 2);
    server.shutdown().await;
}

#[tokio::test]
async fn a_follow_up_runs_on_the_latest_user_message() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let (thread_id, first_run) = initiate(&server, &token, "Build a page").await;
    wait_status(&server, &first_run, &token, "completed").await;
    // through the backend route
    let r = client()
        .post(format!(
            "{api}/threads/{thread_id}/messages/add?message=Now%20add%20a%20footer"
        ))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let start_run = || async {
        let (s, body) = call(
            reqwest::Method::POST,
            &format!("{api}/thread/{thread_id}/agent/start"),
            Some(&token),
            Some(json!({"stream": true})),
        )
        .await;
        assert_eq!(s, 200);
        body["agent_run_id"].as_str().unwrap().to_owned()
    };
    let run = start_run().await;
    let body = read_stream(&server, &run, &token).await;
    assert!(body.contains(r#"You asked: \\\"Now add a footer\\\""#), "{body}");
    assert!(!body.contains("Build a page"));
    // through POST /threads/{id}/messages
    let (s, _) = call(
        reqwest::Method::POST,
        &format!("{api}/threads/{thread_id}/messages"),
        Some(&token),
        Some(json!({"type": "user", "content": "And a header"})),
    )
    .await;
    assert_eq!(s, 200);
    let run = start_run().await;
    let body = read_stream(&server, &run, &token).await;
    assert!(body.contains(r#"You asked: \\\"And a header\\\""#));
    // the thread's detail lists the three runs, newest first
    let (_, detail) = call(
        reqwest::Method::GET,
        &format!("{api}/threads/{thread_id}"),
        Some(&token),
        None,
    )
    .await;
    let runs = detail["recent_agent_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["id"], run.as_str());
    assert_eq!(runs[2]["id"], first_run.as_str());
    server.shutdown().await;
}
