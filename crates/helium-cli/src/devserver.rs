//! `helium devserver`: the dev backend, in-process.

use std::io::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions, EnvMode};

use crate::error::{CliError, EXIT_OK};

/// Options of `helium devserver`.
#[derive(Debug, Clone)]
pub struct DevserverArgs {
    /// Interface.
    pub host: IpAddr,
    /// Port (0 = any free one).
    pub port: u16,
    /// Env mode.
    pub env_mode: EnvMode,
    /// Delay before each stream item.
    pub pace_ms: u64,
}

pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Starts the dev backend, prints the banner of `cargo run -p helium-devserver`, runs until Ctrl-C/SIGTERM.
pub(crate) async fn devserver(args: DevserverArgs) -> Result<u8, CliError> {
    let options = DevServerOptions {
        host: args.host,
        port: args.port,
        env_mode: args.env_mode,
        pace: Duration::from_millis(args.pace_ms),
        ..DevServerOptions::default()
    };
    let server = DevServer::start(options).await.map_err(|e| {
        CliError::new(format!("cannot listen on {}:{}: {e}", args.host, args.port))
            .hint("pick another port with --port (0 = any free port)")
    })?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "helium-devserver listening on {}", server.base_url());
        let _ = writeln!(out, "API root: {}", server.api_url());
        // The dev server's own unsigned sample token (not a user secret), as in its standalone banner.
        let _ = writeln!(out, "sample bearer token: {}", server.sample_token());
        let _ = writeln!(out, "env mode: {}", server.env_mode());
        let _ = out.flush();
    }
    wait_for_signal().await;
    server.shutdown().await;
    Ok(EXIT_OK)
}
