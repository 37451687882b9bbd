//! Fuzzes the check JavaScript results get before `JSON.parse` (nesting past 127 levels, numbers outside `f64`'s
//! range): it never panics, never refuses a text `serde_json` accepts, and refuses every valid JSON text that
//! `serde_json` refuses for depth or range. Any panic is a bug.
#![no_main]

use helium_sdk::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let verdict = fuzzing::json_exceeds_native_limits(text);
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => assert_eq!(verdict, None, "refused a text serde_json accepts"),
        Err(e) => {
            let message = e.to_string();
            if message.starts_with("recursion limit exceeded") || message.starts_with("number out of range") {
                assert!(verdict.is_some(), "accepted a text serde_json refuses: {message}");
            }
        }
    }
});
