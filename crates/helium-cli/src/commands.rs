//! `run`, `stream`, `stop`, `runs`, `health`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use helium_sdk::models::{AgentRunId, AgentStartRequest, HealthResponse, InitiateAgentRequest, ThreadId};
use helium_sdk::{Client, UploadFile};
use serde_json::json;

use crate::context::{Auth, EnvSnapshot, Target, client, required_auth};
use crate::error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, one_line};
use crate::output::{err_line, out_line};
use crate::render::Renderer;

/// How following a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// The stream ended (terminal event or closed).
    Finished,
    /// Ctrl-C.
    Interrupted,
}

/// Follows a run's stream until it ends or Ctrl-C. With `stop_on_interrupt`, Ctrl-C stops the run on the
/// server first.
pub(crate) async fn follow(
    client: &Client,
    api_root: &str,
    run_id: &AgentRunId,
    renderer: &mut Renderer,
    stop_on_interrupt: bool,
) -> Result<StreamEnd, CliError> {
    let mut stream = client.runs().stream(run_id);
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    renderer.waiting("waiting for the agent…");
    loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(item)) => renderer.handle(&item),
                Some(Err(e)) => {
                    renderer.finish();
                    return Err(CliError::from_sdk(&e, api_root));
                }
                None => {
                    renderer.finish();
                    return Ok(StreamEnd::Finished);
                }
            },
            _ = &mut ctrl_c => {
                renderer.finish();
                stream.close();
                if stop_on_interrupt {
                    err_line(&format!("interrupted: stopping run {run_id} on the server…"));
                    match tokio::time::timeout(Duration::from_secs(5), client.runs().stop(run_id)).await {
                        Ok(Ok(_)) => err_line(&format!("run {run_id} stopped")),
                        Ok(Err(e)) => err_line(&format!("warning: could not stop run {run_id}: {}", one_line(&e.to_string()))),
                        Err(_) => err_line(&format!("warning: stopping run {run_id} timed out")),
                    }
                } else {
                    err_line(&format!("interrupted: run {run_id} goes on (stop it with `helium stop {run_id}`)"));
                }
                return Ok(StreamEnd::Interrupted);
            }
        }
    }
}

/// The final status: the run's status from the backend when it can be read, else what the stream said.
pub(crate) async fn final_status(client: &Client, run_id: &AgentRunId, renderer: &Renderer) -> String {
    let streamed = renderer.stats().final_state.clone();
    // The stream of a run that is not running ends with a bare `completed`; the backend knows better.
    match tokio::time::timeout(Duration::from_secs(5), client.runs().get(run_id)).await {
        Ok(Ok(run)) => run.status.to_string(),
        _ => streamed.unwrap_or_else(|| "unknown".into()),
    }
}

/// Options of `helium run`.
#[derive(Debug, Clone)]
pub struct RunArgs {
    /// The prompt.
    pub prompt: String,
    /// Continue this thread instead of starting a new one.
    pub thread: Option<String>,
    /// Files to upload.
    pub files: Vec<PathBuf>,
    /// The model.
    pub model: Option<String>,
    /// JSON lines.
    pub json: bool,
}

/// `helium run`.
pub(crate) async fn run(
    args: RunArgs,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let auth = required_auth(token, env)?;
    let files = read_files(&args.files)?;
    let client = client(&target, auth, env)?;
    let mut renderer = Renderer::new(args.json, true);
    if let Some(thread) = args.thread {
        if !files.is_empty() {
            return Err(CliError::new("--file cannot be used with --thread")
                .hint("upload files to the thread's sandbox, or start a new run without --thread"));
        }
        let start = AgentStartRequest {
            model_name: args.model,
            ..AgentStartRequest::default()
        };
        let outcome = follow_up_and_follow(
            &client,
            &target.root(),
            ThreadId::new(thread),
            args.prompt,
            &start,
            &mut renderer,
        )
        .await?;
        return Ok(report_outcome(outcome, args.json, &renderer));
    }
    let mut request = InitiateAgentRequest::new(args.prompt);
    request.model_name = args.model;
    request.files = files;
    let Some(outcome) = start_and_follow(&client, &target.root(), request, &mut renderer).await? else {
        return Ok(EXIT_INTERRUPTED);
    };
    Ok(report_outcome(outcome, args.json, &renderer))
}

