//! The public API v1 (`/api/v1/public/...`, contract §8): quick actions, results, follow-ups, history and
//! files, for `he-` API keys. Its shapes are known from its documentation only (contract §8.1).
//!
//! Every response carries the `X-RateLimit-*` headers of its answer as [`RateLimit`] in `rate_limit` (not a
//! wire field: it is set from the headers, `None` when the server sent none, and in a browser, which cannot read
//! them).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::{AgentId, AgentRunId, MessageId, ProjectId, ThreadId};
use super::wire::{null_to_default, string_enum};
use crate::api::UploadFile;
use crate::error::RateLimit;

/// A response that carries the rate-limit headers of its answer.
pub trait WithRateLimit {
    /// Sets the rate-limit headers.
    fn set_rate_limit(&mut self, rate_limit: Option<RateLimit>);
    /// The rate-limit headers of the answer, when the server sent them (and the runtime could read them).
    fn rate_limit(&self) -> Option<RateLimit>;
}

macro_rules! with_rate_limit {
    ($($t:ty),*) => {$(
        impl WithRateLimit for $t {
            fn set_rate_limit(&mut self, rate_limit: Option<RateLimit>) {
                self.rate_limit = rate_limit;
            }
            fn rate_limit(&self) -> Option<RateLimit> {
                self.rate_limit
            }
        }
    )*};
}

string_enum! {
    /// The status of a thread's latest run, as the public API reports it.
    #[cfg_attr(
        target_arch = "wasm32",
        derive(tsify::Tsify),
        tsify(type = "\"completed\" | \"running\" | \"failed\" | \"stopped\" | \"no_run\" | (string & {})")
    )]
    pub enum PublicRunStatus {
        /// Finished.
        Completed => "completed",
        /// Still running.
        Running => "running",
        /// Failed.
        Failed => "failed",
        /// Stopped (`…/agent/stop`); it cannot be resumed.
        Stopped => "stopped",
        /// The thread has no run.
        NoRun => "no_run",
    }
}

impl PublicRunStatus {
    /// Whether the run is over: `completed`, `failed` or `stopped`.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            PublicRunStatus::Completed | PublicRunStatus::Failed | PublicRunStatus::Stopped
        )
    }
}

/// The extensions the public API accepts for uploads (contract §8.2), compared case-insensitively.
pub const PUBLIC_UPLOAD_EXTENSIONS: [&str; 22] = [
    "png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "docx", "xlsx", "pptx", "csv", "txt", "json", "xml",
    "md", "mp3", "wav", "flac", "aac", "zip", "rar", "7z",
];
/// Files per public API request (contract §8.2).
pub const PUBLIC_MAX_FILES: usize = 10;
/// Bytes per file (50 MB).
pub const PUBLIC_MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Bytes for all files of a request (200 MB).
pub const PUBLIC_MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;
/// Characters of a prompt.
pub const PUBLIC_MAX_PROMPT_CHARS: usize = 5000;

/// The request of `POST /v1/public/quick-action` (multipart): a prompt (1–5000 characters, required unless
/// files are sent), options, and at most 10 files (50 MB each, 200 MB in all, of the accepted extensions).
/// The limits are checked before anything is sent (`invalid_request`, code `limit` or `file_too_large`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct QuickActionRequest {
    /// The task (1–5000 characters; may be empty when files are sent).
    #[serde(default)]
    pub prompt: String,
    /// The agent to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Extended thinking (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_thinking: Option<bool>,
    /// `low` (default), `medium` or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Context-window management (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_context_manager: Option<bool>,
    /// `web`, `mobile` or `widget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free-form metadata (a JSON object, sent as its JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub metadata: Option<Value>,
    /// Whether the task shows in the user's recent tasks (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_in_recent_tasks: Option<bool>,
    /// The files. In JavaScript they are the `files` of `QuickActionRequestInput`.
    #[serde(skip)]
    pub files: Vec<UploadFile>,
}

impl QuickActionRequest {
    /// A request with only the prompt.
    pub fn new(prompt: impl Into<String>) -> QuickActionRequest {
        QuickActionRequest {
            prompt: prompt.into(),
            ..QuickActionRequest::default()
        }
    }

    /// Adds a file.
    pub fn file(mut self, file: UploadFile) -> QuickActionRequest {
        self.files.push(file);
        self
    }
}

/// The request of a public follow-up (`POST /v1/public/threads/{id}/response`, multipart): a prompt
/// (1–5000 characters, required unless files are sent) and files, with the quick action's limits.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PublicFollowUpRequest {
    /// The message (may be empty when files are sent).
    #[serde(default)]
    pub prompt: String,
    /// The files. In JavaScript they are the `files` of `PublicFollowUpRequestInput`.
    #[serde(skip)]
    pub files: Vec<UploadFile>,
}

impl PublicFollowUpRequest {
    /// A follow-up with only the prompt.
    pub fn new(prompt: impl Into<String>) -> PublicFollowUpRequest {
        PublicFollowUpRequest {
            prompt: prompt.into(),
            files: Vec::new(),
        }
    }

