//! The soak campaign, small: a few dozen faulted runs (every fault class), a little load, every hostile mode with
//! small sizes and small client limits, every kind of credential, and the secrets scan of all of it. Runs in CI
//! (`cargo test --workspace`); `helium-soak` runs the same code at full size.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use helium_devserver::hostile::{HostileMode, HostileOptions};
use helium_soak::{faults, hostile, load, secrets};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_campaign_in_small() {
    secrets::install_log_scanner();

    // 1. Faulted runs: every class several times; each ends complete with the reference sequence, or (an
    // expired replay) with the typed error after an exact prefix. The hang bound only catches a run that never
    // ends; it is not a timing expectation.
    let report = faults::run(&faults::FaultConfig {
        runs: 42,
        concurrency: 8,
        seed: 7,
        pace: Duration::from_millis(5),
        hang_after: Duration::from_secs(120),
    })
    .await
    .unwrap();
    println!("{}", report.summary());
    assert_eq!(report.runs.len(), 42);
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
    assert!(
        report.stream_connections > 42,
        "the faults made the clients reconnect"
    );

    // 2. Load: no errors; connections are reused by the second wave of requests.
    let report = load::run(&load::LoadConfig {
        streams: 20,
        requests: 100,
        waves: 2,
        pace: Duration::from_millis(5),
    })
    .await
    .unwrap();
    println!("{}", report.summary());
    assert_eq!(report.errors(), 0);
    assert_eq!(report.phases[0].ok, 20);
    assert!(report.phases[2].new_connections < report.phases[1].new_connections.max(1));

    // 3. The hostile server: every mode ends, each failure a typed error within the client's limits.
    let config = hostile::HostileConfig {
        server: HostileOptions {
            body_size: 8 << 20,
            bomb_size: 8 << 20,
            drip_interval: Duration::from_millis(20),
            depth: 100_000,
            endless_limit: 64 << 20,
            ..HostileOptions::default()
        },
        timeout: Duration::from_millis(500),
        max_response_size: Some(1 << 20),
        max_event_size: Some(256 << 10),
        idle_timeout: Duration::from_secs(2),
    };
    let token = helium_devserver::auth::token_for(
        helium_devserver::auth::SAMPLE_USER_ID,
        helium_devserver::jwt::DEFAULT_JWT_SECRET,
    );
    let report = hostile::run(&config, &token).await.unwrap();
    println!("{}", report.summary());
    let outcome = |mode: HostileMode, call: &str| {
        report
            .trials
            .iter()
            .find(|t| t.mode == mode && t.call == call)
            .map(|t| t.outcome.clone())
            .unwrap()
    };
    use HostileMode::*;
    assert_eq!(outcome(EndlessHeader, "json"), "network");
    assert_eq!(outcome(EndlessHeader, "stream"), "network");
    for mode in [EndlessLine, HugeBody, HugeChunked] {
        assert_eq!(outcome(mode, "json"), "decode/body_too_large", "{mode}");
        assert_eq!(outcome(mode, "stream"), "stream/event_too_large", "{mode}");
    }
    assert_eq!(outcome(GzipBomb, "json"), "decode");
    assert!(outcome(GzipBomb, "stream").starts_with("stream/"));
    assert_eq!(outcome(SlowDrip, "json"), "timeout");
    assert_eq!(outcome(SlowDrip, "stream"), "timeout");
    assert_eq!(outcome(SlowBody, "json"), "timeout");
    // A valid stream that drips faster than the idle timeout is slow, not broken: it completes.
    assert_eq!(outcome(SlowBody, "stream"), "complete");
    for mode in [InvalidUtf8, DeepJson, AbsurdNumbers] {
        assert_eq!(outcome(mode, "json"), "decode", "{mode}");
        assert_eq!(outcome(mode, "stream"), "stream/not_json", "{mode}");
    }
    for t in &report.trials {
        assert!(
            t.server_bytes < 64 << 20,
            "{} {}: the client stopped reading ({} bytes sent)",
            t.mode,
            t.call,
            t.server_bytes
        );
    }

    // 4. Every kind of credential, then 5. the scan of everything the runs printed.
    secrets::exercise_credentials().await.unwrap();
    let scan = secrets::Scanner::global().report();
    println!("{scan:?}");
    assert!(scan.log_lines > 100, "the SDK's logs were scanned");
    assert!(scan.needles >= 6);
    assert_eq!(scan.findings, Vec::<String>::new());
}