/// The run's summary line (human mode) and, for a failure, why on stderr; the exit code.
/// The files of the `--file` options, read for upload.
pub(crate) fn read_files(paths: &[PathBuf]) -> Result<Vec<UploadFile>, CliError> {
    paths
        .iter()
        .map(|path| {
            UploadFile::from_path(path).map_err(|e| {
                CliError::new(format!(
                    "cannot read --file {}: {}",
                    path.display(),
                    one_line(&e.to_string())
                ))
                .hint("pass the path of a readable file")
            })
        })
        .collect()
}

fn report_outcome(outcome: Outcome, json: bool, renderer: &Renderer) -> u8 {
    if !json && !outcome.interrupted {
        out_line(&format!(
            "■ run {} (thread {}): {} in {:.1} s ({} events; tools: {})",
            outcome.run_id,
            outcome.thread_id,
            outcome.status,
            outcome.elapsed.as_secs_f64(),
            outcome.events,
            outcome.tools_text()
        ));
    }
    if outcome.exit_code() == EXIT_FAILURE {
        not_completed(
            &outcome.run_id,
            &outcome.status,
            renderer.stats().final_message.as_deref(),
        );
    }
    outcome.exit_code()
}

/// Adds a follow-up message to a thread, starts a run on it and follows it.
async fn follow_up_and_follow(
    client: &Client,
    api_root: &str,
    thread_id: ThreadId,
    prompt: String,
    start: &AgentStartRequest,
    renderer: &mut Renderer,
) -> Result<Outcome, CliError> {
    let started = Instant::now();
    renderer.waiting("sending the follow-up…");
    let sent = client
        .agent()
        .follow_up(&thread_id, prompt, start)
        .await
        .map_err(|e| {
            renderer.finish();
            CliError::from_sdk(&e, api_root)
        })?;
    let run_id = sent.agent_run_id;
    renderer.status_line(&format!("▶ run {run_id} (thread {thread_id})"));
    let end = follow(client, api_root, &run_id, renderer, true).await?;
    let interrupted = end == StreamEnd::Interrupted;
    let status = if interrupted {
        "stopped".to_owned()
    } else {
        final_status(client, &run_id, renderer).await
    };
    let stats = renderer.stats();
    Ok(Outcome {
        run_id,
        thread_id,
        status,
        events: stats.events,
        tools: stats.tools.clone(),
        elapsed: started.elapsed(),
        interrupted,
    })
}

/// How a started run ended.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The run.
    pub run_id: AgentRunId,
    /// Its thread.
    pub thread_id: ThreadId,
    /// The final status (`completed`, `stopped`, `failed`, …).
    pub status: String,
    /// Events seen.
    pub events: usize,
    /// Tools used, in order.
    pub tools: Vec<String>,
    /// From initiate to the end of the stream.
    pub elapsed: Duration,
    /// Ctrl-C ended it (the run was stopped on the server).
    pub interrupted: bool,
}

impl Outcome {
    /// The exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            EXIT_INTERRUPTED
        } else if self.status == "completed" {
            EXIT_OK
        } else {
            EXIT_FAILURE
        }
    }

    /// `a, b` or `none`.
    pub fn tools_text(&self) -> String {
        if self.tools.is_empty() {
            "none".to_owned()
        } else {
            self.tools.join(", ")
        }
    }
}

/// Initiates a run and follows it. `Ok(None)` when Ctrl-C came before the run started. Shared by `run` and
/// the quickstart.
pub(crate) async fn start_and_follow(
    client: &Client,
    api_root: &str,
    request: InitiateAgentRequest,
    renderer: &mut Renderer,
) -> Result<Option<Outcome>, CliError> {
    let started = Instant::now();
    renderer.waiting("starting the run…");
    let agent = client.agent();
    let response = tokio::select! {
        r = agent.initiate(&request) => r,
        _ = tokio::signal::ctrl_c() => {
            renderer.finish();
            err_line("interrupted before the run started");
            return Ok(None);
        }
    };
    let response = response.map_err(|e| {
        renderer.finish();
        CliError::from_sdk(&e, api_root)
    })?;
    let Some(run_id) = response.agent_run_id else {
        renderer.finish();
        return Err(CliError::new(format!(
            "the backend created thread {} but started no agent run",
            response.thread_id
        )));
    };
    renderer.status_line(&format!("▶ run {run_id} (thread {})", response.thread_id));
    let end = follow(client, api_root, &run_id, renderer, true).await?;
    let interrupted = end == StreamEnd::Interrupted;
    let status = if interrupted {
        "stopped".to_owned()
    } else {
        final_status(client, &run_id, renderer).await
    };
    let stats = renderer.stats();
    Ok(Some(Outcome {
        run_id,
        thread_id: response.thread_id,
        status,
        events: stats.events,
        tools: stats.tools.clone(),
        elapsed: started.elapsed(),
        interrupted,
    }))
}

