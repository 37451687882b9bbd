//! Decodes every top-level JSON fixture of the dev backend into the SDK's wire models and checks that
//! re-encoding keeps what the frontend reads.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use helium_sdk::models::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../helium-devserver/fixtures");

type Decode = fn(&str) -> Result<Value, String>;

/// Decodes `text` as `T` and re-encodes it to a JSON value.
fn rt<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, String> {
    let model: T = serde_json::from_str(text).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&model).map_err(|e| format!("encode: {e}"))
}

/// `agent_initiate_form_fields.json` is not a JSON payload but the list of multipart fields the frontend
/// sends. Build an [`InitiateAgentRequest`] from its text fields and re-encode it as the same list through
/// [`InitiateAgentRequest::form_fields`].
fn initiate_form(text: &str) -> Result<Value, String> {
    let fixture: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let fields = fixture["fields"].as_array().ok_or("no fields array")?;
    let mut req = InitiateAgentRequest::default();
    let parse_bool = |v: &str| match v {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("not a form bool: {other}")),
    };
    for field in fields {
        let name = field["name"].as_str().ok_or("field without name")?;
        let value = field["value"].as_str().ok_or("field without value")?.to_owned();
        match name {
            "prompt" => req.prompt = value,
            "agent_id" => req.agent_id = Some(AgentId::from(value)),
            "model_name" => req.model_name = Some(value),
            "reasoning_effort" => req.reasoning_effort = Some(value),
            "enable_thinking" => req.enable_thinking = Some(parse_bool(&value)?),
            "enable_context_manager" => req.enable_context_manager = Some(parse_bool(&value)?),
            "stream" => req.stream = Some(parse_bool(&value)?),
            // Files are attached by the client; `mode` is ignored by the backend.
            "files" | "mode" => {}
            other => return Err(format!("unexpected form field {other}")),
        }
    }
    let fields: Vec<Value> = req
        .form_fields()
        .into_iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect();
    Ok(json!({ "fields": fields }))
}

