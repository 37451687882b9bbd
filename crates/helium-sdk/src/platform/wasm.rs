use std::collections::BTreeMap;

use wasm_bindgen::{JsCast, JsValue};

use crate::config::Runtime;
use crate::error::EnvOrigin;

fn global_get(name: &str) -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `Client` when a `window` global exists (browser page) or the global scope is a `WorkerGlobalScope`
/// (browser worker); `Server` otherwise (Node, Deno, edge runtimes). Mirrors `typeof window === 'undefined'`.
pub(crate) fn detect_runtime() -> Runtime {
    if !global_get("window").is_undefined() {
        return Runtime::Client;
    }
    // `WorkerGlobalScope` is exposed only inside browser workers (not in windows, Node or edge runtimes).
    if !global_get("WorkerGlobalScope").is_undefined() {
        return Runtime::Client;
    }
    Runtime::Server
}

/// `process.env` in a server runtime; nothing in a browser (bundlers may polyfill `process`, but a browser
/// only has what was inlined at build time, which the caller passes in explicitly).
pub(crate) fn process_env() -> (BTreeMap<String, String>, EnvOrigin) {
    if detect_runtime() == Runtime::Client {
        return (BTreeMap::new(), EnvOrigin::None);
    }
    let process = global_get("process");
    if process.is_undefined() || process.is_null() {
        return (BTreeMap::new(), EnvOrigin::None);
    }
    let env = js_sys::Reflect::get(&process, &JsValue::from_str("env")).unwrap_or(JsValue::UNDEFINED);
    let Some(env) = env.dyn_ref::<js_sys::Object>() else {
        return (BTreeMap::new(), EnvOrigin::None);
    };
    let mut vars = BTreeMap::new();
    for entry in js_sys::Object::entries(env).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            vars.insert(k, v);
        }
    }
    (vars, EnvOrigin::JsProcess)
}
