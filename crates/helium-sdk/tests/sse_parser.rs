//! The Server-Sent Events parser: one table case per rule of the WHATWG event-stream interpretation, the contract
//! sample, and property tests that any re-chunking of any byte stream gives the same result, which also matches a
//! straightforward whole-stream reference implementation of the specification.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use helium_sdk::stream::sse::{DEFAULT_MAX_EVENT_SIZE, SseError, SseEvent, SseParser};
use proptest::prelude::*;

/// Everything observable from parsing one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<SseEvent>,
    error: Option<SseError>,
    discarded: bool,
    last_event_id: Option<String>,
    retry: Option<u64>,
}

fn parse_chunks_with_limit<'a>(limit: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut parser = SseParser::with_max_event_size(limit);
    let mut events = Vec::new();
    let mut error = None;
    for chunk in chunks {
        if let Err(e) = parser.feed(chunk, &mut events) {
            error = Some(e);
            break;
        }
    }
    let discarded = parser.finish();
    Outcome {
        events,
        error,
        discarded,
        last_event_id: parser.last_event_id().map(str::to_owned),
        retry: parser.retry(),
    }
}

fn parse_chunks(chunks: &[&[u8]]) -> Outcome {
    parse_chunks_with_limit(DEFAULT_MAX_EVENT_SIZE, chunks.iter().copied())
}

/// Parses in one chunk, checks that 1-byte chunks give the same outcome, and returns it.
fn parse(stream: &[u8]) -> Outcome {
    let whole = parse_chunks(&[stream]);
    let bytewise = parse_chunks_with_limit(DEFAULT_MAX_EVENT_SIZE, stream.chunks(1));
    assert_eq!(whole, bytewise, "1-byte chunks differ for {stream:?}");
    whole
}

fn events(stream: &[u8]) -> Vec<SseEvent> {
    let outcome = parse(stream);
    assert_eq!(outcome.error, None);
    outcome.events
}

fn data_of(stream: &[u8]) -> Vec<String> {
    events(stream).into_iter().map(|e| e.data).collect()
}

