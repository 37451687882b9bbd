//! The quick path of [`StreamEvent::from_text`] for the items a run sends by the thousand: assistant chunks and
//! messages, the status items of a turn, tool results. One validating pass over the item finds its fields, one
//! over each double-encoded `content`/`metadata` text finds theirs, and only the event's own strings (and,
//! through `serde_json`, the values it keeps) are built: no `Value` of the item or of its content, no allocated
//! keys.
//!
//! It answers only when sure. Whatever it does not fully understand — an exponent, a surrogate escape that is not
//! a pair, nesting past [`MAX_DEPTH`], an escaped key where it looks fields up, content that is not an object, a
//! kind of item it does not decode — is left to the full path (`None`), so its answer is always the event
//! [`StreamEvent::decode`] gives for the full parse, and it accepts only text `serde_json` accepts (tests and the
//! `stream_items` fuzz target hold it to both).

use std::ops::Range;

use serde_json::Value;

use super::events::{Read, StreamEvent, TurnItem, turn_event};
use crate::http::json_limits::{self, Escape, hex4};

/// Deeper nesting is left to the full path (`serde_json` refuses past 128).
const MAX_DEPTH: u32 = 64;

/// An object with more fields is left to the full path.
const MAX_FIELDS: usize = 24;

/// A number with more digits before its point is left to the full path (it could overflow `f64`).
const MAX_INTEGER_DIGITS: usize = 300;

/// The event of an item, or `None` when the full path must decide.
pub(crate) fn decode(text: &str) -> Option<StreamEvent> {
    let item = Object::read_document(text)?;
    let ty = item.string("type")?;
    // Run-level statuses, manual events, notices and other messages are rare: the full path decodes them.
    if item.has("status") || !matches!(ty.as_str(), "assistant" | "status" | "tool") {
        return None;
    }
    let content_text = double_encoded(&item, "content")?;
    let metadata_text = double_encoded(&item, "metadata")?;
    let content = match &content_text {
        Some(t) => Some(Object::read_document(t)?),
        None => None,
    };
    let meta = match &metadata_text {
        Some(t) => Some(Object::read_document(t)?),
        None => None,
    };
    let turn = TurnItem {
        thread_id: item.string("thread_id").map(Into::into),
        message_id: item.string("message_id").map(Into::into),
        sequence: item.u64("sequence")?,
    };
    // A status whose content is not an object is a `Message`: left to the full path (`turn_event` needs it).
    turn_event(&ty, turn, content.as_ref(), meta.as_ref())
}

impl Read for Object<'_> {
    fn str(&self, key: &str) -> Option<String> {
        self.string(key)
    }

    fn u64(&self, key: &str) -> Option<Option<u64>> {
        match self.get(key) {
            Some(at) => self.as_u64(at),
            None => Some(None),
        }
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.as_bool(self.get(key)?)
    }

    fn value(&self, key: &str) -> Option<Value> {
        match self.get(key) {
            Some(at) => self.as_value(at),
            None => Some(Value::Null),
        }
    }

    fn decoded(&self, key: &str) -> Option<Value> {
        let Some(at) = self.get(key) else {
            return Some(Value::Null);
        };
        match self.as_string(at.clone()) {
            Some(s) => Some(serde_json::from_str(&s).unwrap_or(Value::String(s))),
            None => self.as_value(at),
        }
    }

    fn object(&self, key: &str) -> Option<Option<Self>> {
        Object::object(self, key)
    }
}

/// The text of a double-encoded field: `Some(None)` when absent or `null`, the decoded text of a string, or
/// `None` (the full path decides) for anything else.
fn double_encoded(item: &Object<'_>, key: &str) -> Option<Option<String>> {
    let Some(at) = item.get(key) else {
        return Some(None);
    };
    if item.text.as_bytes().get(at.start) == Some(&b'n') {
        return Some(None);
    }
    item.as_string(at).map(Some)
}

/// A JSON object read from a text: where each field's key and value are (keys without escapes), as
/// `[key start, key end, value start, value end]`.
struct Object<'a> {
    text: &'a str,
    fields: [[u32; 4]; MAX_FIELDS],
    len: usize,
}

