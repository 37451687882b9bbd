//! `ask` (the public API v1: a quick action, its result and files), `agents` (the frontend's list) and
//! `billing` (subscription status and credit balance).

use std::path::PathBuf;
use std::time::Duration;

use helium_sdk::models::{AgentsQuery, PublicRunStatus, QuickActionRequest, ThreadResponse};
use helium_sdk::{ErrorKind, WaitOptions};
use serde_json::json;

use crate::context::{EnvSnapshot, Target, client, required_auth};
use crate::error::{CliError, EXIT_FAILURE, EXIT_OK, one_line};
use crate::output::{err_line, out_line};

/// Options of `helium ask`.
#[derive(Debug, Clone)]
pub struct AskArgs {
    /// The prompt.
    pub prompt: String,
    /// Files to send with it.
    pub files: Vec<PathBuf>,
    /// How long to wait for the result, in seconds.
    pub timeout_secs: u64,
    /// One JSON object on stdout.
    pub json: bool,
}

/// `helium ask "prompt"`: a quick action through the public API v1 (`HELIUM_API_KEY=he-…`, or an access token),
/// then waits for the result and prints its answer and files.
pub(crate) async fn ask(
    args: AskArgs,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let auth = required_auth(token, env)?;
    let mut request = QuickActionRequest::new(args.prompt);
    request.files = crate::commands::read_files(&args.files)?;
    let client = client(&target, auth, env)?;
    let root = target.root();
    let api = client.public_v1();
    let started = api
        .quick_action(&request)
        .await
        .map_err(|e| ask_error(&e, &root))?;
    if !args.json {
        err_line(&format!(
            "▶ task started: thread {} (project {}), run {}",
            started.thread_id, started.project_id, started.agent_run_id
        ));
    }
    let wait = WaitOptions::within(Duration::from_secs(args.timeout_secs));
    let result = api
        .wait_for_result(&started.thread_id, &started.project_id, &wait)
        .await
        .map_err(|e| {
            if e.kind() == ErrorKind::Timeout {
                CliError::new(format!(
                    "the task did not finish within {} s (thread {}, project {})",
                    args.timeout_secs, started.thread_id, started.project_id
                ))
                .hint("wait longer with --timeout SECONDS")
            } else {
                ask_error(&e, &root)
            }
        })?;
    if args.json {
        out_line(
            &json!({
                "thread_id": started.thread_id,
                "project_id": started.project_id,
                "agent_run_id": result.agent_run_id,
                "status": result.status,
                "response": result.text(),
                "files": result.files,
                "code_blocks": result.code_blocks,
                "rate_limit": result.rate_limit,
            })
            .to_string(),
        );
    } else {
        print_result(&result);
    }
    if result.status == PublicRunStatus::Completed {
        Ok(EXIT_OK)
    } else {
        err_line(&format!(
            "error: the task ended {} (thread {})",
            result.status, started.thread_id
        ));
        Ok(EXIT_FAILURE)
    }
}

fn print_result(result: &ThreadResponse) {
    let text = result.text().trim();
    out_line(if text.is_empty() { "(no answer text)" } else { text });
    if !result.files.is_empty() {
        out_line("");
        out_line("files:");
        for f in &result.files {
            out_line(&format!(
                "  {} ({} bytes) {}",
                f.file_name, f.file_size, f.file_id
            ));
        }
    }
    if let Some(rate) = result.rate_limit
        && let (Some(remaining), Some(limit)) = (rate.remaining, rate.limit)
    {
        err_line(&format!("rate limit: {remaining} of {limit} requests left"));
    }
}

/// The SDK error of an `ask` call, with the public API's own hints.
fn ask_error(err: &helium_sdk::Error, root: &str) -> CliError {
    match err.kind() {
        ErrorKind::InvalidRequest => {
            CliError::new(one_line(&err.to_string())).hint("the public API accepts a prompt of 1–5000 characters and at most 10 files (50 MB each, 200 MB in all) of the documented types")
        }
        ErrorKind::Auth => CliError::new(one_line(&err.to_string()))
            .hint("`helium ask` uses the public API v1: set HELIUM_API_KEY to a he-… key, or HELIUM_ACCESS_TOKEN / --token"),
        ErrorKind::RateLimited => {
            let when = err
                .rate_limit()
                .and_then(|r| r.reset)
                .map(|reset| format!(" (the window resets at {reset}, Unix time)"))
                .unwrap_or_default();
            CliError::new(format!("rate limited by the public API{when}")).hint("retry after the reset")
        }
        _ => CliError::from_sdk(err, root),
    }
}

/// `helium agents`: the agents the way the frontend lists them (the built-in one when custom agents are off).
pub(crate) async fn agents(
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let list = client
        .agents()
        .available(&AgentsQuery::default())
        .await
        .map_err(|e| CliError::from_sdk(&e, &target.root()))?;
    if json {
        out_line(&json!(list).to_string());
        return Ok(EXIT_OK);
    }
    if list.agents.is_empty() {
        out_line("no agents");
        return Ok(EXIT_OK);
    }
    out_line(&format!("{:<38} {:<8} name", "agent", "default"));
    for a in &list.agents {
        let default = if a.is_default { "yes" } else { "" };
        let builtin = if a.is_helium_default() { " (built-in)" } else { "" };
        out_line(&format!("{:<38} {:<8} {}{builtin}", a.agent_id, default, a.name));
    }
    if list.pagination.total > list.agents.len() as u64 {
        out_line(&format!(
            "{} of {} agents shown",
            list.agents.len(),
            list.pagination.total
        ));
    }
    Ok(EXIT_OK)
}

/// `helium billing`: the subscription's status and the credit balance.
pub(crate) async fn billing(
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let root = target.root();
    let billing = client.billing();
    let subscription = billing
        .subscription()
        .await
        .map_err(|e| CliError::from_sdk(&e, &root))?;
    let credits = billing
        .credit_balance()
        .await
        .map_err(|e| CliError::from_sdk(&e, &root))?;
    let check = billing
        .check_status()
        .await
        .map_err(|e| CliError::from_sdk(&e, &root))?;
    if json {
        out_line(&json!({"subscription": subscription, "credits": credits, "can_run": check.can_run, "message": check.message}).to_string());
        return Ok(EXIT_OK);
    }
    let plan = subscription.plan_name.as_deref().unwrap_or("-");
    out_line(&format!("plan: {plan} ({})", subscription.status));
    if let (Some(usage), Some(limit)) = (subscription.current_usage, subscription.cost_limit) {
        out_line(&format!("usage this month: ${usage:.2} of ${limit:.2}"));
    }
    if let Some(end) = &subscription.current_period_end {
        let ending = if subscription.cancel_at_period_end {
            " (cancelled at the end)"
        } else {
            ""
        };
        out_line(&format!("current period ends: {end}{ending}"));
    }
    match credits.balance.or(subscription.credit_balance) {
        Some(balance) => out_line(&format!("credit balance: ${balance:.2}")),
        None => out_line("credit balance: -"),
    }
    let mark = if check.can_run { "✓" } else { "✗" };
    out_line(&format!("{mark} runs: {}", check.message));
    Ok(EXIT_OK)
}
