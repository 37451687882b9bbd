//! `helium quickstart` (and `cargo run --example quickstart`): configuration → health → a streamed agent run
//! → summary, against the configured backend or, when none is configured, an embedded dev backend.

use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::config::NEXT_PUBLIC_BACKEND_URL;
use helium_sdk::models::InitiateAgentRequest;
use helium_sdk::{ErrorKind, Runtime};

use crate::commands::{health_summary, start_and_follow, timed_health};
use crate::context::{Auth, EnvSnapshot, Target, client};
use crate::error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED};
use crate::output::out_line;
use crate::render::Renderer;
use crate::report::config_report;

/// The environment variable that sets the embedded backend's pace in milliseconds (default 40).
pub const PACE_VARIABLE: &str = "HELIUM_QUICKSTART_PACE_MS";
/// The default prompt.
pub const DEFAULT_PROMPT: &str = "Create a Hello World page";

/// Options of the quickstart.
#[derive(Debug, Clone, Default)]
pub struct QuickstartArgs {
    /// The prompt (default [`DEFAULT_PROMPT`]).
    pub prompt: Option<String>,
    /// The embedded backend's pace (default `HELIUM_QUICKSTART_PACE_MS`, else 40 ms).
    pub pace_ms: Option<u64>,
}

fn pace(args: &QuickstartArgs) -> Duration {
    let ms = args
        .pace_ms
        .or_else(|| {
            std::env::var(PACE_VARIABLE)
                .ok()
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(40);
    Duration::from_millis(ms)
}

/// Runs the quickstart.
pub(crate) async fn quickstart(
    args: QuickstartArgs,
    backend_flag: Option<&str>,
    token_flag: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    out_line("Helium quickstart");
    let embedded = backend_flag.is_none() && env.no_backend_configured();
    let (server, env, creds) = if embedded {
        let pace = pace(&args);
        let server = DevServer::start(DevServerOptions {
            pace,
            ..DevServerOptions::default()
        })
        .await
        .map_err(|e| {
            CliError::new(format!("cannot start the embedded dev backend: {e}"))
                .hint("set NEXT_PUBLIC_BACKEND_URL to a running backend instead")
        })?;
        out_line(&format!(
            "• no backend configured (BACKEND_INTERNAL_URL and NEXT_PUBLIC_BACKEND_URL are unset):\n  started the embedded dev backend at {} (pace {} ms), using its sample token",
            server.base_url(),
            pace.as_millis()
        ));
        let env = env.with(NEXT_PUBLIC_BACKEND_URL, &server.api_url());
        let auth = Auth::Token(Some(
            token_flag.map_or_else(|| server.sample_token(), str::to_owned),
        ));
        (Some(server), env, auth)
    } else {
        (None, env.clone(), Auth::Token(token_flag.map(str::to_owned)))
    };
    let result = steps(&args, backend_flag, &env, creds, embedded).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    result
}

async fn steps(
    args: &QuickstartArgs,
    backend_flag: Option<&str>,
    env: &EnvSnapshot,
    auth: Auth,
    embedded: bool,
) -> Result<u8, CliError> {
    // 1. Configuration.
    let mut target = Target::resolve(backend_flag, env)?;
    if embedded {
        target.source = "the embedded dev backend".into();
    }
    let server = config_report(Runtime::Server, env);
    let client_side = config_report(Runtime::Client, env);
    out_line("• configuration");
    out_line(&format!(
        "    server side: backend {} (from {}), env mode {}",
        target.root(),
        target.source,
        server.env_mode
    ));
    match &client_side.backend {
        Some(b) => {
            let source = if embedded {
                target.source.as_str()
            } else {
                b.source.as_str()
            };
            out_line(&format!(
                "    client side: backend {} (from {source})",
                b.api_root
            ));
        }
        None => out_line("    client side: backend URL invalid (see `helium config --client`)"),
    }
    match &server.supabase {
        Some(s) => out_line(&format!(
            "    Supabase:    {} ({} key, fingerprint {})",
            s.url, s.key_kind, s.key_fingerprint
        )),
        None => out_line("    Supabase:    not configured (not needed for the quickstart)"),
    }
    // Supabase is not needed here (said above); count the other notes.
    let problems = server
        .problems
        .iter()
        .chain(&client_side.problems)
        .filter(|p| p.code != "supabase_not_configured")
        .count();
    if problems > 0 {
        out_line(&format!(
            "    {problems} configuration note(s): run `helium config` and `helium doctor` for details"
        ));
    }

    // 2. Health.
    let root = target.root();
    let client = client(&target, auth, env)?;
    let (health, latency) = timed_health(&client).await.map_err(|e| {
        let err = CliError::from_sdk(&e, &root);
        if embedded || !matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout) {
            return err;
        }
        err.hint(format!(
            "start that backend, or unset BACKEND_INTERNAL_URL and NEXT_PUBLIC_BACKEND_URL to run the quickstart against the embedded dev backend (configured here: {})",
            target.source
        ))
    })?;
    if !health.is_ok() {
        return Err(CliError::new(format!(
            "the backend at {root} is unhealthy: {}",
            health_summary(&health, latency)
        ))
        .hint("check the backend's logs, Redis and the database"));
    }
    out_line(&format!(
        "• backend healthy: {}",
        health_summary(&health, latency)
    ));

    // 3. A streamed agent run.
    let prompt = args.prompt.clone().unwrap_or_else(|| DEFAULT_PROMPT.to_owned());
    out_line(&format!("• starting an agent run: {prompt:?}"));
    let mut renderer = Renderer::new(false, true);
    let Some(outcome) =
        start_and_follow(&client, &root, InitiateAgentRequest::new(prompt), &mut renderer).await?
    else {
        return Ok(EXIT_INTERRUPTED);
    };

    // 4. Summary.
    out_line("• summary");
    out_line(&format!("    run id:       {}", outcome.run_id));
    out_line(&format!("    thread id:    {}", outcome.thread_id));
    out_line(&format!("    events:       {}", outcome.events));
    out_line(&format!("    tools used:   {}", outcome.tools_text()));
    out_line(&format!("    final status: {}", outcome.status));
    out_line(&format!(
        "    duration:     {:.1} s",
        outcome.elapsed.as_secs_f64()
    ));
    let code = outcome.exit_code();
    if code == EXIT_FAILURE {
        out_line("the run did not complete; see the events above");
    } else if code == 0 {
        if embedded {
            out_line(
                "done: try `helium quickstart --prompt \"your prompt\"` next (install the CLI with `cargo install --path crates/helium-cli`)",
            );
        } else {
            out_line(
                "done: try `helium run \"your prompt\"` next (install the CLI with `cargo install --path crates/helium-cli`)",
            );
        }
    }
    Ok(code)
}
