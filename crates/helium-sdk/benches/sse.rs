//! Benchmarks of the Server-Sent Events parser: against `eventsource-stream` on a realistic agent-run stream, and
//! on one large event fed in chunks of various sizes (the cost must stay linear in the bytes, whatever the chunking).
//! Also the decoding of the items into typed events: `StreamEvent::from_text` against `decode` of the full
//! `serde_json` parse, on the same items.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventsource_stream::Eventsource;
use futures::StreamExt;
use helium_sdk::stream::StreamEvent;
use helium_sdk::stream::sse::SseParser;

const SAMPLE: &[u8] = include_bytes!("../../helium-devserver/fixtures/stream_sample.sse");
const SAMPLE_EVENTS: usize = 27;
const REALISTIC_CHUNK: usize = 4096;
const LARGE_EVENT_DATA: usize = 8 * 1024 * 1024;

/// Parses the chunks with our parser; returns the number of events.
fn ours(chunks: &[&[u8]]) -> usize {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    let mut count = 0;
    for chunk in chunks {
        parser.feed(chunk, &mut events).unwrap();
        count += events.len();
        for event in events.drain(..) {
            black_box(event);
        }
    }
    assert!(!parser.finish());
    count
}

/// Parses the chunks with `eventsource-stream`; returns the number of events.
fn theirs(chunks: &[Bytes]) -> usize {
    let stream = futures::stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>)).eventsource();
    futures::executor::block_on(stream.fold(0, |count, event| {
        black_box(event.unwrap());
        async move { count + 1 }
    }))
}

fn versus_eventsource_stream(c: &mut Criterion) {
    let repeats = (1 << 20) / SAMPLE.len() + 1;
    let body = SAMPLE.repeat(repeats);
    let chunks: Vec<&[u8]> = body.chunks(REALISTIC_CHUNK).collect();
    let shared = Bytes::from(body.clone());
    let byte_chunks: Vec<Bytes> = (0..body.len())
        .step_by(REALISTIC_CHUNK)
        .map(|i| shared.slice(i..(i + REALISTIC_CHUNK).min(body.len())))
        .collect();
    assert_eq!(ours(&chunks), repeats * SAMPLE_EVENTS);
    assert_eq!(theirs(&byte_chunks), repeats * SAMPLE_EVENTS);

    let mut group = c.benchmark_group("sample_1MB_4KiB_chunks");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("helium_sse", |b| b.iter(|| ours(black_box(&chunks))));
    group.bench_function("eventsource_stream", |b| {
        b.iter(|| theirs(black_box(&byte_chunks)))
    });
    group.finish();
}

fn large_event(c: &mut Criterion) {
    let mut body = b"data: ".to_vec();
    body.extend(std::iter::repeat_n(b'x', LARGE_EVENT_DATA));
    body.extend_from_slice(b"\n\n");

    let mut group = c.benchmark_group("one_8MB_event");
    group.throughput(Throughput::Bytes(body.len() as u64));
    let mut cases: [(&str, usize); 4] = [
        ("one_chunk", body.len()),
        ("1024_chunks", body.len().div_ceil(1024)),
        ("8192_byte_chunks", 8192),
        ("1024_byte_chunks", 1024),
    ];
    // HELIUM_BENCH_REVERSE=1 measures the cases in the opposite order (the allocator's state differs between
    // the first case and the later ones).
    if std::env::var_os("HELIUM_BENCH_REVERSE").is_some() {
        cases.reverse();
    }
    for (name, chunk_size) in cases {
        let chunks: Vec<&[u8]> = body.chunks(chunk_size).collect();
        assert_eq!(ours(&chunks), 1);
        group.bench_with_input(BenchmarkId::from_parameter(name), &chunks, |b, chunks| {
            b.iter(|| ours(black_box(chunks)))
        });
    }
    group.finish();
}

/// The sample run's items (the `data` of its events), decoded from their text.
fn item_decoding(c: &mut Criterion) {
    let text = std::str::from_utf8(SAMPLE).unwrap();
    let items: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
    assert_eq!(items.len(), SAMPLE_EVENTS);
    let bytes: usize = items.iter().map(|i| i.len()).sum();
    for item in &items {
        let full = StreamEvent::decode(&serde_json::from_str(item).unwrap());
        assert_eq!(StreamEvent::from_text(item).unwrap(), full);
    }
    let mut group = c.benchmark_group("sample_items_decoded");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("from_text", |b| {
        b.iter(|| {
            for item in &items {
                black_box(StreamEvent::from_text(black_box(item)).unwrap());
            }
        })
    });
    group.bench_function("full_parse_then_decode", |b| {
        b.iter(|| {
            for item in &items {
                let value: serde_json::Value = serde_json::from_str(black_box(item)).unwrap();
                black_box(StreamEvent::decode(&value));
            }
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = versus_eventsource_stream, large_event, item_decoding }
criterion_main!(benches);
