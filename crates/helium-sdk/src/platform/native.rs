use std::collections::BTreeMap;

use crate::config::Runtime;
use crate::error::EnvOrigin;

/// Native code is always server side.
pub(crate) fn detect_runtime() -> Runtime {
    Runtime::Server
}

/// The process environment; variables whose name or value is not Unicode are skipped.
pub(crate) fn process_env() -> (BTreeMap<String, String>, EnvOrigin) {
    let vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    (vars, EnvOrigin::Process)
}

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// Sleeps on the tokio timer (the SDK's native HTTP stack, reqwest, runs on tokio).
pub(crate) async fn sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

thread_local! {
    static RNG: Cell<u64> = Cell::new(RandomState::new().hash_one(std::thread::current().id()) | 1);
}

/// xorshift64*, seeded per thread from the standard library's random hasher keys.
pub(crate) fn random_u64() -> u64 {
    RNG.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

/// Milliseconds since the Unix epoch (for durations in logs; not monotonic).
pub(crate) fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Seconds since the Unix epoch (rate-limit reset times).
pub(crate) fn now_epoch_secs() -> u64 {
    now_millis() / 1000
}

/// Logs a retry as a `tracing` event.
pub(crate) fn trace_retry(
    endpoint: &crate::error::Endpoint,
    retry: u32,
    delay: Duration,
    error: &crate::Error,
) {
    tracing::debug!(target: "helium_sdk::http", endpoint = endpoint.as_str(), retry, delay_ms = delay.as_millis() as u64, kind = error.kind().as_str(), "retrying: {error}");
}

/// NFC normalisation of upload file names, as the frontend does before uploading.
pub(crate) fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}