/// One row per top-level `*.json` fixture: the decoder and the fixture paths deliberately not compared.
///
/// Paths are `/`-separated keys and array indices; `*` matches any one segment.
/// Deliberate exceptions:
/// * `agent_initiate_form_fields.json`: `_comment` is documentation; `/fields/2` (`files`) is attached by the
///   client, not by the request model; `/fields/3` (`mode=agent`) is ignored by the backend and not produced.
const TABLE: &[(&str, Decode, &[&str])] = &[
    (
        "agent_initiate_form_fields.json",
        initiate_form,
        &["/_comment", "/fields/2", "/fields/3"],
    ),
    ("agent_initiate_response.json", rt::<InitiateAgentResponse>, &[]),
    ("agent_manual_event_request.json", rt::<ManualEventRequest>, &[]),
    ("agent_manual_event_response.json", rt::<RunControlResponse>, &[]),
    ("agent_pause_response.json", rt::<RunControlResponse>, &[]),
    ("agent_release_response.json", rt::<RunControlResponse>, &[]),
    ("agent_resume_response.json", rt::<RunControlResponse>, &[]),
    ("agent_run.json", rt::<AgentRun>, &[]),
    ("agent_run_completed.json", rt::<AgentRun>, &[]),
    ("agent_runs_list.json", rt::<AgentRunsList>, &[]),
    ("agent_start_request.json", rt::<AgentStartRequest>, &[]),
    ("agent_start_response.json", rt::<AgentStartResponse>, &[]),
    ("agent_stop_response.json", rt::<RunControlResponse>, &[]),
    ("agent_takeover_response.json", rt::<RunControlResponse>, &[]),
    ("agents_list.json", rt::<AgentsList>, &[]),
    ("agents_list_custom_agents_disabled.json", rt::<AgentsList>, &[]),
    ("api_key_create_response.json", rt::<CreatedApiKey>, &[]),
    ("api_keys_list.json", rt::<Vec<ApiKey>>, &[]),
    ("billing_available_models.json", rt::<AvailableModels>, &[]),
    ("billing_available_models_local.json", rt::<AvailableModels>, &[]),
    ("billing_check_status_local.json", rt::<CheckStatusResponse>, &[]),
    (
        "billing_check_status_production.json",
        rt::<CheckStatusResponse>,
        &[],
    ),
    (
        "billing_check_status_staging_blocked.json",
        rt::<CheckStatusResponse>,
        &[],
    ),
    ("billing_subscription_active.json", rt::<SubscriptionStatus>, &[]),
    ("billing_subscription_free.json", rt::<SubscriptionStatus>, &[]),
    ("billing_thread_token_usage.json", rt::<ThreadTokenUsage>, &[]),
    ("error_401_api_key_format.json", rt::<ErrorBody>, &[]),
    ("error_401_api_key_invalid.json", rt::<ErrorBody>, &[]),
    ("error_401_invalid_token.json", rt::<ErrorBody>, &[]),
    ("error_401_no_credentials.json", rt::<ErrorBody>, &[]),
    ("error_402_agent_count.json", rt::<ErrorBody>, &[]),
    ("error_402_billing.json", rt::<ErrorBody>, &[]),
    ("error_403_model.json", rt::<ErrorBody>, &[]),
    ("error_403_thread.json", rt::<ErrorBody>, &[]),
    ("error_404_agent_run.json", rt::<ErrorBody>, &[]),
    ("error_404_route.json", rt::<ErrorBody>, &[]),
    ("error_404_thread.json", rt::<ErrorBody>, &[]),
    ("error_422_initiate_missing_prompt.json", rt::<ErrorBody>, &[]),
    ("error_429_agent_run_limit.json", rt::<ErrorBody>, &[]),
    ("error_500_initiate.json", rt::<ErrorBody>, &[]),
    ("error_500_unhandled.json", rt::<ErrorBody>, &[]),
    ("error_503_shutting_down.json", rt::<ErrorBody>, &[]),
    ("health_docker_error.json", rt::<ErrorBody>, &[]),
    ("health_docker_ok.json", rt::<HealthResponse>, &[]),
    ("health_ok.json", rt::<HealthResponse>, &[]),
    ("health_ok_helium_repo.json", rt::<HealthResponse>, &[]),
    ("sandbox_deleted.json", rt::<SandboxDeleted>, &[]),
    ("sandbox_ensure_active.json", rt::<EnsureActiveResponse>, &[]),
    ("sandbox_file_created.json", rt::<FileCreated>, &[]),
    ("sandbox_file_deleted.json", rt::<FileDeleted>, &[]),
    ("sandbox_files_list.json", rt::<FileList>, &[]),
    // `agents: null` (the join found no agent) and an absent `agents` (no join) are both `None`.
    (
        "supabase_messages_rows.json",
        rt::<Vec<MessageRow>>,
        &["/*/agents"],
    ),
    ("supabase_projects_rows.json", rt::<Vec<ProjectRow>>, &[]),
    ("supabase_threads_rows.json", rt::<Vec<ThreadRow>>, &[]),
    ("thread_agent_none.json", rt::<ThreadAgentResponse>, &[]),
    ("thread_create_response.json", rt::<ThreadCreated>, &[]),
    ("thread_detail.json", rt::<ThreadDetail>, &[]),
    ("thread_messages.json", rt::<ThreadMessages>, &[]),
    ("threads_list.json", rt::<ThreadsList>, &[]),
];

fn fixture_dir() -> PathBuf {
    Path::new(FIXTURES).to_path_buf()
}

/// The top-level `*.json` fixture names (not `public_v1/`, not `*.sse`).
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture folder")
        .map(|e| e.expect("dir entry"))
        .filter(|e| e.file_type().expect("file type").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ignored(path: &str, patterns: &[&str]) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    patterns.iter().any(|p| {
        let pat: Vec<&str> = p.split('/').collect();
        pat.len() == segs.len() && pat.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s)
    })
}

