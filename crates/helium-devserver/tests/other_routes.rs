//! Health, agents, flags, billing, API keys, sandbox files, Supabase stubs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::EnvMode;
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

async fn get_json(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = client().get(url);
    if let Some(t) = token {
        req = req.header("Authorization", bearer(t));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn health_routes_and_unknown_routes() {
    let server = start_mode(EnvMode::Production).await;
    let api = server.api_url();
    let (s, body) = get_json(&format!("{api}/health"), None).await;
    assert_eq!(s, 200);
    let fx = fixture_json("health_ok.json");
    assert_eq!(keys(&body), keys(&fx));
    assert_eq!(body["environment"], "production");
    assert_eq!(body["cors_origins"], fx["cors_origins"]);
    assert_eq!(body["instance_id"], "single");
    assert!(body["timestamp"].as_str().unwrap().ends_with("+00:00"));
    let (s, body) = get_json(&format!("{api}/health-docker"), None).await;
    assert_eq!(s, 200);
    assert_eq!(keys(&body), keys(&fixture_json("health_docker_ok.json")));
    // 404 outside /api and for unknown /api routes
    for url in [
        format!("{}/health", server.base_url()),
        format!("{api}/nope"),
        format!("{api}/agent/x/status"),
        format!("{api}/sandboxes/x/files/json"),
    ] {
        let r = client().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 404, "{url}");
        assert_eq!(r.text().await.unwrap(), r#"{"detail":"Not Found"}"#);
    }
    let r = client().delete(format!("{api}/health")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.text().await.unwrap(), r#"{"detail":"Method Not Allowed"}"#);
    // fault-injected 500 on health-docker with the contract text shape
    let r = client()
        .get(format!("{api}/health-docker"))
        .header("x-devserver-fault", "status=500")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    server.shutdown().await;
}

#[tokio::test]
async fn agents_flags_and_billing_by_mode() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let r = client()
        .get(format!("{api}/agents"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    // byte-exact compact form of the fixture (key order and non-ASCII avatar kept)
    let expected = serde_json::to_string(&fixture_json("agents_list_custom_agents_disabled.json")).unwrap();
    assert_eq!(r.text().await.unwrap(), expected);
    let (s, a) = get_json(&format!("{api}/agents/helium-default"), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(a["agent_id"], "helium-default");
    assert_eq!(
        get_json(&format!("{api}/feature-flags"), None).await.1,
        json!({"flags": {}})
    );
    assert_eq!(
        get_json(&format!("{api}/feature-flags/custom_agents"), None)
            .await
            .1,
        json!({"flag_name": "custom_agents", "enabled": false, "details": null})
    );
    let (_, models) = get_json(&format!("{api}/billing/available-models"), Some(&token)).await;
    assert_eq!(models, fixture_json("billing_available_models_local.json"));
    let (_, status) = get_json(&format!("{api}/billing/check-status"), Some(&token)).await;
    assert_eq!(status, fixture_json("billing_check_status_local.json"));
    let (_, sub) = get_json(&format!("{api}/billing/subscription"), Some(&token)).await;
    assert_eq!(keys(&sub), keys(&fixture_json("billing_subscription_free.json")));
    let (thread_id, run_id) = initiate(&server, &token, "x").await;
    wait_status(&server, &run_id, &token, "completed").await;
    let (_, usage) = get_json(
        &format!("{api}/billing/thread-token-usage/{thread_id}"),
        Some(&token),
    )
    .await;
    assert!(usage["message"].is_string());
    let (s, _) = get_json(&format!("{api}/billing/thread-token-usage/nope"), Some(&token)).await;
    assert_eq!(s, 404);
    let (_, sub) = get_json(&format!("{api}/billing/subscription"), Some(&token)).await;
    assert_eq!(sub["current_usage"], 5.0);
    server.shutdown().await;

    let server = start_with(|o| {
        o.env_mode = EnvMode::Production;
        o.feature_flags = vec![("custom_agents".to_owned(), true)];
    })
    .await;
    let api = server.api_url();
    let (_, models) = get_json(&format!("{api}/billing/available-models"), Some(&token)).await;
    assert_eq!(models, fixture_json("billing_available_models.json"));
    let (_, status) = get_json(&format!("{api}/billing/check-status"), Some(&token)).await;
    assert_eq!(status, fixture_json("billing_check_status_production.json"));
    let (thread_id, run_id) = initiate(&server, &token, "x").await;
    wait_status(&server, &run_id, &token, "completed").await;
    let (_, usage) = get_json(
        &format!("{api}/billing/thread-token-usage/{thread_id}"),
        Some(&token),
    )
    .await;
    assert_eq!(usage, fixture_json("billing_thread_token_usage.json"));
    assert_eq!(
        get_json(&format!("{api}/feature-flags"), None).await.1,
        json!({"flags": {"custom_agents": true}})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn api_keys_lifecycle_and_auth() {
    let server = start().await;
    let token = server.sample_token();
    let api = server.api_url();
    let r = client()
        .post(format!("{api}/api-keys"))
        .header("Authorization", bearer(&token))
        .json(&json!({"title": "CI pipeline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        keys(&created),
        keys(&fixture_json("api_key_create_response.json"))
    );
    let pk = created["public_key"].as_str().unwrap();
    let sk = created["secret_key"].as_str().unwrap();
    assert!(pk.starts_with("pk_") && pk.len() == 35);
    assert!(sk.starts_with("sk_") && sk.len() == 35);
    let key_id = created["key_id"].as_str().unwrap();
    // the key authenticates as its owner
    let r = client()
        .get(format!("{api}/api-keys"))
        .header("X-API-Key", format!("{pk}:{sk}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(keys(&list[0]), keys(&fixture_json("api_keys_list.json")[0]));
    assert!(list[0]["last_used_at"].is_string());
    // API key errors (no fallback to the Bearer token)
    let cases = [
        (
            "he-abc".to_owned(),
            "Invalid API key format. Expected format: pk_xxx:sk_xxx",
        ),
        ("pk_x:sk_y".to_owned(), "Invalid API key: Invalid API key format"),
        (
            format!("pk_{}:{sk}", "A".repeat(32)),
            "Invalid API key: API key not found",
        ),
        (
            format!("{pk}:sk_{}", "B".repeat(32)),
            "Invalid API key: Invalid secret key",
        ),
    ];
    for (value, detail) in cases {
        let r = client()
            .get(format!("{api}/api-keys"))
            .header("X-API-Key", value)
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert_eq!(r.json::<Value>().await.unwrap()["detail"], detail);
    }
    // validation
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "x", "expires_in_days": 400}),
    ] {
        let r = client()
            .post(format!("{api}/api-keys"))
            .header("Authorization", bearer(&token))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
    }
    // revoke → the key stops working
    let r = client()
        .patch(format!("{api}/api-keys/{key_id}/revoke"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["message"].is_string());
    let r = client()
        .get(format!("{api}/api-keys"))
        .header("X-API-Key", format!("{pk}:{sk}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"],
        "Invalid API key: API key is revoked"
    );
    let (_, list) = get_json(&format!("{api}/api-keys"), Some(&token)).await;
    assert_eq!(list[0]["status"], "revoked");
    // other users don't see or delete it
    let (_, other) = get_json(&format!("{api}/api-keys"), Some(&server.token_for(OTHER_USER))).await;
    assert_eq!(other, json!([]));
    let r = client()
        .delete(format!("{api}/api-keys/{key_id}"))
        .header("Authorization", bearer(&server.token_for(OTHER_USER)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .delete(format!("{api}/api-keys/{key_id}"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, list) = get_json(&format!("{api}/api-keys"), Some(&token)).await;
    assert_eq!(list, json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn sandbox_file_routes() {
    let server = start().await;
    let token = server.sample_token();
    let other = server.token_for(OTHER_USER);
    let api = server.api_url();
    let part = reqwest::multipart::Part::bytes(b"first".to_vec()).file_name("a.txt");
    let form = reqwest::multipart::Form::new()
        .text("prompt", "x [hold]")
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
    let (_, detail) = get_json(&format!("{api}/threads/{thread_id}"), Some(&token)).await;
    let sid = detail["project"]["sandbox"]["id"].as_str().unwrap().to_owned();
    let pid = detail["project_id"].as_str().unwrap().to_owned();
    let files = format!("{api}/sandboxes/{sid}/files");

    // upload (nested path, non-ASCII name)
    let part = reqwest::multipart::Part::bytes(b"<h1>hi</h1>".to_vec()).file_name("ignored.html");
    let form = reqwest::multipart::Form::new()
        .text("path", "/workspace/site/caf\u{e9}.html")
        .part("file", part);
    let r = client()
        .post(&files)
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(keys(&body), keys(&fixture_json("sandbox_file_created.json")));
    assert_eq!(body["path"], "/workspace/site/caf\u{e9}.html");
    // missing fields
    let r = client()
        .post(&files)
        .header("Authorization", bearer(&token))
        .multipart(reqwest::multipart::Form::new().text("x", "y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // list
    let (s, list) = get_json(&format!("{files}?path=/workspace"), Some(&token)).await;
    assert_eq!(s, 200);
    let entries = list["files"].as_array().unwrap();
    assert_eq!(
        keys(&entries[0]),
        keys(&fixture_json("sandbox_files_list.json")["files"][0])
    );
    let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["a.txt", "site"]);
    assert_eq!(entries[1]["is_dir"], true);
    assert_eq!(entries[0]["size"], 5);
    assert!(entries[0]["mod_time"].as_str().unwrap().ends_with(" +0000 UTC"));
    let (_, sub) = get_json(&format!("{files}?path=%2Fworkspace%2Fsite"), Some(&token)).await;
    assert_eq!(sub["files"][0]["path"], "/workspace/site/caf\u{e9}.html");
    let (s, _) = get_json(&files, Some(&token)).await;
    assert_eq!(s, 422, "path is required");

    // content: raw bytes + headers
    let r = client()
        .get(format!("{files}/content?path=/workspace/site/caf%C3%A9.html"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename*=UTF-8''caf%C3%A9.html"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"<h1>hi</h1>");
    let (s, body) = get_json(&format!("{files}/content?path=/workspace/nope"), Some(&token)).await;
    assert_eq!(s, 404);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Failed to download file")
    );

    // access: anonymous 401, other user 403, unknown sandbox 404
    let r = client()
        .get(format!("{files}?path=/workspace"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"],
        "Authentication required for this resource"
    );
    let (s, body) = get_json(&format!("{files}?path=/workspace"), Some(&other)).await;
    assert_eq!(
        (s, body["detail"].as_str().unwrap()),
        (403, "Not authorized to access this sandbox")
    );
    let (s, body) = get_json(
        &format!("{api}/sandboxes/nope/files?path=/workspace"),
        Some(&token),
    )
    .await;
    assert_eq!((s, body["detail"].as_str().unwrap()), (404, "Sandbox not found"));

    // ensure-active
    let r = client()
        .post(format!("{api}/project/{pid}/sandbox/ensure-active"))
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(keys(&body), keys(&fixture_json("sandbox_ensure_active.json")));
    assert_eq!(body["sandbox_id"], sid.as_str());

    // delete file, then sandbox
    let r = client()
        .delete(format!("{files}?path=/workspace/a.txt"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "success", "deleted": true, "path": "/workspace/a.txt"})
    );
    let r = client()
        .delete(format!("{files}?path=/workspace/a.txt"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .delete(format!("{api}/sandboxes/{sid}"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "success", "deleted": true, "sandbox_id": sid})
    );
    // the project has no sandbox any more: the 500 quirk
    let r = client()
        .post(format!("{api}/project/{pid}/sandbox/ensure-active"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"detail":"404: No sandbox found for this project"}"#
    );
    let r = client()
        .post(format!("{api}/project/nope/sandbox/ensure-active"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    server.shutdown().await;
}

/// What a client must send so that a name reaches the sandbox unchanged: `\` written as `\u005c` (the backend expands
/// `\uXXXX`), then every byte but alphanumerics percent-encoded, once per decoding step.
fn encode_path(path: &str, times: usize) -> String {
    let mut s = path.replace('\\', "\\u005c");
    for _ in 0..times {
        s = percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC).to_string();
    }
    s
}

async fn upload(files: &str, token: &str, path_field: &str, data: &[u8]) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(data.to_vec()).file_name("upload.bin");
    let form = reqwest::multipart::Form::new()
        .text("path", path_field.to_owned())
        .part("file", part);
    let r = client()
        .post(files)
        .header("Authorization", bearer(token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn sandbox_of_new_project(server: &helium_devserver::DevServer, token: &str) -> String {
    let api = server.api_url();
    let part = reqwest::multipart::Part::bytes(b"seed".to_vec()).file_name("seed.txt");
    let form = reqwest::multipart::Form::new()
        .text("prompt", "x [hold]")
        .part("files", part);
    let r: Value = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(token))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let thread_id = r["thread_id"].as_str().unwrap();
    let (_, detail) = get_json(&format!("{api}/threads/{thread_id}"), Some(token)).await;
    detail["project"]["sandbox"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sandbox_paths_are_decoded_twice_like_the_backend() {
    let server = start().await;
    let token = server.sample_token();
    let sid = sandbox_of_new_project(&server, &token).await;
    let files = format!("{}/sandboxes/{sid}/files", server.api_url());
    let list = |dir: &'static str| {
        let url = format!("{files}?path={}", encode_path(dir, 2));
        let token = token.clone();
        async move {
            let (s, body) = get_json(&url, Some(&token)).await;
            assert_eq!(s, 200);
            body["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    for name in [
        "a+b.txt",
        "100%41.txt",
        "50% off.txt",
        "\u{fc} \u{f1}.txt",
        "x&y=z#1.txt",
        "back\\u0041slash.txt",
    ] {
        let path = format!("/workspace/{name}");
        let data = format!("content of {name}");
        // upload: the multipart field is decoded once (normalize_path only)
        let (s, body) = upload(&files, &token, &encode_path(&path, 1), data.as_bytes()).await;
        assert_eq!(s, 200, "{name}: {body}");
        assert_eq!(body["path"], path.as_str(), "{name}");
        assert!(list("/workspace").await.contains(&name.to_owned()), "{name}");
        // read: the query value is decoded twice
        let r = client()
            .get(format!("{files}/content?path={}", encode_path(&path, 2)))
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(r.text().await.unwrap(), data, "{name}");
        // delete
        let r = client()
            .delete(format!("{files}?path={}", encode_path(&path, 2)))
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"status": "success", "deleted": true, "path": path})
        );
        assert!(!list("/workspace").await.contains(&name.to_owned()), "{name}");
    }

    // encoded only once, values are altered by the second decoding
    let (s, body) = upload(&files, &token, "/workspace/100%41.txt", b"x").await;
    assert_eq!(s, 200);
    assert_eq!(body["path"], "/workspace/100A.txt");
    let (s, body) = upload(&files, &token, "/workspace/back\\u0041slash.txt", b"y").await;
    assert_eq!(s, 200);
    assert_eq!(body["path"], "/workspace/backAslash.txt");
    let names = list("/workspace").await;
    assert!(names.contains(&"100A.txt".to_owned()), "{names:?}");
    assert!(!names.contains(&"100%41.txt".to_owned()));
    let (s, body) = upload(&files, &token, &encode_path("/workspace/100%41.txt", 1), b"z").await;
    assert_eq!(
        (s, body["path"].as_str().unwrap()),
        (200, "/workspace/100%41.txt")
    );
    let r = client()
        .get(format!(
            "{files}/content?path={}",
            encode_path("/workspace/100%41.txt", 1)
        ))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        "x",
        "a once-encoded query names 100A.txt"
    );
    // `+` in the query is form-decoded to a space before normalize_path
    let (s, _) = upload(&files, &token, "/workspace/a+b.txt", b"plus").await;
    assert_eq!(s, 200);
    let (s, body) = get_json(&format!("{files}/content?path=/workspace/a+b.txt"), Some(&token)).await;
    assert_eq!(s, 404);
    assert_eq!(
        body["detail"],
        "Failed to download file: File not found: /workspace/a b.txt"
    );
    let r = client()
        .get(format!("{files}/content?path=/workspace/a%2Bb.txt"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "plus");
    // the last of repeated query values wins, as in Starlette
    let r = client()
        .get(format!("{files}/content?path=/nope&path=/workspace/100A.txt"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "x");
    // an empty multipart path is missing (FastAPI Form semantics)
    let (s, body) = upload(&files, &token, "", b"x").await;
    assert_eq!(s, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "path"]));
    server.shutdown().await;
}

#[tokio::test]
async fn supabase_probes_accept_only_the_project_keys() {
    let server = start().await;
    let base = server.base_url();
    for path in ["/rest/v1/", "/auth/v1/health"] {
        let r = client().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["message"],
            "No API key found in request"
        );
        for key in [server.anon_key(), server.service_role_key()] {
            let r = client()
                .get(format!("{base}{path}"))
                .header("apikey", key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
        }
        // keys of another project (or anything else) are refused, as the gateway refuses them
        for key in [
            server.sample_token(),
            server.sign_jwt(&json!({"role": "anon", "iss": "supabase"})),
            "sb_publishable_abc123".to_owned(),
            "nope".to_owned(),
        ] {
            let r = client()
                .get(format!("{base}{path}"))
                .header("apikey", key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{path}");
            assert_eq!(r.json::<Value>().await.unwrap()["message"], "Invalid API key");
        }
    }
    let (_, body) = get_json(
        &format!("{base}/auth/v1/health?apikey={}", server.anon_key()),
        None,
    )
    .await;
    assert_eq!(body["name"], "GoTrue");
    // the admin route hands out the URL and the anon key, never the service-role key
    let (s, body) = get_json(&format!("{base}/__devserver/supabase"), None).await;
    assert_eq!(s, 200);
    assert_eq!(body, json!({"url": base, "anon_key": server.anon_key()}));
    assert!(!body.to_string().contains(&server.service_role_key()));
    server.shutdown().await;
}
