//! Billing (§5.5), custom agents and their versions (§5.7) and the admin key (§4.1) natively against the
//! in-process dev backend over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions, EnvMode};
use helium_sdk::models::{
    AgentCreateRequest, AgentJsonRequest, AgentUpdateRequest, AgentsQuery, CheckoutSessionRequest,
    CreateAgentVersionRequest, CustomMcpToolsUpdate, InitiateAgentRequest, InstallAgentQuery,
    PipedreamToolsUpdate, PortalSessionRequest, PurchaseCreditsRequest, TrialCheckoutRequest, UsageLogsQuery,
    VersionDetailsUpdate,
};
use helium_sdk::{Client, ClientOptions, ErrorKind, ProfileImageUpload, RetryPolicy, Runtime, UploadFile};
use serde_json::{Value, json};

const PRICE: &str = "price_1S2VNiAnxOD5rXBGWs7gO2rv";
const OTHER_USER: &str = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

async fn server_with(f: impl FnOnce(&mut DevServerOptions)) -> DevServer {
    let mut options = DevServerOptions {
        pace: Duration::from_millis(2),
        ..DevServerOptions::default()
    };
    f(&mut options);
    DevServer::start(options).await.unwrap()
}

fn client_for(server: &DevServer, token: String) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .bearer_token(token)
        .retry(RetryPolicy::default().backoff_between(Duration::from_millis(20), Duration::from_millis(80)))
        .build()
        .unwrap()
}