/// Checks that `expected` (the fixture) is contained in `actual` (the re-encoded model): every object key of
/// the fixture is present with an equal value, arrays have the same length and matching elements. Extra keys
/// in `actual` (e.g. `null` for a field the shape lacks) are fine. Numbers compare numerically, because
/// JavaScript has one number type (`0` and `0.0` are the same value).
fn subset(expected: &Value, actual: &Value, path: &str, ignore: &[&str], errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                let p = format!("{path}/{key}");
                if ignored(&p, ignore) {
                    continue;
                }
                match a.get(key) {
                    Some(av) => subset(ev, av, &p, ignore, errors),
                    None => errors.push(format!("{p}: missing after re-encoding")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            let kept: Vec<(usize, &Value)> = e
                .iter()
                .enumerate()
                .filter(|(i, _)| !ignored(&format!("{path}/{i}"), ignore))
                .collect();
            if kept.len() != a.len() {
                errors.push(format!(
                    "{path}: {} items expected, {} re-encoded",
                    kept.len(),
                    a.len()
                ));
                return;
            }
            for ((i, ev), av) in kept.into_iter().zip(a) {
                subset(ev, av, &format!("{path}/{i}"), ignore, errors);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            if e.as_f64() != a.as_f64() {
                errors.push(format!("{path}: {e} became {a}"));
            }
        }
        (e, a) => {
            if e != a {
                errors.push(format!("{path}: {e} became {a}"));
            }
        }
    }
}

fn lookup(name: &str) -> Option<&'static (&'static str, Decode, &'static [&'static str])> {
    TABLE.iter().find(|(n, _, _)| *n == name)
}

#[test]
fn every_fixture_has_a_model_and_round_trips() {
    let names = fixture_names();
    assert!(
        names.len() > 50,
        "expected the contract's fixtures in {FIXTURES}, found {}",
        names.len()
    );

    let missing: Vec<&String> = names.iter().filter(|n| lookup(n).is_none()).collect();
    assert!(
        missing.is_empty(),
        "fixtures without a model in TABLE: {missing:?}"
    );

    let on_disk: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let stale: Vec<&str> = TABLE
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| !on_disk.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "TABLE names fixtures that do not exist: {stale:?}"
    );

    let mut failures = Vec::new();
    for name in &names {
        let (_, decode, ignore) = lookup(name).unwrap();
        let text = read_fixture(name);
        let fixture: Value = serde_json::from_str(&text).unwrap();
        match decode(&text) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(reencoded) => {
                let mut errors = Vec::new();
                subset(&fixture, &reencoded, "", ignore, &mut errors);
                failures.extend(errors.into_iter().map(|e| format!("{name}: {e}")));
            }
        }
    }
    assert!(failures.is_empty(), "fixture failures:\n{}", failures.join("\n"));
}

/// Adds an unknown key to every object of `value` (recursively).
fn add_unknown_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                add_unknown_keys(v);
            }
            map.insert("zz_unknown_field".into(), json!({"nested": [1, "two"]}));
        }
        Value::Array(items) => items.iter_mut().for_each(add_unknown_keys),
        _ => {}
    }
}

#[test]
fn unknown_fields_are_tolerated() {
    for (name, decode, _) in TABLE {
        if *name == "agent_initiate_form_fields.json" {
            continue; // not a JSON payload (see `initiate_form`)
        }
        let mut fixture: Value = serde_json::from_str(&read_fixture(name)).unwrap();
        add_unknown_keys(&mut fixture);
        let text = serde_json::to_string(&fixture).unwrap();
        if let Err(e) = decode(&text) {
            panic!("{name} with unknown keys: {e}");
        }
    }
}

