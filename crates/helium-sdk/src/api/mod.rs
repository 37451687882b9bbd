//! Resource handlers: one per group of backend routes, each a cheap clone of the [`Client`].
//!
//! # Adding an operation
//!
//! Every backend operation is declared once, in the table of [`operations`](self) (`api/operations.rs`):
//! method, path template, parameters, input, auth mode, idempotency and output. From that row the SDK
//! derives the Rust handler method, the JavaScript method with its TypeScript signature (return type from
//! the output model), and the request both send. Adding an operation is one row, its model in `models/`,
//! and a test. For example, this row
//!
//! ```text
//! /// `GET /agent-run/{id}`: the run's status.
//! get_agent_run => RunsApi.get, "getAgentRun":
//!     Get "/agent-run/{id}" (path id: AgentRunId) {} Required Idempotent -> {json AgentRun};
//! ```
//!
//! gives `client.runs().get(id).await -> Result<AgentRun, Error>` in Rust and
//! `client.getAgentRun(id: string, options?: CallOptions): Promise<AgentRun>` in TypeScript.
//!
//! Conventions: ids are taken as `impl Into<IdType>` (a `&str`, a `String` or the id type), request bodies and
//! queries by reference, files by value inside their request.

mod accounts;
mod conversations;
pub(crate) mod operations;
mod pages;
mod public_v1;
pub(crate) mod spec;
mod upload;

pub use accounts::{CUSTOM_AGENTS_FLAG, DEFAULT_AGENT_ID, ProfileImageUpload, USAGE_LOGS_PAGE_SIZE};
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use accounts::{available_agents, usage_log_pages};
pub use public_v1::{PUBLIC_FILES_PAGE_SIZE, WaitOptions};
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use public_v1::{file_pages, history_pages, realtime_pages};

pub use conversations::MESSAGE_PAGE_SIZE;
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use conversations::{message_pages, public_projects, thread_pages};
pub use pages::Pages;
pub use spec::{InputKind, OperationSpec, OutputKind, ParamKind, ParamSpec};
pub use upload::{MAX_UPLOAD_BYTES, SandboxUpload, UploadFile};

use crate::Client;
use crate::error::Error;
use crate::http::{Call, Whole};
#[allow(unused_imports)]
use crate::models::*;
use crate::stream::{AgentRunStream, StreamOptions};

use spec::{define_handlers, handler_method, output_type, read_output, subject};

/// Every declared operation (for tools and tests).
pub fn operation_specs() -> &'static [&'static OperationSpec] {
    operations::ALL
}

/// Gives a handler its client.
trait Handler {
    fn client(&self) -> &Client;
}

impl Handler for Client {
    fn client(&self) -> &Client {
        self
    }
}

impl Client {
    /// Sends a call and reads the whole body of the success.
    pub(crate) async fn send(&self, call: Call) -> Result<Whole, Error> {
        self.pipeline.send(call, &self.settings).await
    }

    /// The signed-in user's id (the `sub` of the access token), for the Supabase operation `spec`.
    pub(crate) async fn subject(&self, spec: &OperationSpec) -> Result<String, Error> {
        let mut call = Call::new(crate::transport::Method::Get, spec.path);
        call.base = crate::http::Base::Rest;
        self.pipeline.subject(&call).await
    }
}

macro_rules! handlers {
    ($($(#[doc = $doc:literal])* $name:ident => $accessor:ident;)*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone)]
            pub struct $name {
                client: Client,
            }

            impl Handler for $name {
                fn client(&self) -> &Client {
                    &self.client
                }
            }

            impl Client {
                $(#[doc = $doc])*
                pub fn $accessor(&self) -> $name {
                    $name { client: self.clone() }
                }
            }
        )*
    };
}

handlers! {
    /// `client.agent()`: starting agent runs (initiate, start) and the thread's agent.
    AgentApi => agent;
    /// `client.runs()`: status, list, control and stream of agent runs.
    RunsApi => runs;
    /// `client.threads()`: the backend's thread and message routes, and follow-ups.
    ThreadsApi => threads;
    /// `client.data()`: the Supabase tables the frontend reads and writes directly (projects, threads,
    /// messages), through PostgREST as the signed-in user (the access token and the project's public key).
    DataApi => data;
    /// `client.sandboxes()`: the files of a sandbox (credentials are sent when the client has some; public
    /// projects are readable without).
    SandboxesApi => sandboxes;
    /// `client.projects()`: project-level operations (sandbox activation).
    ProjectsApi => projects;
    /// `client.billing()`: subscription, check-status, models, usage.
    BillingApi => billing;
    /// `client.agents()`: agents (custom agents, or the built-in one).
    AgentsApi => agents;
    /// `client.flags()`: feature flags.
    FlagsApi => flags;
    /// `client.api_keys()`: API keys.
    ApiKeysApi => api_keys;
    /// `client.public_v1()`: the public API v1 (contract §8), for `he-` API keys (or an access token): quick
    /// actions, results, follow-ups, history and files. Answers carry their `X-RateLimit-*` headers.
    PublicApi => public_v1;
    /// `client.admin()`: admin routes, with the admin key (`X-Admin-Api-Key`; server runtimes only).
    AdminApi => admin;
}

operations::for_each_operation!(define_handlers);

impl RunsApi {
    /// `GET /agent-run/{id}/stream`: the run's events, each exactly once and in order, reconnecting after a
    /// dropped connection (default [`StreamOptions`]). The token goes in the `Authorization` header, never the
    /// URL.
    ///
    /// Dropping the stream closes the connection; it does **not** stop the run (use [`RunsApi::stop`]).
    pub fn stream(&self, id: impl Into<AgentRunId>) -> AgentRunStream {
        self.stream_with(id, StreamOptions::default())
    }

    /// As [`RunsApi::stream`], with options (reconnection, event size limit, idle timeout, final-state check).
    pub fn stream_with(&self, id: impl Into<AgentRunId>, options: StreamOptions) -> AgentRunStream {
        AgentRunStream::new(self.client.clone(), id.into(), options)
    }
}
