//! `helium-devserver` CLI: run the dev backend standalone.

use std::io::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use clap::Parser;
use helium_devserver::{DevServer, DevServerOptions, EnvMode};

/// Local backend compatible with the Helium AI HTTP API.
#[derive(Debug, Parser)]
#[command(name = "helium-devserver", version, about)]
struct Cli {
    /// Interface to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 = pick a free one).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// local | staging | production (default: env ENV_MODE, else local).
    #[arg(long)]
    env_mode: Option<EnvMode>,
    /// Delay before each scripted stream item, in milliseconds.
    #[arg(long, default_value_t = 40)]
    pace_ms: u64,
    /// Extra allowed CORS origin, matched exactly (repeatable; comma lists accepted).
    /// Env HELIUM_DEV_CORS_ORIGINS (comma list) adds more.
    #[arg(long = "cors-origin")]
    cors_origin: Vec<String>,
    /// How long a finished run's stream items are kept, in milliseconds (default: 24 h, the backend's TTL);
    /// after that a reconnect gets only the final `completed`.
    #[arg(long)]
    response_ttl_ms: Option<u64>,
    /// Serve hostile answers instead of the API: the first path segment picks one (endless-header,
    /// endless-line, huge-body, huge-chunked, gzip-bomb, slow-drip, slow-body, invalid-utf8, deep-json,
    /// absurd-numbers); point a client at http://HOST:PORT/<mode>.
    #[arg(long)]
    hostile: bool,
    /// Hostile mode: size of the huge-body and huge-chunked bodies, in bytes.
    #[arg(long, default_value_t = 1 << 30)]
    body_size: u64,
    /// Hostile mode: inflated size of the gzip-bomb body, in bytes.
    #[arg(long, default_value_t = 1 << 30)]
    bomb_size: u64,
    /// Hostile mode: pause between the bytes of slow-drip and slow-body, in milliseconds.
    #[arg(long, default_value_t = 100)]
    drip_ms: u64,
    /// Hostile mode: nesting depth of deep-json.
    #[arg(long, default_value_t = 100_000)]
    depth: usize,
}

/// Runs the hostile server until a signal.
async fn run_hostile(cli: &Cli) -> std::process::ExitCode {
    let options = helium_devserver::hostile::HostileOptions {
        host: cli.host,
        port: cli.port,
        body_size: cli.body_size,
        bomb_size: cli.bomb_size,
        drip_interval: Duration::from_millis(cli.drip_ms),
        depth: cli.depth,
        ..Default::default()
    };
    let server = match helium_devserver::hostile::HostileServer::start(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "helium-devserver: cannot listen on {}:{}: {e}",
                cli.host, cli.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "helium-devserver listening on {}", server.base_url());
    let modes: Vec<&str> = helium_devserver::hostile::HostileMode::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    let _ = writeln!(
        out,
        "hostile mode: point a client at {}/<mode>",
        server.base_url()
    );
    let _ = writeln!(out, "modes: {}", modes.join(", "));
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Feature flags from `ENABLE_<FLAG>` variables, read as the backend's `flags.is_enabled` reads them (contract
/// §3.2): `ENABLE_CUSTOM_AGENTS=true` turns on `custom_agents`; `true`, `1`, `yes` and `on` (any case) mean on.
fn env_feature_flags(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, bool)> {
    vars.filter_map(|(k, v)| {
        let name = k.strip_prefix("ENABLE_")?.to_ascii_lowercase();
        let on = matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on"
        );
        (!name.is_empty()).then_some((name, on))
    })
    .collect()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if cli.hostile {
        return run_hostile(&cli).await;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let env_mode = cli.env_mode.unwrap_or_else(|| {
        std::env::var("ENV_MODE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(EnvMode::Local)
    });
    let mut extra = cli.cors_origin.clone();
    if let Ok(v) = std::env::var("HELIUM_DEV_CORS_ORIGINS") {
        extra.push(v);
    }
    let options = DevServerOptions {
        host: cli.host,
        port: cli.port,
        env_mode,
        pace: Duration::from_millis(cli.pace_ms),
        extra_cors_origins: extra,
        feature_flags: env_feature_flags(std::env::vars()),
        response_ttl: cli
            .response_ttl_ms
            .map_or(DevServerOptions::default().response_ttl, Duration::from_millis),
        ..DevServerOptions::default()
    };
    let server = match DevServer::start(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "helium-devserver: cannot listen on {}:{}: {e}",
                cli.host, cli.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "helium-devserver listening on {}", server.base_url());
    let _ = writeln!(out, "API root: {}", server.api_url());
    let _ = writeln!(out, "sample bearer token: {}", server.sample_token());
    let _ = writeln!(out, "env mode: {}", server.env_mode());
    // The anon key is public by design (browsers send it); the service-role key is never printed.
    let _ = writeln!(out, "supabase url: {}", server.base_url());
    let _ = writeln!(out, "supabase anon key: {}", server.anon_key());
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::env_feature_flags;

    #[test]
    fn enable_variables_become_feature_flags() {
        let vars = [
            ("ENABLE_CUSTOM_AGENTS", "true"),
            ("ENABLE_TRIGGERS_API", "Off"),
            ("ENABLE_KNOWLEDGE_BASE", " YES "),
            ("ENABLE_", "true"),
            ("PATH", "/usr/bin"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(
            env_feature_flags(vars.into_iter()),
            vec![
                ("custom_agents".to_owned(), true),
                ("triggers_api".to_owned(), false),
                ("knowledge_base".to_owned(), true),
            ]
        );
    }
}
