//! Assistant text as prose and tool calls.
//!
//! The agent calls tools with XML inside its text (contract §6.3):
//!
//! ```text
//! I'll create the page.
//!
//! <function_calls>
//! <invoke name="create_file">
//! <parameter name="file_path">index.html</parameter>
//! <parameter name="file_contents"><!DOCTYPE html>…</parameter>
//! </invoke>
//! </function_calls>
//! ```
//!
//! [`split_assistant_text`] turns a saved assistant message, or the chunks received so far, into
//! [`Segment`]s: text to show as prose, and tool calls with their name and parameters. Mid-stream, a call
//! that is still being written comes out with `complete: false` (its last parameter may be partial), and a
//! tag cut in the middle (`<functi`) is held back rather than shown as text.

use serde::{Deserialize, Serialize};

const OPEN: &str = "<function_calls>";
const CLOSE: &str = "</function_calls>";
const INVOKE_CLOSE: &str = "</invoke>";
const PARAM_CLOSE: &str = "</parameter>";

/// One parameter of a tool call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ToolParameter {
    /// The parameter's name.
    pub name: String,
    /// Its value, as written (may be partial in an incomplete call).
    pub value: String,
}

/// A tool call written in the assistant's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ToolCall {
    /// The function (`create_file`); empty while its name is still being written.
    pub name: String,
    /// The parameters, in order.
    pub parameters: Vec<ToolParameter>,
    /// False while the call is still being streamed (no `</invoke>` yet).
    pub complete: bool,
}

impl ToolCall {
    /// The value of a parameter.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }
}

/// A piece of assistant text: prose, or a tool call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Segment {
    /// Prose to show as it is.
    Text {
        /// The text.
        text: String,
    },
    /// A tool call.
    ToolCall {
        /// The call.
        #[serde(flatten)]
        call: ToolCall,
    },
}

/// Splits assistant text into prose and tool calls (see the module docs). Never fails: text that is not a
/// well-formed call block stays text, except a trailing partial opening tag (`<fu…`), which is held back.
pub fn split_assistant_text(text: &str) -> Vec<Segment> {
    split(text, 2)
}

/// As [`split_assistant_text`], for text that is still being streamed: a trailing `<` is held back too, so
/// that prose shown so far never has to be taken back when the next chunk turns it into a tag.
pub fn split_partial_assistant_text(text: &str) -> Vec<Segment> {
    split(text, 1)
}

fn split(text: &str, hold_back: usize) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let Some(start) = rest.find(OPEN) else {
            push_text(&mut segments, strip_partial_tag(rest, OPEN, hold_back));
            return segments;
        };
        push_text(&mut segments, &rest[..start]);
        let block = &rest[start + OPEN.len()..];
        let (inner, after) = match block.find(CLOSE) {
            Some(end) => (&block[..end], Some(&block[end + CLOSE.len()..])),
            None => (block, None),
        };
        parse_invokes(inner, &mut segments);
        match after {
            Some(after) => rest = after,
            None => return segments,
        }
    }
}

fn push_text(segments: &mut Vec<Segment>, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    segments.push(Segment::Text {
        text: text.to_owned(),
    });
}

/// `text` without a trailing prefix of `tag` at least `min` characters long (e.g. `"Hello <func"` →
/// `"Hello "`). Prose uses `min = 2`, so that a finished text ending in `<` is never cut; an unterminated
/// parameter value (which always ends in `</parameter>` eventually) uses 1.
fn strip_partial_tag<'a>(text: &'a str, tag: &str, min: usize) -> &'a str {
    for len in (min..tag.len()).rev() {
        if text.ends_with(&tag[..len]) {
            return &text[..text.len() - len];
        }
    }
    text
}

/// The invokes of one `<function_calls>` block (complete or still being written).
fn parse_invokes(mut inner: &str, segments: &mut Vec<Segment>) {
    while let Some(start) = inner.find("<invoke") {
        let after_tag = &inner[start + "<invoke".len()..];
        let Some(tag_end) = after_tag.find('>') else {
            // The opening tag is still being written.
            segments.push(tool_segment(ToolCall {
                name: attribute(after_tag, "name").unwrap_or_default(),
                parameters: Vec::new(),
                complete: false,
            }));
            return;
        };
        let name = attribute(&after_tag[..tag_end], "name").unwrap_or_default();
        let body = &after_tag[tag_end + 1..];
        let (body, complete, next) = match body.find(INVOKE_CLOSE) {
            Some(end) => (&body[..end], true, Some(&body[end + INVOKE_CLOSE.len()..])),
            None => (body, false, None),
        };
        segments.push(tool_segment(ToolCall {
            name,
            parameters: parameters(body),
            complete,
        }));
        match next {
            Some(next) => inner = next,
            None => return,
        }
    }
}

fn tool_segment(call: ToolCall) -> Segment {
    Segment::ToolCall { call }
}

