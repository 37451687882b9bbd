//! The public API v1, billing, custom agents and the admin key through the JS client, against the dev backend
//! `tests/run.sh` starts (custom agents on, an admin key given to it). Each case uses users of its own, so the
//! Node and Chromium runs against the same backend do not meet.

use helium_sdk::js::{self, HeliumClient};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::client::{call, kind, op, server_side, server_url, token};
use super::{get, get_str, obj};

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// A fresh user id (UUID-shaped).
fn new_user() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| char::from_digit((js_sys::Math::random() * 16.0) as u32 % 16, 16).unwrap_or('0'))
            .collect()
    };
    format!("{}-{}-4{}-8{}-{}", hex(8), hex(4), hex(3), hex(3), hex(12))
}

fn client_with(pairs: &[(&str, JsValue)]) -> HeliumClient {
    let mut all = vec![
        ("baseUrl", s(server_url())),
        ("maxRetries", JsValue::from_f64(2.0)),
    ];
    all.extend(pairs.iter().cloned());
    HeliumClient::new(Some(obj(&all).unchecked_into())).unwrap()
}

fn user_client(user: &str) -> HeliumClient {
    client_with(&[("accessToken", s(&token(user)))])
}

async fn post_json(path: &str, body: &str) -> JsValue {
    let resp = gloo_net::http::Request::post(&format!("{}{path}", server_url()))
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(resp.ok(), "POST {path}: {}", resp.status());
    js_sys::JSON::parse(&resp.text().await.unwrap()).unwrap()
}

/// Drains a `for await` iterable into an array of its values.
async fn drain(iterable: &JsValue) -> Vec<JsValue> {
    let mut out = Vec::new();
    loop {
        let result = call(iterable, "next", &[]).await.unwrap();
        if get(&result, "done").as_bool() == Some(true) {
            return out;
        }
        out.push(get(&result, "value"));
    }
}

fn bytes(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<js_sys::Uint8Array>().expect("a Uint8Array").to_vec()
}

fn len(v: &JsValue) -> u32 {
    js_sys::Array::from(v).length()
}

