//! The route table: one function per backend operation building its [`Call`] (method, path, query, body,
//! auth mode, idempotency). The typed Rust handlers and the JavaScript bindings both send these.

use crate::error::Error;
use crate::http::{AuthMode, Call};
use crate::models::{
    AgentId, AgentRunId, AgentStartRequest, AgentsQuery, ApiKeyId, CreateApiKeyRequest, InitiateAgentRequest,
    ManualEventRequest, ProjectId, SandboxId, ThreadId,
};
use crate::transport::{Body, Method, Part};

use super::UploadFile;

/// A caller-supplied id or name, percent-encoded as one path segment.
fn seg(s: &str) -> String {
    crate::http::encode_component(s)
}

fn get(path: impl Into<String>) -> Call {
    Call::new(Method::Get, path)
}

pub(crate) fn health() -> Call {
    get("/health").auth(AuthMode::None)
}

pub(crate) fn health_docker() -> Call {
    get("/health-docker").auth(AuthMode::None)
}

pub(crate) fn initiate(request: &InitiateAgentRequest, files: Vec<UploadFile>) -> Result<Call, Error> {
    let mut parts: Vec<Part> = request
        .form_fields()
        .into_iter()
        .map(|(name, value)| Part::Text { name, value })
        .collect();
    for file in files {
        parts.push(file.into_part("files")?);
    }
    Ok(Call::new(Method::Post, "/agent/initiate").body(Body::Multipart(parts)))
}

pub(crate) fn start(thread_id: &ThreadId, request: &AgentStartRequest) -> Result<Call, Error> {
    Call::new(
        Method::Post,
        format!("/thread/{}/agent/start", seg(thread_id.as_str())),
    )
    .json(request)
}

pub(crate) fn thread_agent(thread_id: &ThreadId) -> Call {
    get(format!("/thread/{}/agent", seg(thread_id.as_str())))
}

pub(crate) fn run(id: &AgentRunId) -> Call {
    get(format!("/agent-run/{}", seg(id.as_str())))
}

pub(crate) fn runs_of_thread(thread_id: &ThreadId) -> Call {
    get(format!("/thread/{}/agent-runs", seg(thread_id.as_str())))
}

/// The run-control actions (`stop` is safe to repeat and so retried; the others publish signals and are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Stop,
    Pause,
    Resume,
    Takeover,
    Release,
}

pub(crate) fn control(id: &AgentRunId, action: Control) -> Call {
    let name = match action {
        Control::Stop => "stop",
        Control::Pause => "pause",
        Control::Resume => "resume",
        Control::Takeover => "takeover",
        Control::Release => "release",
    };
    let call = Call::new(Method::Post, format!("/agent-run/{}/{name}", seg(id.as_str())));
    if action == Control::Stop {
        call.idempotent()
    } else {
        call
    }
}

pub(crate) fn manual_event(id: &AgentRunId, event: &ManualEventRequest) -> Result<Call, Error> {
    Call::new(
        Method::Post,
        format!("/agent-run/{}/manual-event", seg(id.as_str())),
    )
    .json(event)
}

pub(crate) fn stream(id: &AgentRunId) -> Call {
    get(format!("/agent-run/{}/stream", seg(id.as_str()))).accept("text/event-stream")
}

fn files(method: Method, sandbox: &SandboxId, suffix: &str, path: &str) -> Call {
    Call::new(
        method,
        format!("/sandboxes/{}/files{suffix}", seg(sandbox.as_str())),
    )
    .query(vec![("path", path.to_owned())])
    .auth(AuthMode::Optional)
}

pub(crate) fn list_files(sandbox: &SandboxId, dir: &str) -> Call {
    files(Method::Get, sandbox, "", dir)
}

pub(crate) fn read_file(sandbox: &SandboxId, path: &str) -> Call {
    files(Method::Get, sandbox, "/content", path).accept("application/octet-stream")
}

pub(crate) fn upload_file(sandbox: &SandboxId, path: &str, file: UploadFile) -> Result<Call, Error> {
    let parts = vec![
        Part::Text {
            name: "path",
            value: path.to_owned(),
        },
        file.into_part("file")?,
    ];
    Ok(Call::new(
        Method::Post,
        format!("/sandboxes/{}/files", seg(sandbox.as_str())),
    )
    .body(Body::Multipart(parts))
    .auth(AuthMode::Optional))
}

pub(crate) fn delete_file(sandbox: &SandboxId, path: &str) -> Call {
    files(Method::Delete, sandbox, "", path).idempotent()
}

pub(crate) fn delete_sandbox(sandbox: &SandboxId) -> Call {
    Call::new(Method::Delete, format!("/sandboxes/{}", seg(sandbox.as_str())))
        .auth(AuthMode::Optional)
        .idempotent()
}

pub(crate) fn ensure_sandbox_active(project: &ProjectId) -> Call {
    Call::new(
        Method::Post,
        format!("/project/{}/sandbox/ensure-active", seg(project.as_str())),
    )
    .auth(AuthMode::Optional)
    .idempotent()
}

pub(crate) fn subscription() -> Call {
    get("/billing/subscription")
}

pub(crate) fn check_status() -> Call {
    get("/billing/check-status")
}

pub(crate) fn available_models() -> Call {
    get("/billing/available-models")
}

pub(crate) fn thread_token_usage(thread_id: &ThreadId) -> Call {
    get(format!("/billing/thread-token-usage/{}", seg(thread_id.as_str())))
}

pub(crate) fn agents(query: &AgentsQuery) -> Call {
    get("/agents").query(query.query_pairs())
}

pub(crate) fn agent(id: &AgentId) -> Call {
    get(format!("/agents/{}", seg(id.as_str())))
}

pub(crate) fn flags() -> Call {
    get("/feature-flags")
}

pub(crate) fn flag(name: &str) -> Call {
    get(format!("/feature-flags/{}", seg(name)))
}

pub(crate) fn create_api_key(request: &CreateApiKeyRequest) -> Result<Call, Error> {
    Call::new(Method::Post, "/api-keys").json(request)
}

pub(crate) fn api_keys() -> Call {
    get("/api-keys")
}

pub(crate) fn revoke_api_key(id: &ApiKeyId) -> Call {
    Call::new(Method::Patch, format!("/api-keys/{}/revoke", seg(id.as_str()))).idempotent()
}

pub(crate) fn delete_api_key(id: &ApiKeyId) -> Call {
    Call::new(Method::Delete, format!("/api-keys/{}", seg(id.as_str()))).idempotent()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_encoded_in_paths() {
        let call = super::control(&"a/b?c".into(), super::Control::Stop);
        assert_eq!(call.path, "/agent-run/a%2Fb%3Fc/stop");
    }
}