fn fixture<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&read_fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn agent_run_status_round_trips_known_and_unknown() {
    for (wire, status) in [
        ("running", AgentRunStatus::Running),
        ("completed", AgentRunStatus::Completed),
        ("stopped", AgentRunStatus::Stopped),
        ("failed", AgentRunStatus::Failed),
    ] {
        let decoded: AgentRunStatus = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(decoded, status);
        assert_eq!(serde_json::to_value(&decoded).unwrap(), json!(wire));
        assert_eq!(decoded.to_string(), wire);
    }
    let other: AgentRunStatus = serde_json::from_value(json!("error")).unwrap();
    assert_eq!(other, AgentRunStatus::Other("error".into()));
    assert_eq!(serde_json::to_value(&other).unwrap(), json!("error"));
    assert!(!other.is_terminal() && !other.is_running());
    assert!(AgentRunStatus::Failed.is_terminal());
    assert_eq!(AgentRunStatus::from("running"), AgentRunStatus::Running);
    assert!(serde_json::from_value::<AgentRunStatus>(json!(3)).is_err());

    let key: ApiKeyStatus = serde_json::from_value(json!("suspended")).unwrap();
    assert_eq!(key, ApiKeyStatus::Other("suspended".into()));
    assert_eq!(serde_json::to_value(&key).unwrap(), json!("suspended"));
}

#[test]
fn minutes_limit_number_and_text() {
    let n: MinutesLimit = serde_json::from_value(json!(60)).unwrap();
    assert_eq!(n, MinutesLimit::Minutes(60.0));
    assert_eq!(n.minutes(), Some(60.0));
    assert!(!n.is_unlimited());
    assert_eq!(serde_json::to_string(&n).unwrap(), "60");

    let f: MinutesLimit = serde_json::from_value(json!(12.5)).unwrap();
    assert_eq!(serde_json::to_string(&f).unwrap(), "12.5");

    for text in ["no limit", "unlimited"] {
        let t: MinutesLimit = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(t, MinutesLimit::Text(text.into()));
        assert!(t.is_unlimited());
        assert_eq!(t.minutes(), None);
        assert_eq!(serde_json::to_value(&t).unwrap(), json!(text));
    }

    let local: CheckStatusResponse = fixture("billing_check_status_local.json");
    assert!(local.can_run);
    assert_eq!(
        local.subscription.minutes_limit,
        Some(MinutesLimit::Text("no limit".into()))
    );
    let blocked: CheckStatusResponse = fixture("billing_check_status_staging_blocked.json");
    assert!(!blocked.can_run);
    assert_eq!(blocked.subscription.plan_name.as_deref(), Some("free"));
    assert_eq!(blocked.subscription.minutes_limit, None);
    let free: SubscriptionStatus = fixture("billing_subscription_free.json");
    assert_eq!(free.minutes_limit, Some(MinutesLimit::Minutes(60.0)));
}

