//! Faulted stream runs: each run starts a scripted agent run on the dev backend, schedules a random fault on its
//! stream route, reads the stream with the SDK and compares what it delivered with the reference: a witness
//! stream of the same run read without faults (and, where the server still has it, the finished run's replay).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::Client;
use helium_sdk::models::{AgentRunId, InitiateAgentRequest};
use helium_sdk::stream::{ReconnectPolicy, StreamOptions};
use serde_json::{Value, json};

use crate::secrets::Scanner;
use crate::{Rng, describe};

/// The faults a run gets, one per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultClass {
    /// The connection is aborted at a random byte offset (once or twice).
    DropAtByte,
    /// The body ends cleanly at a random byte offset (a truncated body).
    Truncated,
    /// A drop, then the reconnects are refused by connection resets.
    Reset,
    /// The body stops at a random byte offset for longer than the stream's idle timeout.
    Stall,
    /// A drop, then a burst of 5xx answers to the reconnects.
    ServerErrors,
    /// CRLF, CR, BOM (and keep-alive pings) framing on every connection, with a drop.
    Framing,
    /// A drop, and the run ends while disconnected on a server that no longer keeps the items of ended runs.
    ExpiredReplay,
}

impl FaultClass {
    /// Every class.
    pub const ALL: [FaultClass; 7] = [
        FaultClass::DropAtByte,
        FaultClass::Truncated,
        FaultClass::Reset,
        FaultClass::Stall,
        FaultClass::ServerErrors,
        FaultClass::Framing,
        FaultClass::ExpiredReplay,
    ];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            FaultClass::DropAtByte => "drop at byte",
            FaultClass::Truncated => "truncated body",
            FaultClass::Reset => "connection reset",
            FaultClass::Stall => "stall > idle timeout",
            FaultClass::ServerErrors => "5xx burst on reconnect",
            FaultClass::Framing => "CRLF/CR/BOM framing",
            FaultClass::ExpiredReplay => "expired replay list",
        }
    }
}

/// A campaign's size and pacing.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Runs in all.
    pub runs: usize,
    /// Runs in flight at once.
    pub concurrency: usize,
    /// Seed of the fault choices.
    pub seed: u64,
    /// The dev backend's delay between scripted items.
    pub pace: Duration,
    /// A run still going after this long counts as a hang.
    pub hang_after: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            runs: 1000,
            concurrency: 32,
            seed: 16,
            pace: Duration::from_millis(10),
            hang_after: Duration::from_secs(60),
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The stream ended after its terminal event.
    Complete,
    /// The stream failed with this error (as [`describe`] names it).
    Error(String),
    /// Nothing ended it within the hang bound.
    Hang,
}

/// One run.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub class: FaultClass,
    /// The directives scheduled, in order.
    pub faults: Vec<String>,
    pub idle_timeout: Option<Duration>,
    pub outcome: Outcome,
    /// Items delivered by the faulted stream.
    pub delivered: usize,
    /// Items of the reference.
    pub reference: usize,
    /// Reference items missing before the end of what was delivered, or after it for a complete run.
    pub lost: usize,
    /// Items delivered more than once.
    pub duplicated: usize,
    /// Delivered items that differ from the reference at their position.
    pub mismatched: usize,
    /// The witness stream and the finished run's replay differ (not checked for the expired class).
    pub reference_disagrees: bool,
    /// The expired class only: the witness, or the faulted stream, connected after the run ended (and its items
    /// expired), so there is no reference to compare with.
    pub reference_missing: bool,
    pub duration: Duration,
}

impl RunRecord {
    /// The run met the bar: complete with the full sequence, or a typed error after an exact prefix; expected
    /// errors only (an expired replay is the one fault the SDK cannot recover from).
    pub fn ok(&self) -> bool {
        let exact =
            self.lost == 0 && self.duplicated == 0 && self.mismatched == 0 && !self.reference_disagrees;
        match &self.outcome {
            Outcome::Complete => exact && self.delivered == self.reference,
            Outcome::Error(e) => {
                exact && self.class == FaultClass::ExpiredReplay && e == "stream/replay_expired"
            }
            Outcome::Hang => false,
        }
    }
}

