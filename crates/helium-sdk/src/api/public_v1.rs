//! The public API v1 operations made of several requests, and its upload limits: waiting for a result,
//! realtime results, every page of a history or a file list, a file's bytes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::pages::{Page, Pages};
use super::spec::MultipartForm;
use super::{Handler, PublicApi, operations};
use crate::Client;
use crate::error::{Error, InvalidRequestCause};
use crate::http::Call;
use crate::models::{
    HistoryMessage, HistoryQuery, PUBLIC_MAX_FILE_BYTES, PUBLIC_MAX_FILES, PUBLIC_MAX_PROMPT_CHARS,
    PUBLIC_MAX_TOTAL_BYTES, PUBLIC_UPLOAD_EXTENSIONS, ProjectId, PublicFile, PublicFollowUpRequest,
    PublicPageQuery, QuickActionRequest, RealtimeItem, ThreadId, ThreadResponse, ThreadResponseQuery,
};
use crate::platform::{self, MaybeSend};
use crate::stream::sse::{SseEvent, SseParser};
use crate::transport::{Part, TransportBody};

use super::UploadFile;

/// Files per page when [`PublicApi::files_all`] fetches every page.
pub const PUBLIC_FILES_PAGE_SIZE: u32 = 100;

/// The longest wait the server accepts in one `…/response` call (`timeout` 0–600 s).
const MAX_SERVER_WAIT: Duration = Duration::from_secs(600);

/// How [`PublicApi::wait_for_result`] waits. In JavaScript: `{timeoutMs?, includeFileContent?, pollSeconds?}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct WaitOptions {
    /// The caller's deadline in milliseconds (default 600000, ten minutes); past it the wait fails with kind
    /// `timeout`.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<u64>,
    /// Include the files' content inline in the result (default false).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub include_file_content: Option<bool>,
    /// How long the server may hold one request while the run is going, in seconds (default 30, at most 600).
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub poll_seconds: Option<u32>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions::within(Duration::from_secs(600))
    }
}

impl WaitOptions {
    /// Wait at most `deadline`.
    pub fn within(deadline: Duration) -> WaitOptions {
        WaitOptions {
            timeout_ms: Some(u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX)),
            include_file_content: None,
            poll_seconds: None,
        }
    }

    /// With the files' content inline.
    pub fn with_file_content(mut self) -> WaitOptions {
        self.include_file_content = Some(true);
        self
    }

    /// With another server-side wait per request.
    pub fn poll_every(mut self, wait: Duration) -> WaitOptions {
        self.poll_seconds = Some(u32::try_from(wait.as_secs()).unwrap_or(u32::MAX));
        self
    }

    fn deadline(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unwrap_or(600_000))
    }

    fn poll(&self) -> Duration {
        Duration::from_secs(u64::from(self.poll_seconds.unwrap_or(30)))
            .min(MAX_SERVER_WAIT)
            .max(Duration::from_secs(1))
    }
}

/// Checks the documented limits of a public API upload (contract §8.2) before anything is sent: a prompt of
/// 1–5000 characters unless files are sent, at most 10 files of 50 MB each and 200 MB in all, with accepted
/// extensions.
pub(crate) fn check_public_upload(prompt: &str, files: &[UploadFile]) -> Result<(), Error> {
    let limit = |message: String| Err(Error::invalid(InvalidRequestCause::Limit(message)));
    if prompt.trim().is_empty() && files.is_empty() {
        return limit("a prompt is required when no files are sent".into());
    }
    let chars = prompt.chars().count();
    if chars > PUBLIC_MAX_PROMPT_CHARS {
        return limit(format!(
            "the prompt has {chars} characters; the public API accepts at most {PUBLIC_MAX_PROMPT_CHARS}"
        ));
    }
    if files.len() > PUBLIC_MAX_FILES {
        return limit(format!(
            "{} files; the public API accepts at most {PUBLIC_MAX_FILES} per request",
            files.len()
        ));
    }
    let mut total: u64 = 0;
    for file in files {
        let extension = file
            .name()
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !PUBLIC_UPLOAD_EXTENSIONS.contains(&extension.as_str()) {
            return limit(format!(
                "{}: the public API accepts only {}",
                file.name(),
                PUBLIC_UPLOAD_EXTENSIONS.join(", ")
            ));
        }
        if file.len() > PUBLIC_MAX_FILE_BYTES {
            return Err(Error::invalid(InvalidRequestCause::FileTooLarge {
                name: file.name().to_owned(),
                size: file.len(),
                limit: PUBLIC_MAX_FILE_BYTES,
            }));
        }
        total = total.saturating_add(file.len());
    }
    if total > PUBLIC_MAX_TOTAL_BYTES {
        return limit(format!(
            "the files add up to {total} bytes; the public API accepts at most {PUBLIC_MAX_TOTAL_BYTES} per request"
        ));
    }
    Ok(())
}

