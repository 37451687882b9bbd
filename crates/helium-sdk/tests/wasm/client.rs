//! The JS client surface (HeliumClient, its operations, streamAgentRun) against the dev backend, as JavaScript
//! calls it. The backend URL is fixed at compile time by `tests/run.sh` (`HELIUM_DEVSERVER_URL`), since a
//! browser has no environment. In Chromium every call crosses origins, so the dev backend's strict CORS (the
//! real backend's allow-list) applies.

use base64::Engine as _;
use helium_sdk::js::{self, HeliumClient};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{get, get_str, obj};

pub const USER: &str = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";

pub fn server_url() -> &'static str {
    option_env!("HELIUM_DEVSERVER_URL").unwrap_or("http://127.0.0.1:8000")
}

/// An unsigned token: the backend decodes JWTs without verifying them (contract §4.1).
pub fn token(sub: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.sig",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(&format!(r#"{{"sub":"{sub}","role":"authenticated"}}"#))
    )
}

pub fn client() -> HeliumClient {
    let options = obj(&[
        ("baseUrl", JsValue::from_str(server_url())),
        ("accessToken", JsValue::from_str(&token(USER))),
        ("maxRetries", JsValue::from_f64(2.0)),
    ]);
    HeliumClient::new(Some(options.unchecked_into())).unwrap()
}

/// True where no CORS applies (Node).
pub fn server_side() -> bool {
    helium_sdk::Runtime::detect() == helium_sdk::Runtime::Server
}

/// Runs an operation the way the package's installed method does (`client.getAgentRun(id, options)`).
pub async fn op(c: &HeliumClient, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    JsFuture::from(c.call(name.to_owned(), args.iter().collect())).await
}

pub async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = get(target, method).dyn_into().unwrap();
    let promise = f.apply(target, &args.iter().collect::<js_sys::Array>()).unwrap();
    JsFuture::from(js_sys::Promise::from(promise)).await
}

pub fn kind(err: &JsValue) -> String {
    assert_eq!(get_str(err, "name").as_deref(), Some("HeliumError"), "{err:?}");
    get_str(err, "kind").unwrap()
}