pub async fn public_api_v1() {
    let user = new_user();
    let key = post_json("/__devserver/public-keys", &format!(r#"{{"user_id": "{user}"}}"#)).await;
    let key = get_str(&key, "api_key").unwrap();
    assert!(key.starts_with("he-"));
    let c = client_with(&[("apiKey", s(&key))]);

    // The limits are checked before sending; the he- key is refused on internal routes before sending.
    let err = op(&c, "quickAction", &[obj(&[("prompt", s(""))])])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "invalid_request");
    assert_eq!(get_str(&err, "code").as_deref(), Some("limit"));
    let err = op(&c, "getAgentRun", &[s("00000000-0000-0000-0000-000000000000")])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "auth");
    assert!(!get_str(&err, "message").unwrap().contains(&key));

    let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, 7];
    let files = js_sys::Array::of2(
        &obj(&[
            ("name", s("notes.txt")),
            ("data", js_sys::Uint8Array::from(&b"js notes"[..]).into()),
        ]),
        &obj(&[
            ("name", s("dot.png")),
            ("data", js_sys::Uint8Array::from(&png[..]).into()),
        ]),
    );
    let request = obj(&[("prompt", s("Hello from JS")), ("files", files.into())]);
    let started = op(&c, "quickAction", &[request]).await.unwrap();
    let thread = get_str(&started, "thread_id").unwrap();
    let project = get_str(&started, "project_id").unwrap();
    // A browser cannot read the rate-limit headers (the backend exposes none); Node can.
    let rate = get(&started, "rate_limit");
    assert_eq!(rate.is_object(), server_side(), "{started:?}");
    if server_side() {
        assert_eq!(get(&rate, "limit").as_f64(), Some(100.0));
    }

    let wait = obj(&[
        ("timeoutMs", JsValue::from_f64(30_000.0)),
        ("includeFileContent", JsValue::TRUE),
    ]);
    let result =
        JsFuture::from(c.wait_for_result(thread.clone(), project.clone(), Some(wait.unchecked_into()), None))
            .await
            .unwrap();
    assert_eq!(get_str(&result, "status").as_deref(), Some("completed"));
    // The answer is the run's last assistant message; the files include the one the run made, inline.
    assert!(
        get_str(&get(&result, "response"), "content")
            .unwrap()
            .contains("index.html")
    );
    let made = js_sys::Array::from(&get(&result, "files"));
    assert!(
        made.iter()
            .any(|f| get(&f, "included_inline").as_bool() == Some(true))
    );
    let again = op(&c, "getThreadResponse", &[s(&thread), s(&project)])
        .await
        .unwrap();
    assert_eq!(get_str(&again, "agent_run_id"), get_str(&started, "agent_run_id"));

    let query = obj(&[("timeout", JsValue::from_f64(10.0))]);
    let realtime = c
        .iterate_realtime_response(
            thread.clone(),
            project.clone(),
            Some(query.unchecked_into()),
            None,
        )
        .unwrap();
    let items = drain(&realtime).await;
    assert_eq!(get_str(&items[0], "kind").as_deref(), Some("status"));
    let text: String = items
        .iter()
        .filter(|i| get_str(i, "kind").as_deref() == Some("content"))
        .map(|i| get_str(i, "content").unwrap())
        .collect();
    assert!(text.contains("Hello from JS"), "{text}");
    assert_eq!(
        get_str(items.last().unwrap(), "status").as_deref(),
        Some("completed")
    );

    let one = obj(&[("page_size", JsValue::from_f64(1.0))]);
    let page = op(&c, "getThreadHistory", &[s(&thread), s(&project), one.clone()])
        .await
        .unwrap();
    assert_eq!(get(&get(&page, "pagination"), "has_next").as_bool(), Some(true));
    let history = drain(
        &c.iterate_thread_history(thread.clone(), project.clone(), Some(one.unchecked_into()), None)
            .unwrap(),
    )
    .await;
    assert!(history.len() >= 2, "{history:?}");
    assert_eq!(get_str(&history[0], "role").as_deref(), Some("user"));

    let listed = op(&c, "listThreadFiles", &[s(&thread), s(&project)])
        .await
        .unwrap();
    let all = drain(
        &c.iterate_thread_files(thread.clone(), project.clone(), None)
            .unwrap(),
    )
    .await;
    assert_eq!(all.len() as u32, len(&get(&listed, "files")));
    let id_of = |name: &str| {
        all.iter()
            .find(|f| get_str(f, "file_name").as_deref() == Some(name))
            .and_then(|f| get_str(f, "file_id"))
            .unwrap()
    };
    let notes = op(
        &c,
        "getPublicFile",
        &[s(&id_of("notes.txt")), s(&project), s(&thread)],
    )
    .await
    .unwrap();
    assert_eq!(
        get_str(&get(&notes, "file"), "content").as_deref(),
        Some("js notes")
    );
    let read = JsFuture::from(c.read_public_file(id_of("dot.png"), project.clone(), thread.clone(), None))
        .await
        .unwrap();
    assert_eq!(bytes(&read), png);
    let raw = op(
        &c,
        "downloadPublicFile",
        &[s(&id_of("dot.png")), s(&project), s(&thread)],
    )
    .await
    .unwrap();
    assert_eq!(bytes(&raw), png);
    assert!(
        all.iter()
            .any(|f| get_str(f, "file_name").as_deref() == Some("index.html"))
    );

    let follow = obj(&[("prompt", s("please [hold] this"))]);
    let accepted = op(&c, "publicFollowUp", &[s(&thread), s(&project), follow])
        .await
        .unwrap();
    assert_eq!(get_str(&accepted, "status").as_deref(), Some("running"));
    let stopped = op(&c, "publicStop", &[s(&thread), s(&project)]).await.unwrap();
    assert_eq!(get_str(&stopped, "status").as_deref(), Some("stopped"));
    assert_eq!(
        get_str(&stopped, "agent_run_id"),
        get_str(&accepted, "agent_run_id")
    );
}

