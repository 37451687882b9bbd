//! The operation table: one declaration per backend operation (contract §5). Everything else is derived from
//! it: the Rust handler method, the JavaScript method and its TypeScript signature, and the request both send.
//!
//! A row reads:
//!
//! ```text
//! /// docs (become the Rust docs and the JSDoc)
//! op_name => Handler.method, "jsName":
//!     VERB "/path/{param}" (path param: IdType, query name: String, fspath path: String)
//!     {input} Auth Retry -> {output};
//! ```
//!
//! * parameters: `path` (a `{name}` segment of the template), `query` (a query parameter), `fspath` (a
//!   sandbox file path in the query, encoded for the backend's second decoding), `eq` (a PostgREST filter),
//!   `header` (a request header: `x_mcp_url` is sent as `X-MCP-URL`);
//! * input: `{}`, `{json T}`, `{json_opt T}` (may be omitted in JavaScript), `{query T}`, `{query_opt T}`,
//!   `{multipart T}` (`T: MultipartForm`; its JavaScript input type is `TInput`);
//! * auth: `None`, `Required`, `Optional`, `Supabase` (PostgREST as the signed-in user), `Public` (the public
//!   API v1: a `he-` key or an access token), `Admin` (`X-Admin-Api-Key`); retry: `Idempotent` (retried on transient failures) or
//!   `NotIdempotent`;
//! * output: `{json T}`, `{public T}` (JSON with the `X-RateLimit-*` headers as its `rate_limit`), `{array T}`
//!   (a top-level JSON array), `{list "field" T}` (a list in one field of the body), `{bytes}`, `{single T}`
//!   (one PostgREST row), `{none}`, `{stream}` (handler written by hand).