async fn schedule(path: &str, fault: &str) {
    let body = format!(r#"{{"method": "GET", "path": "{path}", "fault": "{fault}"}}"#);
    let resp = gloo_net::http::Request::post(&format!("{}/__devserver/faults", server_url()))
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(resp.ok(), "scheduling a fault: {}", resp.status());
}

/// `GET /api/threads/{id}` (the thread with its project and sandbox).
pub async fn thread_detail(thread_id: &str) -> JsValue {
    let resp = gloo_net::http::Request::get(&format!("{}/api/threads/{thread_id}", server_url()))
        .header("authorization", &format!("Bearer {}", token(USER)))
        .send()
        .await
        .unwrap();
    assert!(resp.ok(), "thread detail: {}", resp.status());
    js_sys::JSON::parse(&resp.text().await.unwrap()).unwrap()
}

pub async fn health_and_errors() {
    let c = client();
    assert_eq!(c.api_root(), format!("{}/api", server_url()));
    let health = op(&c, "health", &[]).await.unwrap();
    assert_eq!(get_str(&health, "status").as_deref(), Some("ok"));
    assert_eq!(get_str(&health, "instance_id").as_deref(), Some("single"));
    let docker = op(&c, "healthDocker", &[]).await.unwrap();
    assert_eq!(get_str(&docker, "status").as_deref(), Some("ok"));

    let err = op(
        &c,
        "getAgentRun",
        &["00000000-0000-0000-0000-000000000000".into()],
    )
    .await
    .unwrap_err();
    assert_eq!(kind(&err), "not_found");
    assert_eq!(get(&err, "status").as_f64(), Some(404.0));
    assert_eq!(get_str(&err, "detail").as_deref(), Some("Agent run not found"));
    assert!(js::is_helium_error(&err) && !js::is_billing_error(&err) && !js::is_run_limit_error(&err));
    // A request id only where no CORS applies: a browser sends none (the backend does not allow the header)
    // and cannot read the server's (no exposed headers).
    assert_eq!(get_str(&err, "requestId").is_some(), server_side(), "{err:?}");

    let empty = obj(&[("prompt", JsValue::from_str(""))]);
    let err = op(&c, "initiateAgent", &[empty]).await.unwrap_err();
    assert_eq!(kind(&err), "validation");
    assert!(
        get(&err, "detail").is_instance_of::<js_sys::Array>(),
        "the 422 detail list is kept"
    );
    let message = get_str(&err, "message").unwrap();
    assert!(message.contains("body.prompt: Field required"), "{message}");

    // A pre-aborted signal: rejected at once with kind "aborted".
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let options = obj(&[("signal", controller.signal().into())]);
    let err = op(&c, "health", &[options]).await.unwrap_err();
    assert_eq!(kind(&err), "aborted");
    // Arguments of the wrong type and unknown operations are typed errors.
    let err = op(&c, "getAgentRun", &[JsValue::from_f64(1.0)])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "invalid_request");
    assert_eq!(get_str(&err, "code").as_deref(), Some("invalid_options"));
    assert_eq!(
        kind(&op(&c, "noSuchOperation", &[]).await.unwrap_err()),
        "invalid_request"
    );

    // Without baseUrl, the configuration rules apply to the given runtime and env (constructor and fromEnv alike).
    let env = obj(&[(
        "NEXT_PUBLIC_BACKEND_URL",
        JsValue::from_str("https://api.example.com/"),
    )]);
    let options = obj(&[("runtime", JsValue::from_str("client")), ("env", env)]);
    let from_options = HeliumClient::new(Some(options.clone().unchecked_into())).unwrap();
    assert_eq!(from_options.api_root(), "https://api.example.com/api");
    assert_eq!(
        HeliumClient::from_env(Some(options.unchecked_into()))
            .unwrap()
            .api_root(),
        "https://api.example.com/api"
    );

    // Wrong option types, unknown option names and two credentials are typed errors, not traps.
    let bad = obj(&[("baseUrl", JsValue::from_f64(1.0))]);
    assert_eq!(
        kind(&HeliumClient::new(Some(bad.unchecked_into())).unwrap_err()),
        "invalid_request"
    );
    let typo = obj(&[("acessToken", JsValue::from_str("t"))]);
    assert_eq!(
        get_str(
            &HeliumClient::new(Some(typo.unchecked_into())).unwrap_err(),
            "code"
        )
        .as_deref(),
        Some("invalid_options")
    );
    let two = obj(&[
        ("accessToken", JsValue::from_str("t")),
        ("apiKey", JsValue::from_str("pk_abc:sk_def")),
    ]);
    assert_eq!(
        kind(&HeliumClient::new(Some(two.unchecked_into())).unwrap_err()),
        "invalid_request"
    );
    let bad = obj(&[("baseUrl", JsValue::from_str("not a url"))]);
    assert_eq!(
        kind(&HeliumClient::new(Some(bad.unchecked_into())).unwrap_err()),
        "config"
    );

    // A browser client refuses a default header the backend's CORS would reject; a server client sends it.
    let headers = obj(&[("traceparent", JsValue::from_str("00-abc-def-01"))]);
    let traced = obj(&[("baseUrl", JsValue::from_str(server_url())), ("headers", headers)]);
    match HeliumClient::new(Some(traced.unchecked_into())) {
        Ok(c) => {
            assert!(server_side(), "only a server client may send traceparent");
            assert_eq!(
                get_str(&op(&c, "health", &[]).await.unwrap(), "status").as_deref(),
                Some("ok")
            );
        }
        Err(e) => {
            assert!(!server_side());
            assert_eq!(get_str(&e, "code").as_deref(), Some("header_not_allowed"));
        }
    }
}