impl<'a> Object<'a> {
    /// A whole text that is one object (whitespace around it allowed), validated throughout.
    fn read_document(text: &'a str) -> Option<Object<'a>> {
        u32::try_from(text.len()).ok()?;
        let mut r = Reader {
            b: text.as_bytes(),
            at: 0,
        };
        let object = r.object(text)?;
        r.ws();
        (r.at == text.len()).then_some(object)
    }

    /// The value of a field (the last one of that name, as `serde_json`'s map keeps).
    fn get(&self, key: &str) -> Option<Range<usize>> {
        self.fields[..self.len]
            .iter()
            .rev()
            .find(|[ks, ke, _, _]| {
                self.text.as_bytes().get(*ks as usize..*ke as usize) == Some(key.as_bytes())
            })
            .map(|[_, _, vs, ve]| *vs as usize..*ve as usize)
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A field's value if it is a string (`Value::as_str`).
    fn string(&self, key: &str) -> Option<String> {
        self.as_string(self.get(key)?)
    }

    fn as_string(&self, at: Range<usize>) -> Option<String> {
        let raw = self.text.get(at)?;
        let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
        unescape(inner)
    }

    /// `Value::as_bool` of a value.
    fn as_bool(&self, at: Range<usize>) -> Option<bool> {
        match self.text.get(at)? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// `Value::as_u64` of a value: `Some(None)` for a value that is not a non-negative integer; `None` for a
    /// negative number (left to the full path).
    fn as_u64(&self, at: Range<usize>) -> Option<Option<u64>> {
        let raw = self.text.get(at)?;
        match raw.as_bytes().first() {
            Some(b'-') => None,
            Some(b'0'..=b'9') if raw.bytes().all(|b| b.is_ascii_digit()) => {
                // Past u64, serde_json reads the integer as an f64.
                Some(raw.parse::<u64>().ok())
            }
            _ => Some(None),
        }
    }

    fn as_value(&self, at: Range<usize>) -> Option<Value> {
        serde_json::from_str(self.text.get(at)?).ok()
    }

    /// A field that is an object: `Some(Some(_))`; absent or another kind of value: `Some(None)`; an object this
    /// path does not read: `None`.
    fn object(&self, key: &str) -> Option<Option<Object<'a>>> {
        let Some(at) = self.get(key) else {
            return Some(None);
        };
        if self.text.as_bytes().get(at.start) != Some(&b'{') {
            return Some(None);
        }
        let mut r = Reader {
            b: self.text.as_bytes(),
            at: at.start,
        };
        r.object(self.text).map(Some)
    }
}

/// A validating reader of JSON text: accepts a subset of what `serde_json` accepts (see the module's text).
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// An object at the reader (after whitespace), with its fields' places; keys must not hold escapes.
    fn object<'t>(&mut self, text: &'t str) -> Option<Object<'t>> {
        let mut object = Object {
            text,
            fields: [[0; 4]; MAX_FIELDS],
            len: 0,
        };
        self.eat(b'{')?;
        self.ws();
        if self.b.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Some(object);
        }
        loop {
            self.ws();
            let key_start = self.at + 1;
            if self.string()? {
                return None;
            }
            let key_end = self.at - 1;
            self.eat(b':')?;
            self.ws();
            let value_start = self.at;
            self.value(1)?;
            let slot = object.fields.get_mut(object.len)?;
            // The text's length fits in u32 (checked by `read_document`).
            *slot = [key_start, key_end, value_start, self.at].map(|n| n as u32);
            object.len += 1;
            self.ws();
            match self.b.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Some(object);
                }
                _ => return None,
            }
        }
    }

    /// Skips one value (after whitespace), checking it.
    fn value(&mut self, depth: u32) -> Option<()> {
        self.ws();
        match *self.b.get(self.at)? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => self.container(depth),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn container(&mut self, depth: u32) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let close = if self.b[self.at] == b'{' { b'}' } else { b']' };
        self.at += 1;
        self.ws();
        if self.b.get(self.at) == Some(&close) {
            self.at += 1;
            return Some(());
        }
        loop {
            if close == b'}' {
                self.ws();
                self.string()?;
                self.eat(b':')?;
            }
            self.value(depth + 1)?;
            self.ws();
            match *self.b.get(self.at)? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.b.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most [`MAX_INTEGER_DIGITS`] before the point; no exponent.
    fn number(&mut self) -> Option<()> {
        if self.b[self.at] == b'-' {
            self.at += 1;
        }
        let digits = |r: &mut Self| {
            let start = r.at;
            while r.b.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at - start
        };
        let first = *self.b.get(self.at)?;
        let integer = digits(self);
        if integer == 0 || integer > MAX_INTEGER_DIGITS || (first == b'0' && integer > 1) {
            return None;
        }
        if self.b.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        match self.b.get(self.at) {
            Some(b'e' | b'E') => None,
            _ => Some(()),
        }
    }

    /// A string at the reader (its opening quote); whether it holds escapes. Refuses control characters, unknown
    /// escapes and surrogate escapes that are not a pair.
    fn string(&mut self) -> Option<bool> {
        if self.b.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let mut escaped = false;
        loop {
            self.at += crate::platform::find_string_stop(&self.b[self.at..])?;
            match self.b[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.at += match self.b.get(self.at + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        _ => escape_len(&self.b[self.at..])?,
                    };
                }
                _ => return None,
            }
        }
    }
}