/// `helium stream RUN_ID`.
pub(crate) async fn stream(
    run_id: String,
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let run_id = AgentRunId::new(run_id);
    let mut renderer = Renderer::new(json, true);
    let end = follow(&client, &target.root(), &run_id, &mut renderer, false).await?;
    if end == StreamEnd::Interrupted {
        return Ok(EXIT_INTERRUPTED);
    }
    let status = final_status(&client, &run_id, &renderer).await;
    if !json {
        out_line(&format!(
            "■ run {run_id}: {status} ({} events)",
            renderer.stats().events
        ));
    }
    if status == "completed" {
        Ok(EXIT_OK)
    } else {
        not_completed(&run_id, &status, renderer.stats().final_message.as_deref());
        Ok(EXIT_FAILURE)
    }
}

/// Says on stderr why a run command exits with a failure (also with `--json`, whose stdout is events only).
fn not_completed(run_id: &AgentRunId, status: &str, message: Option<&str>) {
    let why = message.map(|m| format!(": {}", one_line(m))).unwrap_or_default();
    err_line(&format!("error: run {run_id} ended {status}{why}"));
}

/// `helium stop RUN_ID`.
pub(crate) async fn stop(
    run_id: String,
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let run_id = AgentRunId::new(run_id);
    let response = client
        .runs()
        .stop(&run_id)
        .await
        .map_err(|e| CliError::from_sdk(&e, &target.root()))?;
    if json {
        out_line(&json!({"agent_run_id": run_id.as_str(), "status": response.status}).to_string());
    } else {
        out_line(&format!("run {run_id}: {}", response.status));
    }
    Ok(EXIT_OK)
}

/// `helium runs THREAD_ID`.
pub(crate) async fn runs(
    thread_id: String,
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let thread_id = ThreadId::new(thread_id);
    let list = client
        .runs()
        .list(&thread_id)
        .await
        .map_err(|e| CliError::from_sdk(&e, &target.root()))?;
    if json {
        out_line(&json!({"thread_id": thread_id.as_str(), "agent_runs": list}).to_string());
        return Ok(EXIT_OK);
    }
    if list.is_empty() {
        out_line(&format!("thread {thread_id} has no agent runs"));
        return Ok(EXIT_OK);
    }
    out_line(&format!(
        "{:<38} {:<10} {:<34} completed",
        "run", "status", "started"
    ));
    for r in &list {
        out_line(&format!(
            "{:<38} {:<10} {:<34} {}",
            r.id,
            r.status.to_string(),
            r.started_at.as_deref().unwrap_or("-"),
            r.completed_at.as_deref().unwrap_or("-")
        ));
    }
    Ok(EXIT_OK)
}

/// `GET /health` with its latency.
pub(crate) async fn timed_health(client: &Client) -> Result<(HealthResponse, Duration), helium_sdk::Error> {
    let start = Instant::now();
    let health = client.health().await?;
    Ok((health, start.elapsed()))
}

/// One line describing a health answer.
pub(crate) fn health_summary(health: &HealthResponse, latency: Duration) -> String {
    let mut s = format!("status {}, {} ms", health.status, latency.as_millis());
    if let Some(env) = &health.environment {
        s.push_str(&format!(", environment {env}"));
    }
    if let Some(id) = &health.instance_id {
        s.push_str(&format!(", instance {id}"));
    }
    if let Some(c) = &health.components {
        let show = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "-".into(),
        };
        s.push_str(&format!(
            ", redis {}, database {}",
            show(&c.redis),
            show(&c.database)
        ));
    }
    s
}

/// `helium health`.
pub(crate) async fn health(json: bool, backend: Option<&str>, env: &EnvSnapshot) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, Auth::None, env)?;
    let root = target.root();
    let (health, latency) = timed_health(&client)
        .await
        .map_err(|e| CliError::from_sdk(&e, &root))?;
    let ok = health.is_ok();
    if json {
        out_line(
            &json!({
                "api_root": root,
                "source": target.source,
                "ok": ok,
                "latency_ms": latency.as_millis() as u64,
                "health": health,
            })
            .to_string(),
        );
    } else {
        let mark = if ok { "✓" } else { "✗" };
        out_line(&format!(
            "{mark} backend {root} (from {}): {}",
            target.source,
            health_summary(&health, latency)
        ));
    }
    Ok(if ok { EXIT_OK } else { EXIT_FAILURE })
}