/// What the browser meets: a header outside the backend's CORS allow-list fails the preflight (the dev
/// backend answers it like Starlette), so the SDK sends none by default; `sendRequestId` is opt-in and needs
/// the backend's allow-list changed.
pub async fn cors_allow_list_is_enforced() {
    let plain = gloo_net::http::Request::get(&format!("{}/api/health", server_url()))
        .header("x-request-id", "abc")
        .send()
        .await;
    let opted_in = obj(&[
        ("baseUrl", JsValue::from_str(server_url())),
        ("sendRequestId", JsValue::TRUE),
    ]);
    let c = HeliumClient::new(Some(opted_in.unchecked_into())).unwrap();
    let with_id = op(&c, "health", &[]).await;
    if server_side() {
        assert!(plain.is_ok() && with_id.is_ok(), "no CORS outside a browser");
    } else {
        assert!(plain.is_err(), "the preflight for x-request-id is refused");
        assert_eq!(kind(&with_id.unwrap_err()), "network");
        // The default client passes: it sends only allowed headers.
        assert!(op(&client(), "health", &[]).await.is_ok());
    }
}

/// A project without a sandbox (its run fails at once, before any tool could create one): the backend's
/// `500 {"detail": "404: …"}` is a `not_found` with the outer status kept.
pub async fn wrapped_errors_and_guards() {
    let c = client();
    let started = op(
        &c,
        "initiateAgent",
        &[obj(&[("prompt", JsValue::from_str("[worker_error] no sandbox"))])],
    )
    .await
    .unwrap();
    let detail = thread_detail(&get_str(&started, "thread_id").unwrap()).await;
    let project = get_str(&detail, "project_id").unwrap();
    let err = op(&c, "ensureSandboxActive", &[JsValue::from_str(&project)])
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "not_found");
    assert_eq!(get(&err, "status").as_f64(), Some(500.0));
    assert_eq!(get(&err, "wrappedStatus").as_f64(), Some(404.0));
    assert!(js::is_helium_error(&err));
    assert!(!js::is_helium_error(&js_sys::Error::new("plain").into()));
}

