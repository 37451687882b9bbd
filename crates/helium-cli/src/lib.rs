#![doc = include_str!("../README.md")]

mod accounts;
mod cli;
mod commands;
mod context;
mod conversations;
mod devserver;
mod doctor;
mod error;
mod output;
mod quickstart;
mod render;
mod report;

use std::process::ExitCode;

use clap::Parser as _;

pub use cli::{Cli, Command};
pub use context::EnvSnapshot;
pub use error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};
pub use quickstart::{DEFAULT_PROMPT, PACE_VARIABLE, QuickstartArgs};
pub use report::{ConfigReport, Problem, config_report};

use crate::output::{err_line, out_line};

/// Runs a parsed command line against the process environment; returns the exit code.
pub async fn run(cli: Cli) -> u8 {
    let env = EnvSnapshot::from_process();
    let backend = cli.backend.as_deref();
    let token = cli.token.as_deref();
    let result = match cli.command {
        Command::Config { client, json } => config(client, json, &env),
        Command::Doctor { json } => doctor::doctor(json, backend, &env).await,
        Command::Run {
            prompt,
            thread,
            files,
            model,
            json,
        } => {
            let args = commands::RunArgs {
                prompt,
                thread,
                files,
                model,
                json,
            };
            commands::run(args, backend, token, &env).await
        }
        Command::Stream { run_id, json } => commands::stream(run_id, json, backend, token, &env).await,
        Command::Stop { run_id, json } => commands::stop(run_id, json, backend, token, &env).await,
        Command::Runs { thread_id, json } => commands::runs(thread_id, json, backend, token, &env).await,
        Command::Threads { json } => conversations::threads(json, backend, token, &env).await,
        Command::Messages { thread_id, json } => {
            conversations::messages(thread_id, json, backend, token, &env).await
        }
        Command::Health { json } => commands::health(json, backend, &env).await,
        Command::Devserver {
            host,
            port,
            env_mode,
            pace_ms,
        } => {
            let env_mode = env_mode.unwrap_or_else(|| {
                std::env::var("ENV_MODE")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_default()
            });
            let args = devserver::DevserverArgs {
                host,
                port,
                env_mode,
                pace_ms,
            };
            devserver::devserver(args).await
        }
        Command::Quickstart { prompt, pace_ms } => {
            quickstart::quickstart(QuickstartArgs { prompt, pace_ms }, backend, token, &env).await
        }
        Command::Ask {
            prompt,
            files,
            timeout,
            json,
        } => {
            let args = accounts::AskArgs {
                prompt,
                files,
                timeout_secs: timeout,
                json,
            };
            accounts::ask(args, backend, token, &env).await
        }
        Command::Agents { json } => accounts::agents(json, backend, token, &env).await,
        Command::Billing { json } => accounts::billing(json, backend, token, &env).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            err_line(&e.to_string());
            e.code
        }
    }
}

fn config(client: bool, json: bool, env: &EnvSnapshot) -> Result<u8, CliError> {
    let runtime = if client {
        helium_sdk::Runtime::Client
    } else {
        helium_sdk::Runtime::Server
    };
    let report = config_report(runtime, env);
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::new(format!("cannot encode the report: {e}")))?;
        out_line(&text);
    } else {
        for line in report::render_text(&report) {
            out_line(&line);
        }
    }
    Ok(if report.ok { EXIT_OK } else { EXIT_FAILURE })
}

fn block_on(future: impl std::future::Future<Output = u8>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => ExitCode::from(rt.block_on(future)),
        Err(e) => {
            err_line(&format!("error: cannot start the async runtime: {e}"));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The `helium` binary: parses `std::env::args`, runs, returns the exit code (2 for usage errors).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    block_on(run(cli))
}

/// The quickstart (`cargo run --example quickstart`): the process environment, no flags.
pub fn quickstart_main() -> ExitCode {
    let env = EnvSnapshot::from_process();
    block_on(async move {
        match quickstart::quickstart(QuickstartArgs::default(), None, None, &env).await {
            Ok(code) => code,
            Err(e) => {
                err_line(&e.to_string());
                e.code
            }
        }
    })
}
