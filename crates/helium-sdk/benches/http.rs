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
    let server = rt
        .block_on(DevServer::start(DevServerOptions::default()))
        .expect("dev backend");
    let url = format!("{}/health", server.api_url());
    let sdk = Client::builder()
        .base_url(server.api_url())
        .build()
        .expect("client");
    let raw = reqwest::Client::new();

    let mut group = c.benchmark_group("get_round_trip");
    group.measurement_time(Duration::from_secs(5)).sample_size(30);
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let resp = raw
                .get(&url)
                .header("accept", "application/json")
                .send()
                .await
                .expect("send");
            let bytes = resp.bytes().await.expect("body");
            let health: HealthResponse = serde_json::from_slice(&bytes).expect("decode");
            health
        })
    });
    group.bench_function("helium_sdk", |b| {
        b.to_async(&rt)
            .iter(|| async { sdk.health().await.expect("health") })
    });
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
