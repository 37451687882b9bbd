//! The backend's admin key check (§4.1 item 5) on `POST /api/admin/helium-agents/install-user/{account_id}`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

async fn install(base: &str, account: &str, key: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req = client().post(format!("{base}/admin/helium-agents/install-user/{account}"));
    if let Some(k) = key {
        req = req.header("X-Admin-Api-Key", k);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let www = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, www, r.json().await.unwrap())
}

#[tokio::test]
async fn admin_key_errors_and_install() {
    // no key configured on the server
    let server = start().await;
    let (s, _, body) = install(&server.api_url(), USER, Some("anything")).await;
    assert_eq!(
        (s, body),
        (500, json!({"detail": "Admin API key not configured on server"}))
    );
    server.shutdown().await;

    let server = start_with(|o| {
        o.admin_api_key = Some("admin-secret".to_owned());
        o.feature_flags = vec![("custom_agents".to_owned(), true)];
    })
    .await;
    let api = server.api_url();
    let (s, www, body) = install(&api, USER, None).await;
    assert_eq!(
        (s, www, body),
        (
            401,
            None,
            json!({"detail": "Admin API key required. Include X-Admin-Api-Key header."})
        )
    );
    let (s, _, body) = install(&api, USER, Some("wrong")).await;
    assert_eq!((s, body), (403, json!({"detail": "Invalid admin API key"})));
    // a user's bearer token is no admin key
    let r = client()
        .post(format!("{api}/admin/helium-agents/install-user/{USER}"))
        .header("Authorization", bearer(&server.sample_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let (s, _, body) = install(&api, USER, Some("admin-secret")).await;
    assert_eq!(s, 200);
    assert_eq!(body["success"], true);
    let agent_id = body["agent_id"].as_str().unwrap().to_owned();
    let (_, _, again) = install(&api, USER, Some("admin-secret")).await;
    assert_eq!(again["agent_id"], agent_id.as_str(), "installed once");
    // the user now has a default Helium agent
    let list: Value = client()
        .get(format!("{api}/agents"))
        .header("Authorization", bearer(&server.sample_token()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["agents"][0]["agent_id"], agent_id.as_str());
    assert_eq!(list["agents"][0]["is_default"], true);
    assert_eq!(list["agents"][0]["metadata"]["is_helium_default"], true);
    server.shutdown().await;
}