fn message(data: &str) -> SseEvent {
    SseEvent {
        event: None,
        data: data.to_owned(),
        id: None,
        retry: None,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Line endings

#[test]
fn lf_line_endings() {
    assert_eq!(
        events(b"data: a\n\ndata: b\n\n"),
        vec![message("a"), message("b")]
    );
}

#[test]
fn cr_line_endings() {
    assert_eq!(
        events(b"data: a\r\rdata: b\r\r"),
        vec![message("a"), message("b")]
    );
}

#[test]
fn crlf_line_endings() {
    assert_eq!(
        events(b"data: a\r\n\r\ndata: b\r\n\r\n"),
        vec![message("a"), message("b")]
    );
}

#[test]
fn mixed_line_endings() {
    assert_eq!(
        data_of(b"data: a\rdata: b\ndata: c\r\n\n\r\r\ndata: d\n\r"),
        vec!["a\nb\nc", "d"]
    );
}

#[test]
fn cr_lf_split_across_chunks_is_one_line_ending() {
    // Were the LF a second line ending, the blank line would dispatch "a" alone.
    let outcome = parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
    assert_eq!(outcome.events, vec![message("a\nb")]);
    assert!(!outcome.discarded);
    // An empty chunk between the CR and the LF changes nothing.
    let outcome = parse_chunks(&[b"data: a\r", b"", b"\ndata: b\n\n"]);
    assert_eq!(outcome.events, vec![message("a\nb")]);
}

#[test]
fn cr_at_the_very_end_then_eof() {
    // The CR ends the data line, but no blank line follows: the event is discarded.
    let outcome = parse_chunks(&[b"data: a\r"]);
    assert_eq!(outcome.events, vec![]);
    assert!(outcome.discarded);
    // A final CR that is the blank line dispatches.
    let outcome = parse_chunks(&[b"data: a\r", b"\r"]);
    assert_eq!(outcome.events, vec![message("a")]);
    assert!(!outcome.discarded);
}

// ---------------------------------------------------------------------------------------------------------------
// Byte order mark

#[test]
fn bom_whole_is_skipped() {
    assert_eq!(data_of(b"\xEF\xBB\xBFdata: a\n\n"), vec!["a"]);
}

#[test]
fn bom_split_across_chunks_is_skipped() {
    let splits: [&[&[u8]]; 4] = [
        &[b"\xEF", b"\xBB\xBFdata: a\n\n"],
        &[b"\xEF\xBB", b"\xBFdata: a\n\n"],
        &[b"\xEF", b"\xBB", b"\xBF", b"data: a\n\n"],
        &[b"", b"\xEF\xBB\xBF", b"", b"data: a\n\n"],
    ];
    for chunks in splits {
        assert_eq!(parse_chunks(chunks).events, vec![message("a")], "{chunks:?}");
    }
}

#[test]
fn bom_only_at_stream_start() {
    // Mid-stream, U+FEFF is an ordinary character: here it makes the field name "\u{FEFF}data", ignored.
    assert_eq!(data_of(b"data: a\n\xEF\xBB\xBFdata: b\n\n"), vec!["a"]);
    // In a value it is data.
    assert_eq!(data_of(b"data: \xEF\xBB\xBFx\n\n"), vec!["\u{FEFF}x"]);
    // Only one BOM is skipped.
    assert_eq!(
        data_of(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n"),
        Vec::<String>::new()
    );
    assert_eq!(data_of(b"\xEF\xBB\xBF\xEF\xBB\xBF\ndata: a\n\n"), vec!["a"]);
}

#[test]
fn partial_bom_is_ordinary_input() {
    // EF BB then a line ending: a line holding one U+FFFD (an ignored field), then the event.
    assert_eq!(data_of(b"\xEF\xBB\ndata: a\n\n"), vec!["a"]);
    assert_eq!(data_of(b"\xEF\xBBdata: a\n\n"), Vec::<String>::new());
    let outcome = parse_chunks(&[b"\xEF", b"\xBB"]);
    assert_eq!(outcome.events, vec![]);
    assert!(!outcome.discarded);
}

// ---------------------------------------------------------------------------------------------------------------
// Lines and fields

#[test]
fn comments_are_ignored() {
    assert_eq!(
        events(b": hello\n:\ndata: a\n: between\ndata: b\n\n:last\n"),
        vec![message("a\nb")]
    );
    assert_eq!(events(b": only a comment\n\n"), vec![]);
}

#[test]
fn event_field_sets_the_type() {
    let events =
        events(b"event: update\ndata: a\n\ndata: b\n\nevent: x\nevent: y\ndata: c\n\nevent:\ndata: d\n\n");
    let types: Vec<_> = events.iter().map(|e| e.event.as_deref()).collect();
    // The type resets after dispatch; the last `event` field wins; an empty one means "message".
    assert_eq!(types, vec![Some("update"), None, Some("y"), None]);
}

#[test]
fn event_type_is_reset_by_a_blank_line_without_data() {
    assert_eq!(events(b"event: x\n\ndata: a\n\n"), vec![message("a")]);
}

#[test]
fn id_field_sets_the_last_event_id() {
    let outcome = parse(b"id: 42\ndata: a\n\n");
    assert_eq!(
        outcome.events,
        vec![SseEvent {
            id: Some("42".to_owned()),
            ..message("a")
        }]
    );
    assert_eq!(outcome.last_event_id.as_deref(), Some("42"));
}

#[test]
fn id_with_nul_is_ignored() {
    let outcome = parse(b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n");
    let ids: Vec<_> = outcome.events.iter().map(|e| e.id.as_deref()).collect();
    assert_eq!(ids, vec![Some("1"), Some("1")]);
    assert_eq!(outcome.last_event_id.as_deref(), Some("1"));
}

#[test]
fn id_persists_across_events_until_changed_or_reset() {
    let outcome = parse(b"id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\nid\ndata: d\n\nid: 9\n\n");
    let ids: Vec<_> = outcome.events.iter().map(|e| e.id.as_deref()).collect();
    // An empty id resets it.
    assert_eq!(ids, vec![Some("7"), Some("7"), Some("8"), None]);
    // A blank line commits the id even without data.
    assert_eq!(outcome.last_event_id.as_deref(), Some("9"));
}

#[test]
fn id_is_committed_only_at_a_blank_line() {
    let outcome = parse(b"id: 1\n\nid: 2\n");
    assert_eq!(outcome.last_event_id.as_deref(), Some("1"));
    // An id may hold any character but NUL.
    assert_eq!(
        parse(b"id: \xC3\xA9 x:y \n\n").last_event_id.as_deref(),
        Some("\u{e9} x:y ")
    );
}

#[test]
fn retry_field_sets_the_reconnection_time() {
    let outcome = parse(b"retry: 3000\ndata: a\n\ndata: b\n\nretry: 0\n\n");
    assert_eq!(
        outcome.events,
        vec![
            SseEvent {
                retry: Some(3000),
                ..message("a")
            },
            message("b")
        ]
    );
    // The parser keeps the last value, even one set without an event.
    assert_eq!(outcome.retry, Some(0));
}

#[test]
fn retry_with_non_digits_is_ignored() {
    for value in ["30s", " 3000", "3000 ", "-1", "+1", "1.5", "", "\u{661}", "0x10"] {
        let stream = format!("retry: 5\n\nretry: {value}\ndata: a\n\n");
        let outcome = parse(stream.as_bytes());
        assert_eq!(outcome.events, vec![message("a")], "{value:?}");
        assert_eq!(outcome.retry, Some(5), "{value:?}");
    }
}

#[test]
fn retry_overflow_is_ignored() {
    let outcome = parse(b"retry: 18446744073709551615\n\nretry: 18446744073709551616\ndata: a\n\n");
    assert_eq!(outcome.events, vec![message("a")]);
    assert_eq!(outcome.retry, Some(u64::MAX));
    assert_eq!(parse(b"retry: 99999999999999999999999\n\n").retry, None);
    assert_eq!(parse(b"retry: 00000000000000000000000012\n\n").retry, Some(12));
}

#[test]
fn field_without_colon_has_an_empty_value() {
    assert_eq!(data_of(b"data\n\n"), vec![""]);
    let events = events(b"event: x\nevent\ndata: a\n\n");
    assert_eq!(events, vec![message("a")]);
}

#[test]
fn value_without_leading_space() {
    assert_eq!(data_of(b"data:a\n\n"), vec!["a"]);
    assert_eq!(
        events(b"event:x\nid:1\ndata:a\n\n"),
        vec![SseEvent {
            event: Some("x".to_owned()),
            id: Some("1".to_owned()),
            ..message("a")
        }]
    );
}

#[test]
fn only_one_leading_space_is_removed() {
    assert_eq!(data_of(b"data:  a\n\n"), vec![" a"]);
    assert_eq!(data_of(b"data: a \n\n"), vec!["a "]);
    assert_eq!(data_of(b"data:\ta\n\n"), vec!["\ta"]);
    // Only the first colon separates; the rest is value.
    assert_eq!(data_of(b"data: a: b:c\n\n"), vec!["a: b:c"]);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    assert_eq!(
        data_of(b"data: YHOO\ndata: +2\ndata: 10\n\n"),
        vec!["YHOO\n+2\n10"]
    );
}

#[test]
fn empty_data_line_contributes_a_newline() {
    assert_eq!(data_of(b"data: a\ndata\ndata: b\n\n"), vec!["a\n\nb"]);
    assert_eq!(data_of(b"data\ndata\n\n"), vec!["\n"]);
    assert_eq!(data_of(b"data:\n\n"), vec![""]);
}

#[test]
fn event_without_data_is_not_dispatched() {
    assert_eq!(events(b"event: ping\nid: 5\nretry: 10\n\n\n\n"), vec![]);
}

#[test]
fn unknown_fields_are_ignored() {
    // Field names are case-sensitive and exact.
    assert_eq!(
        events(b"foo: bar\nData: x\nDATA: y\ndata : z\n data: w\ndata2: v\n\n"),
        vec![]
    );
    assert_eq!(events(b"foo: bar\ndata: a\nEvent: x\n\n"), vec![message("a")]);
}

#[test]
fn whatwg_examples() {
    let outcome =
        parse(b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n");
    assert_eq!(
        outcome.events,
        vec![
            SseEvent {
                id: Some("1".to_owned()),
                ..message("first event")
            },
            message("second event"),
        ]
    );
    assert!(outcome.discarded);

    let outcome = parse(b"data\n\ndata\ndata\n\ndata:");
    assert_eq!(outcome.events, vec![message(""), message("\n")]);
    assert!(outcome.discarded);

    assert_eq!(data_of(b"data:test\n\ndata: test\n\n"), vec!["test", "test"]);
}

// ---------------------------------------------------------------------------------------------------------------
// UTF-8

#[test]
fn utf8_characters_split_at_every_point() {
    for ch in ['\u{e9}', '\u{20ac}', '\u{1F600}'] {
        let stream = format!("data: {ch}{ch}\n\n");
        let bytes = stream.as_bytes();
        let expected = vec![message(&format!("{ch}{ch}"))];
        for first in 0..=bytes.len() {
            for second in first..=bytes.len() {
                let chunks = [&bytes[..first], &bytes[first..second], &bytes[second..]];
                assert_eq!(
                    parse_chunks(&chunks).events,
                    expected,
                    "{ch:?} split at {first}, {second}"
                );
            }
        }
        assert_eq!(events(bytes), expected);
    }
}

#[test]
fn invalid_utf8_is_replaced() {
    assert_eq!(data_of(b"data: a\xFFb\n\n"), vec!["a\u{FFFD}b"]);
    // A truncated sequence is one replacement character (maximal subpart), even at the end of a line.
    assert_eq!(data_of(b"data: \xF0\x9F\x98\n\n"), vec!["\u{FFFD}"]);
    assert_eq!(data_of(b"data: \xE2\x82x\n\n"), vec!["\u{FFFD}x"]);
    // Overlong encodings and surrogates: one replacement per byte.
    assert_eq!(data_of(b"data: \xC0\xAF\n\n"), vec!["\u{FFFD}\u{FFFD}"]);
    assert_eq!(
        data_of(b"data: \xED\xA0\x80\n\n"),
        vec!["\u{FFFD}\u{FFFD}\u{FFFD}"]
    );
    // A truncated sequence never swallows the line ending.
    assert_eq!(data_of(b"data: \xE2\n\xE2\x82\ndata: b\n\n"), vec!["\u{FFFD}\nb"]);
    assert_eq!(
        data_of(b"data: \xF0\x9F\x98\rdata: \xF0\r\r"),
        vec!["\u{FFFD}\n\u{FFFD}"]
    );
    // Invalid bytes in a field name make an unknown field; in event/id they are replaced.
    assert_eq!(data_of(b"d\xFFata: a\n\n"), Vec::<String>::new());
    assert_eq!(
        events(b"event: \xFF\nid: \xFE\ndata: a\n\n"),
        vec![SseEvent {
            event: Some("\u{FFFD}".to_owned()),
            id: Some("\u{FFFD}".to_owned()),
            ..message("a")
        }]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Size limit

fn too_large(limit: usize) -> Option<SseError> {
    Some(SseError::EventTooLarge { limit })
}

#[test]
fn limit_exceeded_by_one_long_line_then_poisoned() {
    let mut stream = b"data: ok\n\ndata: ".to_vec();
    stream.extend(std::iter::repeat_n(b'a', 100));
    stream.extend_from_slice(b"\n\n");
    for chunk_size in [1, 7, stream.len()] {
        let mut parser = SseParser::with_max_event_size(64);
        let mut events = Vec::new();
        let mut error = None;
        for chunk in stream.chunks(chunk_size) {
            if let Err(e) = parser.feed(chunk, &mut events) {
                error = Some(e);
                break;
            }
        }
        assert_eq!(error, too_large(64), "chunk size {chunk_size}");
        assert_eq!(
            events,
            vec![message("ok")],
            "events before the error are delivered"
        );
        // Poisoned: every further feed fails, even an innocent one.
        assert_eq!(
            parser.feed(b"data: x\n\n", &mut events),
            Err(SseError::EventTooLarge { limit: 64 })
        );
        assert_eq!(
            parser.feed(b"", &mut events),
            Err(SseError::EventTooLarge { limit: 64 })
        );
        assert_eq!(events.len(), 1);
        assert!(!parser.finish());
        assert_eq!(
            parser.feed(b"\n", &mut events),
            Err(SseError::EventTooLarge { limit: 64 })
        );
    }
}

#[test]
fn limit_exceeded_by_an_unterminated_line() {
    let mut parser = SseParser::with_max_event_size(16);
    let mut events = Vec::new();
    parser.feed(b"data: 0123456789", &mut events).unwrap();
    assert_eq!(
        parser.feed(b"x", &mut events),
        Err(SseError::EventTooLarge { limit: 16 })
    );
    // Comments and other fields count as well: the bound is on any line.
    let outcome = parse_chunks_with_limit(16, [b": a comment of 17".as_slice()]);
    assert_eq!(outcome.error, too_large(16));
}

#[test]
fn limit_exceeded_by_many_data_lines() {
    let stream = b"data: 0123456789\n".repeat(20);
    for chunk_size in [1, 5, stream.len()] {
        let outcome = parse_chunks_with_limit(100, stream.chunks(chunk_size));
        assert_eq!(outcome.error, too_large(100), "chunk size {chunk_size}");
        assert_eq!(outcome.events, vec![]);
    }
    // The same lines as separate events are fine.
    let stream = b"data: 0123456789\n\n".repeat(20);
    assert_eq!(parse_chunks_with_limit(100, [stream.as_slice()]).events.len(), 20);
}

#[test]
fn exactly_at_limit_is_allowed() {
    // One line of exactly the limit.
    let outcome = parse_chunks_with_limit(16, [b"data: 0123456789\n\n".as_slice()]);
    assert_eq!(
        (outcome.events, outcome.error),
        (vec![message("0123456789")], None)
    );
    let outcome = parse_chunks_with_limit(15, [b"data: 0123456789\n\n".as_slice()]);
    assert_eq!(outcome.error, too_large(15));
    // Data buffer ("abcdefghi\n", 10 bytes) plus a line of 10 bytes: exactly 20.
    let outcome = parse_chunks_with_limit(20, b"data:abcdefghi\ndata:abcde\n\n".chunks(1));
    assert_eq!(
        (outcome.events, outcome.error),
        (vec![message("abcdefghi\nabcde")], None)
    );
    let outcome = parse_chunks_with_limit(20, b"data:abcdefghi\ndata:abcdef\n\n".chunks(1));
    assert_eq!(outcome.error, too_large(20));
}

#[test]
fn limit_counts_decoded_data() {
    // 4 invalid bytes decode to 4 replacement characters: 12 bytes of data plus the newline.
    let outcome = parse_chunks_with_limit(12, [b"data:\xFF\xFF\xFF\xFF\n\n".as_slice()]);
    assert_eq!(outcome.error, too_large(12));
    let outcome = parse_chunks_with_limit(13, [b"data:\xFF\xFF\xFF\xFF\n\n".as_slice()]);
    assert_eq!(outcome.events, vec![message("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")]);
}

#[test]
fn zero_limit_accepts_only_blank_lines() {
    assert_eq!(parse_chunks_with_limit(0, [b"\n\r\n\r".as_slice()]).error, None);
    assert_eq!(
        parse_chunks_with_limit(0, [b"\n:\n".as_slice()]).error,
        too_large(0)
    );
}

#[test]
fn default_limit() {
    assert_eq!(DEFAULT_MAX_EVENT_SIZE, 16 * 1024 * 1024);
    let err = SseError::EventTooLarge {
        limit: DEFAULT_MAX_EVENT_SIZE,
    };
    assert!(err.to_string().contains("16777216"), "{err}");
}

// ---------------------------------------------------------------------------------------------------------------
// End of stream

#[test]
fn finish_discards_a_partial_event() {
    let outcome = parse(b"data: a\n\ndata: b\n");
    assert_eq!(outcome.events, vec![message("a")]);
    assert!(outcome.discarded);
    // An unterminated data line.
    assert!(parse(b"data: a\n\ndata: b").discarded);
    assert!(parse(b"data").discarded);
    // Nothing that would have been dispatched.
    assert!(!parse(b"").discarded);
    assert!(!parse(b"data: a\n\n").discarded);
    assert!(!parse(b"data: a\n\n: comment").discarded);
    assert!(!parse(b"event: x\nid: 3\n").discarded);
    assert!(!parse(b"retry: 10").discarded);
    assert!(!parse(b"dat").discarded);
}

#[test]
fn finish_discards_pending_fields_and_readies_a_new_stream() {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    parser
        .feed(b"id: 1\n\nevent: x\nid: 2\nretry: 7\ndata: partial", &mut events)
        .unwrap();
    assert!(parser.finish());
    assert_eq!(parser.last_event_id(), Some("1"));
    assert_eq!(parser.retry(), Some(7));
    // A second stream: its BOM is skipped, the event type and data do not leak, the id carries over.
    parser.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut events).unwrap();
    assert_eq!(
        events,
        vec![SseEvent {
            id: Some("1".to_owned()),
            ..message("b")
        }]
    );
    assert!(!parser.finish());
    // finish is idempotent.
    assert!(!parser.finish());
}

#[test]
fn new_and_default_agree() {
    let mut a = SseParser::new();
    let mut b = SseParser::default();
    let mut out_a = Vec::new();
    let mut out_b = Vec::new();
    a.feed(b"data: x\n\n", &mut out_a).unwrap();
    b.feed(b"data: x\n\n", &mut out_b).unwrap();
    assert_eq!(out_a, out_b);
    assert_eq!((a.last_event_id(), a.retry()), (None, None));
}

// ---------------------------------------------------------------------------------------------------------------
// The contract sample

#[test]
fn contract_sample_parses_into_27_json_events() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../helium-devserver/fixtures/stream_sample.sse"
    );
    let bytes = std::fs::read(path).expect("read the sample");
    let outcome = parse(&bytes);
    assert_eq!(outcome.error, None);
    assert!(!outcome.discarded);
    assert_eq!(outcome.events.len(), 27);
    for event in &outcome.events {
        assert_eq!((&event.event, &event.id, event.retry), (&None, &None, None));
        let value: serde_json::Value = serde_json::from_str(&event.data).expect("data is JSON");
        assert!(value.get("type").is_some(), "{value}");
    }
    let last: serde_json::Value = serde_json::from_str(&outcome.events[26].data).unwrap();
    assert_eq!(last["status"], "completed");
    for chunk_size in [2, 3, 64, 4096] {
        assert_eq!(
            parse_chunks_with_limit(DEFAULT_MAX_EVENT_SIZE, bytes.chunks(chunk_size)),
            outcome
        );
    }
    // With CRLF line endings the result is the same.
    let crlf = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
    assert_eq!(parse(crlf.as_bytes()), outcome);
}

#[test]
fn large_event_in_one_byte_chunks() {
    // 1 MiB in 1-byte chunks must be quick (linear).
    let mut stream = b"data: ".to_vec();
    stream.extend(std::iter::repeat_n(b'x', 1 << 20));
    stream.extend_from_slice(b"\n\n");
    let start = std::time::Instant::now();
    let outcome = parse_chunks_with_limit(DEFAULT_MAX_EVENT_SIZE, stream.chunks(1));
    assert_eq!(outcome.events.len(), 1);
    assert_eq!(outcome.events[0].data.len(), 1 << 20);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/// A straightforward reference: decode the whole stream, then apply the specification line by line.
fn reference(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    let mut rest = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), String::new());
    let (mut last_event_id, mut retry, mut pending_retry) = (String::new(), None, None);
    let mut events = Vec::new();
    while let Some(end) = rest.find(['\r', '\n']) {
        let line = &rest[..end];
        rest = rest[end..].strip_prefix("\r\n").unwrap_or(&rest[end + 1..]);
        if line.is_empty() {
            last_event_id.clone_from(&id_buffer);
            let retry = pending_retry.take();
            if !data.is_empty() {
                data.pop();
                events.push(SseEvent {
                    event: (!event_type.is_empty()).then(|| event_type.clone()),
                    data: std::mem::take(&mut data),
                    id: (!last_event_id.is_empty()).then(|| last_event_id.clone()),
                    retry,
                });
            }
            event_type.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    retry = Some(ms);
                    pending_retry = Some(ms);
                }
            }
            _ => {}
        }
    }
    let discarded = !data.is_empty() || rest.split(':').next() == Some("data");
    Outcome {
        events,
        error: None,
        discarded,
        last_event_id: (!last_event_id.is_empty()).then_some(last_event_id),
        retry,
    }
}

/// Fragments that make SSE-like streams.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:", "retry: ", "foo:", ":", ": ",
            " ", "\n", "\r", "\r\n", "\n\n", "\r\n\r\n", "\u{FEFF}", "\0", "\u{e9}", "\u{20ac}", "\u{1F600}",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        2 => "[0-9]{1,22}".prop_map(String::into_bytes),
        2 => "\\PC{0,6}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..6),
        1 => prop::sample::select(vec![
            &b"\xEF"[..], b"\xEF\xBB", b"\xBB\xBF", b"\xBF", b"\xF0\x9F", b"\x98\x80", b"\xC3", b"\xA9", b"\xFF",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
}

fn sse_stream() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), prop::collection::vec(fragment(), 0..48)).prop_map(|(bom, fragments)| {
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(fragments.concat());
        bytes
    })
}