/// A campaign's result.
#[derive(Debug, Clone)]
pub struct FaultReport {
    pub runs: Vec<RunRecord>,
    /// Stream connections the faulted clients opened (from the dev backends' request logs).
    pub stream_connections: usize,
    pub duration: Duration,
    pub hang_after: Duration,
}

impl FaultReport {
    /// Runs that did not meet the bar.
    pub fn failures(&self) -> Vec<&RunRecord> {
        self.runs.iter().filter(|r| !r.ok()).collect()
    }

    /// The report as text: per class, the runs, outcomes, items, the longest run.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let total = |f: fn(&RunRecord) -> usize| self.runs.iter().map(f).sum::<usize>();
        out.push_str(&format!(
            "faulted runs: {} in {:.1} s, {} stream connections; items delivered {}, lost {}, duplicated {}, \
             mismatched {}; hangs {}; longest run {} ms (hang bound {} ms); runs failing the bar: {}; runs \
             without a reference (expired class, connected after the run ended): {}\n",
            self.runs.len(),
            self.duration.as_secs_f64(),
            self.stream_connections,
            total(|r| r.delivered),
            total(|r| r.lost),
            total(|r| r.duplicated),
            total(|r| r.mismatched),
            self.runs.iter().filter(|r| r.outcome == Outcome::Hang).count(),
            self.runs
                .iter()
                .map(|r| r.duration)
                .max()
                .unwrap_or_default()
                .as_millis(),
            self.hang_after.as_millis(),
            self.failures().len(),
            self.runs.iter().filter(|r| r.reference_missing).count(),
        ));
        for class in FaultClass::ALL {
            let runs: Vec<&RunRecord> = self.runs.iter().filter(|r| r.class == class).collect();
            if runs.is_empty() {
                continue;
            }
            let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
            for r in &runs {
                let name = match &r.outcome {
                    Outcome::Complete => "complete".to_owned(),
                    Outcome::Error(e) => e.clone(),
                    Outcome::Hang => "HANG".to_owned(),
                };
                *outcomes.entry(name).or_default() += 1;
            }
            let outcomes: Vec<String> = outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.push_str(&format!(
                "  {:<24} {:>4} runs: {}; longest {} ms\n",
                class.name(),
                runs.len(),
                outcomes.join(", "),
                runs.iter()
                    .map(|r| r.duration)
                    .max()
                    .unwrap_or_default()
                    .as_millis()
            ));
        }
        out
    }
}

/// The dev backends and clients of a campaign.
struct Rig {
    /// The backend as deployed (items kept 24 h).
    normal: DevServer,
    /// A backend that drops a run's items as soon as it ends.
    expiring: DevServer,
    scanner: Arc<Scanner>,
}

fn client(server: &DevServer, witness: bool) -> Result<Client, helium_sdk::Error> {
    let mut b = Client::builder()
        .base_url(server.api_url())
        .bearer_token(server.sample_token())
        .retry(
            helium_sdk::RetryPolicy::default()
                .backoff_between(Duration::from_millis(20), Duration::from_millis(200)),
        );
    if witness {
        // A per-request directive takes precedence over the schedule: the witness never gets the run's faults.
        b = b.default_header("x-devserver-fault", "delay_ms=0");
    }
    b.build()
}

async fn schedule(server: &DevServer, path: &str, fault: &str) -> Result<(), String> {
    let resp = reqwest::Client::new()
        .post(format!("{}/__devserver/faults", server.base_url()))
        .json(&json!({"method": "GET", "path": path, "fault": fault}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("scheduling {fault}: HTTP {}", resp.status()))
    }
}

/// Reads a stream to its end: the raw items, and the error if it failed.
async fn read(
    client: &Client,
    run: &AgentRunId,
    options: StreamOptions,
    scanner: &Scanner,
) -> (Vec<Value>, Option<helium_sdk::Error>) {
    let mut items = Vec::new();
    let mut stream = client.runs().stream_with(run, options);
    scanner.scan_debug("stream", &stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => {
                scanner.scan_debug("item", &item.event);
                items.push(item.raw());
            }
            Err(e) => {
                scanner.scan_error("stream error", &e);
                return (items, Some(e));
            }
        }
    }
    (items, None)
}

