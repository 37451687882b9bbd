//! Shared wasm test cases: the configuration bindings called as JavaScript would call them.

pub mod client;
pub mod public_v1;

use base64::Engine as _;
use helium_sdk::js;
use tsify::Ts;
use wasm_bindgen::{JsCast, JsValue};

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

pub fn get_str(v: &JsValue, k: &str) -> Option<String> {
    get(v, k).as_string()
}

pub fn options(runtime: Option<&str>, env: Option<JsValue>) -> Option<Ts<js::ConfigOptions>> {
    let mut pairs = Vec::new();
    if let Some(r) = runtime {
        pairs.push(("runtime", JsValue::from_str(r)));
    }
    if let Some(e) = env {
        pairs.push(("env", e));
    }
    Some(Ts::new_unchecked(obj(&pairs)))
}

/// The deployment guide's `getBackendUrl`, evaluated by the JavaScript engine itself, with `process.env`
/// replaced by `env` and `typeof window === 'undefined'` by `server`.
fn guide(env: &JsValue, server: bool) -> String {
    let f = js_sys::Function::new_with_args(
        "env, server",
        "if (server) { return env.BACKEND_INTERNAL_URL || env.NEXT_PUBLIC_BACKEND_URL || 'http://localhost:8000'; }
         return env.NEXT_PUBLIC_BACKEND_URL || 'http://localhost:8000';",
    );
    f.call2(&JsValue::NULL, env, &JsValue::from_bool(server))
        .unwrap()
        .as_string()
        .unwrap()
}

