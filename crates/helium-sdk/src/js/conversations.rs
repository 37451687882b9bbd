//! The conversation operations made of several requests, for JavaScript: every page of the threads, a
//! follow-up, every message of a thread through Supabase, public projects, sharing and deleting a thread.

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::client::{CallOptions, HeliumClient};
use super::pages::PageIterator;
use super::{from_js, to_js};
use crate::models::{AgentStartRequest, ThreadId, ThreadsQuery};

fn or_default<T: serde::de::DeserializeOwned + Default>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, crate::Error> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => from_js(&v, what),
        _ => Ok(T::default()),
    }
}

fn js_options(options: Option<CallOptions>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, Into::into)
}

#[wasm_bindgen]
impl HeliumClient {
    /// Every thread of the caller, page after page (`GET /threads`): `for await (const thread of …)`.
    /// `query.page` is where to start, `query.limit` the page size.
    ///
    /// @throws {HeliumError} `invalid_request` for a query of the wrong shape; the iteration throws the error of
    /// a failed page.
    #[wasm_bindgen(js_name = iterateThreads, unchecked_return_type = "AsyncIterable<ThreadSummary> & PageIterator")]
    pub fn iterate_threads(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ThreadsQuery")] query: Option<JsValue>,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let query: ThreadsQuery = or_default(query, "query")?;
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::thread_pages::<Value>(
            &client, &query,
        )))
    }

    /// Continues a conversation: adds the user's message (`POST /threads/{id}/messages`), then starts the agent
    /// on it; the answer names the new run, ready for `streamAgentRun`.
    ///
    /// @throws {HeliumError} the errors of the two calls.
    #[wasm_bindgen(js_name = followUp, unchecked_return_type = "Promise<FollowUp>")]
    pub fn follow_up(
        &self,
        thread_id: String,
        prompt: String,
        #[wasm_bindgen(unchecked_param_type = "AgentStartRequest")] request: Option<JsValue>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let prepared = or_default::<AgentStartRequest>(request, "request")
            .and_then(|r| Ok((r, self.call_client(&js_options(options))?)));
        wasm_bindgen_futures::future_to_promise(async move {
            let (request, client) = prepared?;
            let done = client
                .agent()
                .follow_up(ThreadId::from(thread_id), prompt, &request)
                .await?;
            to_js(&done)
        })
    }

    /// Every message of a thread, oldest first, through Supabase (the frontend's query, 1000 rows a page):
    /// `for await (const message of …)`.
    #[wasm_bindgen(js_name = iterateMessageRows, unchecked_return_type = "AsyncIterable<MessageRow> & PageIterator")]
    pub fn iterate_message_rows(
        &self,
        thread_id: String,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::message_pages::<Value>(
            &client,
            ThreadId::from(thread_id),
        )))
    }

    /// Public projects: the projects of threads shared with `is_public = true`.
    #[wasm_bindgen(js_name = listPublicProjects, unchecked_return_type = "Promise<ProjectRow[]>")]
    pub fn list_public_projects(&self, options: Option<CallOptions>) -> js_sys::Promise {
        let client = self.call_client(&js_options(options));
        wasm_bindgen_futures::future_to_promise(async move {
            let rows: Vec<Value> = crate::api::public_projects(&client?).await?;
            to_js(&rows)
        })
    }

    /// Shares a thread (`is_public: true`) or stops sharing it.
    #[wasm_bindgen(js_name = shareThread, unchecked_return_type = "Promise<ThreadRow>")]
    pub fn share_thread(
        &self,
        thread_id: String,
        public: Option<bool>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let client = self.call_client(&js_options(options));
        wasm_bindgen_futures::future_to_promise(async move {
            let row = client?
                .data()
                .share_thread(thread_id, public.unwrap_or(true))
                .await?;
            to_js(&row)
        })
    }

    /// Deletes a thread with the frontend's cascade: its project's sandbox, its `agent_runs`, its `messages`,
    /// then the `threads` row.
    #[wasm_bindgen(js_name = deleteThread, unchecked_return_type = "Promise<void>")]
    pub fn delete_thread(&self, thread_id: String, options: Option<CallOptions>) -> js_sys::Promise {
        let client = self.call_client(&js_options(options));
        wasm_bindgen_futures::future_to_promise(async move {
            client?.data().delete_thread(thread_id).await?;
            Ok(JsValue::UNDEFINED)
        })
    }
}