/// The faults of one run: the directives to schedule and the stream options.
fn plan(class: FaultClass, rng: &mut Rng) -> (Vec<String>, StreamOptions) {
    let fast = ReconnectPolicy {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..ReconnectPolicy::default()
    };
    let mut options = StreamOptions::default().reconnect(fast);
    // Half of the runs have an idle timeout (the stall class always).
    if rng.chance(50) {
        options = options.idle_timeout(Duration::from_millis(rng.between(300, 2000)));
    }
    let at = |rng: &mut Rng| rng.below(16_000);
    let faults = match class {
        FaultClass::DropAtByte => {
            let mut f = vec![format!("drop_at={}; times=1", at(rng))];
            if rng.chance(30) {
                f.push(format!("drop_at={}; times=1", at(rng)));
            }
            f
        }
        FaultClass::Truncated => vec![format!("eof_at={}; times=1", at(rng))],
        FaultClass::Reset => vec![
            format!("drop_at={}; times=1", at(rng)),
            format!("reset; times={}", rng.between(1, 2)),
        ],
        FaultClass::Stall => {
            options = options.idle_timeout(Duration::from_millis(rng.between(200, 500)));
            vec![format!("stall_at={}; stall_ms=60000; times=1", at(rng))]
        }
        FaultClass::ServerErrors => {
            let status = [500, 502, 503, 504][rng.below(4) as usize];
            vec![
                format!("drop_at={}; times=1", at(rng)),
                format!("status={status}; times={}", rng.between(1, 3)),
            ]
        }
        FaultClass::Framing => {
            let framing = [
                "crlf",
                "cr",
                "bom",
                "cr,bom",
                "crlf,bom",
                "crlf,pings",
                "cr,bom,pings",
            ][rng.below(7) as usize];
            vec![
                format!("framing={framing}; drop_at={}; times=1", at(rng)),
                format!("framing={framing}"),
            ]
        }
        FaultClass::ExpiredReplay => {
            // Past the first item, so that something was delivered; the reconnect waits until the run is over.
            options = options.reconnect(ReconnectPolicy {
                initial_delay: Duration::from_millis(1500),
                max_delay: Duration::from_millis(1500),
                check_status: false,
                ..ReconnectPolicy::default()
            });
            vec![format!("drop_at={}; times=1", rng.between(1500, 14_000))]
        }
    };
    (faults, options)
}

/// Counts how a delivered sequence departs from the reference: (lost, duplicated, mismatched).
pub fn compare(delivered: &[Value], reference: &[Value], complete: bool) -> (usize, usize, usize) {
    let mut seen = std::collections::HashSet::new();
    let duplicated = delivered.iter().filter(|v| !seen.insert(v.to_string())).count();
    let mismatched = delivered.iter().zip(reference).filter(|(d, r)| d != r).count()
        + delivered.len().saturating_sub(reference.len());
    let lost = if complete {
        reference.len().saturating_sub(delivered.len())
    } else {
        0
    };
    (lost, duplicated, mismatched)
}

