//! A GET round trip on loopback against the dev backend: the SDK (`client.health()`: request id, timeout,
//! retry policy, error mapping, typed decode) versus raw reqwest doing the same request and the same typed
//! decode, in the same run.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::Client;
use helium_sdk::models::HealthResponse;

fn round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("get_round_trip");
    group.measurement_time(Duration::from_secs(5)).sample_size(30);

    // Each side gets a fresh dev backend, so that neither pays for the other's request log.
    let server = rt
        .block_on(DevServer::start(DevServerOptions::default()))
        .expect("dev backend");
    let url = format!("{}/health", server.api_url());
    let raw = reqwest::Client::new();
    group.bench_function("raw_reqwest", |b| b.to_async(&rt).iter(|| raw_health(&raw, &url)));
    rt.block_on(server.shutdown());

    let server = rt
        .block_on(DevServer::start(DevServerOptions::default()))
        .expect("dev backend");
    let sdk = Client::builder()
        .base_url(server.api_url())
        .build()
        .expect("client");
    group.bench_function("helium_sdk", |b| {
        b.to_async(&rt)
            .iter(|| async { sdk.health().await.expect("health") })
    });
    rt.block_on(server.shutdown());
    group.finish();

    // The same comparison interleaved against one backend (criterion measures one side after the other, and on
    // two cores that order shows up as noise): rounds of 200 calls each, alternating; median ratio of the rounds.
    let server = rt
        .block_on(DevServer::start(DevServerOptions::default()))
        .expect("dev backend");
    let url = format!("{}/health", server.api_url());
    let sdk = Client::builder()
        .base_url(server.api_url())
        .build()
        .expect("client");
    let mut ratios: Vec<f64> = rt.block_on(async {
        let mut ratios = Vec::new();
        for round in 0..30 {
            let time_raw = async {
                let t = std::time::Instant::now();
                for _ in 0..200 {
                    raw_health(&raw, &url).await;
                }
                t.elapsed().as_secs_f64()
            };
            let time_sdk = async {
                let t = std::time::Instant::now();
                for _ in 0..200 {
                    sdk.health().await.expect("health");
                }
                t.elapsed().as_secs_f64()
            };
            let (r, s) = if round % 2 == 0 {
                let r = time_raw.await;
                (r, time_sdk.await)
            } else {
                let s = time_sdk.await;
                (time_raw.await, s)
            };
            ratios.push(s / r);
        }
        ratios
    });
    ratios.sort_by(f64::total_cmp);
    println!(
        "get_round_trip interleaved: helium_sdk / raw_reqwest median ratio {:.3} (quartiles {:.3}–{:.3}, 30 rounds of 200 calls)",
        ratios[15], ratios[7], ratios[22]
    );

    // Paired, call by call: each pair times one raw call and one SDK call back to back, alternating which goes
    // first, so that both sides of a pair meet the same state of the machine. Reported: the ratio of the two
    // sides' median call times, with a 95 % bootstrap interval over the pairs.
    const PAIRS: usize = 20_000;
    let (raw_times, sdk_times) = rt.block_on(async {
        let raw_call = || async {
            let t = std::time::Instant::now();
            raw_health(&raw, &url).await;
            t.elapsed().as_secs_f64()
        };
        let sdk_call = || async {
            let t = std::time::Instant::now();
            sdk.health().await.expect("health");
            t.elapsed().as_secs_f64()
        };
        for _ in 0..500 {
            raw_call().await;
            sdk_call().await;
        }
        let mut raw_times = Vec::with_capacity(PAIRS);
        let mut sdk_times = Vec::with_capacity(PAIRS);
        for i in 0..PAIRS {
            if i % 2 == 0 {
                raw_times.push(raw_call().await);
                sdk_times.push(sdk_call().await);
            } else {
                sdk_times.push(sdk_call().await);
                raw_times.push(raw_call().await);
            }
        }
        (raw_times, sdk_times)
    });
    rt.block_on(server.shutdown());
    let ratio = median(&sdk_times) / median(&raw_times);
    let (low, high) = bootstrap_interval(&raw_times, &sdk_times);
    println!(
        "get_round_trip paired: helium_sdk / raw_reqwest ratio of median call times {ratio:.3} (95 % bootstrap interval {low:.3}–{high:.3}; medians {:.1} µs and {:.1} µs, {PAIRS} pairs)",
        median(&raw_times) * 1e6,
        median(&sdk_times) * 1e6,
    );
}

/// The baseline: the same request and typed decode with raw reqwest.
async fn raw_health(raw: &reqwest::Client, url: &str) -> HealthResponse {
    let resp = raw
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .expect("send");
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("decode")
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The 2.5th and 97.5th percentiles of the ratio of medians over 1000 resamples of the pairs.
fn bootstrap_interval(raw: &[f64], sdk: &[f64]) -> (f64, f64) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = raw.len();
    let mut ratios = Vec::with_capacity(1000);
    let (mut r, mut s) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..1000 {
        for k in 0..n {
            let i = (next() % n as u64) as usize;
            r[k] = raw[i];
            s[k] = sdk[i];
        }
        ratios.push(median(&s) / median(&r));
    }
    ratios.sort_by(f64::total_cmp);
    (ratios[25], ratios[974])
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