/// The length of the escape at the start of `bytes` (a backslash), if `serde_json` reads it (a surrogate only as a
/// high one followed by a low one).
fn escape_len(bytes: &[u8]) -> Option<usize> {
    match json_limits::escape(bytes) {
        Escape::Valid(len) => Some(len),
        Escape::UnpairedSurrogate | Escape::Malformed => None,
    }
}

/// The value of a string's content (between its quotes), already checked by [`Reader::string`].
fn unescape(inner: &str) -> Option<String> {
    let bytes = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut at = 0;
    while at < bytes.len() {
        let run = crate::platform::find_either(&bytes[at..], b'\\', b'\\').unwrap_or(bytes.len() - at);
        out.push_str(inner.get(at..at + run)?);
        at += run;
        if at == bytes.len() {
            break;
        }
        let escape = &bytes[at..];
        let simple = match *escape.get(1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => {
                let len = escape_len(escape)?;
                let first = hex4(escape.get(2..6)?)?;
                let code = if len == 12 {
                    0x10000 + ((first - 0xD800) << 10) + (hex4(escape.get(8..12)?)? - 0xDC00)
                } else {
                    first
                };
                out.push(char::from_u32(code)?);
                at += len;
                continue;
            }
        };
        out.push(simple);
        at += 2;
    }
    Some(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::stream::events::tests::{WORDS, field_name, fixture_items};
    use proptest::prelude::*;

    fn full(text: &str) -> Option<StreamEvent> {
        serde_json::from_str::<Value>(text)
            .ok()
            .map(|item| StreamEvent::decode(&item))
    }

    /// The quick path's answer, checked against the full parse.
    fn quick(text: &str) -> Option<StreamEvent> {
        let got = decode(text);
        if let Some(event) = &got {
            assert_eq!(Some(event), full(text).as_ref(), "{text}");
        }
        got
    }

    #[test]
    fn the_items_of_a_run_take_the_quick_path() {
        let items = fixture_items();
        let quick_items = items.iter().filter(|data| quick(data).is_some()).count();
        // Everything but the run-level statuses and the rare kinds.
        assert!(
            quick_items * 10 > items.len() * 7,
            "{quick_items} of {}",
            items.len()
        );
    }

    #[test]
    fn each_decoded_kind_takes_the_quick_path() {
        let item = |ty: &str, content: Value, metadata: Value| {
            serde_json::json!({
                "type": ty, "sequence": 3, "message_id": "m1", "thread_id": "t1",
                "content": content.to_string(), "metadata": metadata.to_string(), "is_llm_message": true,
            })
            .to_string()
        };
        let meta = serde_json::json!({"thread_run_id": "tr", "stream_status": "chunk", "agent_should_terminate": "true"});
        for (ty, content) in [
            (
                "assistant",
                serde_json::json!({"role": "assistant", "content": "Hi \"there\" \u{e9} 😀\n"}),
            ),
            (
                "assistant",
                serde_json::json!({"role": "assistant", "content": "x", "tool_calls": [{"id": 1, "f": 2.5}]}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "thread_run_start", "thread_run_id": "tr2"}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "assistant_response_start"}),
            ),
            ("status", serde_json::json!({"status_type": "thread_run_end"})),
            (
                "status",
                serde_json::json!({"status_type": "finish", "finish_reason": "stop"}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "tool_started", "function_name": "f", "tool_index": 0}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "tool_completed", "tool_index": 2.5}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "tool_failed", "tool_index": "1"}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "tool_error", "xml_tag_name": "x"}),
            ),
            (
                "status",
                serde_json::json!({"status_type": "error", "message": "boom"}),
            ),
            (
                "tool",
                serde_json::json!({"tool_execution": {"function_name": "f", "arguments": {"b": 1, "a": [true]}, "result": {"success": false, "output": "o", "error": {"e": null}}}}),
            ),
            (
                "tool",
                serde_json::json!({"tool_execution": {"function_name": "f", "result": "not an object"}}),
            ),
            (
                "tool",
                serde_json::json!({"role": "tool", "name": "n", "tool_call_id": "c", "content": "{\"k\": [1, 2]}"}),
            ),
            (
                "tool",
                serde_json::json!({"role": "tool", "name": "n", "content": "not json"}),
            ),
            (
                "tool",
                serde_json::json!({"role": "tool", "content": {"already": "decoded"}}),
            ),
        ] {
            let text = item(ty, content, meta.clone());
            assert!(quick(&text).is_some(), "{text}");
        }
        // Fields absent or null, content given as an object, other spellings of the same text.
        for text in [
            r#"{"type": "assistant", "content": null}"#,
            r#"{"type": "assistant"}"#,
            r#"  {"type":"assistant","content":"{\"content\":\"a\\u00e9\\ud83d\\ude00\\/\"}","sequence":1}  "#,
            r#"{"type": "assistant", "type": "assistant", "sequence": 18446744073709551616, "metadata": "{\"stream_status\": \"chunk\"}"}"#,
            r#"{"type": "tool", "content": "{}", "metadata": "{\"assistant_message_id\": \"a\"}", "x": [1.5, {"\u00e9": -0}]}"#,
        ] {
            assert!(quick(text).is_some(), "{text}");
        }
    }

    #[test]
    fn what_it_does_not_fully_understand_is_left_to_the_full_path() {
        for text in [
            // kinds it does not decode
            r#"{"type": "status", "status": "completed"}"#,
            r#"{"type": "user", "content": "{}"}"#,
            r#"{"type": "content", "content": "note"}"#,
            r#"{"type": "manual_event", "event_type": "x"}"#,
            r#"{"type": "ping"}"#,
            r#"{"type": "status", "content": "{\"status_type\": \"other\"}"}"#,
            r#"{"type": "status", "content": "[1]"}"#,
            r#"{"type": "status", "content": "not json"}"#,
            r#"{"content": "{}"}"#,
            r#"["type", "assistant"]"#,
            // text it does not fully check
            r#"{"type": "assistant", "n": 1e5}"#,
            r#"{"type": "assistant", "n": 1E-5}"#,
            r#"{"type": "assistant", "x": "\ud800"}"#,
            r#"{"type": "assistant", "x": "\udc00\ud800"}"#,
            r#"{"ty\u0070e": "assistant"}"#,
            r#"{"type": "assistant", "sequence": -1, "metadata": "{\"stream_status\": \"chunk\"}"}"#,
            r#"{"type": "assistant", "content": 5}"#,
            r#"{"type": "assistant", "content": "{\"content\": \"x\"} extra"}"#,
            r#"{"type": "assistant", "content": "{\"a\": 1e999}"}"#,
            // text serde_json refuses
            "{\"type\": \"assistant\", \"x\": \"a\u{1}\"}",
            r#"{"type": "assistant", "x": "\q"}"#,
            r#"{"type": "assistant", "x": 01}"#,
            r#"{"type": "assistant", "x": 1.}"#,
            r#"{"type": "assistant", "x": -}"#,
            r#"{"type": "assistant", "x": [1,]}"#,
            r#"{"type": "assistant",}"#,
            r#"{"type": "assistant"} x"#,
            r#"{"type": "assistant", "x": tru}"#,
            r#"{"type": "assistant", "x": "unterminated}"#,
            r#"{"type": "assistant" "x": 1}"#,
        ] {
            assert_eq!(quick(text), None, "{text}");
        }
        let deep = format!(
            r#"{{"type": "assistant", "x": {}{}}}"#,
            "[".repeat(70),
            "]".repeat(70)
        );
        assert_eq!(quick(&deep), None);
        let shallow = format!(
            r#"{{"type": "assistant", "x": {}{}}}"#,
            "[".repeat(60),
            "]".repeat(60)
        );
        assert!(quick(&shallow).is_some());
    }

    /// JSON text of a value the way other writers spell it: Python's `json.dumps` (`\\uXXXX` for every non-ASCII
    /// character, surrogate pairs beyond the BMP, `", "` and `": "`), escaped slashes, upper-case hex, no spaces.
    fn write(v: &Value, ascii: bool, spaced: bool, out: &mut String) {
        let (comma, colon) = if spaced { (", ", ": ") } else { (",", ":") };
        match v {
            Value::String(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '/' if !spaced => out.push_str("\\/"),
                        '\n' => out.push_str("\\n"),
                        c if (c as u32) < 0x20 || (ascii && !c.is_ascii()) => {
                            let mut units = [0u16; 2];
                            for unit in c.encode_utf16(&mut units) {
                                if spaced {
                                    out.push_str(&format!("\\u{unit:04x}"));
                                } else {
                                    out.push_str(&format!("\\u{unit:04X}"));
                                }
                            }
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(comma);
                    }
                    write(item, ascii, spaced, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(comma);
                    }
                    write(&Value::String(k.clone()), ascii, spaced, out);
                    out.push_str(colon);
                    write(item, ascii, spaced, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    fn dumps(v: &Value, ascii: bool, spaced: bool) -> String {
        let mut out = String::new();
        write(v, ascii, spaced, &mut out);
        out
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,12}",
            "[a-z \"\\\\/\n\t\u{1}\u{1f}\u{e9}\u{7f}\u{2028}\u{1F600}]{0,12}",
            prop::sample::select(WORDS.to_vec()).prop_map(str::to_owned),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            text().prop_map(Value::from),
        ]
    }

    /// Values nested a little, with the field names the decoder reads.
    fn nested() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((field_name(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn status_type() -> impl Strategy<Value = Value> {
        prop::sample::select(vec![
            "thread_run_start",
            "assistant_response_start",
            "thread_run_end",
            "finish",
            "tool_started",
            "tool_completed",
            "tool_failed",
            "tool_error",
            "error",
            "other",
        ])
        .prop_map(Value::from)
    }

    proptest! {
        /// Items of the kinds the quick path decodes, written by other writers, decode as their full parse does,
        /// and most take the quick path.
        #[test]
        fn written_any_way_items_decode_like_the_full_parse(
            ty in prop::sample::select(vec!["assistant", "status", "tool"]),
            content in prop::collection::vec((field_name(), nested()), 0..6),
            status in status_type(),
            metadata in prop::collection::vec((field_name(), nested()), 0..4),
            extra in prop::collection::vec((prop::sample::select(vec!["sequence", "message_id", "thread_id", "created_at", "is_llm_message"]), nested()), 0..5),
            ascii in any::<bool>(),
            spaced in any::<bool>(),
            chunk in any::<bool>(),
        ) {
            let mut content: serde_json::Map<String, Value> = content.into_iter().collect();
            content.insert("status_type".into(), status);
            let mut metadata: serde_json::Map<String, Value> = metadata.into_iter().collect();
            if chunk {
                metadata.insert("stream_status".into(), "chunk".into());
            }
            let mut item = serde_json::Map::new();
            item.insert("type".into(), ty.into());
            item.insert("content".into(), dumps(&Value::Object(content), ascii, spaced).into());
            item.insert("metadata".into(), dumps(&Value::Object(metadata), ascii, spaced).into());
            item.insert("sequence".into(), 7.into());
            for (k, v) in extra {
                item.insert(k.into(), v);
            }
            let text = dumps(&Value::Object(item), ascii, spaced);
            let expected = full(&text);
            prop_assert!(expected.is_some(), "{}", text);
            if let Some(event) = decode(&text) {
                prop_assert_eq!(Some(event), expected.clone(), "{}", text);
            }
            prop_assert_eq!(StreamEvent::from_text(&text).ok(), expected, "{}", text);
        }
    }
}