fn text(name: &'static str, value: String) -> Part {
    Part::Text { name, value }
}

impl MultipartForm for QuickActionRequest {
    /// The documented fields (booleans as `true`/`false`, `metadata` as JSON text, unset ones left out), then
    /// the files as `files`, after the limit checks.
    fn parts(&self) -> Result<Vec<Part>, Error> {
        check_public_upload(&self.prompt, &self.files)?;
        let mut parts = Vec::new();
        if !self.prompt.is_empty() {
            parts.push(text("prompt", self.prompt.clone()));
        }
        if let Some(v) = &self.agent_id {
            parts.push(text("agent_id", v.to_string()));
        }
        if let Some(v) = &self.model_name {
            parts.push(text("model_name", v.clone()));
        }
        if let Some(v) = self.enable_thinking {
            parts.push(text("enable_thinking", v.to_string()));
        }
        if let Some(v) = &self.reasoning_effort {
            parts.push(text("reasoning_effort", v.clone()));
        }
        if let Some(v) = self.enable_context_manager {
            parts.push(text("enable_context_manager", v.to_string()));
        }
        if let Some(v) = &self.source {
            parts.push(text("source", v.clone()));
        }
        if let Some(v) = &self.metadata {
            parts.push(text("metadata", v.to_string()));
        }
        if let Some(v) = self.show_in_recent_tasks {
            parts.push(text("show_in_recent_tasks", v.to_string()));
        }
        for file in &self.files {
            parts.push(file.part("files")?);
        }
        Ok(parts)
    }
}

impl MultipartForm for PublicFollowUpRequest {
    /// `prompt` (when not empty) and the files as `files`, after the limit checks.
    fn parts(&self) -> Result<Vec<Part>, Error> {
        check_public_upload(&self.prompt, &self.files)?;
        let mut parts = Vec::new();
        if !self.prompt.is_empty() {
            parts.push(text("prompt", self.prompt.clone()));
        }
        for file in &self.files {
            parts.push(file.part("files")?);
        }
        Ok(parts)
    }
}

/// Every message of a thread's history, page after page (`has_next`), decoded as `T`.
pub(crate) fn history_pages<T: DeserializeOwned + MaybeSend + 'static>(
    client: &Client,
    thread_id: ThreadId,
    project_id: ProjectId,
    query: HistoryQuery,
) -> Pages<T> {
    #[derive(serde::Deserialize)]
    struct PageOf<T> {
        messages: Vec<T>,
        pagination: crate::models::HistoryPagination,
    }
    let client = client.clone();
    Pages::new(u64::from(query.page.unwrap_or(1).max(1)), move |page| {
        let client = client.clone();
        let (thread_id, project_id) = (thread_id.clone(), project_id.clone());
        let query = HistoryQuery {
            page: Some(u32::try_from(page).unwrap_or(u32::MAX)),
            ..query.clone()
        };
        Box::pin(async move {
            let call = operations::public_history::call(None, &thread_id, &project_id, &query)?;
            let body: PageOf<T> = client.send(call).await?.json()?;
            let next = body.pagination.has_next.then_some(page + 1);
            Ok(Page {
                items: body.messages,
                next,
            })
        })
    })
}

