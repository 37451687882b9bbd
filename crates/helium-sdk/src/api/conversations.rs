//! The conversation operations made of several requests: every page of the threads, a follow-up (the user's
//! message, then a run on it), every message of a thread through Supabase, public projects, and deleting a
//! thread with the frontend's cascade.

use serde::de::DeserializeOwned;

use super::pages::{Page, Pages};
use super::{AgentApi, DataApi, Handler, ThreadsApi, operations};
use crate::Client;
use crate::error::{Error, ErrorKind};
use crate::http::{Base, Call};
use crate::models::{
    AddMessageRequest, AgentStartRequest, FollowUp, MessageRow, ProjectId, ProjectRow, ThreadId,
    ThreadSummary, ThreadUpdate, ThreadsQuery,
};
use crate::platform::MaybeSend;
use crate::transport::Method;

/// Rows per page of the frontend's message query (it loops while a page is full).
pub const MESSAGE_PAGE_SIZE: u64 = 1000;

/// Every thread, page after page (`GET /threads?page=N&limit=L`), decoded as `T`.
pub(crate) fn thread_pages<T: DeserializeOwned + MaybeSend + 'static>(
    client: &Client,
    query: &ThreadsQuery,
) -> Pages<T> {
    #[derive(serde::Deserialize)]
    struct PageOf<T> {
        threads: Vec<T>,
        pagination: crate::models::Pagination,
    }
    let client = client.clone();
    let limit = query.limit;
    Pages::new(u64::from(query.page.unwrap_or(1)), move |page| {
        let client = client.clone();
        Box::pin(async move {
            let query = ThreadsQuery {
                page: Some(u32::try_from(page).unwrap_or(u32::MAX)),
                limit,
            };
            let call = operations::list_threads::call(None, &query)?;
            let body: PageOf<T> = client.send(call).await?.json()?;
            let next = (page < u64::from(body.pagination.pages)).then_some(page + 1);
            Ok(Page {
                items: body.threads,
                next,
            })
        })
    })
}

/// Every message row of a thread through Supabase: the frontend's query, 1000 rows a page until a short page.
pub(crate) fn message_pages<T: DeserializeOwned + MaybeSend + 'static>(
    client: &Client,
    thread_id: ThreadId,
) -> Pages<T> {
    let client = client.clone();
    Pages::new(0, move |offset| {
        let client = client.clone();
        let thread_id = thread_id.clone();
        Box::pin(async move {
            let spec = &operations::list_message_rows_page::SPEC;
            let sub = client.subject(spec).await?;
            let call = operations::list_message_rows_page::call(
                Some(&sub),
                &thread_id,
                &offset.to_string(),
                &MESSAGE_PAGE_SIZE.to_string(),
                &(),
            )?;
            let items: Vec<T> = client.send(call).await?.json()?;
            let next = (items.len() as u64 == MESSAGE_PAGE_SIZE).then_some(offset + MESSAGE_PAGE_SIZE);
            Ok(Page { items, next })
        })
    })
}

impl ThreadsApi {
    /// Every thread of the caller, page after page (`GET /threads`), as one sequence: `next().await` or, as a
    /// `futures_core::Stream`, with `StreamExt`. `query.page` is where to start, `query.limit` the page size.
    pub fn list_all(&self, query: &ThreadsQuery) -> Pages<ThreadSummary> {
        thread_pages(self.client(), query)
    }
}

impl AgentApi {
    /// Continues a conversation: adds the user's message to the thread (`POST /threads/{id}/messages`), then
    /// starts the agent on it (`POST /thread/{id}/agent/start`), as the frontend does — in that order, so the
    /// run always sees the message. Stream the returned run with `runs().stream(id)`.
    ///
    /// # Errors
    /// Those of the two calls; when the message was added but the run could not start, the error is the
    /// start's (the message stays on the thread).
    pub async fn follow_up(
        &self,
        thread_id: impl Into<ThreadId>,
        prompt: impl Into<String>,
        request: &AgentStartRequest,
    ) -> Result<FollowUp, Error> {
        let thread_id = thread_id.into();
        let message = self
            .client()
            .threads()
            .add_message(&thread_id, &AddMessageRequest::user(prompt))
            .await?;
        let started = self.start(&thread_id, request).await?;
        Ok(FollowUp {
            agent_run_id: started.agent_run_id,
            status: started.status,
            message,
        })
    }
}