    /// Adds a file.
    pub fn file(mut self, file: UploadFile) -> PublicFollowUpRequest {
        self.files.push(file);
        self
    }
}

/// The response of `POST /v1/public/quick-action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct QuickActionResponse {
    /// `true`.
    pub success: bool,
    /// The new project.
    pub project_id: ProjectId,
    /// The new thread.
    pub thread_id: ThreadId,
    /// The run started on it.
    pub agent_run_id: AgentRunId,
    /// `Task created and execution started`.
    pub message: String,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

/// The query of `GET /v1/public/threads/{id}/response` besides `project_id` (`None` is not sent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ThreadResponseQuery {
    /// How long the server waits for the run to end, in seconds (0–600; default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Include the files' content inline (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_file_content: Option<bool>,
    /// The page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1–1000; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// The assistant's answer in a [`ThreadResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct PublicMessage {
    /// `assistant`.
    pub role: String,
    /// The text.
    #[serde(deserialize_with = "null_to_default")]
    pub content: String,
    /// The message.
    pub message_id: Option<MessageId>,
}

/// A fenced code block or a code file of a [`ThreadResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CodeBlock {
    /// The language, e.g. `html`.
    #[serde(deserialize_with = "null_to_default")]
    pub language: String,
    /// The code.
    #[serde(deserialize_with = "null_to_default")]
    pub code: String,
}

/// A file with its content when it is inline (a result's files, and `GET /v1/public/files/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct PublicFileContent {
    /// `"{thread_id}:/workspace/{name}"`.
    pub file_id: String,
    /// The name.
    pub file_name: String,
    /// The size in bytes.
    pub file_size: u64,
    /// The media type (absent in a result's files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// Whether `content` holds the file.
    #[serde(deserialize_with = "null_to_default")]
    pub included_inline: bool,
    /// The content: UTF-8 text, or base64 (see `encoding`); `null` when not inline.
    #[serde(default)]
    pub content: Option<String>,
    /// `utf-8`, or another value (base64) for binary content; `null` when not inline.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Where to download the file when it is not inline (documented by the best practices only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
}

impl PublicFileContent {
    /// The text, when the content is inline UTF-8.
    pub fn text(&self) -> Option<&str> {
        let utf8 = self
            .encoding
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("utf-8") || e.eq_ignore_ascii_case("utf8"));
        self.content.as_deref().filter(|_| self.included_inline && utf8)
    }

    /// The bytes, when the content is inline: the UTF-8 text, or the base64 content decoded.
    ///
    /// # Errors
    /// `decode` when base64 content is malformed.
    pub fn bytes(&self) -> Result<Option<Vec<u8>>, crate::Error> {
        if !self.included_inline {
            return Ok(None);
        }
        let Some(content) = &self.content else {
            return Ok(None);
        };
        if self.text().is_some() {
            return Ok(Some(content.as_bytes().to_vec()));
        }
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(content.trim())
            .map(Some)
            .map_err(|e| {
                crate::Error::decode(
                    crate::error::Endpoint::new("GET", &format!("file {}", self.file_id)),
                    200,
                    format!("the inline content of {} is not base64: {e}", self.file_name),
                    &[],
                    None,
                )
            })
    }
}

/// The response of `GET /v1/public/threads/{id}/response`: the thread's latest run and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadResponse {
    /// `true`.
    pub success: bool,
    /// The thread.
    pub thread_id: ThreadId,
    /// Its project.
    pub project_id: ProjectId,
    /// The latest run (`null` with `no_run`).
    pub agent_run_id: Option<AgentRunId>,
    /// The run's status.
    pub status: PublicRunStatus,
    /// The assistant's last answer (`null` before there is one).
    pub response: Option<PublicMessage>,
    /// Whether the answer has code.
    #[serde(deserialize_with = "null_to_default")]
    pub has_code: bool,
    /// Whether the run made files.
    #[serde(deserialize_with = "null_to_default")]
    pub has_files: bool,
    /// The code blocks.
    #[serde(deserialize_with = "null_to_default")]
    pub code_blocks: Vec<CodeBlock>,
    /// The files the run made.
    #[serde(deserialize_with = "null_to_default")]
    pub files: Vec<PublicFileContent>,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

impl ThreadResponse {
    /// The answer's text (empty before there is one).
    pub fn text(&self) -> &str {
        self.response.as_ref().map_or("", |r| r.content.as_str())
    }
}

/// The response of a public follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FollowUpAccepted {
    /// `true`.
    pub success: bool,
    /// The new run.
    pub agent_run_id: AgentRunId,
    /// `running`.
    pub status: PublicRunStatus,
    /// `Follow-up accepted`.
    pub message: String,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

/// The response of `POST /v1/public/threads/{id}/agent/stop` (a stopped run cannot be resumed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct PublicStopResponse {
    /// `true`.
    pub success: bool,
    /// The stopped run.
    pub agent_run_id: AgentRunId,
    /// `stopped`.
    pub status: PublicRunStatus,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

