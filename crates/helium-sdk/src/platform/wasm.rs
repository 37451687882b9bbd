use std::collections::BTreeMap;

use wasm_bindgen::{JsCast, JsValue};

use crate::config::Runtime;
use crate::error::EnvOrigin;

/// The allocator: Talc instead of the standard library's dlmalloc, faster and smaller (BENCHMARKS.md). Only for
/// single-threaded wasm (a build with atomics keeps the standard one).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn global_get(name: &str) -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// True in Cloudflare Workers (workerd), which name themselves in `navigator.userAgent`.
pub(crate) fn is_workerd() -> bool {
    let navigator = global_get("navigator");
    !navigator.is_undefined()
        && js_sys::Reflect::get(&navigator, &JsValue::from_str("userAgent"))
            .ok()
            .and_then(|ua| ua.as_string())
            .is_some_and(|ua| ua == "Cloudflare-Workers")
}

/// `Client` when a `window` global exists (browser page) or the global scope is a `WorkerGlobalScope`
/// (browser worker); `Server` otherwise (Node, Deno, edge runtimes). Mirrors `typeof window === 'undefined'`.
pub(crate) fn detect_runtime() -> Runtime {
    // Cloudflare Workers expose `WorkerGlobalScope` too, but run on a server.
    if is_workerd() {
        return Runtime::Server;
    }
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

use std::time::Duration;

/// Sleeps with the global `setTimeout` (present in browsers, workers, Node and edge runtimes). Dropping the
/// future clears the timer, so a finished request's timeout does not keep Node's event loop alive.
pub(crate) async fn sleep(d: Duration) {
    let ms = d.as_millis().min(i32::MAX as u128) as f64;
    let mut timer = JsValue::UNDEFINED;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let set_timeout = global_get("setTimeout");
        if let Some(f) = set_timeout.dyn_ref::<js_sys::Function>() {
            timer = f
                .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from_f64(ms))
                .unwrap_or(JsValue::UNDEFINED);
        } else {
            // No timer at all: resolve at once rather than never (no JS runtime lacks setTimeout in practice).
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _guard = ClearOnDrop(timer);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Clears a `setTimeout` timer when dropped (a no-op once it has fired).
struct ClearOnDrop(JsValue);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        if self.0.is_undefined() {
            return;
        }
        if let Some(f) = global_get("clearTimeout").dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&JsValue::UNDEFINED, &self.0);
        }
    }
}

/// 64 random bits from `Math.random` (two draws of 32 bits).
pub(crate) fn random_u64() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32) | lo
}

/// Milliseconds since the Unix epoch (`Date.now()`).
pub(crate) fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}

/// Seconds since the Unix epoch (rate-limit reset times).
pub(crate) fn now_epoch_secs() -> u64 {
    now_millis() / 1000
}

/// Retries show in JavaScript as `onRequest` calls with `attempt > 0`; nothing is logged here.
pub(crate) fn trace_retry(
    _endpoint: &crate::error::Endpoint,
    _retry: u32,
    _delay: Duration,
    _error: &crate::Error,
) {
}

/// NFC normalisation with `String.prototype.normalize`, keeping the tables out of the wasm.
pub(crate) fn nfc(s: &str) -> String {
    js_sys::JsString::from(s)
        .normalize("NFC")
        .as_string()
        .unwrap_or_else(|| s.to_owned())
}
