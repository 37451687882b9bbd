//! Scripted agent runs derived from `fixtures/script_run.sse` (the contract's `stream_sample.sse` with texts that
//! are true of the dev backend) and the contract's stream variants.
//!
//! Triggers (case-insensitive substrings of the prompt, or the value of the
//! `x-devserver-script` request header):
//! `[llm_error]`, `[worker_error]`, `[billing_stop]`, `[pause]`, `[hold]`.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::state::{AppState, new_id};
use crate::{fixtures, pyjson, timefmt};

/// The fixtures' thread id (replaced by the run's thread id).
const FIXTURE_THREAD_ID: &str = "5b0f3c9e-2a1d-4f7b-9c3e-8d2a61f4b7a0";
/// The fixtures' agent and agent version: persistent entities, kept as they are in every run.
const FIXTURE_AGENT_IDS: [&str; 2] = [
    "e4f5a6b7-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
    "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b",
];
/// The fixtures' project id (used in the worker-error message).
const FIXTURE_PROJECT_ID: &str = "a3e1c2d4-7b8f-4e6a-9d0c-1f2e3d4c5b6a";

/// Which script a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The full two-turn sample, then `completed`.
    Sample,
    /// An LLM error item (non-terminal), then `completed`.
    LlmError,
    /// A worker exception: error item, DB `failed`, control `ERROR`.
    WorkerError,
    /// Billing stop: `stopped` item with "Billing limit reached: …", DB `stopped`.
    BillingStop,
    /// Turn 1, then the run pauses itself until resumed, then turn 2.
    Pause,
    /// Turn 1, then the run stays `running` until stopped.
    Hold,
}

impl Variant {
    /// Pick a variant from the prompt (or an explicit script name).
    pub fn detect(text: &str) -> Variant {
        let t = text.to_ascii_lowercase();
        let has = |w: &str| t.contains(&format!("[{w}]"));
        if has("worker_error") {
            Variant::WorkerError
        } else if has("llm_error") {
            Variant::LlmError
        } else if has("billing_stop") {
            Variant::BillingStop
        } else if has("pause") {
            Variant::Pause
        } else if has("hold") {
            Variant::Hold
        } else {
            Variant::Sample
        }
    }
}

/// One step of a scripted run. Each step waits one `pace` first.
#[derive(Debug, Clone)]
pub enum Step {
    /// Append an item (timestamps refreshed at push time).
    Item(Value),
    /// Append the final item and set the DB status in the same instant.
    Final {
        item: Value,
        status: &'static str,
        error: Option<String>,
    },
    /// Worker exception: DB `failed` with the error, then publish `ERROR`.
    Fail(String),
    /// Pause the run (emits the paused item) and wait for resume.
    PauseSelf,
    /// Stay running until stopped.
    Hold,
}

