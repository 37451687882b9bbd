//! Load from one native `Client`: many concurrent agent-run streams, then waves of concurrent small requests,
//! counting errors, the process's memory and the TCP connections the dev backend accepted (reuse).

use std::time::{Duration, Instant};

use futures::StreamExt;
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::Client;
use helium_sdk::models::{AgentRunId, InitiateAgentRequest};
use serde_json::Value;

use crate::mem;
use crate::secrets::Scanner;

/// The load's size.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Concurrent streams.
    pub streams: usize,
    /// Concurrent small requests per wave.
    pub requests: usize,
    /// Waves of requests (the second and later ones show reuse).
    pub waves: usize,
    /// The dev backend's delay between scripted items.
    pub pace: Duration,
}

impl Default for LoadConfig {
    fn default() -> Self {
        LoadConfig {
            streams: 200,
            requests: 1000,
            waves: 2,
            pace: Duration::from_millis(20),
        }
    }
}

/// One phase of the load.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    pub name: String,
    pub ok: usize,
    pub errors: usize,
    /// Stream items delivered (streams only).
    pub items: usize,
    /// TCP connections the backend accepted during the phase.
    pub new_connections: u64,
    pub duration: Duration,
    /// Resident set size before the phase and at its peak, in KiB.
    pub rss_before_kib: Option<u64>,
    pub rss_peak_kib: Option<u64>,
    /// Distinct error descriptions.
    pub error_kinds: Vec<String>,
}

/// The load's result.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub phases: Vec<Phase>,
    pub rss_end_kib: Option<u64>,
}

impl LoadReport {
    /// Errors in all phases.
    pub fn errors(&self) -> usize {
        self.phases.iter().map(|p| p.errors).sum()
    }

    /// The report as text.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for p in &self.phases {
            out.push_str(&format!(
                "{:<34} ok {:>5}, errors {:>3}{}, {:>5} new connections, {:>6} ms, RSS {} before, peak {}{}\n",
                p.name,
                p.ok,
                p.errors,
                if p.items > 0 {
                    format!(", {} items", p.items)
                } else {
                    String::new()
                },
                p.new_connections,
                p.duration.as_millis(),
                mem::mib(p.rss_before_kib),
                mem::mib(p.rss_peak_kib),
                if p.error_kinds.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.error_kinds.join(", "))
                }
            ));
        }
        out.push_str(&format!("RSS at the end: {}\n", mem::mib(self.rss_end_kib)));
        out
    }
}

async fn accepted(server: &DevServer) -> u64 {
    let Ok(resp) = reqwest::get(format!("{}/__devserver/connections", server.base_url())).await else {
        return 0;
    };
    let v: Value = resp.json().await.unwrap_or_default();
    v["accepted"].as_u64().unwrap_or(0)
}

/// Measures one phase: connections accepted (minus the two admin calls that count them), time, memory.
async fn phase<F, Fut>(server: &DevServer, name: String, body: F) -> Phase
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = (usize, usize, usize, Vec<String>)>,
{
    let before = accepted(server).await;
    let rss_before_kib = mem::rss_kib();
    mem::reset_peak();
    let started = Instant::now();
    let (ok, errors, items, mut error_kinds) = body().await;
    let duration = started.elapsed();
    let rss_peak_kib = mem::peak_kib();
    let after = accepted(server).await;
    error_kinds.sort();
    error_kinds.dedup();
    Phase {
        name,
        ok,
        errors,
        items,
        // Each `accepted` call is a connection of its own (reqwest::get builds a new client).
        new_connections: after.saturating_sub(before).saturating_sub(1),
        duration,
        rss_before_kib,
        rss_peak_kib,
        error_kinds,
    }
}

/// Runs the load against an in-process dev backend.
///
/// # Errors
/// When the backend cannot start or the runs cannot be initiated.
pub async fn run(config: &LoadConfig) -> Result<LoadReport, String> {
    let server = DevServer::start(DevServerOptions {
        pace: config.pace,
        ..DevServerOptions::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let scanner = Scanner::global();
    scanner.add("access token", &server.sample_token());
    let client = Client::builder()
        .base_url(server.api_url())
        .bearer_token(server.sample_token())
        .build()
        .map_err(|e| e.to_string())?;
    scanner.scan_debug("client", &client);

    // Runs to stream, started first (they play for ~27 × pace after their start).
    let runs: Vec<AgentRunId> = futures::stream::iter(0..config.streams)
        .map(|i| {
            let client = client.clone();
            async move {
                client
                    .agent()
                    .initiate(&InitiateAgentRequest::new(format!("load {i}")))
                    .await
                    .map_err(|e| e.to_string())?
                    .agent_run_id
                    .ok_or_else(|| "no run id".to_owned())
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<Result<_, _>>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;

    let mut report = LoadReport::default();
    let streams = config.streams;
    let streams_phase = phase(&server, format!("{streams} concurrent streams"), || {
        let client = client.clone();
        let scanner = scanner.clone();
        async move {
            let results = futures::future::join_all(runs.iter().map(|run| {
                let client = client.clone();
                let scanner = scanner.clone();
                async move {
                    let mut s = client.runs().stream(run);
                    let mut items = 0;
                    let mut terminal = false;
                    while let Some(item) = s.next().await {
                        match item {
                            Ok(item) => {
                                items += 1;
                                terminal = item.event.is_terminal();
                            }
                            Err(e) => {
                                scanner.scan_error("load stream", &e);
                                return Err(crate::describe(&e));
                            }
                        }
                    }
                    if terminal {
                        Ok(items)
                    } else {
                        Err("ended without a terminal event".to_owned())
                    }
                }
            }))
            .await;
            fold(results)
        }
    })
    .await;
    report.phases.push(streams_phase);

    for wave in 1..=config.waves {
        let n = config.requests;
        let p = phase(&server, format!("{n} concurrent requests, wave {wave}"), || {
            let client = client.clone();
            let scanner = scanner.clone();
            async move {
                let results = futures::future::join_all((0..n).map(|_| {
                    let client = client.clone();
                    let scanner = scanner.clone();
                    async move {
                        match client.health().await {
                            Ok(_) => Ok(0),
                            Err(e) => {
                                scanner.scan_error("load request", &e);
                                Err(crate::describe(&e))
                            }
                        }
                    }
                }))
                .await;
                fold(results)
            }
        })
        .await;
        report.phases.push(p);
    }
    report.rss_end_kib = mem::rss_kib();
    drop(client);
    server.shutdown().await;
    Ok(report)
}

fn fold(results: Vec<Result<usize, String>>) -> (usize, usize, usize, Vec<String>) {
    let mut ok = 0;
    let mut items = 0;
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(n) => {
                ok += 1;
                items += n;
            }
            Err(e) => errors.push(e),
        }
    }
    (ok, errors.len(), items, errors)
}