#[test]
fn check_status_accepts_a_raw_stripe_subscription() {
    let body = json!({
        "can_run": false,
        "message": "Monthly limit reached",
        "subscription": {
            "id": "sub_123", "object": "subscription", "status": "active",
            "items": {"data": [{"price": {"id": "price_abc"}}]}, "cancel_at": null
        },
        "credit_balance": 0,
        "can_purchase_credits": true
    });
    let decoded: CheckStatusResponse = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(decoded.subscription.price_id, None);
    assert_eq!(decoded.subscription.extra.get("id"), Some(&json!("sub_123")));
    let mut errors = Vec::new();
    subset(
        &body,
        &serde_json::to_value(&decoded).unwrap(),
        "",
        &[],
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn error_details_and_typed_views() {
    let e429: ErrorBody = fixture("error_429_agent_run_limit.json");
    let limit = e429.detail.run_limit().expect("run-limit view");
    assert_eq!(limit.running_count, 3);
    assert_eq!(limit.limit, 3);
    assert_eq!(limit.running_thread_ids.len(), 3);
    assert_eq!(
        limit.running_thread_ids[0],
        "5b0f3c9e-2a1d-4f7b-9c3e-8d2a61f4b7a0"
    );
    assert!(
        e429.detail
            .message()
            .unwrap()
            .starts_with("Maximum of 3 parallel agent runs")
    );
    assert!(e429.detail.billing().is_none());
    assert!(e429.detail.agent_limit().is_none());

    let e402: ErrorBody = fixture("error_402_billing.json");
    let billing = e402.detail.billing().expect("billing view");
    assert!(
        billing
            .message
            .starts_with("Monthly limit of 1500 credits reached")
    );
    assert_eq!(billing.subscription["plan_name"], json!("free"));
    assert!(e402.detail.run_limit().is_none());
    assert!(e402.detail.agent_limit().is_none());

    let agents: ErrorBody = fixture("error_402_agent_count.json");
    let agent_limit = agents.detail.agent_limit().expect("agent-limit view");
    assert_eq!((agent_limit.current_count, agent_limit.limit), (2, 2));
    assert_eq!(agent_limit.tier_name, "free");
    assert_eq!(agent_limit.error_code, "AGENT_LIMIT_EXCEEDED");
    assert!(agents.detail.billing().is_none());

    let model: ErrorBody = fixture("error_403_model.json");
    assert_eq!(
        model.detail.model().expect("model view").allowed_models,
        vec!["vertex_ai/gemini-2.5-pro"]
    );

    let e422: ErrorBody = fixture("error_422_initiate_missing_prompt.json");
    let issues = e422.detail.validation().expect("validation list");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].r#type, "missing");
    assert_eq!(issues[0].loc, vec![json!("body"), json!("prompt")]);
    assert_eq!(issues[0].msg, "Field required");
    assert_eq!(issues[0].input, Value::Null);
    assert_eq!(issues[0].loc_path(), "body.prompt");
    assert_eq!(e422.detail.message(), None);
    assert_eq!(e422.detail.to_string(), "body.prompt: Field required");
    assert!(e422.detail.run_limit().is_none());

    for (name, text) in [
        (
            "error_401_no_credentials.json",
            "No valid authentication credentials found",
        ),
        (
            "error_401_api_key_format.json",
            "Invalid API key format. Expected format: pk_xxx:sk_xxx",
        ),
        ("error_404_route.json", "Not Found"),
        ("health_docker_error.json", "Health check failed"),
    ] {
        let body: ErrorBody = fixture(name);
        assert_eq!(body.detail, ErrorDetail::Message(text.into()), "{name}");
        assert_eq!(body.detail.message(), Some(text));
        assert!(body.detail.run_limit().is_none() && body.detail.billing().is_none());
    }

    let odd: ErrorBody = serde_json::from_value(json!({"detail": 42})).unwrap();
    assert_eq!(odd.detail, ErrorDetail::Other(json!(42)));
}

#[test]
fn agent_run_uses_camel_case_keys() {
    let run: AgentRun = fixture("agent_run_completed.json");
    assert_eq!(run.thread_id, "5b0f3c9e-2a1d-4f7b-9c3e-8d2a61f4b7a0");
    assert_eq!(run.status, AgentRunStatus::Completed);
    assert_eq!(
        run.completed_at.as_deref(),
        Some("2025-09-25T10:15:03.401992+00:00")
    );
    let encoded = serde_json::to_value(&run).unwrap();
    let keys: BTreeSet<&str> = encoded.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["id", "threadId", "status", "startedAt", "completedAt", "error"])
    );

    let running: AgentRun = fixture("agent_run.json");
    assert_eq!(running.completed_at, None);
    assert_eq!(
        serde_json::to_value(&running).unwrap()["completedAt"],
        Value::Null
    );

    // The snake_case spelling is accepted too.
    let snake: AgentRun = serde_json::from_value(json!({
        "id": "r", "thread_id": "t", "status": "running", "started_at": "s", "completed_at": null, "error": null
    }))
    .unwrap();
    assert_eq!(snake.thread_id, "t");
    assert_eq!(snake.started_at, "s");

    // The backend always sends the list; `null` is read as empty.
    assert!(serde_json::from_value::<AgentRunsList>(json!({})).is_err());
    let list: AgentRunsList = serde_json::from_value(json!({"agent_runs": null})).unwrap();
    assert!(list.agent_runs.is_empty());
    let list: AgentRunsList = fixture("agent_runs_list.json");
    assert!(list.active().is_none());
}