/// Calls `$callback!` with every row of the table.
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            /// `GET /health`: the backend's health, without credentials. Tolerates the backend's shape and the
            /// deployment guide's `{status, timestamp, components}` shape.
            ///
            /// # Errors
            /// Network, timeout, HTTP and decode errors.
            health => Client.health, "health":
                Get "/health" () {} None Idempotent -> {json HealthResponse};

            /// `GET /health-docker`: the backend checks Redis and the database before answering.
            ///
            /// # Errors
            /// As `health`; a failed check is a `server` error ("Health check failed").
            health_docker => Client.health_docker, "healthDocker":
                Get "/health-docker" () {} None Idempotent -> {json HealthResponse};

            /// `POST /agent/initiate` (multipart): a new project, thread and first run, with optional files
            /// uploaded to `/workspace/<name>` of a new sandbox. The answer has no `project_id` (contract §10.5).
            ///
            /// # Errors
            /// `validation` (empty prompt), `billing`, `rate_limited`, `not_found` (agent); `invalid_request`
            /// for a file over 50 MB. Not retried (it creates resources).
            initiate_agent => AgentApi.initiate, "initiateAgent":
                Post "/agent/initiate" () {multipart InitiateAgentRequest} Required NotIdempotent
                -> {json InitiateAgentResponse};

            /// `POST /thread/{thread_id}/agent/start`: a new run on an existing thread, on its latest user
            /// message.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `billing`, `rate_limited`, `validation`. Not retried.
            start_agent => AgentApi.start, "startAgent":
                Post "/thread/{thread_id}/agent/start" (path thread_id: ThreadId) {json_opt AgentStartRequest}
                Required NotIdempotent -> {json AgentStartResponse};

            /// `GET /thread/{thread_id}/agent`: the agent most recently used on the thread.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            get_thread_agent => AgentApi.thread_agent, "getThreadAgent":
                Get "/thread/{thread_id}/agent" (path thread_id: ThreadId) {} Required Idempotent
                -> {json ThreadAgentResponse};

            /// `GET /threads`: one page of the caller's threads, newest first, with their projects (see
            /// `ThreadsApi::list_all` for every page).
            ///
            /// # Errors
            /// `unauthorized`, `validation` (a bad page or limit).
            list_threads => ThreadsApi.list, "listThreads":
                Get "/threads" () {query_opt ThreadsQuery} Required Idempotent -> {json ThreadsList};

            /// `GET /threads/{thread_id}`: the thread with its project (and sandbox), message count and recent
            /// runs.
            ///
            /// # Errors
            /// `not_found` ("Thread not found"), `forbidden`.
            get_thread => ThreadsApi.get, "getThread":
                Get "/threads/{thread_id}" (path thread_id: ThreadId) {} Required Idempotent -> {json ThreadDetail};

            /// `POST /threads` (form field `name`): a new project, its sandbox and a thread.
            ///
            /// # Errors
            /// `unauthorized`, `server`. Not retried (it creates resources).
            create_thread => ThreadsApi.create, "createThread":
                Post "/threads" () {multipart CreateThreadRequest} Required NotIdempotent -> {json ThreadCreated};

            /// `GET /threads/{thread_id}/messages?order=desc|asc`: every message row of the thread (default
            /// newest first).
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            list_messages => ThreadsApi.messages, "listMessages":
                Get "/threads/{thread_id}/messages" (path thread_id: ThreadId) {query_opt MessagesQuery}
                Required Idempotent -> {list "messages" MessageRow};

            /// `POST /threads/{thread_id}/messages`: adds a message row (the backend stores its content as the
            /// object `{"role", "content"}`).
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `validation`. Not retried.
            add_message => ThreadsApi.add_message, "addMessage":
                Post "/threads/{thread_id}/messages" (path thread_id: ThreadId) {json AddMessageRequest}
                Required NotIdempotent -> {json MessageRow};

            /// `POST /threads/{thread_id}/messages/add?message=…`: adds a user message.
            ///
            /// # Errors
            /// `not_found`, `forbidden`. Not retried.
            append_message => ThreadsApi.append_message, "appendMessage":
                Post "/threads/{thread_id}/messages/add" (path thread_id: ThreadId, query message: String) {}
                Required NotIdempotent -> {json MessageRow};

            /// `DELETE /threads/{thread_id}/messages/{message_id}` (the backend deletes only rows with
            /// `is_llm_message = true`).
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            delete_message => ThreadsApi.delete_message, "deleteMessage":
                Delete "/threads/{thread_id}/messages/{message_id}" (path thread_id: ThreadId, path message_id: MessageId)
                {} Required Idempotent -> {json MessageDeleted};

            /// Supabase `projects` of the signed-in user (`GET /rest/v1/projects?account_id=eq.<user>`).
            ///
            /// # Errors
            /// `config` (Supabase not configured), `auth` (no access token), `unauthorized` (a bad token).
            list_project_rows => DataApi.projects, "listProjects":
                Get "/projects?select=*&account_id=eq.{sub}" () {} Supabase Idempotent -> {array ProjectRow};

            /// One Supabase `projects` row (yours or a public one).
            ///
            /// # Errors
            /// `not_found` (PostgREST's `PGRST116`: no such row, or not visible to you).
            get_project_row => DataApi.project, "getProject":
                Get "/projects?select=*" (eq project_id: ProjectId) {} Supabase Idempotent -> {single ProjectRow};

            /// Inserts a project owned by the signed-in user's account.
            ///
            /// # Errors
            /// `forbidden` (`42501`, row-level security), `bad_request` (constraint violations). Not retried.
            create_project_row => DataApi.create_project, "createProject":
                Post "/projects" () {insert NewProject} Supabase NotIdempotent -> {single ProjectRow};

            /// Updates a project.
            ///
            /// # Errors
            /// `not_found` (no visible row), `forbidden`.
            update_project_row => DataApi.update_project, "updateProject":
                Patch "/projects" (eq project_id: ProjectId) {patch ProjectUpdate} Supabase Idempotent
                -> {single ProjectRow};

            /// Deletes a project row.
            ///
            /// # Errors
            /// `forbidden`.
            delete_project_row => DataApi.delete_project, "deleteProject":
                Delete "/projects" (eq project_id: ProjectId) {} Supabase Idempotent -> {none};

            /// Supabase `threads` of the signed-in user.
            ///
            /// # Errors
            /// `config`, `auth`, `unauthorized`.
            list_thread_rows => DataApi.threads, "listThreadRows":
                Get "/threads?select=*&account_id=eq.{sub}" () {} Supabase Idempotent -> {array ThreadRow};

            /// Supabase `threads` of the signed-in user in one project.
            ///
            /// # Errors
            /// `config`, `auth`, `unauthorized`.
            list_project_thread_rows => DataApi.project_threads, "listProjectThreadRows":
                Get "/threads?select=*&account_id=eq.{sub}" (eq project_id: ProjectId) {} Supabase Idempotent
                -> {array ThreadRow};

            /// One Supabase `threads` row.
            ///
            /// # Errors
            /// `not_found` (`PGRST116`).
            get_thread_row => DataApi.thread, "getThreadRow":
                Get "/threads?select=*" (eq thread_id: ThreadId) {} Supabase Idempotent -> {single ThreadRow};

            /// Inserts a thread of the signed-in user's account in a project.
            ///
            /// # Errors
            /// `forbidden` (`42501`), `bad_request` (`23503`: no such project). Not retried.
            create_thread_row => DataApi.create_thread, "createThreadRow":
                Post "/threads" () {insert NewThread} Supabase NotIdempotent -> {single ThreadRow};

            /// Updates a thread (e.g. `{is_public: true}` to share it).
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            update_thread_row => DataApi.update_thread, "updateThreadRow":
                Patch "/threads" (eq thread_id: ThreadId) {patch ThreadUpdate} Supabase Idempotent
                -> {single ThreadRow};

            /// Deletes a thread's `agent_runs` rows (a step of `DataApi::delete_thread`).
            ///
            /// # Errors
            /// `forbidden`.
            delete_agent_run_rows => DataApi.delete_agent_runs, "deleteAgentRunRows":
                Delete "/agent_runs" (eq thread_id: ThreadId) {} Supabase Idempotent -> {none};

            /// Deletes a thread's `messages` rows (a step of `DataApi::delete_thread`).
            ///
            /// # Errors
            /// `forbidden`.
            delete_message_rows => DataApi.delete_messages, "deleteMessageRows":
                Delete "/messages" (eq thread_id: ThreadId) {} Supabase Idempotent -> {none};

            /// Deletes the `threads` row (the last step of `DataApi::delete_thread`).
            ///
            /// # Errors
            /// `forbidden`.
            delete_thread_row => DataApi.delete_thread_row, "deleteThreadRow":
                Delete "/threads" (eq thread_id: ThreadId) {} Supabase Idempotent -> {none};

            /// One page of a thread's messages, the frontend's query: the agent embed, no `cost` or `summary`
            /// rows, oldest first (see `DataApi::messages` for all of them).
            ///
            /// # Errors
            /// `config`, `auth`, `unauthorized`.
            list_message_rows_page => DataApi.messages_page, "listMessageRowsPage":
                Get "/messages?select=*,agents:agent_id(name,avatar,avatar_color)&type=neq.cost&type=neq.summary&order=created_at.asc"
                (eq thread_id: ThreadId, query offset: String, query limit: String) {} Supabase Idempotent
                -> {array MessageRow};

            /// Inserts a user message the way the frontend does (its content is the JSON string of
            /// `{"role": "user", "content": …}`).
            ///
            /// # Errors
            /// `forbidden` (`42501`: not your thread). Not retried.
            add_user_message_row => DataApi.add_user_message, "addUserMessage":
                Post "/messages" () {insert NewUserMessage} Supabase NotIdempotent -> {single MessageRow};

            /// `GET /agent-run/{id}`: the run's status (camelCase keys, as the backend sends them).
            ///
            /// # Errors
            /// `not_found` ("Agent run not found"), `forbidden`.
            get_agent_run => RunsApi.get, "getAgentRun":
                Get "/agent-run/{id}" (path id: AgentRunId) {} Required Idempotent -> {json AgentRun};

            /// `GET /thread/{thread_id}/agent-runs`: the thread's runs, newest first.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            list_agent_runs => RunsApi.list, "listAgentRuns":
                Get "/thread/{thread_id}/agent-runs" (path thread_id: ThreadId) {} Required Idempotent
                -> {list "agent_runs" AgentRunSummary};

            /// `POST /agent-run/{id}/stop` → `{"status": "stopped"}`. Safe to repeat, so it is retried.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `server`.
            stop_agent_run => RunsApi.stop, "stopAgentRun":
                Post "/agent-run/{id}/stop" (path id: AgentRunId) {} Required Idempotent
                -> {json RunControlResponse};

            /// `POST /agent-run/{id}/pause` → `{"status": "pausing"}`.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `server`.
            pause_agent_run => RunsApi.pause, "pauseAgentRun":
                Post "/agent-run/{id}/pause" (path id: AgentRunId) {} Required NotIdempotent
                -> {json RunControlResponse};

            /// `POST /agent-run/{id}/resume` → `{"status": "resuming"}`.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `server`.
            resume_agent_run => RunsApi.resume, "resumeAgentRun":
                Post "/agent-run/{id}/resume" (path id: AgentRunId) {} Required NotIdempotent
                -> {json RunControlResponse};

            /// `POST /agent-run/{id}/takeover` → `{"status": "takeover"}`.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `server`.
            takeover_agent_run => RunsApi.takeover, "takeoverAgentRun":
                Post "/agent-run/{id}/takeover" (path id: AgentRunId) {} Required NotIdempotent
                -> {json RunControlResponse};

            /// `POST /agent-run/{id}/release` → `{"status": "released"}`.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `server`.
            release_agent_run => RunsApi.release, "releaseAgentRun":
                Post "/agent-run/{id}/release" (path id: AgentRunId) {} Required NotIdempotent
                -> {json RunControlResponse};

            /// `POST /agent-run/{id}/manual-event`: appends a `manual_event` item to the run's stream.
            ///
            /// # Errors
            /// `validation`, `not_found`, `forbidden`, `server`. Not retried.
            send_manual_event => RunsApi.manual_event, "sendManualEvent":
                Post "/agent-run/{id}/manual-event" (path id: AgentRunId) {json ManualEventRequest}
                Required NotIdempotent -> {json RunControlResponse};

            /// `GET /agent-run/{id}/stream`: the run's events (see `RunsApi::stream`).
            stream_agent_run => RunsApi.stream, "streamAgentRun":
                Get "/agent-run/{id}/stream" (path id: AgentRunId) {} Required Idempotent -> {stream};

            /// `GET /sandboxes/{sandbox_id}/files?path=…`: the entries of a directory. Credentials are sent when
            /// the client has some (public projects are readable without).
            ///
            /// # Errors
            /// `not_found` ("Sandbox not found"), `unauthorized`, `forbidden`.
            list_sandbox_files => SandboxesApi.list, "listSandboxFiles":
                Get "/sandboxes/{sandbox_id}/files" (path sandbox_id: SandboxId, fspath path: String) {}
                Optional Idempotent -> {list "files" FileInfo};

            /// `GET /sandboxes/{sandbox_id}/files/content?path=…`: the raw bytes of a file.
            ///
            /// # Errors
            /// `not_found` (also for a failed download), `unauthorized`, `forbidden`.
            read_sandbox_file => SandboxesApi.read, "readSandboxFile":
                Get "/sandboxes/{sandbox_id}/files/content" (path sandbox_id: SandboxId, fspath path: String) {}
                Optional Idempotent -> {bytes};

            /// `POST /sandboxes/{sandbox_id}/files` (multipart `path` + `file`).
            ///
            /// # Errors
            /// `invalid_request` over 50 MB; `not_found`, `unauthorized`, `forbidden`. Not retried.
            upload_sandbox_file => SandboxesApi.upload, "uploadSandboxFile":
                Post "/sandboxes/{sandbox_id}/files" (path sandbox_id: SandboxId) {multipart SandboxUpload}
                Optional NotIdempotent -> {json FileCreated};

            /// `DELETE /sandboxes/{sandbox_id}/files?path=…`.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `forbidden`.
            delete_sandbox_file => SandboxesApi.delete_file, "deleteSandboxFile":
                Delete "/sandboxes/{sandbox_id}/files" (path sandbox_id: SandboxId, fspath path: String) {}
                Optional Idempotent -> {json FileDeleted};

            /// `DELETE /sandboxes/{sandbox_id}`.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `forbidden`.
            delete_sandbox => SandboxesApi.delete, "deleteSandbox":
                Delete "/sandboxes/{sandbox_id}" (path sandbox_id: SandboxId) {} Optional Idempotent
                -> {json SandboxDeleted};

            /// `POST /project/{project_id}/sandbox/ensure-active`. A project without a sandbox gets the backend's
            /// wrapped `500 {"detail": "404: No sandbox found for this project"}`, classified as `not_found`.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `forbidden`, `server`.
            ensure_sandbox_active => ProjectsApi.ensure_sandbox_active, "ensureSandboxActive":
                Post "/project/{project_id}/sandbox/ensure-active" (path project_id: ProjectId) {}
                Optional Idempotent -> {json EnsureActiveResponse};

            /// `GET /billing/subscription`.
            ///
            /// # Errors
            /// `unauthorized`, `server` ("Error retrieving subscription status.").
            get_subscription => BillingApi.subscription, "getSubscription":
                Get "/billing/subscription" () {} Required Idempotent -> {json SubscriptionStatus};

            /// `GET /billing/check-status`: whether the account may start a run.
            ///
            /// # Errors
            /// `unauthorized`, `server`.
            check_billing_status => BillingApi.check_status, "checkBillingStatus":
                Get "/billing/check-status" () {} Required Idempotent -> {json CheckStatusResponse};

            /// `GET /billing/available-models` (the full shape, or the local one without prices).
            ///
            /// # Errors
            /// `unauthorized`, `server`.
            get_available_models => BillingApi.available_models, "getAvailableModels":
                Get "/billing/available-models" () {} Required Idempotent -> {json AvailableModels};

            /// `GET /billing/thread-token-usage/{thread_id}`.
            ///
            /// # Errors
            /// `unauthorized`, `forbidden`, `not_found`, `server`.
            get_thread_token_usage => BillingApi.thread_token_usage, "getThreadTokenUsage":
                Get "/billing/thread-token-usage/{thread_id}" (path thread_id: ThreadId) {} Required Idempotent
                -> {json ThreadTokenUsage};

            /// `POST /billing/create-checkout-session`: subscribes to a price (or changes the plan); a new checkout
            /// answers with the Stripe `url` to pay at.
            ///
            /// # Errors
            /// `bad_request` (an unknown price), `unauthorized`, `server`. Not retried.
            create_checkout_session => BillingApi.create_checkout_session, "createCheckoutSession":
                Post "/billing/create-checkout-session" () {json CheckoutSessionRequest} Required NotIdempotent
                -> {json CheckoutSession};

            /// `POST /billing/create-portal-session`: the Stripe billing portal's URL.
            ///
            /// # Errors
            /// `unauthorized`, `server`. Not retried.
            create_portal_session => BillingApi.create_portal_session, "createPortalSession":
                Post "/billing/create-portal-session" () {json PortalSessionRequest} Required NotIdempotent
                -> {json PortalSession};

            /// `GET /billing/subscription-commitment/{subscription_id}`: whether a yearly commitment binds it.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`.
            get_subscription_commitment => BillingApi.subscription_commitment, "getSubscriptionCommitment":
                Get "/billing/subscription-commitment/{subscription_id}" (path subscription_id: String) {}
                Required Idempotent -> {json CommitmentInfo};

            /// `GET /billing/subscription-details`: the subscription and its commitment.
            ///
            /// # Errors
            /// `unauthorized`, `server`.
            get_subscription_details => BillingApi.subscription_details, "getSubscriptionDetails":
                Get "/billing/subscription-details" () {} Required Idempotent -> {json SubscriptionDetails};

            /// `POST /billing/cancel-subscription`: ends the subscription with the current period (unless a
            /// commitment prevents it: `status` says which).
            ///
            /// # Errors
            /// `not_found` (no subscription), `unauthorized`. Not retried.
            cancel_subscription => BillingApi.cancel_subscription, "cancelSubscription":
                Post "/billing/cancel-subscription" () {} Required NotIdempotent -> {json SubscriptionChange};

            /// `POST /billing/reactivate-subscription`: undoes a cancellation at the period's end.
            ///
            /// # Errors
            /// `not_found` (no subscription), `unauthorized`. Not retried.
            reactivate_subscription => BillingApi.reactivate_subscription, "reactivateSubscription":
                Post "/billing/reactivate-subscription" () {} Required NotIdempotent -> {json SubscriptionChange};

            /// `GET /billing/usage-logs?page=&items_per_page=`: one page of usage per thread (see
            /// `BillingApi::usage_logs_all` for every page). Local mode answers an empty stub with a `message`.
            ///
            /// # Errors
            /// `bad_request` (bad paging), `unauthorized`.
            get_usage_logs => BillingApi.usage_logs, "getUsageLogs":
                Get "/billing/usage-logs" () {query_opt UsageLogsQuery} Required Idempotent -> {json UsageLogsPage};

            /// `GET /billing/thread-credit-usage/{thread_id}`: the credits a thread used.
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `unauthorized`.
            get_thread_credit_usage => BillingApi.thread_credit_usage, "getThreadCreditUsage":
                Get "/billing/thread-credit-usage/{thread_id}" (path thread_id: ThreadId) {} Required Idempotent
                -> {json ThreadCreditUsage};

            /// `POST /billing/purchase-credits`: buys credits (a checkout session).
            ///
            /// # Errors
            /// `bad_request` (an amount out of range), `unauthorized`. Not retried.
            purchase_credits => BillingApi.purchase_credits, "purchaseCredits":
                Post "/billing/purchase-credits" () {json PurchaseCreditsRequest} Required NotIdempotent
                -> {json CreditPurchase};

            /// `GET /billing/credit-balance`.
            ///
            /// # Errors
            /// `unauthorized`.
            get_credit_balance => BillingApi.credit_balance, "getCreditBalance":
                Get "/billing/credit-balance" () {} Required Idempotent -> {json CreditBalance};

            /// `GET /billing/credit-history`: the credit purchases.
            ///
            /// # Errors
            /// `unauthorized`.
            get_credit_history => BillingApi.credit_history, "getCreditHistory":
                Get "/billing/credit-history" () {} Required Idempotent -> {json CreditHistory};

            /// `GET /billing/can-purchase-credits`.
            ///
            /// # Errors
            /// `unauthorized`.
            can_purchase_credits => BillingApi.can_purchase_credits, "canPurchaseCredits":
                Get "/billing/can-purchase-credits" () {} Required Idempotent -> {json CanPurchaseCredits};

            /// `POST /billing/create-trial-checkout`: starts the trial (a checkout session).
            ///
            /// # Errors
            /// `bad_request` (already subscribed), `unauthorized`. Not retried.
            create_trial_checkout => BillingApi.create_trial_checkout, "createTrialCheckout":
                Post "/billing/create-trial-checkout" () {json TrialCheckoutRequest} Required NotIdempotent
                -> {json CheckoutSession};

            /// `GET /agents` (one page). When the `custom_agents` flag is off the backend answers with the
            /// built-in `helium-default` agent only.
            ///
            /// # Errors
            /// `unauthorized`, `validation` (a bad query), `server`.
            list_agents => AgentsApi.list, "listAgents":
                Get "/agents" () {query_opt AgentsQuery} Required Idempotent -> {json AgentsList};

            /// `GET /agents/{agent_id}` (`helium-default` always works).
            ///
            /// # Errors
            /// `not_found`, `unauthorized`.
            get_agent => AgentsApi.get, "getAgent":
                Get "/agents/{agent_id}" (path agent_id: AgentId) {} Required Idempotent -> {json Agent};

            /// `POST /agents`: a custom agent (version `v1`). Needs the `custom_agents` flag.
            ///
            /// # Errors
            /// `billing` with the agent-count limit (`Error::agent_limit`, JS `isAgentLimitError`),
            /// `forbidden` (custom agents disabled), `validation`. Not retried.
            create_agent => AgentsApi.create, "createAgent":
                Post "/agents" () {json AgentCreateRequest} Required NotIdempotent -> {json Agent};

            /// `PUT /agents/{agent_id}`: changes the given fields (a new version when the prompt, MCPs or tools
            /// change).
            ///
            /// # Errors
            /// `not_found`, `forbidden`, `validation`.
            update_agent => AgentsApi.update, "updateAgent":
                Put "/agents/{agent_id}" (path agent_id: AgentId) {json AgentUpdateRequest} Required Idempotent
                -> {json Agent};

            /// `DELETE /agents/{agent_id}` (not the default agent).
            ///
            /// # Errors
            /// `not_found`, `bad_request` (the default agent), `forbidden`. Not retried.
            delete_agent => AgentsApi.delete, "deleteAgent":
                Delete "/agents/{agent_id}" (path agent_id: AgentId) {} Required NotIdempotent -> {json AgentMessage};

            /// `GET /agents/{agent_id}/export`: the agent as a JSON document (for `import_json`).
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            export_agent => AgentsApi.export, "exportAgent":
                Get "/agents/{agent_id}/export" (path agent_id: AgentId) {} Required Idempotent -> {json AgentExport};

            /// `POST /agents/json/analyze`: what importing an exported agent would need.
            ///
            /// # Errors
            /// `bad_request`, `validation`, `forbidden`.
            analyze_agent_json => AgentsApi.analyze_json, "analyzeAgentJson":
                Post "/agents/json/analyze" () {json AgentJsonRequest} Required Idempotent -> {json AgentJsonAnalysis};

            /// `POST /agents/json/import`: a new agent from an exported one.
            ///
            /// # Errors
            /// `billing` (agent-count limit), `bad_request`, `forbidden`. Not retried.
            import_agent_json => AgentsApi.import_json, "importAgentJson":
                Post "/agents/json/import" () {json AgentJsonRequest} Required NotIdempotent -> {json AgentJsonImported};

            /// `GET /agents/{agent_id}/tools`: the agent's built-in and MCP tools.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            get_agent_tools => AgentsApi.tools, "getAgentTools":
                Get "/agents/{agent_id}/tools" (path agent_id: AgentId) {} Required Idempotent -> {json AgentTools};

            /// `GET /agents/{agent_id}/custom-mcp-tools` (headers `X-MCP-URL`, `X-MCP-Type` `sse` or `json`): the
            /// tools of one custom MCP server.
            ///
            /// # Errors
            /// `not_found`, `bad_request`, `forbidden`.
            get_custom_mcp_tools => AgentsApi.custom_mcp_tools, "getCustomMcpTools":
                Get "/agents/{agent_id}/custom-mcp-tools" (path agent_id: AgentId, header x_mcp_url: String, header x_mcp_type: String)
                {} Required Idempotent -> {json CustomMcpTools};

            /// `POST /agents/{agent_id}/custom-mcp-tools`: adds a custom MCP server with the tools to enable (a new
            /// version).
            ///
            /// # Errors
            /// `not_found`, `validation`, `forbidden`. Not retried.
            add_custom_mcp_tools => AgentsApi.add_custom_mcp_tools, "addCustomMcpTools":
                Post "/agents/{agent_id}/custom-mcp-tools" (path agent_id: AgentId) {json CustomMcpToolsUpdate}
                Required NotIdempotent -> {json ToolsUpdated};

            /// `PUT /agents/{agent_id}/custom-mcp-tools`: the tools to enable on one custom MCP server (a new
            /// version).
            ///
            /// # Errors
            /// `not_found`, `validation`, `forbidden`.
            set_custom_mcp_tools => AgentsApi.set_custom_mcp_tools, "setCustomMcpTools":
                Put "/agents/{agent_id}/custom-mcp-tools" (path agent_id: AgentId) {json CustomMcpToolsUpdate}
                Required Idempotent -> {json ToolsUpdated};

            /// `GET /agents/{agent_id}/pipedream-tools/{profile_id}`: the tools of a Pipedream profile.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            get_pipedream_tools => AgentsApi.pipedream_tools, "getPipedreamTools":
                Get "/agents/{agent_id}/pipedream-tools/{profile_id}" (path agent_id: AgentId, path profile_id: String)
                {} Required Idempotent -> {json PipedreamTools};

            /// `PUT /agents/{agent_id}/pipedream-tools/{profile_id}`: the profile's tools to enable.
            ///
            /// # Errors
            /// `not_found`, `validation`, `forbidden`.
            set_pipedream_tools => AgentsApi.set_pipedream_tools, "setPipedreamTools":
                Put "/agents/{agent_id}/pipedream-tools/{profile_id}" (path agent_id: AgentId, path profile_id: String)
                {json PipedreamToolsUpdate} Required Idempotent -> {json ToolsUpdated};

            /// `POST /agents/profile-image/upload` (multipart `file`, an image): its public URL, for
            /// `profile_image_url`.
            ///
            /// # Errors
            /// `bad_request` (not an image, too large), `forbidden`. Not retried.
            upload_agent_profile_image => AgentsApi.upload_profile_image, "uploadAgentProfileImage":
                Post "/agents/profile-image/upload" () {multipart ProfileImageUpload} Required NotIdempotent
                -> {json ProfileImageUploaded};

            /// `GET /agents/{agent_id}/versions`: every version, newest first.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            list_agent_versions => AgentsApi.versions, "listAgentVersions":
                Get "/agents/{agent_id}/versions" (path agent_id: AgentId) {} Required Idempotent
                -> {array AgentVersion};

            /// `POST /agents/{agent_id}/versions`: a new version, which becomes current.
            ///
            /// # Errors
            /// `not_found`, `validation`, `forbidden`. Not retried.
            create_agent_version => AgentsApi.create_version, "createAgentVersion":
                Post "/agents/{agent_id}/versions" (path agent_id: AgentId) {json CreateAgentVersionRequest}
                Required NotIdempotent -> {json AgentVersion};

            /// `GET /agents/{agent_id}/versions/{version_id}`.
            ///
            /// # Errors
            /// `not_found` ("Version not found"), `forbidden`.
            get_agent_version => AgentsApi.version, "getAgentVersion":
                Get "/agents/{agent_id}/versions/{version_id}" (path agent_id: AgentId, path version_id: String) {}
                Required Idempotent -> {json AgentVersion};

            /// `PUT /agents/{agent_id}/versions/{version_id}/activate`: makes it the current version.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            activate_agent_version => AgentsApi.activate_version, "activateAgentVersion":
                Put "/agents/{agent_id}/versions/{version_id}/activate" (path agent_id: AgentId, path version_id: String)
                {} Required Idempotent -> {json AgentMessage};

            /// `GET /agents/{agent_id}/versions/{version_id}/compare/{other_version_id}`: the fields that differ.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            compare_agent_versions => AgentsApi.compare_versions, "compareAgentVersions":
                Get "/agents/{agent_id}/versions/{version_id}/compare/{other_version_id}"
                (path agent_id: AgentId, path version_id: String, path other_version_id: String) {}
                Required Idempotent -> {json VersionComparison};

            /// `POST /agents/{agent_id}/versions/{version_id}/rollback`: a new current version with that
            /// version's configuration.
            ///
            /// # Errors
            /// `not_found`, `forbidden`. Not retried.
            rollback_agent_version => AgentsApi.rollback_version, "rollbackAgentVersion":
                Post "/agents/{agent_id}/versions/{version_id}/rollback" (path agent_id: AgentId, path version_id: String)
                {} Required NotIdempotent -> {json AgentVersion};

            /// `PUT /agents/{agent_id}/versions/{version_id}/details`: the version's name and change note.
            ///
            /// # Errors
            /// `not_found`, `forbidden`.
            update_agent_version_details => AgentsApi.update_version_details, "updateAgentVersionDetails":
                Put "/agents/{agent_id}/versions/{version_id}/details" (path agent_id: AgentId, path version_id: String)
                {json VersionDetailsUpdate} Required Idempotent -> {json AgentVersion};

            /// `GET /feature-flags`. The backend never fails here (it answers `{"flags": {}}`).
            ///
            /// # Errors
            /// Network and HTTP errors.
            get_feature_flags => FlagsApi.list, "getFeatureFlags":
                Get "/feature-flags" () {} None Idempotent -> {json FeatureFlags};

            /// `GET /feature-flags/{name}`.
            ///
            /// # Errors
            /// Network and HTTP errors.
            get_feature_flag => FlagsApi.get, "getFeatureFlag":
                Get "/feature-flags/{name}" (path name: String) {} None Idempotent -> {json FeatureFlag};

            /// `POST /v1/public/quick-action` (public API v1, multipart): a new project, thread and run from a
            /// prompt and files. The documented limits are checked before anything is sent.
            ///
            /// # Errors
            /// `invalid_request` (`limit`: prompt length, file count, total size, extension; `file_too_large`),
            /// `auth` (a `pk_…:sk_…` key), `unauthorized`, `rate_limited` (with `rate_limit()`), `bad_request`.
            /// Not retried.
            public_quick_action => PublicApi.quick_action, "quickAction":
                Post "/v1/public/quick-action" () {multipart QuickActionRequest} Public NotIdempotent
                -> {public QuickActionResponse};

            /// `GET /v1/public/threads/{thread_id}/response?project_id=…`: the thread's latest run and answer; with
            /// `timeout` the server waits up to that many seconds for the run to end (see
            /// `PublicApi::wait_for_result`). The client's request timeout must exceed it.
            ///
            /// # Errors
            /// `not_found` ("Thread not found"), `unauthorized`, `rate_limited` (retried after `X-RateLimit-Reset`).
            public_thread_response => PublicApi.response, "getThreadResponse":
                Get "/v1/public/threads/{thread_id}/response" (path thread_id: ThreadId, query project_id: ProjectId)
                {query_opt ThreadResponseQuery} Public Idempotent -> {public ThreadResponse};

            /// `POST /v1/public/threads/{thread_id}/response?project_id=…` (multipart): a follow-up message and a
            /// new run, with the quick action's limits.
            ///
            /// # Errors
            /// `invalid_request` (limits), `not_found`, `unauthorized`, `rate_limited`. Not retried.
            public_follow_up => PublicApi.follow_up, "publicFollowUp":
                Post "/v1/public/threads/{thread_id}/response" (path thread_id: ThreadId, query project_id: ProjectId)
                {multipart PublicFollowUpRequest} Public NotIdempotent -> {public FollowUpAccepted};

            /// `POST /v1/public/threads/{thread_id}/agent/stop?project_id=…`: stops the running run (it cannot be
            /// resumed).
            ///
            /// # Errors
            /// `not_found` (no running run), `unauthorized`, `rate_limited`. Not retried.
            public_stop => PublicApi.stop, "publicStop":
                Post "/v1/public/threads/{thread_id}/agent/stop" (path thread_id: ThreadId, query project_id: ProjectId)
                {} Public NotIdempotent -> {public PublicStopResponse};

            /// `GET /v1/public/threads/{thread_id}/history?project_id=…`: one page of the conversation (see
            /// `PublicApi::history_all` for every page).
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `rate_limited`.
            public_history => PublicApi.history, "getThreadHistory":
                Get "/v1/public/threads/{thread_id}/history" (path thread_id: ThreadId, query project_id: ProjectId)
                {query_opt HistoryQuery} Public Idempotent -> {public HistoryPage};

            /// `GET /v1/public/threads/{thread_id}/files?project_id=…`: one page of the thread's files (see
            /// `PublicApi::files_all` for every page).
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `rate_limited`.
            public_files => PublicApi.files, "listThreadFiles":
                Get "/v1/public/threads/{thread_id}/files" (path thread_id: ThreadId, query project_id: ProjectId)
                {query_opt PublicPageQuery} Public Idempotent -> {public FilesPage};

            /// `GET /v1/public/files/{file_id}?project_id=…&thread_id=…`: a file with its content inline (UTF-8
            /// text, or base64: `PublicFileContent::bytes` decodes both).
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `rate_limited`.
            public_file => PublicApi.file, "getPublicFile":
                Get "/v1/public/files/{file_id}" (path file_id: String, query project_id: ProjectId, query thread_id: ThreadId)
                {} Public Idempotent -> {public FileContentResponse};

            /// `GET /v1/public/files/{file_id}?…&download=true`: the file's raw bytes.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`, `rate_limited`.
            public_download_file => PublicApi.download_file, "downloadPublicFile":
                Get "/v1/public/files/{file_id}?download=true" (path file_id: String, query project_id: ProjectId, query thread_id: ThreadId)
                {} Public Idempotent -> {bytes};

            /// `POST /admin/helium-agents/install-user/{account_id}` (`X-Admin-Api-Key`, server runtimes only):
            /// gives an account the default Helium agent.
            ///
            /// # Errors
            /// `auth` (no admin key), `unauthorized` (no key sent), `forbidden` (a wrong key), `server` (the
            /// server has no admin key configured). Not retried.
            install_default_agent => AdminApi.install_default_agent, "installDefaultAgent":
                Post "/admin/helium-agents/install-user/{account_id}" (path account_id: AccountId)
                {query_opt InstallAgentQuery} Admin NotIdempotent -> {json DefaultAgentInstalled};

            /// `POST /api-keys`: the secret is in the answer only this once.
            ///
            /// # Errors
            /// `validation`, `unauthorized`. Not retried.
            create_api_key => ApiKeysApi.create, "createApiKey":
                Post "/api-keys" () {json CreateApiKeyRequest} Required NotIdempotent -> {json CreatedApiKey};

            /// `GET /api-keys`.
            ///
            /// # Errors
            /// `unauthorized`.
            list_api_keys => ApiKeysApi.list, "listApiKeys":
                Get "/api-keys" () {} Required Idempotent -> {array ApiKey};

            /// `PATCH /api-keys/{key_id}/revoke`.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`.
            revoke_api_key => ApiKeysApi.revoke, "revokeApiKey":
                Patch "/api-keys/{key_id}/revoke" (path key_id: ApiKeyId) {} Required Idempotent
                -> {json ApiKeyMessage};

            /// `DELETE /api-keys/{key_id}`.
            ///
            /// # Errors
            /// `not_found`, `unauthorized`.
            delete_api_key => ApiKeysApi.delete, "deleteApiKey":
                Delete "/api-keys/{key_id}" (path key_id: ApiKeyId) {} Required Idempotent
                -> {json ApiKeyMessage};
        }
    };
}
pub(crate) use for_each_operation;

