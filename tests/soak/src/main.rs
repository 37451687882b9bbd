//! `helium-soak`: the reliability campaign at full size (see tests/soak/README.md). Each part prints its figures;
//! every part ends with the secrets scan of everything it produced. Exit status 1 when a part misses its bar.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use helium_devserver::hostile::HostileMode;
use helium_soak::{faults, hostile, load, mem, secrets};

#[derive(Debug, Parser)]
#[command(
    name = "helium-soak",
    about = "Faults, load and a hostile server against the Helium SDK"
)]
struct Cli {
    #[command(subcommand)]
    part: Part,
}

#[derive(Debug, Subcommand)]
enum Part {
    /// Faulted agent-run streams, each with one random fault, compared with the reference.
    Faults {
        #[arg(long, default_value_t = 1000)]
        runs: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 16)]
        seed: u64,
        /// The dev backend's delay between scripted items, in milliseconds.
        #[arg(long, default_value_t = 10)]
        pace_ms: u64,
    },
    /// Concurrent streams and waves of concurrent requests from one client.
    Load {
        #[arg(long, default_value_t = 200)]
        streams: usize,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        #[arg(long, default_value_t = 2)]
        waves: usize,
        #[arg(long, default_value_t = 20)]
        pace_ms: u64,
    },
    /// Every hostile-server mode against a JSON call and a stream.
    Hostile {
        /// Size of the huge bodies and of the inflated gzip bomb, in bytes.
        #[arg(long, default_value_t = 1 << 30)]
        size: u64,
        /// The client's request timeout, in milliseconds.
        #[arg(long, default_value_t = 5000)]
        timeout_ms: u64,
    },
    /// Every kind of credential in calls that succeed and fail, then the secrets scan.
    Secrets,
    /// Everything above, at the default sizes.
    All,
}

fn scan_verdict() -> bool {
    let report = secrets::Scanner::global().report();
    println!(
        "secrets scan: {} texts ({} log writes, {} bytes) searched for {} secret values and parts: {} found",
        report.texts,
        report.log_lines,
        report.bytes,
        report.needles,
        report.findings.len()
    );
    for f in report.findings.iter().take(20) {
        println!("  FOUND {f}");
    }
    report.findings.is_empty()
}

async fn faults_part(runs: usize, concurrency: usize, seed: u64, pace_ms: u64) -> bool {
    let config = faults::FaultConfig {
        runs,
        concurrency,
        seed,
        pace: Duration::from_millis(pace_ms),
        ..faults::FaultConfig::default()
    };
    match faults::run(&config).await {
        Ok(report) => {
            print!("{}", report.summary());
            println!("peak RSS of the process: {}", mem::mib(mem::peak_kib()));
            for r in report.failures().iter().take(20) {
                println!("  FAILED {r:?}");
            }
            report.failures().is_empty()
        }
        Err(e) => {
            println!("faults: could not run: {e}");
            false
        }
    }
}

async fn load_part(streams: usize, requests: usize, waves: usize, pace_ms: u64) -> bool {
    let config = load::LoadConfig {
        streams,
        requests,
        waves,
        pace: Duration::from_millis(pace_ms),
    };
    match load::run(&config).await {
        Ok(report) => {
            print!("{}", report.summary());
            report.errors() == 0
        }
        Err(e) => {
            println!("load: could not run: {e}");
            false
        }
    }
}

async fn hostile_part(size: u64, timeout_ms: u64) -> bool {
    let mut config = hostile::HostileConfig {
        timeout: Duration::from_millis(timeout_ms),
        ..hostile::HostileConfig::default()
    };
    config.server.body_size = size;
    config.server.bomb_size = size;
    let token = helium_devserver::auth::token_for(
        helium_devserver::auth::SAMPLE_USER_ID,
        helium_devserver::jwt::DEFAULT_JWT_SECRET,
    );
    match hostile::run(&config, &token).await {
        Ok(report) => {
            print!("{}", report.summary());
            // Every trial ends in a typed error, except the slow but valid stream, which may complete.
            let unexpected: Vec<String> = report
                .trials
                .iter()
                .filter(|t| {
                    t.outcome == "complete" && !(t.mode == HostileMode::SlowBody && t.call == "stream")
                })
                .map(|t| format!("{} {}", t.mode, t.call))
                .collect();
            if !unexpected.is_empty() {
                println!("hostile: no error for {}", unexpected.join(", "));
            }
            unexpected.is_empty()
        }
        Err(e) => {
            println!("hostile: could not run: {e}");
            false
        }
    }
}

async fn secrets_part() -> bool {
    match secrets::exercise_credentials().await {
        Ok(errors) => {
            println!("credentials: every kind used, {errors} failing calls scanned");
            true
        }
        Err(e) => {
            println!("credentials: could not run: {e}");
            false
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    secrets::install_log_scanner();
    println!("baseline RSS: {}", mem::mib(mem::rss_kib()));
    let ok = match cli.part {
        Part::Faults {
            runs,
            concurrency,
            seed,
            pace_ms,
        } => faults_part(runs, concurrency, seed, pace_ms).await,
        Part::Load {
            streams,
            requests,
            waves,
            pace_ms,
        } => load_part(streams, requests, waves, pace_ms).await,
        Part::Hostile { size, timeout_ms } => hostile_part(size, timeout_ms).await,
        Part::Secrets => secrets_part().await,
        Part::All => {
            let a = faults_part(1000, 32, 16, 10).await;
            let b = load_part(200, 1000, 2, 20).await;
            let c = hostile_part(1 << 30, 5000).await;
            let d = secrets_part().await;
            a && b && c && d
        }
    };
    let clean = scan_verdict();
    if ok && clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
