//! Requests of the conversation operations: the backend's thread and message routes (§5.3) and the rows the
//! frontend writes to Supabase directly (§7).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ids::{AgentRunId, ProjectId, ThreadId};
use super::runs::AgentRunStatus;
use super::threads::MessageRow;
use crate::api::spec::RestInsert;

/// Query of `GET /threads`: one page (defaults: page 1, 1000 threads).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ThreadsQuery {
    /// The page, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub page: Option<u32>,
    /// Threads per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub limit: Option<u32>,
}

/// Query of `GET /threads/{id}/messages`: `desc` (the default) or `asc` by creation time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct MessagesQuery {
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "\"asc\" | \"desc\""))]
    pub order: Option<String>,
}

/// `POST /threads` (form field `name`, default "New Project" on the backend): a project, its sandbox and a
/// thread.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct CreateThreadRequest {
    /// The project's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub name: Option<String>,
}

/// `POST /threads/{id}/messages`: a message row written by the backend (its content is stored as the object
/// `{"role": "user" | "assistant", "content": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct AddMessageRequest {
    /// `user`, `assistant`, …
    #[serde(rename = "type")]
    pub r#type: String,
    /// The text.
    pub content: String,
    /// Whether the agent sees it (default true).
    #[serde(default = "yes")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub is_llm_message: bool,
}

fn yes() -> bool {
    true
}

impl AddMessageRequest {
    /// A user message.
    pub fn user(content: impl Into<String>) -> AddMessageRequest {
        AddMessageRequest {
            r#type: "user".into(),
            content: content.into(),
            is_llm_message: true,
        }
    }
}

/// The answer of `DELETE /threads/{id}/messages/{message_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[non_exhaustive]
pub struct MessageDeleted {
    /// `Message deleted successfully`.
    pub message: String,
}

/// A follow-up: the user message added to the thread and the run started on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[non_exhaustive]
pub struct FollowUp {
    /// The new run (stream it with `runs().stream`).
    pub agent_run_id: AgentRunId,
    /// `running`.
    pub status: AgentRunStatus,
    /// The user message that was added.
    pub message: MessageRow,
}

/// A project row to insert (`POST /rest/v1/projects`); the signed-in user's account owns it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct NewProject {
    /// The name.
    pub name: String,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
}

impl RestInsert for NewProject {
    fn body(&self, sub: Option<&str>) -> Value {
        json!({"name": self.name, "description": self.description, "account_id": sub})
    }
}

/// Changes to a project row (`PATCH /rest/v1/projects`); unset fields are left as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ProjectUpdate {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub name: Option<String>,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub description: Option<String>,
    /// Public or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub is_public: Option<bool>,
}

/// A thread row to insert (`POST /rest/v1/threads`); the signed-in user's account owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct NewThread {
    /// Its project.
    pub project_id: ProjectId,
}

impl RestInsert for NewThread {
    fn body(&self, sub: Option<&str>) -> Value {
        json!({"project_id": self.project_id, "account_id": sub})
    }
}

/// Changes to a thread row (`PATCH /rest/v1/threads`), e.g. sharing it with `is_public: true`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ThreadUpdate {
    /// Public (shared) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub is_public: Option<bool>,
    /// Replaces the metadata object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Record<string, unknown>"))]
    pub metadata: Option<Value>,
}

/// A user message to insert the way the frontend does (`POST /rest/v1/messages`): `type: "user"`,
/// `is_llm_message: true` and `content` = `JSON.stringify({role: "user", content})`, stored as a JSONB string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct NewUserMessage {
    /// The thread.
    pub thread_id: ThreadId,
    /// The text.
    pub content: String,
}

impl RestInsert for NewUserMessage {
    fn body(&self, _sub: Option<&str>) -> Value {
        let content = json!({"role": "user", "content": self.content}).to_string();
        json!({"thread_id": self.thread_id, "type": "user", "is_llm_message": true, "content": content})
    }
}

/// A `content` or `metadata` value as a JSON value: backend-written rows hold an object, user rows (and the
/// stream's items) a JSON string of one (contract §6.3, §7). A string that is not JSON stays a string.
pub fn parse_content(value: &Value) -> Value {
    match value {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_for_the_signed_in_user() {
        let p = NewProject {
            name: "n".into(),
            description: None,
        };
        assert_eq!(
            p.body(Some("u1")),
            json!({"name": "n", "description": null, "account_id": "u1"})
        );
        let m = NewUserMessage {
            thread_id: "t".into(),
            content: "hi \"there\"".into(),
        };
        let body = m.body(None);
        assert_eq!(body["type"], "user");
        // The frontend's JSON.stringify({role, content}): a string holding JSON.
        let content = body["content"].as_str().unwrap();
        assert_eq!(
            parse_content(&body["content"]),
            json!({"role": "user", "content": "hi \"there\""}),
            "{content}"
        );
    }

    #[test]
    fn content_is_parsed_once_whatever_its_form() {
        let object = json!({"role": "assistant", "content": "x"});
        assert_eq!(parse_content(&object), object);
        assert_eq!(parse_content(&Value::String(object.to_string())), object);
        assert_eq!(parse_content(&json!("plain text")), json!("plain text"));
        assert_eq!(parse_content(&Value::Null), Value::Null);
    }
}
