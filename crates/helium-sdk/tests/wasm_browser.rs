//! The configuration bindings in wasm in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(target_arch = "wasm32")]

mod wasm;

use helium_sdk::js;
use wasm::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_page_is_detected_as_client() {
    assert_eq!(
        JsValue::from(js::detect_runtime()).as_string().as_deref(),
        Some("client")
    );
    assert_eq!(helium_sdk::Runtime::detect(), helium_sdk::Runtime::Client);
}

#[wasm_bindgen_test]
fn backend_url_matrix() {
    backend_url_matrix_matches_the_guide();
}

#[wasm_bindgen_test]
fn errors() {
    invalid_values_throw_helium_errors();
    malformed_jwts_are_typed_errors();
}

/// No override: the page is a client, so service-role and sb_secret_ keys are refused.
#[wasm_bindgen_test]
fn supabase_secret_keys_refused_in_the_browser() {
    secret_keys_refused_on_client(None);
}

/// A browser never reads a polyfilled `process.env`: only what is passed in (or inlined by the npm entry).
#[wasm_bindgen_test]
fn browser_ignores_process_env_polyfills() {
    let process = obj(&[(
        "env",
        obj(&[
            (
                "NEXT_PUBLIC_BACKEND_URL",
                JsValue::from_str("http://from-polyfill:1/api"),
            ),
            (
                "BACKEND_INTERNAL_URL",
                JsValue::from_str("http://secret-internal:1"),
            ),
        ]),
    )]);
    js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str("process"), &process).unwrap();
    let resolved: JsValue = js::resolve_backend_url(None).unwrap().into();
    js_sys::Reflect::delete_property(&js_sys::global(), &JsValue::from_str("process")).unwrap();
    assert_eq!(
        get_str(&resolved, "url").as_deref(),
        Some("http://localhost:8000")
    );
    assert_eq!(get_str(&resolved, "source").as_deref(), Some("default"));
    assert_eq!(get_str(&resolved, "runtime").as_deref(), Some("client"));
    assert_eq!(
        helium_sdk::Env::from_process().origin(),
        helium_sdk::EnvOrigin::None
    );
    // Passed explicitly, the public value is used; the internal one never is on the client.
    let env = obj(&[
        (
            "NEXT_PUBLIC_BACKEND_URL",
            JsValue::from_str("https://api.example.com/api"),
        ),
        (
            "BACKEND_INTERNAL_URL",
            JsValue::from_str("http://secret-internal:1"),
        ),
    ]);
    let resolved: JsValue = js::resolve_backend_url(options(None, Some(env))).unwrap().into();
    assert_eq!(
        get_str(&resolved, "url").as_deref(),
        Some("https://api.example.com/api")
    );
}

client_tests!();
