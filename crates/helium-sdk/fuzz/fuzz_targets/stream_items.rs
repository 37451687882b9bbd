//! Fuzzes `StreamEvent::from_text`, the stream's decoder of an item's text (it builds only the fields the typed
//! event reads and checks the rest): for any text it gives exactly what `StreamEvent::decode` of the full
//! `serde_json` parse gives, the same event or the same error message; and the event's JSON by
//! `StreamEvent::write_json` is `serde_json::to_string`'s, byte for byte. Any panic or difference is a bug.
#![no_main]

use helium_sdk::stream::StreamEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let full = serde_json::from_str::<serde_json::Value>(text)
        .map(|item| StreamEvent::decode(&item))
        .map_err(|e| e.to_string());
    let ours = StreamEvent::from_text(text);
    assert_eq!(ours, full, "{text}");
    if let Ok(event) = ours {
        let mut json = String::new();
        assert!(event.write_json(&mut json).is_ok(), "{text}");
        assert_eq!(Some(json), serde_json::to_string(&event).ok(), "{text}");
    }
});
