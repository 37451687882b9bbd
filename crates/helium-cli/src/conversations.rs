//! `threads` and `messages`: the caller's conversations.

use helium_sdk::models::{MessagesQuery, ThreadsQuery, parse_content};
use helium_sdk::stream::{Segment, split_assistant_text};
use serde_json::Value;

use crate::context::{EnvSnapshot, Target, client, required_auth};
use crate::error::{CliError, EXIT_OK};
use crate::output::out_line;

/// `helium threads`: every page of `GET /threads`.
pub(crate) async fn threads(
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let threads = client
        .threads()
        .list_all(&ThreadsQuery::default())
        .collect_all()
        .await
        .map_err(|e| CliError::from_sdk(&e, &target.root()))?;
    if json {
        out_line(&serde_json::to_string(&threads).unwrap_or_else(|_| "[]".into()));
        return Ok(EXIT_OK);
    }
    if threads.is_empty() {
        out_line("no threads yet: start one with `helium run \"your prompt\"`");
        return Ok(EXIT_OK);
    }
    out_line(&format!("{:<38} {:<34} project", "thread", "updated"));
    for t in &threads {
        let project = t.project.as_ref().map_or("-", |p| p.name.as_str());
        out_line(&format!("{:<38} {:<34} {project}", t.thread_id, t.updated_at));
    }
    Ok(EXIT_OK)
}

/// A message row as one line of text: the role, then its prose (tool calls by name, never as XML).
fn describe(row_type: &str, content: &Value) -> String {
    let parsed = parse_content(content);
    let text = match &parsed {
        Value::Object(o) => match o.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => parsed.to_string(),
        },
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if row_type != "assistant" {
        return text;
    }
    split_assistant_text(&text)
        .into_iter()
        .map(|s| match s {
            Segment::Text { text } => text.trim().to_owned(),
            Segment::ToolCall { call } => format!("[{}]", call.name),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `helium messages THREAD_ID`: the thread's messages, oldest first.
pub(crate) async fn messages(
    thread_id: String,
    json: bool,
    backend: Option<&str>,
    token: Option<&str>,
    env: &EnvSnapshot,
) -> Result<u8, CliError> {
    let target = Target::resolve(backend, env)?;
    let client = client(&target, required_auth(token, env)?, env)?;
    let query = MessagesQuery {
        order: Some("asc".into()),
    };
    let rows = client
        .threads()
        .messages(thread_id.as_str(), &query)
        .await
        .map_err(|e| CliError::from_sdk(&e, &target.root()))?;
    if json {
        out_line(&serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into()));
        return Ok(EXIT_OK);
    }
    for row in rows
        .iter()
        .filter(|r| r.r#type == "user" || r.r#type == "assistant")
    {
        let line: String = describe(&row.r#type, &row.content).chars().take(400).collect();
        out_line(&format!("{:<9} {}", row.r#type, line.replace('\n', " ")));
    }
    Ok(EXIT_OK)
}
