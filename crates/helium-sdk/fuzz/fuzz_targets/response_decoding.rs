//! Fuzzes response decoding: an arbitrary status, headers and body through the error classifier (FastAPI and
//! PostgREST bodies, wrapped statuses, Retry-After and rate-limit headers, secret redaction), the success
//! models of the backend's answers, and the agent-stream item decoder. Whatever the bytes, decoding ends in a
//! value or a typed error; for one input in four, a token spliced into the body (at a position the input picks)
//! must not reach the `Display` or `Debug` output of the error. Any panic is a bug.
#![no_main]

use helium_sdk::models::{
    AgentRun, AgentRunsList, AgentStartResponse, AgentsList, BillingSubscription, CreditBalance, FileList,
    HealthResponse, InitiateAgentResponse, QuickActionResponse, RealtimeItem, ThreadMessages, ThreadsList,
};
use helium_sdk::stream::{RunTranscript, StreamEvent};
use helium_sdk::{ErrorKind, fuzzing};
use libfuzzer_sys::fuzz_target;

/// A token that must never reach an error message, whatever the body around it.
const SECRET: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

fn decode_all(status: u16, body: &[u8]) {
    macro_rules! each {
        ($($t:ty),*) => {$(
            if let Err(e) = fuzzing::decode::<$t>(status, body) {
                assert_eq!(e.kind(), ErrorKind::Decode);
            }
        )*};
    }
    each!(
        HealthResponse,
        AgentRun,
        AgentRunsList,
        InitiateAgentResponse,
        AgentStartResponse,
        ThreadsList,
        ThreadMessages,
        FileList,
        BillingSubscription,
        CreditBalance,
        AgentsList,
        QuickActionResponse
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // The first line is a header value (Retry-After, X-RateLimit-*), the rest the body.
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let header = String::from_utf8_lossy(header).into_owned();
    let status = [
        200, 400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504, 599, 418,
    ][usize::from(selector & 15)];
    let headers = vec![
        ("retry-after".to_owned(), header.clone()),
        ("x-ratelimit-limit".to_owned(), header.clone()),
        ("x-ratelimit-remaining".to_owned(), header.clone()),
        ("x-ratelimit-reset".to_owned(), header.clone()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    let _ = fuzzing::retry_after(&header);

    // Error bodies.
    let error = fuzzing::classify(status, &headers, body);
    let _ = (
        error.kind(),
        error.retry_after(),
        error.rate_limit(),
        error.detail(),
        error.code(),
    );
    let _ = error.to_string();

    // One input in four: a secret spliced into the body never reaches an error's Display or Debug output.
    if selector & 0x30 == 0 {
        let mut spliced = body.to_vec();
        let at = usize::from(body.last().copied().unwrap_or(0)) * spliced.len() / 255;
        spliced.splice(at..at, SECRET.bytes());
        let error = fuzzing::classify(status, &headers, &spliced);
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(SECRET), "a secret in an error message: {text}");
        }
        if let Err(e) = fuzzing::decode::<AgentRun>(200, &spliced) {
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(SECRET), "a secret in a decode error: {text}");
            }
        }
    }

    // Success bodies.
    decode_all(200, body);

    // Stream items, and a transcript of them.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let event = StreamEvent::decode(&value);
        let _ = event.is_terminal();
        let mut transcript = RunTranscript::default();
        transcript.push(&event);
        let _ = RealtimeItem::from_value(value);
    }
});
