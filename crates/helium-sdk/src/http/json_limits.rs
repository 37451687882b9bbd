//! What `serde_json` refuses and `JSON.parse` accepts, checked before `JSON.parse` in the JavaScript bindings so
//! that a JSON result is the same `decode` error on every target: nesting deeper than `serde_json`'s recursion
//! limit (a 100 000-deep array parses in V8), numbers outside `f64`'s range (`1e999999` parses as `Infinity`) and
//! unpaired UTF-16 surrogates in `\u` escapes (`"\ud800"` parses as a lone surrogate). The stream decoder relies
//! on it too, for the fields of an item it skips instead of building.
//!
//! One linear pass over the bytes; anything else malformed is left to the parser.

/// The deepest nesting `serde_json` accepts (its recursion limit is 128: the 128th open bracket fails).
pub(crate) const MAX_DEPTH: usize = 127;

/// Why `text` would not decode natively although `JSON.parse` may accept it, or `None`.
pub(crate) fn exceeds_native_limits(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                loop {
                    // The string's end or its next escape; most of an item's bytes are inside its strings.
                    i = bytes
                        .get(i..)
                        .and_then(|rest| crate::platform::find_either(rest, b'"', b'\\'))
                        .map_or(bytes.len(), |at| i + at);
                    if bytes.get(i) != Some(&b'\\') {
                        break;
                    }
                    match escape(&bytes[i..]) {
                        Escape::Valid(n) => i += n,
                        Escape::UnpairedSurrogate => {
                            return Some("a string in the JSON has an unpaired surrogate escape");
                        }
                        // Anything else malformed is left to the parser.
                        Escape::Malformed => i += 2,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some("the JSON is nested deeper than 127 levels");
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let start = i;
                i = number_end(bytes, i);
                // Only a number with an exponent or more than 308 characters can exceed `f64::MAX` (~1.8e308);
                // the token is ASCII, so `start..i` falls on character boundaries.
                let token = text.get(start..i).unwrap_or_default();
                if (token.len() > 308 || token.bytes().any(|b| (b | 0x20) == b'e'))
                    && token.parse::<f64>().is_ok_and(|n| !n.is_finite())
                {
                    return Some("a number in the JSON is out of range");
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// An escape in a JSON string, as `serde_json` reads it.
pub(crate) enum Escape {
    /// An escape it reads, of this many bytes (a surrogate pair is one escape of twelve).
    Valid(usize),
    /// A `\u` surrogate without its pair, which it refuses in a string.
    UnpairedSurrogate,
    /// Not an escape it reads: an unknown letter, a `\u` without four hex digits, the text's end.
    Malformed,
}

/// The escape at the start of `bytes` (a backslash).
pub(crate) fn escape(bytes: &[u8]) -> Escape {
    let unit = |at: usize| bytes.get(at..at + 4).and_then(hex4);
    match bytes.get(1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Escape::Valid(2),
        Some(b'u') => match unit(2) {
            None => Escape::Malformed,
            Some(0xDC00..=0xDFFF) => Escape::UnpairedSurrogate,
            Some(0xD800..=0xDBFF) => match (bytes.get(6..8), unit(8)) {
                (Some([b'\\', b'u']), Some(0xDC00..=0xDFFF)) => Escape::Valid(12),
                _ => Escape::UnpairedSurrogate,
            },
            Some(_) => Escape::Valid(6),
        },
        _ => Escape::Malformed,
    }
}

/// The value of four hex digits (either case), or `None` (also for another number of bytes).
pub(crate) fn hex4(digits: &[u8]) -> Option<u32> {
    if digits.len() != 4 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

/// Where the number starting at `start` ends, by JSON's grammar: `-? digits (. digits)? ([eE] [+-]? digits)?`
/// (digits taken loosely: a malformed number is the parser's to refuse).
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start + usize::from(bytes.get(start) == Some(&b'-'));
    i = digits(i);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i);
    }
    i
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn native_accepts(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }

    #[test]
    fn the_depth_limit_is_serde_jsons() {
        for depth in [1, 126, 127, 128, 129, 100_000] {
            let text = nested(depth);
            assert_eq!(
                exceeds_native_limits(&text).is_none(),
                native_accepts(&text),
                "depth {depth}"
            );
        }
        assert!(native_accepts(&nested(MAX_DEPTH)));
        assert!(!native_accepts(&nested(MAX_DEPTH + 1)));
        let objects = format!("{}{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert_eq!(
            exceeds_native_limits(&objects),
            Some("the JSON is nested deeper than 127 levels")
        );
    }

    #[test]
    fn numbers_out_of_range_are_refused_like_serde_json() {
        let huge = format!("[{}]", "9".repeat(100_001));
        for text in ["1e999999", "-1e400", "[1, 2e308]", huge.as_str()] {
            assert!(!native_accepts(text), "{text:.20}");
            assert_eq!(
                exceeds_native_limits(text),
                Some("a number in the JSON is out of range"),
                "{text:.20}"
            );
        }
        // Found by fuzzing: serde_json refuses the number before the malformed text after it.
        let glued = format!(r#"[[[[9, -2.0E{}+3. "x\"]]]]"#, "1".repeat(120));
        let refused = serde_json::from_str::<serde_json::Value>(&glued).unwrap_err();
        assert!(
            refused.to_string().starts_with("number out of range"),
            "{refused}"
        );
        assert_eq!(
            exceeds_native_limits(&glued),
            Some("a number in the JSON is out of range")
        );
        for text in [
            "1e308",
            "-0.5e-400",
            "18446744073709551616",
            r#"{"n": -12.5E+3}"#,
            "[0, 1e-999999]",
        ] {
            assert!(native_accepts(text), "{text}");
            assert_eq!(exceeds_native_limits(text), None, "{text}");
        }
    }

    #[test]
    fn strings_are_skipped_whatever_they_hold() {
        let text = format!(r#"{{"a": "{}\"1e999\\", "b": 1e999}}"#, "[".repeat(300));
        assert_eq!(
            exceeds_native_limits(&text),
            Some("a number in the JSON is out of range")
        );
        let text = format!(r#"["{}", "\\\"", 1e999999"#, "{".repeat(300));
        assert!(exceeds_native_limits(&text).is_some());
        assert_eq!(exceeds_native_limits(r#"["unterminated \"#), None);
        assert_eq!(exceeds_native_limits("[\"é\", 1.5e3, \"1e999\"]"), None);
    }

    #[test]
    fn unpaired_surrogate_escapes_are_refused_like_serde_json() {
        for text in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#"["a\ud83d"]"#,
            r#"{"\ud83dx": 1}"#,
            r#""\ud83d\n""#,
            r#""\ud83d\ud83d""#,
            r#""\ude00\ud83d""#,
        ] {
            assert!(!native_accepts(text), "{text}");
            assert_eq!(
                exceeds_native_limits(text),
                Some("a string in the JSON has an unpaired surrogate escape"),
                "{text}"
            );
        }
        for text in [
            r#""\ud83d\ude00""#,
            r#""\u00e9\\ud800""#,
            r#"{"k\uD83D\uDE00": "\u0041"}"#,
            "\"\u{1F600}\"",
        ] {
            assert!(native_accepts(text), "{text}");
            assert_eq!(exceeds_native_limits(text), None, "{text}");
        }
    }

    proptest! {
        /// Whatever serde_json accepts passes the check: it never refuses a body that decodes natively.
        #[test]
        fn never_refuses_what_serde_json_accepts(value in any_json(), noise in "[ \\[\\]{}\",:0-9eE.+-]{0,40}") {
            let text = value.to_string();
            prop_assert_eq!(exceeds_native_limits(&text), None);
            if native_accepts(&noise) {
                prop_assert_eq!(exceeds_native_limits(&noise), None);
            }
        }
    }

    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |n| n.is_finite())
                .prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(8, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map("\\PC{0,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