fn is_uuid_at(b: &[u8], i: usize) -> bool {
    let Some(s) = b.get(i..i + 36) else {
        return false;
    };
    s.iter().enumerate().all(|(k, c)| match k {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// Replace every UUID in `text`: fixture thread → `thread_id`, others → fresh, consistently.
fn refresh_ids(text: &str, thread_id: &str) -> String {
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert(FIXTURE_THREAD_ID.to_owned(), thread_id.to_owned());
    for id in FIXTURE_AGENT_IDS {
        map.insert(id.to_owned(), id.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if is_uuid_at(bytes, i) {
            let (Some(before), Some(old)) = (text.get(last..i), text.get(i..i + 36)) else {
                break;
            };
            out.push_str(before);
            let new = map.entry(old.to_owned()).or_insert_with(new_id);
            out.push_str(new);
            i += 36;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(text.get(last..).unwrap_or(""));
    out
}

/// Prefix the `content` text inside a double-encoded `content` field.
fn prefix_content(item: &mut Value, prefix: &str) {
    let Some(encoded) = item.get("content").and_then(Value::as_str) else {
        return;
    };
    let Ok(mut inner) = serde_json::from_str::<Value>(encoded) else {
        return;
    };
    if let Some(text) = inner.get("content").and_then(Value::as_str) {
        let new = format!("{prefix}{text}");
        inner["content"] = Value::String(new);
        item["content"] = Value::String(pyjson::dumps(&inner));
    }
}

fn is_status(item: &Value, status_type: &str) -> bool {
    item.get("type").and_then(Value::as_str) == Some("status")
        && item
            .get("content")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains(&format!("\"status_type\": \"{status_type}\"")))
}

/// Build the steps of a run.
pub fn build(variant: Variant, prompt: &str, thread_id: &str, project_id: &str) -> Vec<Step> {
    let text = refresh_ids(fixtures::SCRIPT_RUN, thread_id);
    let mut items = fixtures::sse_items(&text);
    let echo = format!("You asked: \"{}\"\n\n", prompt.trim());
    if let Some(first_chunk) = items.iter_mut().find(|i| {
        i.get("type").and_then(Value::as_str) == Some("assistant")
            && i.get("message_id").is_some_and(Value::is_null)
    }) {
        prefix_content(first_chunk, &echo);
    }
    if let Some(first_saved) = items.iter_mut().find(|i| {
        i.get("type").and_then(Value::as_str) == Some("assistant")
            && i.get("message_id").is_some_and(|m| !m.is_null())
    }) {
        prefix_content(first_saved, &echo);
    }
    let completed = items.pop().unwrap_or_else(
        || json!({"type": "status", "status": "completed", "message": "Agent run completed successfully"}),
    );
    // Index just past turn 1's thread_run_end.
    let turn1_end = items
        .iter()
        .position(|i| is_status(i, "thread_run_end"))
        .map_or(items.len(), |p| p + 1);
    let turn2 = items.split_off(turn1_end);
    let turn1 = items;
    let head: Vec<Value> = turn1.iter().take(2).cloned().collect();
    let run_end = turn1.last().cloned();
    let to_steps = |v: Vec<Value>| v.into_iter().map(Step::Item).collect::<Vec<_>>();
    let final_completed = Step::Final {
        item: completed.clone(),
        status: "completed",
        error: None,
    };
    match variant {
        Variant::Sample => {
            let mut steps = to_steps(turn1);
            steps.extend(to_steps(turn2));
            steps.push(final_completed);
            steps
        }
        Variant::Pause => {
            let mut steps = to_steps(turn1);
            steps.push(Step::PauseSelf);
            steps.extend(to_steps(turn2));
            steps.push(final_completed);
            steps
        }
        Variant::Hold => {
            let mut steps = to_steps(turn1);
            steps.push(Step::Hold);
            steps
        }
        Variant::LlmError => {
            let mut steps = to_steps(head);
            let fixture = fixtures::sse_items(fixtures::STREAM_LLM_ERROR);
            if let Some(err) = fixture.first() {
                steps.push(Step::Item(err.clone()));
            }
            if let Some(end) = run_end {
                steps.push(Step::Item(end));
            }
            steps.push(final_completed);
            steps
        }
        Variant::WorkerError => {
            let text = fixtures::STREAM_WORKER_ERROR.replace(FIXTURE_PROJECT_ID, project_id);
            let fixture = fixtures::sse_items(&text);
            let mut steps = Vec::new();
            let mut message = format!("Project {project_id} not found");
            if let Some(err) = fixture.first() {
                if let Some(m) = err.get("message").and_then(Value::as_str) {
                    message = m.to_owned();
                }
                steps.push(Step::Item(err.clone()));
            }
            steps.push(Step::Fail(format!(
                "{message}\nTraceback (most recent call last):\n  File \"run_agent_background.py\", line 219, in run_agent_background\nException: {message}"
            )));
            steps
        }
        Variant::BillingStop => {
            let mut steps = to_steps(head);
            let fixture = fixtures::sse_items(fixtures::STREAM_BILLING_STOPPED);
            if let Some(item) = fixture.into_iter().next() {
                let error = item.get("message").and_then(Value::as_str).map(str::to_owned);
                steps.push(Step::Final {
                    item,
                    status: "stopped",
                    error,
                });
            }
            steps
        }
    }
}

fn refresh_timestamps(item: &mut Value) {
    if let Some(obj) = item.as_object_mut() {
        let now = timefmt::now_iso();
        for key in ["created_at", "updated_at"] {
            if obj.contains_key(key) {
                obj.insert(key.to_owned(), Value::String(now.clone()));
            }
        }
    }
}

/// `create_file` tool results write the file into the project's sandbox (created if needed).
fn apply_side_effects(app: &AppState, run_id: &str, item: &Value) {
    if item.get("type").and_then(Value::as_str) != Some("tool") {
        return;
    }
    let Some(content) = item
        .get("content")
        .and_then(Value::as_str)
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
    else {
        return;
    };
    let exec = &content["tool_execution"];
    if exec["function_name"] != "create_file" {
        return;
    }
    let (Some(path), Some(contents)) = (
        exec["arguments"]["file_path"].as_str(),
        exec["arguments"]["file_contents"].as_str(),
    ) else {
        return;
    };
    let mut store = app.lock();
    let Some(thread_id) = store.runs.get(run_id).map(|r| r.thread_id.clone()) else {
        return;
    };
    let Some(project_id) = store.threads.get(&thread_id).map(|t| t.project_id.clone()) else {
        return;
    };
    let existing = store
        .projects
        .get(&project_id)
        .and_then(|p| p.sandbox_id().map(str::to_owned))
        .filter(|id| store.sandboxes.contains_key(id));
    let sandbox_id = existing.unwrap_or_else(|| store.create_sandbox(&project_id));
    let full = format!("/workspace/{}", path.trim_start_matches('/'));
    store.write_file(&sandbox_id, &full, Bytes::from(contents.to_owned()));
}

enum Wait {
    Go,
    Exit,
}

/// Wait while the run is paused; `Exit` when it is no longer running or the server stops.
async fn wait_while_paused(app: &AppState, run_id: &str, rx: &mut tokio::sync::watch::Receiver<u64>) -> Wait {
    let mut shutdown = app.shutdown.clone();
    loop {
        {
            let store = app.lock();
            match store.runs.get(run_id) {
                Some(r) if r.is_running() && !r.paused => return Wait::Go,
                Some(r) if r.is_running() => {}
                _ => return Wait::Exit,
            }
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { return Wait::Exit },
            _ = shutdown.wait_for(|v| *v) => return Wait::Exit,
        }
    }
}

/// Drive a run through its steps (spawned per run).
pub async fn drive(app: Arc<AppState>, run_id: String, steps: Vec<Step>) {
    let Some(mut rx) = app.lock().runs.get(&run_id).map(|r| r.notify.subscribe()) else {
        return;
    };
    let mut shutdown = app.shutdown.clone();
    for step in steps {
        tokio::select! {
            _ = tokio::time::sleep(app.config.pace) => {}
            _ = shutdown.wait_for(|v| *v) => return,
        }
        if let Wait::Exit = wait_while_paused(&app, &run_id, &mut rx).await {
            return;
        }
        match step {
            Step::Item(mut item) => {
                refresh_timestamps(&mut item);
                // The tool runs before its result row exists: the file is there when the client sees the row.
                apply_side_effects(&app, &run_id, &item);
                app.lock().push_item(&run_id, &item);
            }
            Step::Final {
                mut item,
                status,
                error,
            } => {
                refresh_timestamps(&mut item);
                let mut store = app.lock();
                store.push_item(&run_id, &item);
                if let Some(run) = store.runs.get_mut(&run_id) {
                    run.finish(status, error);
                }
            }
            Step::Fail(error) => {
                let mut store = app.lock();
                if let Some(run) = store.runs.get_mut(&run_id) {
                    run.finish("failed", Some(error));
                }
                store.publish_control(&run_id, "ERROR");
            }
            Step::PauseSelf => {
                let mut store = app.lock();
                pause(&mut store, &run_id);
            }
            Step::Hold => loop {
                {
                    let store = app.lock();
                    if !store.runs.get(&run_id).is_some_and(|r| r.is_running()) {
                        return;
                    }
                }
                tokio::select! {
                    changed = rx.changed() => if changed.is_err() { return },
                    _ = shutdown.wait_for(|v| *v) => return,
                }
            },
        }
    }
}

/// Pause a running run: set the flag and emit `{"type": "status", "status": "paused", ...}`.
pub fn pause(store: &mut crate::state::Store, run_id: &str) {
    let should_emit = match store.runs.get_mut(run_id) {
        Some(run) if run.is_running() && !run.paused => {
            run.paused = true;
            true
        }
        _ => false,
    };
    if should_emit {
        let item = json!({"type": "status", "status": "paused", "message": "Agent run paused"});
        store.push_item(run_id, &item);
    }
}

/// Resume a paused run.
pub fn resume(store: &mut crate::state::Store, run_id: &str) {
    if let Some(run) = store.runs.get_mut(run_id)
        && run.paused
    {
        run.paused = false;
        run.bump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_script_has_27_items_with_fresh_ids() {
        let steps = build(Variant::Sample, "Say hi", "t-1", "p-1");
        assert_eq!(steps.len(), 27);
        let Step::Item(first) = &steps[0] else { panic!() };
        assert_eq!(first["thread_id"], "t-1");
        assert_ne!(first["message_id"], "85f748e5-8cd9-453c-8f55-4dfc0596f25c");
        let Step::Item(chunk) = &steps[2] else { panic!() };
        assert!(
            chunk["content"]
                .as_str()
                .unwrap()
                .contains("You asked: \\\"Say hi\\\"")
        );
        assert!(matches!(
            steps[26],
            Step::Final {
                status: "completed",
                ..
            }
        ));
    }

    #[test]
    fn variants_are_detected() {
        assert_eq!(Variant::detect("please [HOLD] it"), Variant::Hold);
        assert_eq!(Variant::detect("x [llm_error]"), Variant::LlmError);
        assert_eq!(Variant::detect("[Worker_Error]"), Variant::WorkerError);
        assert_eq!(Variant::detect("hold the door"), Variant::Sample);
        assert_eq!(Variant::detect("hello"), Variant::Sample);
        assert!(matches!(
            build(Variant::Hold, "", "t", "p").last(),
            Some(Step::Hold)
        ));
    }
}