/// Every set/empty/unset combination of the two URL variables (plus an unrelated one) × both runtimes,
/// compared with the guide's own JavaScript.
pub fn backend_url_matrix_matches_the_guide() {
    let states = |v: &'static str| [None, Some(""), Some(v)];
    let mut checked = 0;
    for internal in states("http://backend-internal:8000/") {
        for public in states("https://api.example.com/api/") {
            for unrelated in states("http://ignored:1") {
                let mut pairs = Vec::new();
                for (k, v) in [
                    ("BACKEND_INTERNAL_URL", internal),
                    ("NEXT_PUBLIC_BACKEND_URL", public),
                    ("BACKEND_URL", unrelated),
                ] {
                    if let Some(v) = v {
                        pairs.push((k, JsValue::from_str(v)));
                    }
                }
                let env = obj(&pairs);
                for runtime in ["server", "client"] {
                    let resolved: JsValue =
                        js::resolve_backend_url(options(Some(runtime), Some(env.clone())))
                            .unwrap()
                            .into();
                    let expected = guide(&env, runtime == "server").trim_end_matches('/').to_owned();
                    assert_eq!(
                        get_str(&resolved, "url").unwrap(),
                        expected,
                        "{runtime} {internal:?} {public:?}"
                    );
                    assert_eq!(get_str(&resolved, "runtime").unwrap(), runtime);
                    let root = get_str(&resolved, "apiRoot").unwrap();
                    assert!(root.ends_with("/api") && root.starts_with(&expected), "{root}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 54);
}

pub fn assert_helium_error(err: &JsValue, code: &str, variable: Option<&str>) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "not an Error: {err:?}");
    let e: &js_sys::Error = err.unchecked_ref();
    assert_eq!(String::from(e.name()), "HeliumError");
    assert_eq!(get_str(err, "kind").as_deref(), Some("config"));
    assert_eq!(get_str(err, "code").as_deref(), Some(code));
    assert_eq!(get_str(err, "variable").as_deref(), variable);
    String::from(e.message())
}

/// Options of the wrong shape: `invalid_request` / `invalid_options`, not a configuration error.
fn assert_option_error(err: &JsValue) {
    assert_eq!(get_str(err, "name").as_deref(), Some("HeliumError"));
    assert_eq!(get_str(err, "kind").as_deref(), Some("invalid_request"));
    assert_eq!(get_str(err, "code").as_deref(), Some("invalid_options"));
}

pub fn invalid_values_throw_helium_errors() {
    let env = obj(&[("NEXT_PUBLIC_BACKEND_URL", JsValue::from_str("localhost:8000"))]);
    let err = js::resolve_backend_url(options(Some("client"), Some(env))).unwrap_err();
    let msg = assert_helium_error(&err, "invalid_url", Some("NEXT_PUBLIC_BACKEND_URL"));
    assert!(msg.contains("NEXT_PUBLIC_BACKEND_URL"), "{msg}");

    // In production the browser-facing URL must be https; the internal one may be plain http in a private network.
    let env = obj(&[
        ("ENV_MODE", JsValue::from_str("production")),
        (
            "NEXT_PUBLIC_BACKEND_URL",
            JsValue::from_str("http://api.example.com/api"),
        ),
        (
            "BACKEND_INTERNAL_URL",
            JsValue::from_str("http://backend.internal:8000"),
        ),
    ]);
    let err = js::resolve_backend_url(options(Some("client"), Some(env.clone()))).unwrap_err();
    assert_helium_error(&err, "insecure_url", Some("NEXT_PUBLIC_BACKEND_URL"));
    let ok: JsValue = js::resolve_backend_url(options(Some("server"), Some(env)))
        .unwrap()
        .into();
    assert_eq!(
        get_str(&ok, "url").as_deref(),
        Some("http://backend.internal:8000")
    );

    // Wrong option shapes are HeliumErrors too, never a trap.
    let env = obj(&[("NEXT_PUBLIC_BACKEND_URL", JsValue::from_f64(8000.0))]);
    let err = js::resolve_backend_url(options(Some("client"), Some(env))).unwrap_err();
    assert_option_error(&err);
    let err = js::resolve_backend_url(options(Some("browser"), None)).unwrap_err();
    assert_option_error(&err);
    // undefined and null values count as unset.
    let env = obj(&[
        ("NEXT_PUBLIC_BACKEND_URL", JsValue::UNDEFINED),
        ("BACKEND_INTERNAL_URL", JsValue::NULL),
    ]);
    let ok: JsValue = js::resolve_backend_url(options(Some("server"), Some(env)))
        .unwrap()
        .into();
    assert_eq!(get_str(&ok, "source").as_deref(), Some("default"));
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

pub fn jwt(role: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(r#"{"alg":"HS256"}"#),
        b64(&format!(r#"{{"role":"{role}","exp":2015000000}}"#))
    )
}

pub fn supabase_env(key: &str) -> JsValue {
    obj(&[
        (
            "NEXT_PUBLIC_SUPABASE_URL",
            JsValue::from_str("https://proj.supabase.co"),
        ),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", JsValue::from_str(key)),
    ])
}

/// `runtime` is `None` to rely on detection.
pub fn secret_keys_refused_on_client(runtime: Option<&str>) {
    for key in [jwt("service_role"), "sb_secret_abcDEF123".to_owned()] {
        let err = js::load_supabase_config(options(runtime, Some(supabase_env(&key)))).unwrap_err();
        let msg = assert_helium_error(
            &err,
            "secret_key_in_client",
            Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"),
        );
        assert!(!msg.contains(&key) && !msg.contains("abcDEF123"), "{msg}");
    }
    let ok: JsValue = js::load_supabase_config(options(runtime, Some(supabase_env(&jwt("anon")))))
        .unwrap()
        .into();
    assert_eq!(get_str(&ok, "keyKind").as_deref(), Some("anon_jwt"));
    assert_eq!(get_str(&ok, "keyRole").as_deref(), Some("anon"));
    assert_eq!(get(&ok, "keyExpiresAt").as_f64(), Some(2015000000.0));
    assert_eq!(
        get_str(&ok, "realtimeUrl").as_deref(),
        Some("wss://proj.supabase.co/realtime/v1")
    );
    assert_eq!(
        get_str(&ok, "restUrl").as_deref(),
        Some("https://proj.supabase.co/rest/v1")
    );
    assert_eq!(
        get(&ok, "key"),
        JsValue::UNDEFINED,
        "the key itself is never handed out"
    );
    let json = String::from(js_sys::JSON::stringify(&ok).unwrap());
    assert!(
        !json.contains(&jwt("anon")) && !json.contains("c2lnbmF0dXJl"),
        "{json}"
    );
    let ok: JsValue = js::load_supabase_config(options(runtime, Some(supabase_env("sb_publishable_xyz"))))
        .unwrap()
        .into();
    assert_eq!(get_str(&ok, "keyKind").as_deref(), Some("publishable"));
}

pub fn malformed_jwts_are_typed_errors() {
    for key in ["a.b", "a.b.c.d", "h.!!!.s", &format!("h.{}.s", b64("not json"))] {
        let err = js::load_supabase_config(options(Some("client"), Some(supabase_env(key)))).unwrap_err();
        assert_helium_error(&err, "invalid_key", Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
    }
    let err = js::load_supabase_config(options(Some("client"), Some(obj(&[])))).unwrap_err();
    let msg = assert_helium_error(&err, "missing", Some("NEXT_PUBLIC_SUPABASE_URL"));
    assert!(msg.contains("NEXT_PUBLIC_SUPABASE_URL"), "{msg}");
}

/// The client tests both harnesses run (Node: no CORS, server runtime; Chromium: CORS, client runtime). Each
/// test checks the runtime's own rules where they differ.
#[macro_export]
macro_rules! client_tests {
    () => {
        #[wasm_bindgen_test]
        async fn client_health_and_errors() {
            wasm::client::health_and_errors().await;
        }

        #[wasm_bindgen_test]
        async fn client_full_run() {
            wasm::client::full_run_streams_to_completion().await;
        }

        #[wasm_bindgen_test]
        async fn client_reconnect_stop_abort() {
            wasm::client::reconnect_stop_and_abort().await;
        }

        #[wasm_bindgen_test]
        async fn client_cors_allow_list() {
            wasm::client::cors_allow_list_is_enforced().await;
        }

        #[wasm_bindgen_test]
        async fn client_wrapped_errors_and_guards() {
            wasm::client::wrapped_errors_and_guards().await;
        }

        #[wasm_bindgen_test]
        async fn client_sandbox_paths() {
            wasm::client::sandbox_paths_survive_the_second_decoding().await;
        }

        #[wasm_bindgen_test]
        async fn client_bare_completed_is_verified() {
            wasm::client::bare_completed_is_verified().await;
        }

        #[wasm_bindgen_test]
        fn diagnosis_and_text_helpers() {
            wasm::client::diagnosis_and_text_helpers();
        }

        #[wasm_bindgen_test]
        async fn client_whole_conversation() {
            wasm::client::whole_conversation().await;
        }

        #[wasm_bindgen_test]
        async fn client_forwarding_round_trip() {
            wasm::client::forwarding_round_trip().await;
        }

        #[wasm_bindgen_test]
        async fn client_hooks_and_fetch_options() {
            wasm::client::hooks_and_fetch_options().await;
        }

        #[wasm_bindgen_test]
        async fn public_api_v1_with_an_he_key() {
            wasm::public_v1::public_api_v1().await;
        }

        #[wasm_bindgen_test]
        async fn billing_operations() {
            wasm::public_v1::billing_operations().await;
        }

        #[wasm_bindgen_test]
        async fn custom_agents_and_versions() {
            wasm::public_v1::custom_agents().await;
        }

        #[wasm_bindgen_test]
        async fn admin_key_by_runtime() {
            wasm::public_v1::admin_key().await;
        }
    };
}