#[test]
fn created_api_key_debug_hides_the_secret() {
    let key: CreatedApiKey = fixture("api_key_create_response.json");
    let debug = format!("{key:?}");
    assert!(!debug.contains(&key.secret_key), "{debug}");
    assert!(!debug.contains("sk_"), "{debug}");
    assert!(debug.contains("<redacted>"));
    assert!(debug.contains("pk_Q7mZ2xK9bT4nW1cR8vL3pY6dH0sJ5gFa"));
    assert_eq!(
        key.header_value(),
        "pk_Q7mZ2xK9bT4nW1cR8vL3pY6dH0sJ5gFa:sk_X3kP9wN2qR7tL5mB8vC1zD4fG6hJ0yUe"
    );
    assert_eq!(key.status, ApiKeyStatus::Active);

    let req = CreateApiKeyRequest::new("CI");
    assert_eq!(serde_json::to_value(&req).unwrap(), json!({"title": "CI"}));
}

#[test]
fn sandbox_info_debug_hides_pass_and_token() {
    let rows: Vec<ProjectRow> = fixture("supabase_projects_rows.json");
    let debug = format!("{:?}", rows[0]);
    assert!(!debug.contains("8b1f0c3e-6a2d-4f9b-b7e4-2c5d8a1f3e60"), "{debug}");
    assert!(!debug.contains("dtn_9f3c2a7b1e4d"), "{debug}");
    assert!(debug.contains("3f9c1e2a-7d4b-4c8e-9a1f-5b6c7d8e9f0a"));
}

#[test]
fn initiate_form_fields() {
    let minimal = InitiateAgentRequest::new("Hello");
    assert_eq!(minimal.form_fields(), vec![("prompt", "Hello".to_owned())]);

    let full = InitiateAgentRequest {
        model_name: Some("vertex_ai/gemini-2.5-pro".into()),
        enable_thinking: Some(false),
        reasoning_effort: Some("medium".into()),
        stream: Some(true),
        enable_context_manager: Some(true),
        agent_id: Some(AgentId::from("agent-1")),
        ..InitiateAgentRequest::new("Create a page")
    };
    let fields: Vec<(&str, String)> = full.form_fields();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        fields,
        vec![
            ("prompt", "Create a page"),
            ("agent_id", "agent-1"),
            ("enable_thinking", "false"),
            ("reasoning_effort", "medium"),
            ("enable_context_manager", "true"),
            ("model_name", "vertex_ai/gemini-2.5-pro"),
            ("stream", "true"),
        ]
    );

    // The JSON start request skips `None` fields.
    let start = AgentStartRequest {
        stream: Some(true),
        ..AgentStartRequest::default()
    };
    assert_eq!(serde_json::to_value(&start).unwrap(), json!({"stream": true}));
}

#[test]
fn agents_query_pairs() {
    assert!(AgentsQuery::default().query_pairs().is_empty());
    let query = AgentsQuery {
        page: Some(2),
        limit: Some(50),
        search: Some("web dev".into()),
        sort_by: Some("name".into()),
        sort_order: Some("asc".into()),
        has_default: Some(false),
        has_mcp_tools: Some(true),
        has_agentpress_tools: None,
        tools: Some("mcp:exa,agentpress:browser_tool".into()),
    };
    let pairs = query.query_pairs();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        pairs,
        vec![
            ("page", "2"),
            ("limit", "50"),
            ("search", "web dev"),
            ("sort_by", "name"),
            ("sort_order", "asc"),
            ("has_default", "false"),
            ("has_mcp_tools", "true"),
            ("tools", "mcp:exa,agentpress:browser_tool"),
        ]
    );
}