async fn request_paths(server: &DevServer) -> Vec<String> {
    let log: Vec<Value> = reqwest::get(format!("{}/__devserver/requests", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log.iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn checkout_portal_commitment_cancel_reactivate_and_trial() {
    let server = server_with(|_| {}).await;
    let client = client_for(&server, server.sample_token());
    let billing = client.billing();
    let request = CheckoutSessionRequest {
        price_id: PRICE.into(),
        success_url: "https://app.example/ok".into(),
        cancel_url: "https://app.example/cancel".into(),
        ..CheckoutSessionRequest::default()
    };
    let session = billing.create_checkout_session(&request).await.unwrap();
    assert_eq!(session.status, "checkout_created");
    assert!(
        session
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://app.example/ok")
    );
    let sub_id = session.subscription_id.clone().unwrap();
    let again = billing.create_checkout_session(&request).await.unwrap();
    assert_eq!(again.status, "no_change");
    let status = billing.subscription().await.unwrap();
    assert_eq!(status.subscription_id.as_deref(), Some(sub_id.as_str()));

    let commitment = billing.subscription_commitment(&sub_id).await.unwrap();
    assert!(!commitment.has_commitment && commitment.can_cancel);
    let err = billing.subscription_commitment("sub_nope").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let details = billing.subscription_details().await.unwrap();
    assert_eq!(details.subscription.as_ref().unwrap()["id"], sub_id.as_str());
    assert_eq!(details.commitment.as_ref().map(|c| c.can_cancel), Some(true));

    let cancelled = billing.cancel_subscription().await.unwrap();
    assert!(cancelled.success);
    assert_eq!(cancelled.status, "cancelled_at_period_end");
    assert!(billing.subscription().await.unwrap().cancel_at_period_end);
    let reactivated = billing.reactivate_subscription().await.unwrap();
    assert_eq!(reactivated.status, "reactivated");
    assert_eq!(
        billing.reactivate_subscription().await.unwrap().status,
        "not_cancelled"
    );

    let portal = billing
        .create_portal_session(&PortalSessionRequest {
            return_url: "https://app.example/settings".into(),
        })
        .await
        .unwrap();
    assert_eq!(portal.url, "https://app.example/settings");
    let bad = CheckoutSessionRequest {
        price_id: "price_unknown".into(),
        ..request.clone()
    };
    assert_eq!(
        billing.create_checkout_session(&bad).await.unwrap_err().kind(),
        ErrorKind::BadRequest
    );

    // A yearly commitment binds: cancelling is refused (a 200 whose status says why).
    let other = client_for(&server, server.token_for(OTHER_USER));
    let yearly = CheckoutSessionRequest {
        commitment_type: Some("yearly".into()),
        ..request.clone()
    };
    let session = other.billing().create_checkout_session(&yearly).await.unwrap();
    assert_eq!(session.status, "commitment_created");
    let info = other
        .billing()
        .subscription_commitment(session.subscription_id.unwrap())
        .await
        .unwrap();
    assert!(info.has_commitment && !info.can_cancel);
    assert_eq!(info.commitment_type.as_deref(), Some("yearly"));
    assert!(info.months_remaining.unwrap() > 0);
    let refused = other.billing().cancel_subscription().await.unwrap();
    assert!(!refused.success);
    assert_eq!(refused.status, "commitment_prevents_cancellation");

    // A trial, once.
    let third = client_for(&server, server.token_for("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"));
    assert_eq!(
        third.billing().cancel_subscription().await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let trial = TrialCheckoutRequest {
        success_url: "https://app.example/trial".into(),
        cancel_url: "https://app.example/cancel".into(),
    };
    let started = third.billing().create_trial_checkout(&trial).await.unwrap();
    assert_eq!(started.status, "checkout_created");
    assert!(started.session_id.is_some());
    assert_eq!(
        third
            .billing()
            .create_trial_checkout(&trial)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::BadRequest
    );
}

#[tokio::test]
async fn usage_logs_page_by_page_credit_usage_and_credits() {
    let server = server_with(|o| o.env_mode = EnvMode::Production).await;
    let client = client_for(&server, server.sample_token());
    let mut threads = Vec::new();
    for i in 0..3 {
        let started = client
            .agent()
            .initiate(&InitiateAgentRequest::new(format!("task {i}")))
            .await
            .unwrap();
        let run = started.agent_run_id.unwrap();
        client.runs().stream(&run).collect_transcript().await.unwrap();
        threads.push(started.thread_id);
    }
    let billing = client.billing();
    let first = billing
        .usage_logs(&UsageLogsQuery {
            page: Some(0),
            items_per_page: Some(2),
        })
        .await
        .unwrap();
    assert_eq!(first.logs.len(), 2);
    assert!(first.has_more);
    assert_eq!(first.total_items, Some(3));
    let all = billing.usage_logs_all(2).collect_all().await.unwrap();
    let mut seen: Vec<String> = all.iter().map(|e| e.thread_id.to_string()).collect();
    seen.sort();
    let mut expected: Vec<String> = threads.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert!(all.iter().all(|e| e.total_tokens > 0 && e.request_count > 0));

    let usage = billing.thread_credit_usage(&threads[0]).await.unwrap();
    assert_eq!(usage.usage_count, 1);
    assert_eq!(usage.usage_details.len(), 1);
    assert!(usage.total_credits_used > 0.0);

    assert_eq!(
        billing.can_purchase_credits().await.unwrap().can_purchase,
        Some(true)
    );
    assert_eq!(billing.credit_balance().await.unwrap().balance, Some(0.0));
    let bought = billing
        .purchase_credits(&PurchaseCreditsRequest {
            amount: 25.0,
            success_url: Some("https://app.example/credits".into()),
            cancel_url: None,
        })
        .await
        .unwrap();
    assert!(bought.session_id.is_some());
    assert_eq!(bought.extra["credit_balance"], 25.0);
    assert_eq!(billing.credit_balance().await.unwrap().balance, Some(25.0));
    let history = billing.credit_history().await.unwrap();
    assert_eq!(history.purchases.len(), 1);
    assert_eq!(history.purchases[0]["amount"], 25.0);
    let err = billing
        .purchase_credits(&PurchaseCreditsRequest {
            amount: 1.0,
            ..PurchaseCreditsRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
}

#[tokio::test]
async fn custom_agents_versions_tools_images_and_the_agent_limit() {
    let server = server_with(|o| {
        o.env_mode = EnvMode::Staging;
        o.feature_flags = vec![("custom_agents".into(), true)];
    })
    .await;
    let client = client_for(&server, server.sample_token());
    let agents = client.agents();
    let created = agents
        .create(&AgentCreateRequest::new("Researcher", "You research."))
        .await
        .unwrap();
    let id = created.agent_id.clone();
    assert_eq!(created.name, "Researcher");
    assert_eq!(created.current_version.as_ref().unwrap().version_name, "v1");

    // The frontend's list asks /agents when the flag is on.
    let listed = agents.available(&AgentsQuery::default()).await.unwrap();
    assert!(listed.agents.iter().any(|a| a.agent_id == id));

    let updated = agents
        .update(
            &id,
            &AgentUpdateRequest {
                system_prompt: Some("You research carefully.".into()),
                description: Some("Finds things".into()),
                ..AgentUpdateRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.system_prompt, "You research carefully.");
    assert_eq!(updated.version_count, Some(2));

    // Versions: create, list, get, activate, compare, rollback, details.
    let v3 = agents
        .create_version(
            &id,
            &CreateAgentVersionRequest {
                system_prompt: "Third prompt".into(),
                ..CreateAgentVersionRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(v3.version_number, 3);
    assert!(v3.is_active);
    let versions = agents.versions(&id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version_number).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    let v1 = versions.last().unwrap().version_id.clone();
    assert_eq!(
        agents.version(&id, &v1).await.unwrap().system_prompt,
        "You research."
    );
    agents.activate_version(&id, &v1).await.unwrap();
    assert_eq!(agents.get(&id).await.unwrap().system_prompt, "You research.");
    let diff = agents.compare_versions(&id, &v1, &v3.version_id).await.unwrap();
    assert!(
        diff.differences
            .unwrap()
            .iter()
            .any(|d| d["field"] == "system_prompt"),
        "{:?}",
        diff.extra
    );
    let rolled = agents.rollback_version(&id, &v3.version_id).await.unwrap();
    assert_eq!(rolled.system_prompt, "Third prompt");
    assert_eq!(rolled.change_description.as_deref(), Some("Rolled back to v3"));
    let renamed = agents
        .update_version_details(
            &id,
            &rolled.version_id,
            &VersionDetailsUpdate {
                version_name: Some("stable".into()),
                change_description: Some("the good one".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.version_name, "stable");
    assert_eq!(
        agents.version(&id, "no-such-version").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // Tools: custom MCP (through the X-MCP-URL header), Pipedream, the summary.
    let url = "https://mcp.example/sse";
    let set = agents
        .set_custom_mcp_tools(
            &id,
            &CustomMcpToolsUpdate {
                url: url.into(),
                r#type: "sse".into(),
                enabled_tools: vec!["search".into(), "fetch".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(set.success, Some(true));
    let mcp = agents.custom_mcp_tools(&id, url, "sse").await.unwrap();
    assert_eq!(mcp.has_mcp_config, Some(true));
    assert_eq!(mcp.tools.as_ref().map(Vec::len), Some(2));
    let unknown = agents
        .custom_mcp_tools(&id, "https://other.example", "sse")
        .await
        .unwrap();
    assert_eq!(unknown.has_mcp_config, Some(false));
    let added = agents
        .add_custom_mcp_tools(
            &id,
            &CustomMcpToolsUpdate {
                url: "https://other.example".into(),
                r#type: "json".into(),
                enabled_tools: vec!["lookup".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(added.enabled_tools.as_deref(), Some(&["lookup".to_owned()][..]));
    let other = agents
        .custom_mcp_tools(&id, "https://other.example", "json")
        .await
        .unwrap();
    assert_eq!(other.has_mcp_config, Some(true));
    agents
        .set_pipedream_tools(
            &id,
            "profile-1",
            &PipedreamToolsUpdate {
                enabled_tools: vec!["gmail-send".into()],
            },
        )
        .await
        .unwrap();
    let pipedream = agents.pipedream_tools(&id, "profile-1").await.unwrap();
    assert_eq!(pipedream.tools.as_ref().map(Vec::len), Some(1));
    let tools = agents.tools(&id).await.unwrap();
    assert!(tools.mcp_tools.unwrap().iter().any(|t| t["name"] == "search"));

    // A profile image: uploaded, then served at its URL.
    let png = vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 1, 2, 3];
    let uploaded = agents
        .upload_profile_image(&ProfileImageUpload::new(
            UploadFile::from_bytes("me.png", png.clone()).content_type("image/png"),
        ))
        .await
        .unwrap();
    let served = reqwest::get(&uploaded.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(served.to_vec(), png);
    let not_image = ProfileImageUpload::new(UploadFile::from_bytes("notes.txt", &b"x"[..]));
    assert_eq!(
        agents.upload_profile_image(&not_image).await.unwrap_err().kind(),
        ErrorKind::BadRequest
    );

    // Export, analyze, import: the import is the second agent; a third is over the plan's limit (402, typed).
    let export = agents.export(&id).await.unwrap();
    assert_eq!(export.name.as_deref(), Some("Researcher"));
    let document = AgentJsonRequest::new(export.to_value());
    let analysis = agents.analyze_json(&document).await.unwrap();
    assert!(analysis.requires_setup.is_some(), "{analysis:?}");
    let imported = agents
        .import_json(&AgentJsonRequest {
            instance_name: Some("Researcher copy".into()),
            ..document.clone()
        })
        .await
        .unwrap();
    assert_eq!(imported.name.as_deref(), Some("Researcher copy"));
    let err = agents
        .create(&AgentCreateRequest::new("Third", "Too many"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Billing);
    let limit = err.agent_limit().expect("the agent-limit detail");
    assert_eq!((limit.current_count, limit.limit), (2, 2));
    assert_eq!(limit.error_code, "AGENT_LIMIT_EXCEEDED");
    assert!(err.detail().unwrap().billing().is_none());

    let deleted = agents.delete(imported.instance_id.unwrap()).await.unwrap();
    assert_eq!(deleted.message, "Agent deleted successfully");
    agents
        .create(&AgentCreateRequest::new("Third", "Fits now"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_frontend_agent_list_falls_back_without_calling_agents() {
    let server = server_with(|_| {}).await;
    let client = client_for(&server, server.sample_token());
    let list = client.agents().available(&AgentsQuery::default()).await.unwrap();
    assert_eq!(list.agents.len(), 1);
    assert_eq!(list.agents[0].agent_id, "helium-default");
    assert!(list.agents[0].is_helium_default() && list.agents[0].is_default);
    assert_eq!(list.pagination.total, 1);
    let paths = request_paths(&server).await;
    assert!(
        paths.contains(&"GET /api/feature-flags/custom_agents".to_owned()),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("GET /api/agents")),
        "{paths:?}"
    );
    // Custom-agent routes answer 403 while the flag is off.
    let err = client
        .agents()
        .create(&AgentCreateRequest::new("A", "B"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn the_admin_key_installs_the_default_agent_on_servers_only() {
    let admin_key = "adm_0123456789abcdef";
    let server = server_with(|o| {
        o.admin_api_key = Some(admin_key.into());
        o.feature_flags = vec![("custom_agents".into(), true)];
    })
    .await;
    let user = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";
    let admin = Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.sample_token())
        .admin_api_key(admin_key)
        .build()
        .unwrap();
    assert!(!format!("{admin:?}").contains(admin_key));
    let installed = admin
        .admin()
        .install_default_agent(user, &InstallAgentQuery::default())
        .await
        .unwrap();
    assert_eq!(installed.success, Some(true));
    let agent_id = installed.agent_id.unwrap();
    let agent = admin.agents().get(&agent_id).await.unwrap();
    assert!(agent.is_helium_default());
    let again = admin
        .admin()
        .install_default_agent(
            user,
            &InstallAgentQuery {
                replace_existing: Some(true),
            },
        )
        .await
        .unwrap();
    assert_ne!(again.agent_id.unwrap(), agent_id);

    // A wrong key is the backend's 403; without one, nothing is sent.
    let wrong = Client::builder()
        .base_url(server.base_url())
        .admin_api_key("adm_wrong")
        .build()
        .unwrap();
    let err = wrong
        .admin()
        .install_default_agent(user, &InstallAgentQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(!err.to_string().contains("adm_wrong"));
    let before = request_paths(&server).await.len();
    let err = client_for(&server, server.sample_token())
        .admin()
        .install_default_agent(user, &InstallAgentQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(request_paths(&server).await.len(), before);

    // Refused in a client runtime, given explicitly or read from the environment.
    let options: ClientOptions = serde_json::from_value(json!({
        "baseUrl": server.base_url(), "runtime": "client", "adminApiKey": admin_key,
    }))
    .unwrap();
    let err = helium_sdk::ClientBuilder::from_options(options)
        .build()
        .unwrap_err();
    assert_eq!(err.code(), Some("secret_key_in_client"));
    assert!(!err.to_string().contains(admin_key));
    let env = helium_sdk::Env::from_map([
        ("NEXT_PUBLIC_BACKEND_URL", server.api_url()),
        ("KORTIX_ADMIN_API_KEY", admin_key.to_owned()),
    ]);
    let err = Client::from_env_map(Runtime::Client, &env).unwrap_err();
    assert_eq!(
        err.as_config().and_then(|c| c.variable()),
        Some("KORTIX_ADMIN_API_KEY")
    );
    // On a server, from_env reads it.
    let from_env = Client::from_env_map(Runtime::Server, &env).unwrap();
    from_env
        .admin()
        .install_default_agent(OTHER_USER, &InstallAgentQuery::default())
        .await
        .unwrap();
}