pub async fn billing_operations() {
    let user = new_user();
    let c = user_client(&user);
    let request = obj(&[
        ("price_id", s("price_1S2VNiAnxOD5rXBGWs7gO2rv")),
        ("success_url", s("https://app.example/ok")),
        ("cancel_url", s("https://app.example/no")),
    ]);
    let session = op(&c, "createCheckoutSession", &[request]).await.unwrap();
    assert_eq!(get_str(&session, "status").as_deref(), Some("checkout_created"));
    let sub = get_str(&session, "subscription_id").unwrap();
    let commitment = op(&c, "getSubscriptionCommitment", &[s(&sub)]).await.unwrap();
    assert_eq!(get(&commitment, "can_cancel").as_bool(), Some(true));
    let details = op(&c, "getSubscriptionDetails", &[]).await.unwrap();
    assert_eq!(get_str(&get(&details, "subscription"), "id"), Some(sub));
    let cancelled = op(&c, "cancelSubscription", &[]).await.unwrap();
    assert_eq!(
        get_str(&cancelled, "status").as_deref(),
        Some("cancelled_at_period_end")
    );
    let reactivated = op(&c, "reactivateSubscription", &[]).await.unwrap();
    assert_eq!(get_str(&reactivated, "status").as_deref(), Some("reactivated"));
    let portal = op(
        &c,
        "createPortalSession",
        &[obj(&[("return_url", s("https://app.example/b"))])],
    )
    .await
    .unwrap();
    assert_eq!(get_str(&portal, "url").as_deref(), Some("https://app.example/b"));

    // Local mode: the usage-log stub.
    let logs = op(&c, "getUsageLogs", &[obj(&[("page", JsValue::from_f64(0.0))])])
        .await
        .unwrap();
    assert_eq!(len(&get(&logs, "logs")), 0);
    assert!(get_str(&logs, "message").is_some());
    assert!(
        drain(&c.iterate_usage_logs(Some(10), None).unwrap())
            .await
            .is_empty()
    );
    let thread = op(&c, "createThread", &[JsValue::UNDEFINED]).await.unwrap();
    let usage = op(
        &c,
        "getThreadCreditUsage",
        &[s(&get_str(&thread, "thread_id").unwrap())],
    )
    .await
    .unwrap();
    assert_eq!(get(&usage, "usage_count").as_f64(), Some(0.0));

    let can = op(&c, "canPurchaseCredits", &[]).await.unwrap();
    assert_eq!(get(&can, "can_purchase").as_bool(), Some(true));
    op(
        &c,
        "purchaseCredits",
        &[obj(&[("amount", JsValue::from_f64(15.0))])],
    )
    .await
    .unwrap();
    let balance = op(&c, "getCreditBalance", &[]).await.unwrap();
    assert_eq!(get(&balance, "balance").as_f64(), Some(15.0));
    let history = op(&c, "getCreditHistory", &[]).await.unwrap();
    assert_eq!(len(&get(&history, "purchases")), 1);

    let trial_user = user_client(&new_user());
    let trial = obj(&[
        ("success_url", s("https://app.example/t")),
        ("cancel_url", s("https://app.example/c")),
    ]);
    let started = op(&trial_user, "createTrialCheckout", &[trial]).await.unwrap();
    assert_eq!(get_str(&started, "status").as_deref(), Some("checkout_created"));
}