/// The `<parameter name="…">value</parameter>` elements of an invoke body; an unterminated last one is kept
/// with the value written so far.
fn parameters(mut body: &str) -> Vec<ToolParameter> {
    let mut out = Vec::new();
    while let Some(start) = body.find("<parameter") {
        let after_tag = &body[start + "<parameter".len()..];
        let Some(tag_end) = after_tag.find('>') else {
            break;
        };
        let name = attribute(&after_tag[..tag_end], "name").unwrap_or_default();
        let value_and_rest = &after_tag[tag_end + 1..];
        match value_and_rest.find(PARAM_CLOSE) {
            Some(end) => {
                out.push(ToolParameter {
                    name,
                    value: value_and_rest[..end].to_owned(),
                });
                body = &value_and_rest[end + PARAM_CLOSE.len()..];
            }
            None => {
                out.push(ToolParameter {
                    name,
                    value: strip_partial_tag(value_and_rest, PARAM_CLOSE, 1).to_owned(),
                });
                break;
            }
        }
    }
    out
}

/// The value of `key="…"` in a tag's attributes (a missing closing quote takes the rest).
fn attribute(attrs: &str, key: &str) -> Option<String> {
    let pattern = format!("{key}=\"");
    let start = attrs.find(&pattern)? + pattern.len();
    let value = &attrs[start..];
    Some(match value.find('"') {
        Some(end) => value[..end].to_owned(),
        None => value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Segment {
        Segment::Text { text: s.to_owned() }
    }

    fn call(name: &str, params: &[(&str, &str)], complete: bool) -> Segment {
        Segment::ToolCall {
            call: ToolCall {
                name: name.to_owned(),
                parameters: params
                    .iter()
                    .map(|(n, v)| ToolParameter {
                        name: (*n).to_owned(),
                        value: (*v).to_owned(),
                    })
                    .collect(),
                complete,
            },
        }
    }

    const SAVED: &str = "I've created `index.html`.\n\n<function_calls>\n<invoke name=\"complete\">\n<parameter name=\"text\">Your page is ready.</parameter>\n</invoke>\n</function_calls>";

    #[test]
    fn a_saved_message_splits_into_prose_and_a_call() {
        assert_eq!(
            split_assistant_text(SAVED),
            vec![
                text("I've created `index.html`.\n\n"),
                call("complete", &[("text", "Your page is ready.")], true)
            ]
        );
    }

    #[test]
    fn every_prefix_of_a_streamed_message_parses_without_showing_xml() {
        for end in 0..=SAVED.len() {
            if !SAVED.is_char_boundary(end) {
                continue;
            }
            let segments = split_assistant_text(&SAVED[..end]);
            for s in &segments {
                if let Segment::Text { text } = s {
                    assert!(!text.contains("<f"), "prefix {end}: {text:?}");
                }
            }
            let calls: Vec<&Segment> = segments
                .iter()
                .filter(|s| matches!(s, Segment::ToolCall { .. }))
                .collect();
            assert!(calls.len() <= 1, "prefix {end}");
            if let Some(Segment::ToolCall { call }) = calls.first() {
                assert_eq!(call.complete, SAVED[..end].contains("</invoke>"), "prefix {end}");
                assert!(
                    "complete".starts_with(&call.name),
                    "prefix {end}: {:?}",
                    call.name
                );
                if let Some(p) = call.parameters.first() {
                    assert!(
                        "Your page is ready.".starts_with(&p.value),
                        "prefix {end}: {:?}",
                        p.value
                    );
                }
            }
        }
    }

    #[test]
    fn partial_text_holds_back_a_trailing_angle_bracket() {
        assert_eq!(split_partial_assistant_text("Hello <"), vec![text("Hello ")]);
        assert_eq!(split_assistant_text("Hello <"), vec![text("Hello <")]);
        // Shown prose only ever grows as chunks arrive.
        let mut shown = String::new();
        for end in 0..=SAVED.len() {
            if !SAVED.is_char_boundary(end) {
                continue;
            }
            let prose: String = split_partial_assistant_text(&SAVED[..end])
                .iter()
                .filter_map(|s| match s {
                    Segment::Text { text } => Some(text.as_str()),
                    Segment::ToolCall { .. } => None,
                })
                .collect();
            assert!(
                prose.starts_with(&shown),
                "prefix {end}: {prose:?} after {shown:?}"
            );
            shown = prose;
        }
    }

    #[test]
    fn several_calls_and_text_between() {
        let s = "A<function_calls><invoke name=\"a\"><parameter name=\"x\">1</parameter></invoke><invoke name=\"b\"></invoke></function_calls>B";
        assert_eq!(
            split_assistant_text(s),
            vec![
                text("A"),
                call("a", &[("x", "1")], true),
                call("b", &[], true),
                text("B")
            ]
        );
    }

    #[test]
    fn plain_text_and_angle_brackets_stay_text() {
        assert_eq!(
            split_assistant_text("a < b and <div>"),
            vec![text("a < b and <div>")]
        );
        assert_eq!(split_assistant_text(""), vec![]);
        assert_eq!(split_assistant_text("Hello <func"), vec![text("Hello ")]);
    }
}