/// The query of `GET /v1/public/threads/{id}/history` besides `project_id` (`None` is not sent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct HistoryQuery {
    /// The page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1–1000; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// Include files' content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_file_content: Option<bool>,
    /// Include status messages (`role: "status"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_status_messages: Option<bool>,
    /// Leave out `has_code`/`has_files`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compact: Option<bool>,
}

/// One message of a thread's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct HistoryMessage {
    /// The message.
    pub message_id: MessageId,
    /// `user`, `assistant` (or `status` on request).
    pub role: String,
    /// The text.
    #[serde(deserialize_with = "null_to_default")]
    pub content: String,
    /// When (ISO-8601).
    pub created_at: String,
    /// Whether it has code (assistant messages, unless `compact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_code: Option<bool>,
    /// Whether it has files (assistant messages, unless `compact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_files: Option<bool>,
}

/// Page information of a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct HistoryPagination {
    /// The page (from 1).
    pub current_page: u32,
    /// The number of pages.
    pub total_pages: u32,
    /// Whether there is a next page.
    pub has_next: bool,
}

/// One page of `GET /v1/public/threads/{id}/history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct HistoryPage {
    /// `true`.
    pub success: bool,
    /// The thread.
    pub thread_id: ThreadId,
    /// The messages of this page, oldest first.
    #[serde(deserialize_with = "null_to_default")]
    pub messages: Vec<HistoryMessage>,
    /// Page information.
    pub pagination: HistoryPagination,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

/// The paging query of `GET /v1/public/threads/{id}/files` (`None` is not sent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PublicPageQuery {
    /// The page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// A file of a thread's sandbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct PublicFile {
    /// `"{thread_id}:/workspace/{name}"`.
    pub file_id: String,
    /// The name.
    pub file_name: String,
    /// The size in bytes.
    pub file_size: u64,
    /// The media type.
    #[serde(default)]
    pub file_type: Option<String>,
}

/// Page information of a file list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FilesPagination {
    /// The page (from 1).
    pub current_page: u32,
    /// Files in all pages.
    pub total_items: u64,
}

/// One page of `GET /v1/public/threads/{id}/files`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FilesPage {
    /// `true`.
    pub success: bool,
    /// The files of this page.
    #[serde(deserialize_with = "null_to_default")]
    pub files: Vec<PublicFile>,
    /// Page information.
    pub pagination: FilesPagination,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

/// The response of `GET /v1/public/files/{file_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FileContentResponse {
    /// `true`.
    pub success: bool,
    /// The file and its content.
    pub file: PublicFileContent,
    /// The rate-limit headers of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub rate_limit: Option<RateLimit>,
}

with_rate_limit!(
    QuickActionResponse,
    ThreadResponse,
    FollowUpAccepted,
    PublicStopResponse,
    HistoryPage,
    FilesPage,
    FileContentResponse
);

/// One item of a realtime result (`GET …/response?realtime=true`), in either form contract §8 mentions: the
/// documented `{"type": "content" | "status", …}` and the internal `{"role": "assistant", "content": …}` /
/// `{"status_type": "finish", …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RealtimeItem {
    /// A piece of the assistant's text.
    Content {
        /// The text.
        content: String,
    },
    /// The run's status (`running`, then a terminal one).
    Status {
        /// The status.
        status: PublicRunStatus,
        /// A message, when the server sent one.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        message: Option<String>,
    },
    /// The internal form's end of a turn (`{"status_type": "finish", "finish_reason": …}`).
    Finish {
        /// Why (`stop`, `agent_terminated`, …).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        reason: Option<String>,
    },
    /// Any other item, kept as sent.
    Other {
        /// The item.
        #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown"))]
        value: Value,
    },
}

impl RealtimeItem {
    /// Reads one item in either form.
    pub fn from_value(value: Value) -> RealtimeItem {
        let str_of = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        match value.get("type").and_then(Value::as_str) {
            Some("content") => {
                if let Some(content) = str_of("content") {
                    return RealtimeItem::Content { content };
                }
            }
            Some("status") => {
                if let Some(status) = str_of("status") {
                    return RealtimeItem::Status {
                        status: PublicRunStatus::from(status.to_ascii_lowercase()),
                        message: str_of("message"),
                    };
                }
            }
            _ => {}
        }
        if value.get("role").and_then(Value::as_str) == Some("assistant")
            && let Some(content) = str_of("content")
        {
            return RealtimeItem::Content { content };
        }
        if value.get("status_type").and_then(Value::as_str) == Some("finish") {
            return RealtimeItem::Finish {
                reason: str_of("finish_reason"),
            };
        }
        RealtimeItem::Other { value }
    }

    /// Whether the run is over with this item (a terminal status).
    pub fn is_terminal(&self) -> bool {
        matches!(self, RealtimeItem::Status { status, .. } if status.is_terminal())
    }
}
