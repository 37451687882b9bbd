//! The configuration bindings in wasm under Node (wasm-bindgen-test's default runner).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(target_arch = "wasm32")]

mod wasm;

use helium_sdk::js;
use wasm::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn node_is_detected_as_server() {
    assert_eq!(
        JsValue::from(js::detect_runtime()).as_string().as_deref(),
        Some("server")
    );
    assert_eq!(helium_sdk::Runtime::detect(), helium_sdk::Runtime::Server);
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

#[wasm_bindgen_test]
fn supabase_secret_keys_refused_for_client_override() {
    secret_keys_refused_on_client(Some("client"));
    // Detected server side, the same service-role key is accepted.
    let ok: JsValue = js::load_supabase_config(options(None, Some(supabase_env(&jwt("service_role")))))
        .unwrap()
        .into();
    assert_eq!(get_str(&ok, "keyKind").as_deref(), Some("service_role_jwt"));
    assert_eq!(get_str(&ok, "runtime").as_deref(), Some("server"));
}

/// Without `env`, the wasm reads Node's `process.env`, and the server rule lets BACKEND_INTERNAL_URL win.
#[wasm_bindgen_test]
fn reads_process_env_under_node() {
    let env = get(&get(&js_sys::global(), "process"), "env");
    let set =
        |k: &str, v: &str| js_sys::Reflect::set(&env, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    set("NEXT_PUBLIC_BACKEND_URL", "http://public.example:8000/api");
    set("BACKEND_INTERNAL_URL", "http://internal.example:8000/");
    let server: JsValue = js::resolve_backend_url(None).unwrap().into();
    assert_eq!(
        get_str(&server, "url").as_deref(),
        Some("http://internal.example:8000")
    );
    assert_eq!(
        get_str(&server, "source").as_deref(),
        Some("BACKEND_INTERNAL_URL")
    );
    assert_eq!(
        get_str(&server, "apiRoot").as_deref(),
        Some("http://internal.example:8000/api")
    );
    let client: JsValue = js::resolve_backend_url(options(Some("client"), None))
        .unwrap()
        .into();
    assert_eq!(
        get_str(&client, "url").as_deref(),
        Some("http://public.example:8000/api")
    );
    set("BACKEND_INTERNAL_URL", "");
    let server: JsValue = js::resolve_backend_url(None).unwrap().into();
    assert_eq!(
        get_str(&server, "source").as_deref(),
        Some("NEXT_PUBLIC_BACKEND_URL")
    );
    for k in ["NEXT_PUBLIC_BACKEND_URL", "BACKEND_INTERNAL_URL"] {
        js_sys::Reflect::delete_property(env.unchecked_ref::<js_sys::Object>(), &JsValue::from_str(k))
            .unwrap();
    }
    let env_origin = helium_sdk::Env::from_process().origin();
    assert_eq!(env_origin, helium_sdk::EnvOrigin::JsProcess);
}

use wasm_bindgen::JsCast;

client_tests!();