async fn one_run(
    rig: &Rig,
    index: usize,
    class: FaultClass,
    mut rng: Rng,
    hang_after: Duration,
) -> Result<RunRecord, String> {
    let server = if class == FaultClass::ExpiredReplay {
        &rig.expiring
    } else {
        &rig.normal
    };
    let faulted = client(server, false).map_err(|e| e.to_string())?;
    let witness = client(server, true).map_err(|e| e.to_string())?;
    let run = faulted
        .agent()
        .initiate(&InitiateAgentRequest::new(format!("soak run {index}")))
        .await
        .map_err(|e| e.to_string())?
        .agent_run_id
        .ok_or("initiate gave no run id")?;
    let (faults, options) = plan(class, &mut rng);
    let path = format!("/api/agent-run/{run}/stream");
    // The witness connects first, while the run is live.
    let witness_task = {
        let (witness, run, scanner) = (witness.clone(), run.clone(), rig.scanner.clone());
        tokio::spawn(async move { read(&witness, &run, StreamOptions::default(), &scanner).await })
    };
    for f in &faults {
        schedule(server, &path, f).await?;
    }
    let started = Instant::now();
    let faulted_result = tokio::time::timeout(hang_after, read(&faulted, &run, options, &rig.scanner)).await;
    let duration = started.elapsed();
    let (live, witness_error) = witness_task.await.map_err(|e| e.to_string())?;
    if let Some(e) = witness_error {
        return Err(format!("the witness stream failed: {e}"));
    }
    // The finished run's replay, where the server keeps it.
    let reference_disagrees = if class == FaultClass::ExpiredReplay {
        false
    } else {
        let (replay, e) = read(&witness, &run, StreamOptions::default(), &rig.scanner).await;
        e.is_some() || replay != live
    };
    let (outcome, delivered) = match faulted_result {
        Err(_) => (Outcome::Hang, Vec::new()),
        Ok((items, None)) => (Outcome::Complete, items),
        Ok((items, Some(e))) => (Outcome::Error(describe(&e)), items),
    };
    // On the expiring backend a stream that connects after the run ended sees only the final `completed`, as
    // for any long-finished run. A witness that late leaves no reference (only duplicates and the outcome are
    // judged); a faulted stream that late never saw the fault, and its one `completed` is what the server has.
    let reference_missing = class == FaultClass::ExpiredReplay && live.len() <= 1;
    let started_late = class == FaultClass::ExpiredReplay
        && outcome == Outcome::Complete
        && delivered.len() == 1
        && delivered
            .first()
            .is_some_and(|v| v == &json!({"type": "status", "status": "completed"}));
    let reference_missing = reference_missing || started_late;
    let (lost, duplicated, mismatched) = if reference_missing {
        (0, compare(&delivered, &delivered, false).1, 0)
    } else {
        compare(&delivered, &live, outcome == Outcome::Complete)
    };
    Ok(RunRecord {
        class,
        faults,
        idle_timeout: options.idle_timeout,
        outcome,
        delivered: delivered.len(),
        reference: live.len(),
        lost,
        duplicated,
        mismatched,
        reference_disagrees,
        reference_missing,
        duration,
    })
}

async fn stream_connections(server: &DevServer) -> usize {
    let Ok(resp) = reqwest::get(format!("{}/__devserver/requests", server.base_url())).await else {
        return 0;
    };
    let log: Value = resp.json().await.unwrap_or_default();
    log.as_array()
        .map(|a| {
            a.iter()
                .filter(|r| {
                    r["path"].as_str().is_some_and(|p| p.ends_with("/stream")) && r["fault"] != "delay_ms=0"
                })
                .count()
        })
        .unwrap_or(0)
}

/// Runs a campaign against two in-process dev backends.
///
/// # Errors
/// When a backend cannot start or a run cannot be set up (not when the SDK fails: that is in the report).
pub async fn run(config: &FaultConfig) -> Result<FaultReport, String> {
    let start = |ttl: Option<Duration>, pace: Duration| {
        let mut options = DevServerOptions {
            pace,
            ..DevServerOptions::default()
        };
        if let Some(ttl) = ttl {
            options.response_ttl = ttl;
        }
        DevServer::start(options)
    };
    let rig = Arc::new(Rig {
        normal: start(None, config.pace).await.map_err(|e| e.to_string())?,
        // Four times slower, so that both streams connect while the run is live.
        expiring: start(Some(Duration::ZERO), config.pace * 4)
            .await
            .map_err(|e| e.to_string())?,
        scanner: Scanner::global(),
    });
    rig.scanner.add("access token", &rig.normal.sample_token());
    rig.scanner.add("access token", &rig.expiring.sample_token());
    let mut rng = Rng::new(config.seed);
    let jobs: Vec<(usize, FaultClass, Rng)> = (0..config.runs)
        .map(|i| {
            let class = FaultClass::ALL[i % FaultClass::ALL.len()];
            (i, class, Rng::new(rng.next_u64()))
        })
        .collect();
    let started = Instant::now();
    let hang_after = config.hang_after;
    let results: Vec<Result<RunRecord, String>> = futures::stream::iter(jobs)
        .map(|(i, class, rng)| {
            let rig = rig.clone();
            async move { one_run(&rig, i, class, rng, hang_after).await }
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    let duration = started.elapsed();
    let runs = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let stream_connections = stream_connections(&rig.normal).await + stream_connections(&rig.expiring).await;
    if let Ok(rig) = Arc::try_unwrap(rig) {
        rig.normal.shutdown().await;
        rig.expiring.shutdown().await;
    }
    Ok(FaultReport {
        runs,
        stream_connections,
        duration,
        hang_after,
    })
}