/// A PostgREST call built by hand (for the composite operations).
fn rest_call(method: Method, path: String) -> Call {
    let mut call = Call::new(method, path);
    call.base = Base::Rest;
    call.auth = crate::http::AuthMode::Supabase;
    if method != Method::Get {
        call.idempotency = crate::http::Idempotency::Idempotent;
    }
    call
}

/// The rows of public projects: the projects of public threads (two requests, as the frontend makes them).
pub(crate) async fn public_projects<T: DeserializeOwned>(client: &Client) -> Result<Vec<T>, Error> {
    #[derive(serde::Deserialize)]
    struct Ref {
        project_id: Option<ProjectId>,
    }
    let refs: Vec<Ref> = client
        .send(rest_call(
            Method::Get,
            "/threads?select=project_id&is_public=eq.true".into(),
        ))
        .await?
        .json()?;
    let mut ids: Vec<String> = refs
        .into_iter()
        .filter_map(|r| r.project_id)
        .map(String::from)
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let quoted: Vec<String> = ids
        .iter()
        .map(|id| format!("\"{}\"", id.replace('"', "")))
        .collect();
    let mut call = rest_call(Method::Get, "/projects?select=*".into());
    call.query
        .push(("project_id".into(), format!("in.({})", quoted.join(","))));
    client.send(call).await?.json()
}

impl DataApi {
    /// Every message of a thread, oldest first, through Supabase: the frontend's query (the agent embed, no
    /// `cost` or `summary` rows), fetched 1000 rows a page until a short page.
    pub fn messages(&self, thread_id: impl Into<ThreadId>) -> Pages<MessageRow> {
        message_pages(self.client(), thread_id.into())
    }

    /// Public projects: the projects of threads shared with `is_public = true`.
    ///
    /// # Errors
    /// `config`, `auth`, `unauthorized`.
    pub async fn public_projects(&self) -> Result<Vec<ProjectRow>, Error> {
        public_projects(self.client()).await
    }

    /// Shares a thread (`is_public: true`) or stops sharing it.
    ///
    /// # Errors
    /// `not_found`, `forbidden`.
    pub async fn share_thread(
        &self,
        thread_id: impl Into<ThreadId>,
        public: bool,
    ) -> Result<crate::models::ThreadRow, Error> {
        let update = ThreadUpdate {
            is_public: Some(public),
            ..ThreadUpdate::default()
        };
        self.update_thread(thread_id, &update).await
    }

    /// Deletes a thread with the frontend's cascade: its project's sandbox (`DELETE /sandboxes/{id}` on the
    /// backend; one that is already gone is fine), then its `agent_runs`, its `messages`, and the `threads`
    /// row. The project row stays, as in the frontend.
    ///
    /// # Errors
    /// `not_found` when the thread is not visible; the first failing step otherwise.
    pub async fn delete_thread(&self, thread_id: impl Into<ThreadId>) -> Result<(), Error> {
        let thread_id = thread_id.into();
        let thread = self.thread(&thread_id).await?;
        if let Some(project_id) = &thread.project_id {
            let project = self.project(project_id).await?;
            if let Some(sandbox) = project.sandbox.as_ref().and_then(|s| s.id.clone()) {
                match self.client().sandboxes().delete(&sandbox).await {
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.delete_agent_runs(&thread_id).await?;
        self.delete_messages(&thread_id).await?;
        self.delete_thread_row(&thread_id).await
    }
}
