//! Fuzzes the Server-Sent Events parser: feeding the input in one chunk and in chunks whose size is given by the
//! first input byte must give the same events, error and end-of-stream result. A small size limit (1 KiB)
//! exercises the limit path. Any panic is a bug.
#![no_main]

use helium_sdk::stream::sse::{SseError, SseEvent, SseParser};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 1024;

/// Everything observable from parsing one stream.
type Outcome = (Vec<SseEvent>, Option<SseError>, bool, Option<String>, Option<u64>);

fn parse<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut parser = SseParser::with_max_event_size(LIMIT);
    let mut events = Vec::new();
    let mut error = None;
    for chunk in chunks {
        if let Err(e) = parser.feed(chunk, &mut events) {
            // Poisoned: every later feed fails the same way.
            assert_eq!(parser.feed(b"data: x\n\n", &mut events), Err(e.clone()));
            error = Some(e);
            break;
        }
    }
    for event in &events {
        assert!(event.data.len() <= LIMIT);
        assert!(!event.id.as_deref().unwrap_or_default().contains('\0'));
    }
    let discarded = parser.finish();
    (
        events,
        error,
        discarded,
        parser.last_event_id().map(str::to_owned),
        parser.retry(),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, _)) = data.split_first() else {
        return;
    };
    let whole = parse([data]);
    let chunked = parse(data.chunks(usize::from(size).max(1)));
    assert_eq!(whole, chunked);
});
