//! Custom agents (§5.7): the feature-flag gate, CRUD, versions, export/import, tools, images, the 402 limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::{DevServer, EnvMode};
use serde_json::{Value, json};

async fn with_agents(mode: EnvMode) -> DevServer {
    start_with(|o| {
        o.env_mode = mode;
        o.feature_flags = vec![("custom_agents".to_owned(), true)];
    })
    .await
}

const GET: reqwest::Method = reqwest::Method::GET;
const POST: reqwest::Method = reqwest::Method::POST;
const PUT: reqwest::Method = reqwest::Method::PUT;
const DELETE: reqwest::Method = reqwest::Method::DELETE;

#[tokio::test]
async fn everything_is_gated_by_the_custom_agents_flag() {
    let server = start().await;
    let token = server.sample_token();
    let a = format!("{}/agents", server.api_url());
    let disabled =
        json!({"detail": "Custom agents currently disabled. This feature is not available at the moment."});
    for (method, url, body) in [
        (POST, a.clone(), Some(json!({"name": "x", "system_prompt": "y"}))),
        (PUT, format!("{a}/some-id"), Some(json!({"name": "x"}))),
        (DELETE, format!("{a}/some-id"), None),
        (GET, format!("{a}/some-id/export"), None),
        (POST, format!("{a}/json/analyze"), Some(json!({"json_data": {}}))),
        (POST, format!("{a}/json/import"), Some(json!({"json_data": {}}))),
        (GET, format!("{a}/some-id/tools"), None),
        (GET, format!("{a}/some-id/versions"), None),
        (GET, format!("{a}/some-id/pipedream-tools/p1"), None),
    ] {
        let (s, body) = call(method.clone(), &url, Some(&token), body).await;
        assert_eq!((s, &body), (403, &disabled), "{method} {url}");
    }
    // auth comes first
    let r = client()
        .post(&a)
        .json(&json!({"name": "x", "system_prompt": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // the listing keeps the stub
    let (s, list) = call(GET, &a, Some(&token), None).await;
    assert_eq!(
        (s, list),
        (200, fixture_json("agents_list_custom_agents_disabled.json"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn crud_versions_and_runs_with_an_agent() {
    let server = with_agents(EnvMode::Local).await;
    let token = server.sample_token();
    let api = server.api_url();
    let a = format!("{api}/agents");
    let (s, body) = call(POST, &a, Some(&token), Some(json!({"name": "x"}))).await;
    assert_eq!(s, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "system_prompt"]));
    let (s, agent) = call(
        POST,
        &a,
        Some(&token),
        Some(
            json!({"name": "Researcher", "description": "Finds things", "system_prompt": "Be thorough.",
                    "agentpress_tools": {"web_search_tool": true}, "avatar": "R", "avatar_color": "#000"}),
        ),
    )
    .await;
    assert_eq!(s, 200);
    let fx = &fixture_json("agents_list.json")["agents"][0];
    assert_eq!(keys(&agent), keys(fx));
    assert_eq!(
        keys(&agent["current_version"]),
        keys(&fx["current_version"])
            .into_iter()
            .chain(["change_description".to_owned()])
            .collect::<Vec<_>>()
    );
    assert_eq!(agent["version_count"], 1);
    assert_eq!(agent["current_version"]["version_name"], "v1");
    let id = agent["agent_id"].as_str().unwrap().to_owned();
    let v1 = agent["current_version_id"].as_str().unwrap().to_owned();

    // list, search, get
    let (_, list) = call(GET, &format!("{a}?search=research"), Some(&token), None).await;
    assert_eq!(
        list["pagination"],
        json!({"page": 1, "limit": 20, "total": 1, "pages": 1})
    );
    let (_, list) = call(GET, &format!("{a}?search=nothing"), Some(&token), None).await;
    assert_eq!(list["agents"], json!([]));
    let (s, got) = call(GET, &format!("{a}/{id}"), Some(&token), None).await;
    assert_eq!((s, got["name"].clone()), (200, json!("Researcher")));
    let other = server.token_for(OTHER_USER);
    let (s, body) = call(GET, &format!("{a}/{id}"), Some(&other), None).await;
    assert_eq!(
        (s, body["detail"].clone()),
        (404, json!("Agent not found or access denied"))
    );

    // a name change is no new version; a prompt change is
    let (_, upd) = call(
        PUT,
        &format!("{a}/{id}"),
        Some(&token),
        Some(json!({"name": "Researcher 2"})),
    )
    .await;
    assert_eq!(
        (upd["name"].clone(), upd["version_count"].clone()),
        (json!("Researcher 2"), json!(1))
    );
    let (_, upd) = call(
        PUT,
        &format!("{a}/{id}"),
        Some(&token),
        Some(json!({"system_prompt": "Be quick."})),
    )
    .await;
    assert_eq!(upd["version_count"], 2);
    assert_eq!(upd["system_prompt"], "Be quick.");
    let v2 = upd["current_version_id"].as_str().unwrap().to_owned();
    // versions: list, get, compare, activate, rollback, details, create
    let (_, versions) = call(GET, &format!("{a}/{id}/versions"), Some(&token), None).await;
    let names: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["v2", "v1"]);
    assert_eq!(versions[0]["is_active"], true);
    assert_eq!(versions[1]["is_active"], false);
    let (_, cmp) = call(
        GET,
        &format!("{a}/{id}/versions/{v1}/compare/{v2}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        cmp["differences"],
        json!([{"field": "system_prompt", "version1_value": "Be thorough.", "version2_value": "Be quick."}])
    );
    let (s, msg) = call(
        PUT,
        &format!("{a}/{id}/versions/{v1}/activate"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (s, msg),
        (200, json!({"message": "Version activated successfully"}))
    );
    let (_, got) = call(GET, &format!("{a}/{id}"), Some(&token), None).await;
    assert_eq!(got["system_prompt"], "Be thorough.");
    let (_, rb) = call(
        POST,
        &format!("{a}/{id}/versions/{v2}/rollback"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (
            rb["version_name"].clone(),
            rb["system_prompt"].clone(),
            rb["is_active"].clone()
        ),
        (json!("v3"), json!("Be quick."), json!(true))
    );
    assert_eq!(rb["change_description"], "Rolled back to v2");
    let (_, det) = call(
        PUT,
        &format!("{a}/{id}/versions/{v1}/details"),
        Some(&token),
        Some(json!({"version_name": "first"})),
    )
    .await;
    assert_eq!(det["version_name"], "first");
    let (_, v4) = call(
        POST,
        &format!("{a}/{id}/versions"),
        Some(&token),
        Some(json!({"system_prompt": "v4 prompt", "description": "manual"})),
    )
    .await;
    assert_eq!(
        (v4["version_number"].clone(), v4["change_description"].clone()),
        (json!(4), json!("manual"))
    );
    let (s, _) = call(GET, &format!("{a}/{id}/versions/nope"), Some(&token), None).await;
    assert_eq!(s, 404);

    // a run with the agent; another user's agent id is refused
    let form = reqwest::multipart::Form::new()
        .text("prompt", "hi")
        .text("agent_id", id.clone());
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&token))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let form = reqwest::multipart::Form::new()
        .text("prompt", "hi")
        .text("agent_id", id.clone());
    let r = client()
        .post(format!("{api}/agent/initiate"))
        .header("Authorization", bearer(&other))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // export → analyze → import round trip
    let (_, exported) = call(GET, &format!("{a}/{id}/export"), Some(&token), None).await;
    assert_eq!(
        (
            exported["system_prompt"].clone(),
            exported["export_version"].clone()
        ),
        (json!("v4 prompt"), json!("1.1"))
    );
    assert_eq!(
        exported["agentpress_tools"],
        json!({}),
        "v4 was created without tools"
    );
    let mut data = exported.clone();
    data["agentpress_tools"] = json!({"web_search_tool": true, "browser_tool": false});
    data["custom_mcps"] = json!([{"name": "Docs", "type": "sse", "config": {"url": "https://mcp.example/sse"}, "enabledTools": ["search"]}]);
    let (_, analysis) = call(
        POST,
        &format!("{a}/json/analyze"),
        Some(&token),
        Some(json!({"json_data": data})),
    )
    .await;
    assert_eq!(analysis["requires_setup"], true);
    assert_eq!(analysis["missing_custom_configs"][0]["name"], "Docs");
    let (s, imported) = call(
        POST,
        &format!("{a}/json/import"),
        Some(&token),
        Some(json!({"json_data": data, "instance_name": "Copy"})),
    )
    .await;
    assert_eq!(
        (s, imported["name"].clone(), imported["status"].clone()),
        (200, json!("Copy"), json!("success"))
    );
    let copy = imported["instance_id"].as_str().unwrap().to_owned();
    let (s, _) = call(
        POST,
        &format!("{a}/json/import"),
        Some(&token),
        Some(json!({"json_data": {"description": "no name"}})),
    )
    .await;
    assert_eq!(s, 400);

    // tools: custom MCP (X-MCP-URL), pipedream, overview
    let r = client()
        .get(format!("{a}/{copy}/custom-mcp-tools"))
        .header("Authorization", bearer(&token))
        .header("X-MCP-URL", "https://mcp.example/sse")
        .send()
        .await
        .unwrap();
    let tools: Value = r.json().await.unwrap();
    assert_eq!(tools["has_mcp_config"], true);
    assert_eq!(
        tools["tools"],
        json!([{"name": "search", "description": "", "enabled": true}])
    );
    let (s, body) = call(GET, &format!("{a}/{copy}/custom-mcp-tools"), Some(&token), None).await;
    assert_eq!(
        (s, body["detail"].clone()),
        (400, json!("X-MCP-URL header is required"))
    );
    let (_, set) = call(
        POST,
        &format!("{a}/{copy}/custom-mcp-tools"),
        Some(&token),
        Some(json!({"url": "https://mcp.example/sse", "type": "sse", "enabled_tools": ["search", "fetch"]})),
    )
    .await;
    assert_eq!(
        (set["success"].clone(), set["total_tools"].clone()),
        (json!(true), json!(2))
    );
    let (_, pd) = call(
        PUT,
        &format!("{a}/{copy}/pipedream-tools/prof_1"),
        Some(&token),
        Some(json!({"enabled_tools": ["send_email"]})),
    )
    .await;
    assert_eq!(pd["enabled_tools"], json!(["send_email"]));
    let (_, pd) = call(
        GET,
        &format!("{a}/{copy}/pipedream-tools/prof_1"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(pd["tools"], json!([{"name": "send_email", "enabled": true}]));
    let (_, overview) = call(GET, &format!("{a}/{copy}/tools"), Some(&token), None).await;
    let names: Vec<&str> = overview["mcp_tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["search", "fetch", "send_email"]);
    assert_eq!(
        overview["agentpress_tools"],
        json!([{"name": "web_search_tool", "enabled": true}, {"name": "browser_tool", "enabled": false}])
    );

    // profile image: upload, then fetch it from the returned URL
    let part = reqwest::multipart::Part::bytes(b"\x89PNG fake".to_vec()).file_name("me.png");
    let r = client()
        .post(format!("{a}/profile-image/upload"))
        .header("Authorization", bearer(&token))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let url = r.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with(&format!(
        "{}/storage/v1/object/public/agent-profile-images/",
        server.base_url()
    )));
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\x89PNG fake");
    let part = reqwest::multipart::Part::bytes(b"text".to_vec()).file_name("me.txt");
    let r = client()
        .post(format!("{a}/profile-image/upload"))
        .header("Authorization", bearer(&token))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // the default agent cannot be deleted; others can
    let (_, _) = call(
        PUT,
        &format!("{a}/{copy}"),
        Some(&token),
        Some(json!({"is_default": true})),
    )
    .await;
    let (s, body) = call(DELETE, &format!("{a}/{copy}"), Some(&token), None).await;
    assert_eq!(
        (s, body["detail"].clone()),
        (400, json!("Cannot delete default agent"))
    );
    let (s, body) = call(DELETE, &format!("{a}/{id}"), Some(&token), None).await;
    assert_eq!((s, body), (200, json!({"message": "Agent deleted successfully"})));
    let (s, _) = call(GET, &format!("{a}/{id}"), Some(&token), None).await;
    assert_eq!(s, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn agent_count_limit_402_outside_local() {
    let server = start_with(|o| {
        o.env_mode = EnvMode::Production;
        o.feature_flags = vec![("custom_agents".to_owned(), true)];
        o.agent_limit = 1;
    })
    .await;
    let token = server.sample_token();
    let a = format!("{}/agents", server.api_url());
    let new = json!({"name": "one", "system_prompt": "p"});
    let (s, _) = call(POST, &a, Some(&token), Some(new.clone())).await;
    assert_eq!(s, 200);
    let (s, body) = call(POST, &a, Some(&token), Some(new)).await;
    assert_eq!(s, 402);
    let fx = fixture_json("error_402_agent_count.json");
    assert_eq!(keys(&body["detail"]), keys(&fx["detail"]));
    assert_eq!(
        body["detail"],
        json!({"message": "Maximum of 1 agents allowed for your current plan. You have 1 agents.",
               "current_count": 1, "limit": 1, "tier_name": "free", "error_code": "AGENT_LIMIT_EXCEEDED"})
    );
    let (s, _) = call(
        POST,
        &format!("{a}/json/import"),
        Some(&token),
        Some(json!({"json_data": {"name": "x", "system_prompt": "y"}})),
    )
    .await;
    assert_eq!(s, 402);
    // the default limit is the fixture's free tier (2); local is unlimited
    let server2 = with_agents(EnvMode::Staging).await;
    let t2 = server2.sample_token();
    let a2 = format!("{}/agents", server2.api_url());
    for expected in [200, 200, 402] {
        let (s, _) = call(
            POST,
            &a2,
            Some(&t2),
            Some(json!({"name": "n", "system_prompt": "p"})),
        )
        .await;
        assert_eq!(s, expected);
    }
    let server3 = with_agents(EnvMode::Local).await;
    let t3 = server3.sample_token();
    for _ in 0..4 {
        let (s, _) = call(
            POST,
            &format!("{}/agents", server3.api_url()),
            Some(&t3),
            Some(json!({"name": "n", "system_prompt": "p"})),
        )
        .await;
        assert_eq!(s, 200);
    }
    server.shutdown().await;
    server2.shutdown().await;
    server3.shutdown().await;
}