/// Every file of a thread, page after page (`page_size` a page, until `total_items`), decoded as `T`.
pub(crate) fn file_pages<T: DeserializeOwned + MaybeSend + 'static>(
    client: &Client,
    thread_id: ThreadId,
    project_id: ProjectId,
    page_size: u32,
) -> Pages<T> {
    #[derive(serde::Deserialize)]
    struct PageOf<T> {
        files: Vec<T>,
        pagination: crate::models::FilesPagination,
    }
    let client = client.clone();
    let page_size = page_size.max(1);
    Pages::new(1, move |page| {
        let client = client.clone();
        let (thread_id, project_id) = (thread_id.clone(), project_id.clone());
        Box::pin(async move {
            let query = PublicPageQuery {
                page: Some(u32::try_from(page).unwrap_or(u32::MAX)),
                page_size: Some(page_size),
            };
            let call = operations::public_files::call(None, &thread_id, &project_id, &query)?;
            let body: PageOf<T> = client.send(call).await?.json()?;
            let seen = page.saturating_mul(u64::from(page_size));
            let next = (seen < body.pagination.total_items).then_some(page + 1);
            Ok(Page {
                items: body.files,
                next,
            })
        })
    })
}

/// The realtime result of a thread (`GET …/response?realtime=true`), item by item: each SSE `data:` line read
/// in either form (see [`RealtimeItem`]), until a terminal status or the end of the body; `map` converts them.
pub(crate) fn realtime_pages<T: MaybeSend + 'static>(
    client: &Client,
    thread_id: ThreadId,
    project_id: ProjectId,
    query: ThreadResponseQuery,
    map: fn(RealtimeItem) -> T,
) -> Pages<T> {
    struct Open {
        body: TransportBody,
        parser: SseParser,
        request_id: Option<String>,
    }
    let client = client.clone();
    let state: Arc<Mutex<Option<Open>>> = Arc::new(Mutex::new(None));
    Pages::new(0, move |n| {
        let client = client.clone();
        let state = state.clone();
        let (thread_id, project_id, query) = (thread_id.clone(), project_id.clone(), query.clone());
        Box::pin(async move {
            let mut call: Call =
                operations::public_thread_response::call(None, &thread_id, &project_id, &query)?;
            call.query.push(("realtime".into(), "true".into()));
            call.accept = "text/event-stream";
            let endpoint = client.pipeline.endpoint(&call);
            let taken = state.lock().ok().and_then(|mut s| s.take());
            let mut open = match taken {
                Some(open) => open,
                None => {
                    let head = client.pipeline.open(call, &client.settings).await?;
                    Open {
                        body: head.body,
                        parser: SseParser::new(),
                        request_id: head.request_id,
                    }
                }
            };
            let mut items = Vec::new();
            let mut terminal = false;
            let mut ended = false;
            // Read until at least one item (a chunk may hold part of an item, or only comments), the end of
            // the body, or a terminal status.
            while items.is_empty() && !ended {
                let mut events: Vec<SseEvent> = Vec::new();
                match open.body.chunk().await {
                    Ok(Some(chunk)) => open.parser.feed(&chunk, &mut events).map_err(|e| {
                        Error::decode(endpoint.clone(), 200, e.to_string(), &[], open.request_id.clone())
                    })?,
                    Ok(None) => ended = true,
                    Err(failure) => {
                        return Err(crate::http::failure_error(
                            failure,
                            &endpoint,
                            open.request_id.clone(),
                        ));
                    }
                }
                for event in events.iter().filter(|e| !e.data.trim().is_empty()) {
                    let value: serde_json::Value = serde_json::from_str(&event.data).map_err(|e| {
                        Error::decode(
                            endpoint.clone(),
                            200,
                            format!("a realtime item is not JSON ({e})"),
                            event.data.as_bytes(),
                            open.request_id.clone(),
                        )
                    })?;
                    let item = RealtimeItem::from_value(value);
                    terminal = item.is_terminal();
                    items.push(map(item));
                    if terminal {
                        break;
                    }
                }
                if terminal {
                    break;
                }
            }
            let next = if ended || terminal {
                None
            } else {
                if let Ok(mut s) = state.lock() {
                    *s = Some(open);
                }
                Some(n + 1)
            };
            Ok(Page { items, next })
        })
    })
}