#[test]
fn health_shapes() {
    let full: HealthResponse = fixture("health_ok.json");
    assert!(full.is_ok());
    assert_eq!(full.environment.as_deref(), Some("production"));
    assert_eq!(full.cors_origins.as_ref().map(Vec::len), Some(3));

    let old: HealthResponse = fixture("health_ok_helium_repo.json");
    assert_eq!(old.instance_id.as_deref(), Some("single"));
    assert_eq!(old.environment, None);
    let keys: BTreeSet<String> = serde_json::to_value(&old)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["status".into(), "timestamp".into(), "instance_id".into()])
    );

    let guide: HealthResponse = serde_json::from_value(json!({
        "status": "healthy", "timestamp": "2025-09-25T10:14:58Z",
        "components": {"redis": "healthy", "database": "healthy"}
    }))
    .unwrap();
    assert!(guide.is_ok());
    let components = guide.components.as_ref().unwrap();
    assert_eq!(components.redis_status(), Some("healthy"));
    assert_eq!(components.database_status(), Some("healthy"));
}

#[test]
fn misc_views() {
    let agents: AgentsList = fixture("agents_list_custom_agents_disabled.json");
    assert_eq!(agents.agents[0].agent_id, "helium-default");
    assert!(agents.agents[0].is_helium_default());
    assert_eq!(agents.pagination.pages, 1);

    let rows: Vec<MessageRow> = fixture("supabase_messages_rows.json");
    let user = rows.iter().find(|r| r.r#type == "user").unwrap();
    assert!(user.content.is_string());
    assert_eq!(
        user.parsed_content()["content"],
        json!("Create a hello world web page")
    );
    let status = rows.iter().find(|r| r.r#type == "status").unwrap();
    assert_eq!(status.parsed_content(), status.content);

    let flags: FeatureFlags =
        serde_json::from_value(json!({"flags": {"custom_agents": false, "x": true}})).unwrap();
    assert!(flags.is_enabled("x") && !flags.is_enabled("custom_agents") && !flags.is_enabled("nope"));
    let flag: FeatureFlag =
        serde_json::from_value(json!({"flag_name": "custom_agents", "enabled": false, "details": null}))
            .unwrap();
    assert!(!flag.enabled);

    let id = ThreadId::from("abc");
    assert_eq!(id.as_str(), "abc");
    assert_eq!(id.to_string(), "abc");
    assert_eq!(serde_json::to_value(&id).unwrap(), json!("abc"));
    assert_eq!(serde_json::from_value::<ThreadId>(json!("abc")).unwrap(), id);
}

#[test]
fn subset_comparison_detects_differences() {
    let check = |expected: Value, actual: Value, ignore: &[&str]| {
        let mut errors = Vec::new();
        subset(&expected, &actual, "", ignore, &mut errors);
        errors
    };
    assert!(
        check(
            json!({"a": 1, "b": [1, 2]}),
            json!({"a": 1.0, "b": [1, 2], "c": null}),
            &[]
        )
        .is_empty()
    );
    assert_eq!(
        check(json!({"a": 1}), json!({}), &[]),
        vec!["/a: missing after re-encoding"]
    );
    assert_eq!(
        check(json!({"a": null}), json!({"a": 0}), &[]),
        vec!["/a: null became 0"]
    );
    assert_eq!(
        check(json!({"a": [1, 2]}), json!({"a": [1]}), &[]),
        vec!["/a: 2 items expected, 1 re-encoded"]
    );
    assert!(check(json!({"a": [1, 2]}), json!({"a": [1]}), &["/a/1"]).is_empty());
    assert!(check(json!({"x": {"y": 1}}), json!({"x": {}}), &["/*/y"]).is_empty());
}