fn arbitrary_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![3 => any::<u8>(), 1 => prop::sample::select(b"\r\n: \xEF\xBB\xBFdata".to_vec())],
        0..400,
    )
}

/// Splits `bytes` at the given points (indices into its length, in any order).
fn split_at_points<'a>(bytes: &'a [u8], points: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p.index(bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&bytes[start..cut]);
        start = cut;
    }
    chunks.push(&bytes[start..]);
    chunks
}

fn check_rechunking(bytes: &[u8], points: &[prop::sample::Index], limit: usize) -> Result<(), TestCaseError> {
    let whole = parse_chunks_with_limit(limit, [bytes]);
    let split = parse_chunks_with_limit(limit, split_at_points(bytes, points));
    prop_assert_eq!(&split, &whole);
    let bytewise = parse_chunks_with_limit(limit, bytes.chunks(1));
    prop_assert_eq!(&bytewise, &whole);
    if limit == DEFAULT_MAX_EVENT_SIZE {
        prop_assert_eq!(&whole, &reference(bytes));
    }
    Ok(())
}

fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(DEFAULT_MAX_EVENT_SIZE), 1 => 0..64_usize]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn sse_streams_parse_the_same_however_chunked(
        bytes in sse_stream(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
        limit in limit(),
    ) {
        check_rechunking(&bytes, &points, limit)?;
    }

    #[test]
    fn arbitrary_bytes_parse_the_same_however_chunked(
        bytes in arbitrary_bytes(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
        limit in limit(),
    ) {
        check_rechunking(&bytes, &points, limit)?;
    }
}