/// File names with `+`, `%`, spaces, non-ASCII and URL-special characters survive the backend's second
/// URL-decoding of the sandbox `path` (upload, list, read, delete).
pub async fn sandbox_paths_survive_the_second_decoding() {
    let c = client();
    let seed = obj(&[
        ("name", JsValue::from_str("seed.txt")),
        ("data", js_sys::Uint8Array::from(&b"x"[..]).into()),
    ]);
    let request = obj(&[
        ("prompt", JsValue::from_str("with a sandbox")),
        ("files", js_sys::Array::of1(&seed).into()),
    ]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let detail = thread_detail(&get_str(&started, "thread_id").unwrap()).await;
    let sandbox = JsValue::from_str(&get_str(&get(&get(&detail, "project"), "sandbox"), "id").unwrap());
    for name in [
        "a+b.txt",
        "100%41.txt",
        "50% off.txt",
        "\u{fc} \u{f1}.txt",
        "x&y=z#1.txt",
    ] {
        let path = format!("/workspace/{name}");
        let file = obj(&[
            ("name", JsValue::from_str(name)),
            ("data", js_sys::Uint8Array::from(name.as_bytes()).into()),
        ]);
        let upload = obj(&[("path", JsValue::from_str(&path)), ("file", file)]);
        let created = op(&c, "uploadSandboxFile", &[sandbox.clone(), upload])
            .await
            .unwrap();
        assert_eq!(get_str(&created, "path").as_deref(), Some(path.as_str()));
        let listed = op(&c, "listSandboxFiles", &[sandbox.clone(), "/workspace".into()])
            .await
            .unwrap();
        let names: Vec<String> = js_sys::Array::from(&listed)
            .iter()
            .filter_map(|f| get_str(&f, "name"))
            .collect();
        assert!(names.iter().any(|n| n == name), "{name}: {names:?}");
        let bytes = op(
            &c,
            "readSandboxFile",
            &[sandbox.clone(), JsValue::from_str(&path)],
        )
        .await
        .unwrap();
        assert_eq!(
            js_sys::Uint8Array::from(bytes).to_vec(),
            name.as_bytes(),
            "{name}"
        );
        op(
            &c,
            "deleteSandboxFile",
            &[sandbox.clone(), JsValue::from_str(&path)],
        )
        .await
        .unwrap();
    }
}

/// Initiates a run (with a file from bytes) and streams it with `for await` semantics to its terminal event.
pub async fn full_run_streams_to_completion() {
    let c = client();
    let file = obj(&[
        ("name", JsValue::from_str("notes.txt")),
        ("data", js_sys::Uint8Array::from(&b"hello"[..]).into()),
    ]);
    let request = obj(&[
        ("prompt", JsValue::from_str("stream me from wasm")),
        ("files", js_sys::Array::of1(&file).into()),
    ]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    let thread_id = get_str(&started, "thread_id").unwrap();
    let events = c.stream_agent_run(run_id.clone(), None).unwrap();
    let iterator_fn = js_sys::Reflect::get(&events, &js_sys::Symbol::async_iterator()).unwrap();
    assert!(iterator_fn.is_function(), "usable with for await");
    let mut kinds = Vec::new();
    let mut text = String::new();
    loop {
        let result = call(&events, "next", &[]).await.unwrap();
        if get(&result, "done").as_bool() == Some(true) {
            break;
        }
        let value = get(&result, "value");
        let k = get_str(&value, "kind").unwrap();
        if k == "assistant_chunk" {
            text.push_str(&get_str(&value, "text").unwrap());
        }
        assert!(get(&value, "raw").is_object());
        kinds.push(k);
    }
    assert!(kinds.len() >= 27, "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("run_status"));
    assert!(text.contains("stream me from wasm"), "{text}");
    let run = op(&c, "getAgentRun", &[JsValue::from_str(&run_id)])
        .await
        .unwrap();
    assert_eq!(get_str(&run, "status").as_deref(), Some("completed"));
    assert_eq!(get_str(&run, "threadId").as_deref(), Some(thread_id.as_str()));
    let list = op(&c, "listAgentRuns", &[JsValue::from_str(&thread_id)])
        .await
        .unwrap();
    assert_eq!(js_sys::Array::from(&list).length(), 1);
}

/// The stream of a run that failed before the stream was opened ends with the backend's bare `completed`;
/// the SDK checks it against the run and reports `failed` (the raw item stays as sent).
pub async fn bare_completed_is_verified() {
    let c = client();
    let request = obj(&[("prompt", JsValue::from_str("[worker_error] fail"))]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    for _ in 0..250 {
        let run = op(&c, "getAgentRun", &[JsValue::from_str(&run_id)])
            .await
            .unwrap();
        if get_str(&run, "status").as_deref() != Some("running") {
            break;
        }
        helium_sdk_sleep(20).await;
    }
    let events = c.stream_agent_run(run_id, None).unwrap();
    let mut last = JsValue::UNDEFINED;
    loop {
        let result = call(&events, "next", &[]).await.unwrap();
        if get(&result, "done").as_bool() == Some(true) {
            break;
        }
        last = get(&result, "value");
    }
    assert_eq!(get_str(&last, "kind").as_deref(), Some("run_status"), "{last:?}");
    assert_eq!(get_str(&last, "state").as_deref(), Some("failed"), "{last:?}");
    assert_eq!(
        get_str(&get(&last, "raw"), "status").as_deref(),
        Some("completed")
    );
}

/// The configuration diagnosis and the assistant-text splitter, as JavaScript calls them.
pub fn diagnosis_and_text_helpers() {
    let env = obj(&[
        ("ENV_MODE", JsValue::from_str("production")),
        ("BACKEND_INTERNAL_URL", JsValue::from_str("http://10.1.2.3:8000")),
    ]);
    let d: JsValue = js::diagnose_config(super::options(Some("server"), Some(env)))
        .unwrap()
        .into();
    assert_eq!(get_str(&d, "backendUrl").as_deref(), Some("http://10.1.2.3:8000"));
    let codes: Vec<String> = js_sys::Array::from(&get(&d, "problems"))
        .iter()
        .filter_map(|p| get_str(&p, "code"))
        .collect();
    assert!(
        !codes
            .iter()
            .any(|c| c == "insecure_url" || c == "internal_url_not_private"),
        "{codes:?}"
    );
    let text = r#"Done.
<function_calls><invoke name="complete"><parameter name="text">ok</parameter></invoke></function_calls>"#;
    let segments = js_sys::Array::from(&js::split_assistant_text(text, None).unwrap());
    assert_eq!(segments.length(), 2);
    assert_eq!(get_str(&segments.get(0), "kind").as_deref(), Some("text"));
    let call = segments.get(1);
    assert_eq!(get_str(&call, "kind").as_deref(), Some("tool_call"));
    assert_eq!(get_str(&call, "name").as_deref(), Some("complete"));
    assert_eq!(get(&call, "complete").as_bool(), Some(true));
}

/// A stream dropped after K items reconnects and delivers each item once; stop mid-run ends with STOP;
/// an abort cancels promptly.
pub async fn reconnect_stop_and_abort() {
    let c = client();
    let request = obj(&[("prompt", JsValue::from_str("[hold] wait for stop"))]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    schedule(
        &format!("/api/agent-run/{run_id}/stream"),
        "drop_after=4; times=1",
    )
    .await;
    let events = c.stream_agent_run(run_id.clone(), None).unwrap();
    let mut raws = Vec::new();
    for _ in 0..8 {
        let result = call(&events, "next", &[]).await.unwrap();
        raws.push(String::from(
            js_sys::JSON::stringify(&get(&get(&result, "value"), "raw")).unwrap(),
        ));
    }
    let mut unique = raws.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), raws.len(), "no item twice across the reconnect");
    let stopped = op(&c, "stopAgentRun", &[JsValue::from_str(&run_id)])
        .await
        .unwrap();
    assert_eq!(get_str(&stopped, "status").as_deref(), Some("stopped"));
    let mut last = JsValue::UNDEFINED;
    loop {
        let result = call(&events, "next", &[]).await.unwrap();
        if get(&result, "done").as_bool() == Some(true) {
            break;
        }
        last = get(&result, "value");
    }
    assert_eq!(get_str(&last, "kind").as_deref(), Some("control"));
    assert_eq!(get_str(&last, "signal").as_deref(), Some("STOP"));

    // Abort: a held run, a signal fired while `next()` waits.
    let request = obj(&[("prompt", JsValue::from_str("[hold] abort me"))]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    let controller = web_sys::AbortController::new().unwrap();
    let options = obj(&[("signal", controller.signal().into())]);
    let events = c
        .stream_agent_run(run_id.clone(), Some(options.unchecked_into()))
        .unwrap();
    call(&events, "next", &[]).await.unwrap();
    let pending = call(&events, "next", &[]);
    let abort = async {
        helium_sdk_sleep(50).await;
        controller.abort();
    };
    let (result, ()) = futures_join(pending, abort).await;
    let mut drained = result;
    let mut aborted = false;
    // Items already buffered may still arrive; the abort surfaces as soon as the reader is waiting.
    for _ in 0..64 {
        match &drained {
            Err(e) => {
                assert_eq!(kind(e), "aborted");
                aborted = true;
                break;
            }
            Ok(_) => drained = call(&events, "next", &[]).await,
        }
    }
    assert!(aborted, "the abort ended the stream");
    op(&c, "stopAgentRun", &[JsValue::from_str(&run_id)])
        .await
        .unwrap();
    // `return()` (what `break` calls) ends iteration.
    let done = call(&events, "return", &[]).await.unwrap();
    assert_eq!(get(&done, "done").as_bool(), Some(true));
}

async fn helium_sdk_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let mut ra = None;
    let mut rb = None;
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

async fn devserver_json(path: &str) -> JsValue {
    let resp = gloo_net::http::Request::get(&format!("{}{path}", server_url()))
        .send()
        .await
        .unwrap();
    assert!(resp.ok(), "{path}: {}", resp.status());
    js_sys::JSON::parse(&resp.text().await.unwrap()).unwrap()
}

async fn drain(events: &JsValue) -> (Vec<JsValue>, String) {
    let mut all = Vec::new();
    let mut text = String::new();
    loop {
        let result = call(events, "next", &[]).await.unwrap();
        if get(&result, "done").as_bool() == Some(true) {
            return (all, text);
        }
        let value = get(&result, "value");
        if get_str(&value, "kind").as_deref() == Some("assistant_chunk") {
            text.push_str(&get_str(&value, "text").unwrap());
        }
        all.push(value);
    }
}

/// A whole conversation as JavaScript drives it: initiate → stream → follow-up → stream → the messages through
/// Supabase → the thread → its project's sandbox files → delete the thread (cascade checked).
pub async fn whole_conversation() {
    // PostgREST verifies tokens: a signed one from the dev backend, and the dev project's public key.
    let token = get_str(
        &devserver_json(&format!("/__devserver/token?sub={USER}")).await,
        "token",
    )
    .unwrap();
    let anon = get_str(&devserver_json("/__devserver/supabase").await, "anon_key").unwrap();
    let options = obj(&[
        ("baseUrl", JsValue::from_str(server_url())),
        ("accessToken", JsValue::from_str(&token)),
        ("supabaseUrl", JsValue::from_str(server_url())),
        ("supabaseKey", JsValue::from_str(&anon)),
    ]);
    let c = HeliumClient::new(Some(options.unchecked_into())).unwrap();

    let file = obj(&[
        ("name", JsValue::from_str("notes.txt")),
        ("data", js_sys::Uint8Array::from(&b"hi"[..]).into()),
    ]);
    let request = obj(&[
        ("prompt", JsValue::from_str("first from wasm")),
        ("files", js_sys::Array::of1(&file).into()),
    ]);
    let started = op(&c, "initiateAgent", &[request]).await.unwrap();
    let thread = get_str(&started, "thread_id").unwrap();
    let (events, _) = drain(
        &c.stream_agent_run(get_str(&started, "agent_run_id").unwrap(), None)
            .unwrap(),
    )
    .await;
    assert_eq!(
        get_str(events.last().unwrap(), "state").as_deref(),
        Some("completed")
    );

    let follow = JsFuture::from(c.follow_up(thread.clone(), "second from wasm".into(), None, None))
        .await
        .unwrap();
    assert_eq!(get_str(&get(&follow, "message"), "type").as_deref(), Some("user"));
    let (events, text) = drain(
        &c.stream_agent_run(get_str(&follow, "agent_run_id").unwrap(), None)
            .unwrap(),
    )
    .await;
    assert_eq!(
        get_str(events.last().unwrap(), "state").as_deref(),
        Some("completed")
    );
    assert!(text.contains("second from wasm"), "{text}");

    // The messages through Supabase (the frontend's query), oldest first.
    let rows = c.iterate_message_rows(thread.clone(), None).unwrap();
    let (rows, _) = drain(&rows).await;
    let users: Vec<String> = rows
        .iter()
        .filter(|r| get_str(r, "type").as_deref() == Some("user"))
        .map(|r| {
            let content = js::parse_content(get(r, "content")).unwrap();
            get_str(&content, "content").unwrap()
        })
        .collect();
    assert_eq!(users.len(), 2, "{users:?}");
    assert!(users[1] == "second from wasm", "{users:?}");

    // The thread, its project's sandbox and the files in it.
    let detail = op(&c, "getThread", &[JsValue::from_str(&thread)]).await.unwrap();
    let sandbox = get_str(&get(&get(&detail, "project"), "sandbox"), "id").unwrap();
    let files = op(
        &c,
        "listSandboxFiles",
        &[JsValue::from_str(&sandbox), "/workspace".into()],
    )
    .await
    .unwrap();
    let names: Vec<String> = js_sys::Array::from(&files)
        .iter()
        .filter_map(|f| get_str(&f, "name"))
        .collect();
    assert!(
        names.iter().any(|n| n == "notes.txt") && names.iter().any(|n| n == "index.html"),
        "{names:?}"
    );

    // Delete it as the frontend does; nothing is left.
    JsFuture::from(c.delete_thread(thread.clone(), None))
        .await
        .unwrap();
    let err = op(&c, "getThreadRow", &[JsValue::from_str(&thread)])
        .await
        .unwrap_err();
    assert_eq!(
        (kind(&err), get_str(&err, "code")),
        ("not_found".to_owned(), Some("PGRST116".to_owned()))
    );
    assert_eq!(
        kind(
            &op(&c, "getThread", &[JsValue::from_str(&thread)])
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    let err = op(
        &c,
        "listSandboxFiles",
        &[JsValue::from_str(&sandbox), "/workspace".into()],
    )
    .await
    .unwrap_err();
    assert_eq!(kind(&err), "not_found");
}

/// `toReadableStream()` → `fromReadableStream()` gives the events of `streamAgentRun`; the server's failures
/// arrive as typed errors; an error answer rejects with its kind; closing the reader closes the backend stream.
pub async fn forwarding_round_trip() {
    let c = client();
    let started = op(
        &c,
        "initiateAgent",
        &[obj(&[("prompt", JsValue::from_str("forward me"))])],
    )
    .await
    .unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    let events = c.stream_agent_run(run_id.clone(), None).unwrap();
    let body = call_sync(&events, "toReadableStream");
    assert!(body.is_instance_of::<web_sys::ReadableStream>());
    let (forwarded, text) = drain(&js::from_readable_stream(body, None).unwrap()).await;
    let (direct, _) = drain(&c.stream_agent_run(run_id, None).unwrap()).await;
    let shape = |events: &[JsValue]| -> Vec<String> {
        events
            .iter()
            .map(|e| String::from(js_sys::JSON::stringify(e).unwrap()))
            .collect()
    };
    assert_eq!(shape(&forwarded), shape(&direct), "the same events, raw included");
    assert!(text.contains("forward me"), "{text}");
    assert_eq!(
        get_str(forwarded.last().unwrap(), "kind").as_deref(),
        Some("run_status")
    );

    // The server's stream fails (no such run): the browser gets the kind and status, not the backend's URL.
    let events = c.stream_agent_run("no-such-run".into(), None).unwrap();
    let reader = js::from_readable_stream(call_sync(&events, "toReadableStream"), None).unwrap();
    let err = call(&reader, "next", &[]).await.unwrap_err();
    assert_eq!(kind(&err), "not_found");
    assert_eq!(get(&err, "status").as_f64(), Some(404.0));
    let message = get_str(&err, "message").unwrap();
    assert!(!message.contains(server_url()), "{message}");

    // An error answer from the route itself.
    let init = obj(&[("status", JsValue::from_f64(403.0))]);
    let response = web_sys::Response::new_with_opt_str_and_init(
        Some(r#"{"detail": "not your run"}"#),
        init.unchecked_ref(),
    )
    .unwrap();
    let reader = js::from_readable_stream(response.into(), None).unwrap();
    let err = call(&reader, "next", &[]).await.unwrap_err();
    assert_eq!(kind(&err), "forbidden");
    assert!(get_str(&err, "message").unwrap().contains("not your run"));

    // Closing the reading side cancels the body and, through it, the fetch to the backend.
    let open = || async {
        get(&devserver_json("/__devserver/streams").await, "open")
            .as_f64()
            .unwrap()
    };
    let before = open().await;
    let started = op(
        &c,
        "initiateAgent",
        &[obj(&[("prompt", JsValue::from_str("[hold] cancel me"))])],
    )
    .await
    .unwrap();
    let run_id = get_str(&started, "agent_run_id").unwrap();
    let events = c.stream_agent_run(run_id.clone(), None).unwrap();
    let reader = js::from_readable_stream(call_sync(&events, "toReadableStream"), None).unwrap();
    call(&reader, "next", &[]).await.unwrap();
    assert_eq!(open().await, before + 1.0);
    let pending = call(&reader, "next", &[]);
    let close = async {
        helium_sdk_sleep(50).await;
        call_sync(&reader, "close");
    };
    let (last, ()) = futures_join(pending, close).await;
    // Items already buffered may still arrive; after the close the iteration ends without an error.
    let mut last = last.unwrap();
    while get(&last, "done").as_bool() != Some(true) {
        last = call(&reader, "next", &[]).await.unwrap();
    }
    let mut now = open().await;
    for _ in 0..100 {
        if now <= before {
            break;
        }
        helium_sdk_sleep(20).await;
        now = open().await;
    }
    assert!(
        now <= before,
        "the backend stream was closed ({now} open, {before} before)"
    );
    op(&c, "stopAgentRun", &[JsValue::from_str(&run_id)])
        .await
        .unwrap();
}

/// Calls a synchronous method.
fn call_sync(target: &JsValue, method: &str) -> JsValue {
    let f: js_sys::Function = get(target, method).dyn_into().unwrap();
    f.call0(target).unwrap()
}

/// The request hooks see each attempt (never a header); a custom `fetch` receives the merged `fetch` options;
/// server runtimes default to `cache: 'no-store'`.
pub async fn hooks_and_fetch_options() {
    let seen = js_sys::Array::new();
    let inits = js_sys::Array::new();
    let record = |target: js_sys::Array| {
        wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |info: JsValue| {
            target.push(&info);
        })
        .into_js_value()
    };
    let global_fetch: js_sys::Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
    let inits_for_fetch = inits.clone();
    let fetch = wasm_bindgen::closure::Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
        move |url: JsValue, init: JsValue| {
            inits_for_fetch.push(&init);
            global_fetch.call2(&JsValue::UNDEFINED, &url, &init).unwrap()
        },
    )
    .into_js_value();
    let throwing = js_sys::Function::new_no_args("throw new Error('hook failure')");
    let make = |extra: &[(&str, JsValue)]| {
        let mut pairs = vec![
            ("baseUrl", JsValue::from_str(server_url())),
            ("accessToken", JsValue::from_str(&token(USER))),
            ("fetch", fetch.clone()),
            ("onRequest", throwing.clone().into()),
            ("onResponse", record(seen.clone())),
        ];
        pairs.extend(extra.iter().cloned());
        HeliumClient::new(Some(obj(&pairs).unchecked_into())).unwrap()
    };

    schedule("/api/health", "status=503; times=1").await;
    let c = make(&[]);
    op(&c, "health", &[]).await.unwrap();
    let infos: Vec<JsValue> = seen.iter().collect();
    assert_eq!(
        infos.len(),
        2,
        "one onResponse per attempt (a throwing onRequest changes nothing)"
    );
    for (i, info) in infos.iter().enumerate() {
        assert_eq!(get_str(info, "method").as_deref(), Some("GET"));
        assert_eq!(get_str(info, "path").as_deref(), Some("/api/health"));
        assert_eq!(get(info, "attempt").as_f64(), Some(i as f64));
        assert!(get(info, "durationMs").as_f64().unwrap() >= 0.0);
        let text = String::from(js_sys::JSON::stringify(info).unwrap());
        assert!(
            !text.contains(&token(USER)) && !text.to_lowercase().contains("authorization"),
            "{text}"
        );
    }
    assert_eq!(get(&infos[0], "status").as_f64(), Some(503.0));
    assert_eq!(get(&infos[1], "status").as_f64(), Some(200.0));

    // Cache mode: `no-store` by default on the server, nothing in a browser; the caller's options win.
    let default_cache = get_str(&inits.get(0), "cache");
    if server_side() {
        assert_eq!(default_cache.as_deref(), Some("no-store"));
    } else {
        assert_eq!(default_cache, None);
    }
    let next = obj(&[("revalidate", JsValue::from_f64(5.0))]);
    let c = make(&[("fetchOptions", obj(&[("next", next)]))]);
    op(&c, "health", &[]).await.unwrap();
    let init = inits.get(inits.length() - 1);
    assert_eq!(get(&get(&init, "next"), "revalidate").as_f64(), Some(5.0));
    assert_eq!(
        get_str(&init, "cache"),
        None,
        "a `next` option leaves the cache mode to Next.js"
    );
    let per_call = obj(&[("fetchOptions", obj(&[("cache", JsValue::from_str("no-cache"))]))]);
    op(&c, "health", &[per_call]).await.unwrap();
    let init = inits.get(inits.length() - 1);
    assert_eq!(get_str(&init, "cache").as_deref(), Some("no-cache"));
    assert_eq!(
        get(&get(&init, "next"), "revalidate").as_f64(),
        Some(5.0),
        "merged over the client's"
    );

    // A network failure reaches onResponse as an error kind.
    let bad = obj(&[
        ("baseUrl", JsValue::from_str("http://127.0.0.1:9")),
        ("maxRetries", JsValue::from_f64(0.0)),
        ("onResponse", record(seen.clone())),
    ]);
    let c = HeliumClient::new(Some(bad.unchecked_into())).unwrap();
    let err = op(&c, "health", &[]).await.unwrap_err();
    assert_eq!(kind(&err), "network");
    let last = seen.get(seen.length() - 1);
    assert_eq!(get_str(&last, "error").as_deref(), Some("network"));
    assert!(get(&last, "status").is_undefined());
}