pub async fn custom_agents() {
    let c = user_client(&new_user());
    let listed = JsFuture::from(c.list_available_agents(None, None)).await.unwrap();
    // custom_agents is on in this backend: the frontend's list is the user's own (none yet).
    assert_eq!(len(&get(&listed, "agents")), 0);

    let created = op(
        &c,
        "createAgent",
        &[obj(&[("name", s("JS agent")), ("system_prompt", s("first"))])],
    )
    .await
    .unwrap();
    let id = get_str(&created, "agent_id").unwrap();
    let updated = op(
        &c,
        "updateAgent",
        &[s(&id), obj(&[("system_prompt", s("second"))])],
    )
    .await
    .unwrap();
    assert_eq!(get(&updated, "version_count").as_f64(), Some(2.0));

    let mcp = obj(&[
        ("url", s("https://mcp.example/js")),
        ("type", s("sse")),
        ("enabled_tools", js_sys::Array::of1(&s("lookup")).into()),
    ]);
    let set = op(&c, "setCustomMcpTools", &[s(&id), mcp]).await.unwrap();
    assert_eq!(get(&set, "success").as_bool(), Some(true));
    let tools = op(
        &c,
        "getCustomMcpTools",
        &[s(&id), s("https://mcp.example/js"), s("sse")],
    )
    .await
    .unwrap();
    assert_eq!(len(&get(&tools, "tools")), 1);
    let pipedream = obj(&[("enabled_tools", js_sys::Array::of1(&s("slack-post")).into())]);
    op(&c, "setPipedreamTools", &[s(&id), s("p1"), pipedream])
        .await
        .unwrap();
    let pd = op(&c, "getPipedreamTools", &[s(&id), s("p1")]).await.unwrap();
    assert_eq!(len(&get(&pd, "tools")), 1);
    let summary = op(&c, "getAgentTools", &[s(&id)]).await.unwrap();
    assert!(get(&summary, "mcp_tools").is_object());

    let export = op(&c, "exportAgent", &[s(&id)]).await.unwrap();
    assert_eq!(get_str(&export, "name").as_deref(), Some("JS agent"));
    let document = obj(&[("json_data", export)]);
    let analysis = op(&c, "analyzeAgentJson", std::slice::from_ref(&document))
        .await
        .unwrap();
    assert!(get(&analysis, "requires_setup").as_bool().is_some());
    let imported = op(&c, "importAgentJson", &[document]).await.unwrap();
    assert_eq!(get_str(&imported, "status").as_deref(), Some("success"));

    let versions = op(&c, "listAgentVersions", &[s(&id)]).await.unwrap();
    assert_eq!(
        len(&versions),
        4,
        "create, the prompt change, the MCP tools, the Pipedream tools"
    );
    let v1 = get_str(&js_sys::Array::from(&versions).get(3), "version_id").unwrap();
    let v5 = op(
        &c,
        "createAgentVersion",
        &[s(&id), obj(&[("system_prompt", s("fourth"))])],
    )
    .await
    .unwrap();
    let v5_id = get_str(&v5, "version_id").unwrap();
    let got = op(&c, "getAgentVersion", &[s(&id), s(&v1)]).await.unwrap();
    assert_eq!(get_str(&got, "system_prompt").as_deref(), Some("first"));
    op(&c, "activateAgentVersion", &[s(&id), s(&v1)]).await.unwrap();
    let diff = op(&c, "compareAgentVersions", &[s(&id), s(&v1), s(&v5_id)])
        .await
        .unwrap();
    assert!(len(&get(&diff, "differences")) >= 1);
    let rolled = op(&c, "rollbackAgentVersion", &[s(&id), s(&v5_id)])
        .await
        .unwrap();
    assert_eq!(get_str(&rolled, "system_prompt").as_deref(), Some("fourth"));
    let named = op(
        &c,
        "updateAgentVersionDetails",
        &[
            s(&id),
            s(&get_str(&rolled, "version_id").unwrap()),
            obj(&[("version_name", s("js-stable"))]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(get_str(&named, "version_name").as_deref(), Some("js-stable"));

    let image = obj(&[(
        "file",
        obj(&[
            ("name", s("face.png")),
            (
                "data",
                js_sys::Uint8Array::from(&[0x89u8, b'P', b'N', b'G'][..]).into(),
            ),
            ("contentType", s("image/png")),
        ]),
    )]);
    let uploaded = op(&c, "uploadAgentProfileImage", &[image]).await.unwrap();
    assert!(
        get_str(&uploaded, "url")
            .unwrap()
            .contains("/storage/v1/object/public/")
    );

    let mcp = obj(&[
        ("url", s("https://mcp.example/added")),
        ("type", s("json")),
        ("enabled_tools", js_sys::Array::of1(&s("find")).into()),
    ]);
    let added = op(&c, "addCustomMcpTools", &[s(&id), mcp]).await.unwrap();
    assert_eq!(get(&added, "success").as_bool(), Some(true));
    let tools = op(
        &c,
        "getCustomMcpTools",
        &[s(&id), s("https://mcp.example/added"), s("json")],
    )
    .await
    .unwrap();
    assert_eq!(get(&tools, "has_mcp_config").as_bool(), Some(true));
    let listed = JsFuture::from(c.list_available_agents(None, None)).await.unwrap();
    assert_eq!(len(&get(&listed, "agents")), 2);
    let deleted = op(&c, "deleteAgent", &[s(&id)]).await.unwrap();
    assert_eq!(
        get_str(&deleted, "message").as_deref(),
        Some("Agent deleted successfully")
    );
    let err = op(&c, "getAgent", &[s(&id)]).await.unwrap_err();
    assert_eq!(kind(&err), "not_found");
}

/// The admin key: usable in a server runtime (Node), refused in a client runtime.
pub async fn admin_key() {
    let Some(admin_key) = option_env!("HELIUM_DEVSERVER_ADMIN_KEY") else {
        panic!("tests/run.sh gives the dev backend an admin key in HELIUM_DEVSERVER_ADMIN_KEY");
    };
    let refused = HeliumClient::new(Some(
        obj(&[
            ("baseUrl", s(server_url())),
            ("runtime", s("client")),
            ("adminApiKey", s(admin_key)),
        ])
        .unchecked_into(),
    ))
    .unwrap_err();
    assert_eq!(get_str(&refused, "code").as_deref(), Some("secret_key_in_client"));
    assert!(!get_str(&refused, "message").unwrap().contains(admin_key));
    if !server_side() {
        return;
    }
    let user = new_user();
    let c = client_with(&[("adminApiKey", s(admin_key)), ("accessToken", s(&token(&user)))]);
    let installed = op(&c, "installDefaultAgent", &[s(&user)]).await.unwrap();
    assert_eq!(get(&installed, "success").as_bool(), Some(true));
    let agent = op(&c, "getAgent", &[s(&get_str(&installed, "agent_id").unwrap())])
        .await
        .unwrap();
    assert_eq!(
        get(&get(&agent, "metadata"), "is_helium_default").as_bool(),
        Some(true)
    );
    let without = user_client(&user);
    let err = op(&without, "installDefaultAgent", &[s(&user)])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "auth");
    assert!(js::is_helium_error(&err));
}