#[allow(unused_imports)]
use crate::api::spec::define_operations;
#[allow(unused_imports)]
use crate::api::{ProfileImageUpload, SandboxUpload, UploadFile};
#[allow(unused_imports)]
use crate::models::*;

for_each_operation!(define_operations);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::spec::ParamKind;

    #[test]
    fn every_declaration_is_consistent() {
        let mut js = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for spec in ALL {
            assert!(js.insert(spec.js_name), "duplicate JS name {}", spec.js_name);
            assert!(names.insert(spec.name), "duplicate name {}", spec.name);
            assert!(spec.path.starts_with('/'), "{}", spec.name);
            // Every `{param}` of the template is a path parameter (or `{sub}`, the signed-in user of a Supabase
            // call), and every path parameter is in the template.
            let placeholders: Vec<&str> = spec
                .path
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .filter(|name| *name != "sub")
                .collect();
            if spec.path.contains("{sub}") {
                assert_eq!(spec.auth, "Supabase", "{}", spec.name);
            }
            let path_params: Vec<&str> = spec
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::Path)
                .map(|p| p.name)
                .collect();
            assert_eq!(placeholders, path_params, "{}", spec.name);
            // GETs are idempotent; only idempotent calls are retried.
            if spec.method == "GET" {
                assert!(spec.idempotent, "{}", spec.name);
            }
            assert!(
                spec.js_name.chars().next().is_some_and(char::is_lowercase),
                "{}",
                spec.js_name
            );
        }
    }

    #[test]
    fn calls_encode_ids_and_paths() {
        let call = stop_agent_run::call(None, "a/b?c", &()).unwrap();
        assert_eq!(call.path, "/agent-run/a%2Fb%3Fc/stop");
        let call = list_sandbox_files::call(None, "sb 1", "/workspace/100%41.txt", &()).unwrap();
        assert_eq!(call.path, "/sandboxes/sb%201/files");
        assert_eq!(
            call.query,
            vec![("path".to_owned(), "%2Fworkspace%2F100%2541.txt".to_owned())]
        );
        let call = read_sandbox_file::call(None, "s", "/w", &()).unwrap();
        assert_eq!(call.accept, "application/octet-stream");
    }
}
