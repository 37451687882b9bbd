//! The public API v1, agent and billing operations made of several requests, for JavaScript: waiting for a
//! result, realtime results, every page of a history, a file list or the usage logs, a file's bytes, the
//! frontend's agent list; and the multipart inputs of the public API and the profile-image upload.

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::client::{CallOptions, HeliumClient};
use super::operations::{JsMultipart, upload_from_js, without};
use super::pages::PageIterator;
use super::{from_js, get, to_js};
use crate::api::{PUBLIC_FILES_PAGE_SIZE, ProfileImageUpload, USAGE_LOGS_PAGE_SIZE, WaitOptions};
use crate::error::Error;
use crate::models::{
    AgentsQuery, HistoryQuery, ProjectId, PublicFollowUpRequest, QuickActionRequest, RealtimeItem, ThreadId,
    ThreadResponseQuery,
};

#[wasm_bindgen]
extern "C" {
    /// `WaitOptions` (optional argument).
    #[wasm_bindgen(typescript_type = "WaitOptions")]
    pub type WaitOptionsArg;
    /// `ThreadResponseQuery` (optional argument).
    #[wasm_bindgen(typescript_type = "ThreadResponseQuery")]
    pub type ThreadResponseQueryArg;
    /// `HistoryQuery` (optional argument).
    #[wasm_bindgen(typescript_type = "HistoryQuery")]
    pub type HistoryQueryArg;
    /// `AgentsQuery` (optional argument).
    #[wasm_bindgen(typescript_type = "AgentsQuery")]
    pub type AgentsQueryArg;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_PUBLIC_INPUTS: &str = r#"
/** The `quickAction` request: the form fields plus optional files (at most 10, 50 MB each, 200 MB in all). */
export type QuickActionRequestInput = QuickActionRequest & { files?: UploadInput[] };

/** The `publicFollowUp` request: a prompt and optional files, with the quick action's limits. */
export type PublicFollowUpRequestInput = PublicFollowUpRequest & { files?: UploadInput[] };

/** The `uploadAgentProfileImage` request: the image. */
export type ProfileImageUploadInput = { file: UploadInput };
"#;

/// The files of a multipart request object (`files`, an optional array).
fn files_of(value: &JsValue) -> Result<Vec<crate::UploadFile>, Error> {
    let files = get(value, "files");
    if let Some(array) = files.dyn_ref::<js_sys::Array>() {
        array.iter().map(|item| upload_from_js(&item)).collect()
    } else if files.is_undefined() || files.is_null() {
        Ok(Vec::new())
    } else {
        Err(Error::invalid_options("files", "must be an array"))
    }
}

impl JsMultipart for QuickActionRequest {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        let mut request: QuickActionRequest = from_js(&without(value, "files")?, "quickAction request")?;
        request.files = files_of(value)?;
        Ok(request)
    }
}

impl JsMultipart for PublicFollowUpRequest {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        let mut request: PublicFollowUpRequest =
            from_js(&without(value, "files")?, "publicFollowUp request")?;
        request.files = files_of(value)?;
        Ok(request)
    }
}

impl JsMultipart for ProfileImageUpload {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        if !value.is_object() {
            return Err(Error::invalid_options(
                "request",
                "must be an object with a `file`",
            ));
        }
        Ok(ProfileImageUpload::new(upload_from_js(&get(value, "file"))?))
    }
}

fn or_default<T: serde::de::DeserializeOwned + Default>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, Error> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => from_js(&v, what),
        _ => Ok(T::default()),
    }
}

fn js_options(options: Option<CallOptions>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, Into::into)
}

fn item_value(item: RealtimeItem) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

#[wasm_bindgen]
impl HeliumClient {
    /// Polls the public API's `getThreadResponse` until the thread's latest run is over (`completed`, `failed`
    /// or `stopped`), letting the server hold each request while the run is going; resolves with the final
    /// result.
    ///
    /// @throws {HeliumError} kind `timeout` when the run is still going at `options.timeoutMs` (default ten
    /// minutes); the errors of the calls.
    #[wasm_bindgen(js_name = waitForResult, unchecked_return_type = "Promise<ThreadResponse>")]
    pub fn wait_for_result(
        &self,
        thread_id: String,
        project_id: String,
        wait: Option<WaitOptionsArg>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let prepared = or_default::<WaitOptions>(wait.map(Into::into), "options")
            .and_then(|w| Ok((w, self.call_client(&js_options(options))?)));
        wasm_bindgen_futures::future_to_promise(async move {
            let (wait, client) = prepared?;
            let result = client
                .public_v1()
                .wait_for_result(ThreadId::from(thread_id), ProjectId::from(project_id), &wait)
                .await?;
            to_js(&result)
        })
    }

