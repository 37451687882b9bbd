//! The JSON of a [`StreamEvent`], written straight into a `String`: byte for byte what `serde_json` writes for it
//! (tests hold it to that for every kind of event), without going through `serde`'s data model. The keys are
//! written as they are, and a string's bytes are checked for escapes eight at a time and copied in runs. This is
//! how the events reach JavaScript: one text for a network chunk's events, parsed there at once.

use serde_json::Value;

use super::events::StreamEvent;

impl StreamEvent {
    /// Appends the event's JSON (`{"kind":"assistant_chunk",…}`) to `out`: the text `serde_json::to_string` gives
    /// for it, written faster.
    ///
    /// # Errors
    /// The error of `serde_json` for a JSON value the event keeps that it cannot write (none can be built from a
    /// stream item); `out` then holds a part of the event.
    pub fn write_json(&self, out: &mut String) -> Result<(), serde_json::Error> {
        let mut o = Object::start(out);
        match self {
            StreamEvent::AssistantChunk {
                sequence,
                text,
                thread_run_id,
                thread_id,
            } => {
                o.kind("assistant_chunk");
                o.u64("sequence", Some(*sequence));
                o.str("text", Some(text));
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
                o.str("thread_id", thread_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::AssistantMessage {
                message_id,
                text,
                thread_run_id,
                thread_id,
                tool_calls,
            } => {
                o.kind("assistant_message");
                o.str("message_id", message_id.as_ref().map(|v| v.as_str()));
                o.str("text", Some(text));
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
                o.str("thread_id", thread_id.as_ref().map(|v| v.as_str()));
                o.value("tool_calls", tool_calls)?;
            }
            StreamEvent::ThreadRunStart {
                thread_run_id,
                thread_id,
            } => {
                o.kind("thread_run_start");
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
                o.str("thread_id", thread_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::AssistantResponseStart { thread_run_id } => {
                o.kind("assistant_response_start");
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::ThreadRunEnd { thread_run_id } => {
                o.kind("thread_run_end");
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::Finish {
                reason,
                thread_run_id,
            } => {
                o.kind("finish");
                o.str("reason", Some(reason));
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::Tool {
                phase,
                function_name,
                xml_tag_name,
                message,
                tool_index,
                tool_call_id,
                linked_tool_result_message_id,
                agent_should_terminate,
            } => {
                o.kind("tool");
                o.str("phase", Some(phase.as_str()));
                o.str("function_name", function_name.as_deref());
                o.str("xml_tag_name", xml_tag_name.as_deref());
                o.str("message", message.as_deref());
                o.u64("tool_index", *tool_index);
                o.str("tool_call_id", tool_call_id.as_deref());
                o.str(
                    "linked_tool_result_message_id",
                    linked_tool_result_message_id.as_ref().map(|v| v.as_str()),
                );
                o.bool("agent_should_terminate", Some(*agent_should_terminate));
            }
            StreamEvent::ToolResult {
                message_id,
                function_name,
                xml_tag_name,
                tool_call_id,
                arguments,
                success,
                output,
                error,
                assistant_message_id,
            } => {
                o.kind("tool_result");
                o.str("message_id", message_id.as_ref().map(|v| v.as_str()));
                o.str("function_name", function_name.as_deref());
                o.str("xml_tag_name", xml_tag_name.as_deref());
                o.str("tool_call_id", tool_call_id.as_deref());
                o.value("arguments", arguments)?;
                o.bool("success", *success);
                o.value("output", output)?;
                o.value("error", error)?;
                o.str(
                    "assistant_message_id",
                    assistant_message_id.as_ref().map(|v| v.as_str()),
                );
            }
            StreamEvent::MessageError {
                message,
                thread_run_id,
            } => {
                o.kind("message_error");
                o.str("message", Some(message));
                o.str("thread_run_id", thread_run_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::RunStatus { state, message } => {
                o.kind("run_status");
                o.str("state", Some(state.as_str()));
                o.str("message", message.as_deref());
            }
            StreamEvent::Control { signal } => {
                o.kind("control");
                o.str("signal", Some(signal.as_str()));
            }
            StreamEvent::ManualEvent {
                event_type,
                data,
                timestamp,
                user_id,
            } => {
                o.kind("manual_event");
                o.str("event_type", Some(event_type));
                o.value("data", data)?;
                o.str("timestamp", timestamp.as_deref());
                o.str("user_id", user_id.as_ref().map(|v| v.as_str()));
            }
            StreamEvent::Content { text } => {
                o.kind("content");
                o.str("text", Some(text));
            }
            StreamEvent::Message {
                message_type,
                message_id,
                content,
                metadata,
            } => {
                o.kind("message");
                o.str("message_type", Some(message_type));
                o.str("message_id", message_id.as_ref().map(|v| v.as_str()));
                o.value("content", content)?;
                o.value("metadata", metadata)?;
            }
            StreamEvent::Unknown { item } => {
                o.kind("unknown");
                o.value("item", item)?;
            }
        }
        o.out.push('}');
        Ok(())
    }
}

/// An event's object being written: `{` and the `kind` first, then each field after a comma.
struct Object<'a> {
    out: &'a mut String,
}

impl<'a> Object<'a> {
    fn start(out: &'a mut String) -> Object<'a> {
        Object { out }
    }

    /// The tag (a name with nothing to escape).
    fn kind(&mut self, kind: &str) {
        self.out.push_str("{\"kind\":\"");
        self.out.push_str(kind);
        self.out.push('"');
    }

    /// `,"key":` (keys are names with nothing to escape).
    fn key(&mut self, key: &str) {
        self.out.push_str(",\"");
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    fn str(&mut self, key: &str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(s) => write_escaped(self.out, s),
            None => self.out.push_str("null"),
        }
    }

    fn u64(&mut self, key: &str, value: Option<u64>) {
        self.key(key);
        match value {
            Some(n) => write_u64(self.out, n),
            None => self.out.push_str("null"),
        }
    }

    fn bool(&mut self, key: &str, value: Option<bool>) {
        self.key(key);
        self.out.push_str(match value {
            Some(true) => "true",
            Some(false) => "false",
            None => "null",
        });
    }

    /// A JSON value the event keeps, written by `serde_json` (`null`, the most common, at once).
    fn value(&mut self, key: &str, value: &Value) -> Result<(), serde_json::Error> {
        self.key(key);
        match value {
            Value::Null => self.out.push_str("null"),
            Value::String(s) => write_escaped(self.out, s),
            other => self.out.push_str(&serde_json::to_string(other)?),
        }
        Ok(())
    }
}

/// A number in decimal, as `serde_json` writes it.
fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    for slot in digits.iter_mut().rev() {
        // `n % 10` is below 10.
        *slot = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(digits.len().saturating_sub(len)) {
        out.push(char::from(d));
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether one of the eight bytes of `word` is one that JSON escapes: a control character, `"` or `\`. (The
/// tests for "a byte below n" and "a zero byte" are exact for whether any byte is one, which is all this asks.)
fn has_escape(word: u64) -> bool {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let zero_at = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = zero_at(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_at(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & HIGH_BITS != 0
}

/// `s` as a JSON string, escaped as `serde_json` escapes it: `"`, `\`, the short forms `\b \t \n \f \r`, other
/// control characters as `\u00xx`, and nothing else.
fn write_escaped(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push('"');
    // `run` is where the bytes not yet written start. `s` is cut only at an escaped byte and just after one, both
    // ASCII, so every slice taken here is on character boundaries (`at` itself may pass through a character).
    let mut run = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(Ok(word)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from)
            && !has_escape(u64::from_le_bytes(word))
        {
            at += 8;
            continue;
        }
        let Some(&byte) = bytes.get(at) else { break };
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(s.get(run..at).unwrap_or_default());
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(short);
        }
        at += 1;
        run = at;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::models::{MessageId, ThreadId, ThreadRunId, UserId};
    use crate::stream::events::tests::{field_value, fixture_items};
    use crate::stream::{ControlSignal, RunState, ToolPhase};
    use proptest::prelude::*;

    #[allow(clippy::expect_used)]
    fn ours(event: &StreamEvent) -> String {
        let mut out = String::new();
        event.write_json(&mut out).expect("writes");
        out
    }

    #[test]
    fn every_fixture_event_is_written_as_serde_json_writes_it() {
        let items = fixture_items();
        assert!(items.len() > 20);
        for item in items {
            let event = StreamEvent::from_text(&item).expect("a fixture item decodes");
            assert_eq!(
                ours(&event),
                serde_json::to_string(&event).expect("serialises"),
                "{item}"
            );
        }
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        // Each byte value at each position of an eight-byte word, between runs of plain text.
        let mut text = String::new();
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['é', '\u{7f}', '\u{2028}', '😀'])
        {
            for pad in 0..9 {
                text.push_str(&"x".repeat(pad));
                text.push(c);
            }
        }
        let event = StreamEvent::Content { text };
        assert_eq!(ours(&event), serde_json::to_string(&event).expect("serialises"));
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut out = String::new();
            write_u64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[a-z \"\\\\\n\t\u{1}\u{1f}é😀]{0,40}"]
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        prop::option::of(text())
    }

    fn event() -> impl Strategy<Value = StreamEvent> {
        let phase = prop::sample::select(ToolPhase::ALL.to_vec());
        let state = prop::sample::select(RunState::ALL.to_vec());
        let signal = prop::sample::select(ControlSignal::ALL.to_vec());
        prop_oneof![
            (any::<u64>(), text(), opt_text(), opt_text()).prop_map(|(sequence, text, run, thread)| {
                StreamEvent::AssistantChunk {
                    sequence,
                    text,
                    thread_run_id: run.map(ThreadRunId::new),
                    thread_id: thread.map(ThreadId::new),
                }
            }),
            (opt_text(), text(), opt_text(), opt_text(), field_value()).prop_map(
                |(message, text, run, thread, tool_calls)| StreamEvent::AssistantMessage {
                    message_id: message.map(MessageId::new),
                    text,
                    thread_run_id: run.map(ThreadRunId::new),
                    thread_id: thread.map(ThreadId::new),
                    tool_calls,
                }
            ),
            (opt_text(), opt_text()).prop_map(|(run, thread)| StreamEvent::ThreadRunStart {
                thread_run_id: run.map(ThreadRunId::new),
                thread_id: thread.map(ThreadId::new),
            }),
            opt_text().prop_map(|run| StreamEvent::AssistantResponseStart {
                thread_run_id: run.map(ThreadRunId::new),
            }),
            opt_text().prop_map(|run| StreamEvent::ThreadRunEnd {
                thread_run_id: run.map(ThreadRunId::new),
            }),
            (text(), opt_text()).prop_map(|(reason, run)| StreamEvent::Finish {
                reason,
                thread_run_id: run.map(ThreadRunId::new),
            }),
            (
                phase,
                (opt_text(), opt_text(), opt_text()),
                prop::option::of(any::<u64>()),
                opt_text(),
                opt_text(),
                any::<bool>()
            )
                .prop_map(
                    |(phase, (function_name, xml_tag_name, message), tool_index, call, linked, stop)| {
                        StreamEvent::Tool {
                            phase,
                            function_name,
                            xml_tag_name,
                            message,
                            tool_index,
                            tool_call_id: call,
                            linked_tool_result_message_id: linked.map(MessageId::new),
                            agent_should_terminate: stop,
                        }
                    }
                ),
            (
                (opt_text(), opt_text(), opt_text(), opt_text()),
                (
                    field_value(),
                    prop::option::of(any::<bool>()),
                    field_value(),
                    field_value()
                ),
                opt_text()
            )
                .prop_map(
                    |(
                        (message, function_name, xml_tag_name, tool_call_id),
                        (arguments, success, output, error),
                        by,
                    )| {
                        StreamEvent::ToolResult {
                            message_id: message.map(MessageId::new),
                            function_name,
                            xml_tag_name,
                            tool_call_id,
                            arguments,
                            success,
                            output,
                            error,
                            assistant_message_id: by.map(MessageId::new),
                        }
                    }
                ),
            (text(), opt_text()).prop_map(|(message, run)| StreamEvent::MessageError {
                message,
                thread_run_id: run.map(ThreadRunId::new),
            }),
            (state, opt_text()).prop_map(|(state, message)| StreamEvent::RunStatus { state, message }),
            signal.prop_map(|signal| StreamEvent::Control { signal }),
            (text(), field_value(), opt_text(), opt_text()).prop_map(
                |(event_type, data, timestamp, user)| {
                    StreamEvent::ManualEvent {
                        event_type,
                        data,
                        timestamp,
                        user_id: user.map(UserId::new),
                    }
                }
            ),
            text().prop_map(|text| StreamEvent::Content { text }),
            (text(), opt_text(), field_value(), field_value()).prop_map(
                |(message_type, message, content, metadata)| StreamEvent::Message {
                    message_type,
                    message_id: message.map(MessageId::new),
                    content,
                    metadata,
                }
            ),
            field_value().prop_map(|item| StreamEvent::Unknown { item }),
        ]
    }

    proptest! {
        /// Every kind of event, with any text and values, is written as `serde_json` writes it.
        #[test]
        fn events_are_written_as_serde_json_writes_them(event in event()) {
            prop_assert_eq!(ours(&event), serde_json::to_string(&event).expect("serialises"));
        }
    }
}
