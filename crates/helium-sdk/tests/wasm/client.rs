//! The JS client surface (HeliumClient, streamAgentRun) against the dev backend, as JavaScript calls it.
//! The backend URL is fixed at compile time by `tests/run.sh` (`HELIUM_DEVSERVER_URL`), since a browser has
//! no environment.

use base64::Engine as _;
use helium_sdk::js::HeliumClient;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{get, get_str, obj};

pub fn server_url() -> &'static str {
    option_env!("HELIUM_DEVSERVER_URL").unwrap_or("http://127.0.0.1:8000")
}

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
        (
            "accessToken",
            JsValue::from_str(&token("2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b")),
        ),
        ("maxRetries", JsValue::from_f64(2.0)),
    ]);
    HeliumClient::new(Some(options.unchecked_into())).unwrap()
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

pub async fn health_and_errors() {
    let c = client();
    assert_eq!(c.api_root(), format!("{}/api", server_url()));
    let health: JsValue = JsFuture::from(c.health(None)).await.unwrap();
    assert_eq!(get_str(&health, "status").as_deref(), Some("ok"));
    assert_eq!(get_str(&health, "instance_id").as_deref(), Some("single"));

    let err = JsFuture::from(c.get_agent_run("00000000-0000-0000-0000-000000000000".into(), None))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "not_found");
    assert_eq!(get(&err, "status").as_f64(), Some(404.0));
    assert_eq!(get_str(&err, "detail").as_deref(), Some("Agent run not found"));
    assert!(get_str(&err, "requestId").is_some());

    let empty = obj(&[("prompt", JsValue::from_str(""))]);
    let err = JsFuture::from(c.initiate_agent(empty.unchecked_into(), None))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "validation");
    assert!(
        get(&err, "detail").is_instance_of::<js_sys::Array>(),
        "the 422 detail list is kept"
    );

    // A pre-aborted signal: rejected at once with kind "aborted".
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let options = obj(&[("signal", controller.signal().into())]);
    let err = JsFuture::from(c.health(Some(options.unchecked_into())))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), "aborted");

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

    // Wrong option types are typed errors, not traps.
    let bad = obj(&[("baseUrl", JsValue::from_f64(1.0))]);
    let err = HeliumClient::new(Some(bad.unchecked_into())).unwrap_err();
    assert_eq!(kind(&err), "invalid_request");
    let bad = obj(&[("baseUrl", JsValue::from_str("not a url"))]);
    assert_eq!(
        kind(&HeliumClient::new(Some(bad.unchecked_into())).unwrap_err()),
        "config"
    );
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
    let started: JsValue = JsFuture::from(c.initiate_agent(request.unchecked_into(), None))
        .await
        .unwrap();
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
    let run: JsValue = JsFuture::from(c.get_agent_run(run_id, None)).await.unwrap();
    assert_eq!(get_str(&run, "status").as_deref(), Some("completed"));
    assert_eq!(get_str(&run, "threadId").as_deref(), Some(thread_id.as_str()));
    let list = JsFuture::from(c.list_agent_runs(thread_id, None)).await.unwrap();
    assert_eq!(js_sys::Array::from(&list).length(), 1);
}

/// A stream dropped after K items reconnects and delivers each item once; stop mid-run ends with STOP;
/// an abort cancels promptly.
pub async fn reconnect_stop_and_abort() {
    let c = client();
    let request = obj(&[("prompt", JsValue::from_str("[hold] wait for stop"))]);
    let started: JsValue = JsFuture::from(c.initiate_agent(request.unchecked_into(), None))
        .await
        .unwrap();
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
    let stopped: JsValue = JsFuture::from(c.stop_agent_run(run_id.clone(), None))
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
    let started: JsValue = JsFuture::from(c.initiate_agent(request.unchecked_into(), None))
        .await
        .unwrap();
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
    JsFuture::from(c.stop_agent_run(run_id, None)).await.unwrap();
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