    /// The thread's result as it is produced (`realtime=true`): `for await (const item of …)` gives
    /// `{kind: "content", content}`, `{kind: "status", status, message?}`, `{kind: "finish", reason?}` or
    /// `{kind: "other", value}`, in either item form the API may send, until a terminal status.
    ///
    /// @throws {HeliumError} `invalid_request` for a query of the wrong shape; the iteration throws the error of
    /// the request.
    #[wasm_bindgen(js_name = iterateRealtimeResponse, unchecked_return_type = "AsyncIterable<RealtimeItem> & PageIterator")]
    pub fn iterate_realtime_response(
        &self,
        thread_id: String,
        project_id: String,
        query: Option<ThreadResponseQueryArg>,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let query: ThreadResponseQuery = or_default(query.map(Into::into), "query")?;
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::realtime_pages(
            &client,
            ThreadId::from(thread_id),
            ProjectId::from(project_id),
            query,
            item_value,
        )))
    }

    /// Every message of a thread's public history, page after page: `for await (const message of …)`.
    #[wasm_bindgen(js_name = iterateThreadHistory, unchecked_return_type = "AsyncIterable<HistoryMessage> & PageIterator")]
    pub fn iterate_thread_history(
        &self,
        thread_id: String,
        project_id: String,
        query: Option<HistoryQueryArg>,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let query: HistoryQuery = or_default(query.map(Into::into), "query")?;
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::history_pages::<Value>(
            &client,
            ThreadId::from(thread_id),
            ProjectId::from(project_id),
            query,
        )))
    }

    /// Every file of a thread (public API), page after page: `for await (const file of …)`.
    #[wasm_bindgen(js_name = iterateThreadFiles, unchecked_return_type = "AsyncIterable<PublicFile> & PageIterator")]
    pub fn iterate_thread_files(
        &self,
        thread_id: String,
        project_id: String,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::file_pages::<Value>(
            &client,
            ThreadId::from(thread_id),
            ProjectId::from(project_id),
            PUBLIC_FILES_PAGE_SIZE,
        )))
    }

    /// A file's bytes (public API): its inline content (UTF-8 text, or base64 decoded), else the raw download.
    ///
    /// @throws {HeliumError} the errors of the calls; `decode` for inline content that is not base64.
    #[wasm_bindgen(js_name = readPublicFile, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn read_public_file(
        &self,
        file_id: String,
        project_id: String,
        thread_id: String,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let client = self.call_client(&js_options(options));
        wasm_bindgen_futures::future_to_promise(async move {
            let bytes = client?
                .public_v1()
                .read_file(file_id, ProjectId::from(project_id), ThreadId::from(thread_id))
                .await?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// The agents the way the frontend lists them: the `custom_agents` flag first; when it is off, the built-in
    /// `helium-default` agent alone (without calling `/agents`), else one page of `listAgents`.
    #[wasm_bindgen(js_name = listAvailableAgents, unchecked_return_type = "Promise<AgentsList>")]
    pub fn list_available_agents(
        &self,
        query: Option<AgentsQueryArg>,
        options: Option<CallOptions>,
    ) -> js_sys::Promise {
        let prepared = or_default::<AgentsQuery>(query.map(Into::into), "query")
            .and_then(|q| Ok((q, self.call_client(&js_options(options))?)));
        wasm_bindgen_futures::future_to_promise(async move {
            let (query, client) = prepared?;
            let list: Value = crate::api::available_agents(&client, &query).await?;
            to_js(&list)
        })
    }

    /// Every usage-log entry, page after page (`itemsPerPage` a page, default 1000): `for await (const entry
    /// of …)`.
    #[wasm_bindgen(js_name = iterateUsageLogs, unchecked_return_type = "AsyncIterable<UsageLogEntry> & PageIterator")]
    pub fn iterate_usage_logs(
        &self,
        items_per_page: Option<u32>,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsValue> {
        let client = self.call_client(&js_options(options))?;
        Ok(PageIterator::iterable(crate::api::usage_log_pages::<Value>(
            &client,
            items_per_page.unwrap_or(USAGE_LOGS_PAGE_SIZE),
        )))
    }
}
