//! Fuzzes the check JavaScript results get before `JSON.parse` (nesting past 127 levels, numbers outside `f64`'s
//! range, unpaired surrogate escapes): it never panics, never refuses a text `serde_json` accepts, and refuses
//! every text `serde_json` refuses for depth, range or a surrogate. Any panic is a bug.
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
            let ours = ["recursion limit exceeded", "number out of range", "lone leading surrogate", "unexpected end of hex escape"];
            if ours.iter().any(|m| message.starts_with(m)) {
                assert!(verdict.is_some(), "accepted a text serde_json refuses: {message}");
            }
        }
    }
});
