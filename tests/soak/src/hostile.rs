//! The hostile server: every mode of `helium-devserver`'s hostile mode, against a JSON call
//! (`GET /agent-run/{id}`) and the agent-run stream of one native `Client`, with the outcome, the time it took,
//! the peak memory of the process and what the server sent.

use std::time::{Duration, Instant};

use helium_devserver::hostile::{HostileMode, HostileOptions, HostileServer};
use helium_sdk::stream::{ReconnectPolicy, StreamOptions};
use helium_sdk::{Client, RetryPolicy};

use crate::mem;
use crate::secrets::Scanner;

/// The client's limits and the server's sizes.
#[derive(Debug, Clone)]
pub struct HostileConfig {
    /// The server's sizes.
    pub server: HostileOptions,
    /// The client's request timeout.
    pub timeout: Duration,
    /// The client's response size limit (`None`: the SDK's default, 128 MiB).
    pub max_response_size: Option<usize>,
    /// The stream's event size limit (`None`: the SDK's default, 16 MiB).
    pub max_event_size: Option<usize>,
    /// The stream's idle timeout.
    pub idle_timeout: Duration,
}

impl Default for HostileConfig {
    fn default() -> Self {
        HostileConfig {
            server: HostileOptions::default(),
            timeout: Duration::from_secs(5),
            max_response_size: None,
            max_event_size: None,
            idle_timeout: Duration::from_secs(2),
        }
    }
}

/// One mode against one call.
#[derive(Debug, Clone)]
pub struct Trial {
    pub mode: HostileMode,
    /// `json` or `stream`.
    pub call: &'static str,
    /// `complete` (with the items delivered), or the error as [`crate::describe`] names it.
    pub outcome: String,
    /// The error's message (empty when complete).
    pub message: String,
    /// Stream items delivered before the end.
    pub items: usize,
    pub duration: Duration,
    /// Resident set size before the trial and at its peak, in KiB.
    pub rss_before_kib: Option<u64>,
    pub rss_peak_kib: Option<u64>,
    /// Bytes the server sent during the trial.
    pub server_bytes: u64,
    /// Connections the server accepted during the trial (the first attempt, retries and reconnects).
    pub connections: u64,
}

/// The hostile run's result.
#[derive(Debug, Clone)]
pub struct HostileReport {
    pub trials: Vec<Trial>,
    pub config: HostileConfig,
}

impl HostileReport {
    /// The highest peak resident set size of all trials, in KiB.
    pub fn max_peak_kib(&self) -> Option<u64> {
        self.trials.iter().filter_map(|t| t.rss_peak_kib).max()
    }

    /// The report as text, one line per trial.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "client limits: timeout {} ms, response size {}, event size {}, idle timeout {} ms\n",
            self.config.timeout.as_millis(),
            self.config
                .max_response_size
                .unwrap_or(helium_sdk::DEFAULT_MAX_RESPONSE_SIZE),
            self.config
                .max_event_size
                .unwrap_or(helium_sdk::stream::sse::DEFAULT_MAX_EVENT_SIZE),
            self.config.idle_timeout.as_millis()
        );
        for t in &self.trials {
            out.push_str(&format!(
                "{:<15} {:<6} -> {:<46} {:>6} ms, RSS {} -> peak {}, server sent {} bytes on {} connection(s)\n",
                t.mode.as_str(),
                t.call,
                if t.items > 0 {
                    format!("{} after {} items", t.outcome, t.items)
                } else {
                    t.outcome.clone()
                },
                t.duration.as_millis(),
                mem::mib(t.rss_before_kib),
                mem::mib(t.rss_peak_kib),
                t.server_bytes,
                t.connections
            ));
        }
        out.push_str(&format!("highest peak RSS: {}\n", mem::mib(self.max_peak_kib())));
        out
    }
}

fn client(url: &str, token: &str, config: &HostileConfig) -> Result<Client, helium_sdk::Error> {
    let mut b = Client::builder()
        .base_url(url)
        .bearer_token(token)
        .timeout(config.timeout)
        .retry(
            RetryPolicy::with_max_retries(1)
                .backoff_between(Duration::from_millis(50), Duration::from_millis(50)),
        );
    if let Some(limit) = config.max_response_size {
        b = b.max_response_size(limit);
    }
    b.build()
}

/// Runs every mode against a JSON call and a stream.
///
/// # Errors
/// When the hostile server cannot start or a client cannot be built.
pub async fn run(config: &HostileConfig, token: &str) -> Result<HostileReport, String> {
    let scanner = Scanner::global();
    scanner.add("access token", token);
    let server = HostileServer::start(config.server.clone())
        .await
        .map_err(|e| e.to_string())?;
    let mut trials = Vec::new();
    for mode in HostileMode::ALL {
        let client = client(&server.url(mode), token, config).map_err(|e| e.to_string())?;
        scanner.scan_debug("hostile client", &client);
        for call in ["json", "stream"] {
            let bytes_before = server.bytes_sent();
            let connections_before = server.connections();
            let rss_before_kib = mem::rss_kib();
            mem::reset_peak();
            let started = Instant::now();
            let (result, items) = match call {
                "json" => (client.runs().get("run-1").await.map(|_| ()), 0),
                _ => {
                    let mut options = StreamOptions::default()
                        .idle_timeout(config.idle_timeout)
                        .verify_final_state(false)
                        .reconnect(ReconnectPolicy {
                            max_attempts: 1,
                            initial_delay: Duration::from_millis(50),
                            max_delay: Duration::from_millis(50),
                            check_status: false,
                        });
                    if let Some(limit) = config.max_event_size {
                        options = options.max_event_size(limit);
                    }
                    let mut stream = client.runs().stream_with("run-1", options);
                    let mut items = 0;
                    let mut result = Ok(());
                    while let Some(item) = stream.next().await {
                        match item {
                            Ok(item) => {
                                scanner.scan_debug("hostile item", &item.event);
                                items += 1;
                            }
                            Err(e) => {
                                result = Err(e);
                                break;
                            }
                        }
                    }
                    (result, items)
                }
            };
            let duration = started.elapsed();
            let rss_peak_kib = mem::peak_kib();
            let (outcome, message) = match &result {
                Ok(()) => ("complete".to_owned(), String::new()),
                Err(e) => {
                    scanner.scan_error("hostile error", e);
                    (crate::describe(e), e.to_string())
                }
            };
            // Let the server notice the closed connection before counting what it sent.
            tokio::time::sleep(Duration::from_millis(50)).await;
            trials.push(Trial {
                mode,
                call,
                outcome,
                message,
                items,
                duration,
                rss_before_kib,
                rss_peak_kib,
                server_bytes: server.bytes_sent() - bytes_before,
                connections: server.connections() - connections_before,
            });
        }
    }
    server.shutdown().await;
    Ok(HostileReport {
        trials,
        config: config.clone(),
    })
}