impl PublicApi {
    /// Polls `GET …/response` until the thread's latest run is over (`completed`, `failed` or `stopped`),
    /// letting the server hold each request while the run is going, and returns the final result.
    ///
    /// # Errors
    /// Kind `timeout` when the run is still going at the caller's deadline; the errors of the calls
    /// (`not_found`, `unauthorized`, …; a 429 is waited out until its `X-RateLimit-Reset` and retried).
    pub async fn wait_for_result(
        &self,
        thread_id: impl Into<ThreadId>,
        project_id: impl Into<ProjectId>,
        options: &WaitOptions,
    ) -> Result<ThreadResponse, Error> {
        let (thread_id, project_id) = (thread_id.into(), project_id.into());
        let deadline = options.deadline();
        let started = platform::now_millis();
        let elapsed = || Duration::from_millis(platform::now_millis().saturating_sub(started));
        loop {
            let remaining = deadline.saturating_sub(elapsed());
            let wait = options.poll().min(remaining);
            let query = ThreadResponseQuery {
                timeout: Some(u32::try_from(wait.as_secs()).unwrap_or(600)),
                include_file_content: options.include_file_content,
                ..ThreadResponseQuery::default()
            };
            // The server holds the request up to `wait`: the client's own timeout must outlast it. A 429 is waited
            // out only while that stays within the caller's deadline.
            let settings = &self.client().settings;
            let retry = settings
                .retry
                .with_max_retry_after(settings.retry.max_retry_after.min(remaining));
            let client = self
                .client()
                .with_timeout(settings.timeout + wait)
                .with_retry(retry);
            let asked = platform::now_millis();
            let result = client
                .public_v1()
                .response(&thread_id, &project_id, &query)
                .await?;
            if result.status.is_terminal() {
                return Ok(result);
            }
            if elapsed() >= deadline {
                let call = operations::public_thread_response::call(None, &thread_id, &project_id, &query)?;
                return Err(Error::timeout(
                    self.client().pipeline.endpoint(&call),
                    deadline,
                    None,
                ));
            }
            // A server that answers at once (no long poll) is asked again after a second, not in a busy loop.
            let held = Duration::from_millis(platform::now_millis().saturating_sub(asked));
            if held < Duration::from_secs(1) {
                let pause = (Duration::from_secs(1) - held).min(deadline.saturating_sub(elapsed()));
                platform::sleep(pause).await;
            }
        }
    }

    /// The thread's result as it is produced (`realtime=true`): the assistant's text in pieces and the run's
    /// status, in either item form contract §8 mentions, until a terminal status (`next().await`, or a
    /// `futures_core::Stream`; `query.timeout` bounds how long the server streams).
    pub fn realtime(
        &self,
        thread_id: impl Into<ThreadId>,
        project_id: impl Into<ProjectId>,
        query: &ThreadResponseQuery,
    ) -> Pages<RealtimeItem> {
        realtime_pages(
            self.client(),
            thread_id.into(),
            project_id.into(),
            query.clone(),
            std::convert::identity,
        )
    }

    /// Every message of the thread's history, page after page (`query.page` is where to start).
    pub fn history_all(
        &self,
        thread_id: impl Into<ThreadId>,
        project_id: impl Into<ProjectId>,
        query: &HistoryQuery,
    ) -> Pages<HistoryMessage> {
        history_pages(self.client(), thread_id.into(), project_id.into(), query.clone())
    }

    /// Every file of the thread, page after page ([`PUBLIC_FILES_PAGE_SIZE`] a page).
    pub fn files_all(
        &self,
        thread_id: impl Into<ThreadId>,
        project_id: impl Into<ProjectId>,
    ) -> Pages<PublicFile> {
        file_pages(
            self.client(),
            thread_id.into(),
            project_id.into(),
            PUBLIC_FILES_PAGE_SIZE,
        )
    }

    /// A file's bytes: its inline content (UTF-8 text, or base64 decoded), else the raw download
    /// (`download=true`).
    ///
    /// # Errors
    /// Those of the calls; `decode` for inline content that is not valid base64.
    pub async fn read_file(
        &self,
        file_id: impl Into<String>,
        project_id: impl Into<ProjectId>,
        thread_id: impl Into<ThreadId>,
    ) -> Result<Vec<u8>, Error> {
        let (file_id, project_id, thread_id) = (file_id.into(), project_id.into(), thread_id.into());
        let file = self.file(&file_id, &project_id, &thread_id).await?;
        match file.file.bytes()? {
            Some(bytes) => Ok(bytes),
            None => self.download_file(file_id, project_id, thread_id).await,
        }
    }
}
