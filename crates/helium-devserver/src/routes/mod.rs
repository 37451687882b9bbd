//! The HTTP routes.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};

use crate::errors::{ApiError, method_not_allowed, not_found_route};
use crate::state::{AppState, Store, Thread};
use crate::validation::MULTIPART_BODY_LIMIT;

pub mod admin;
pub mod agent;
pub mod agents;
pub mod backend_admin;
pub mod billing;
pub mod control;
pub mod health;
pub mod keys;
pub mod misc;
pub mod public_v1;
pub mod rest;
pub mod sandbox;
pub mod supabase;
pub mod threads;

/// Body limit of JSON routes.
const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// `verify_thread_access`: the thread if its project is public or `user` owns it; 404 `Thread not found`,
/// 403 `Not authorized to access this thread` otherwise.
pub fn thread_access<'a>(store: &'a Store, thread_id: &str, user: &str) -> Result<&'a Thread, ApiError> {
    let thread = store
        .threads
        .get(thread_id)
        .ok_or_else(ApiError::thread_not_found)?;
    let public = store
        .projects
        .get(&thread.project_id)
        .is_some_and(|p| p.is_public);
    if public || (!thread.account_id.is_empty() && thread.account_id == user) {
        return Ok(thread);
    }
    Err(ApiError::thread_forbidden())
}

/// Access check of `get_agent_run_with_access_check`: 404 `Agent run not found`, then the thread's rules.
pub fn run_access(store: &Store, run_id: &str, user: &str) -> Result<(), ApiError> {
    let run = store.runs.get(run_id).ok_or_else(ApiError::run_not_found)?;
    thread_access(store, &run.thread_id, user).map(|_| ())
}

fn api_routes(public_body_limit: usize) -> Router<Arc<AppState>> {
    let multipart = DefaultBodyLimit::max(MULTIPART_BODY_LIMIT);
    let public_multipart = DefaultBodyLimit::max(public_body_limit);
    Router::new()
        .route(
            "/v1/public/quick-action",
            post(public_v1::quick_action).layer(public_multipart),
        )
        .route(
            "/v1/public/threads/{thread_id}/response",
            get(public_v1::get_response)
                .post(public_v1::follow_up)
                .layer(public_multipart),
        )
        .route("/v1/public/threads/{thread_id}/agent/stop", post(public_v1::stop))
        .route("/v1/public/threads/{thread_id}/history", get(public_v1::history))
        .route("/v1/public/threads/{thread_id}/files", get(public_v1::files))
        .route("/v1/public/files/{*file_id}", get(public_v1::file))
        .route("/health", get(health::health))
        .route("/health-docker", get(health::health_docker))
        .route("/agent/initiate", post(agent::initiate).layer(multipart))
        .route("/thread/{thread_id}/agent/start", post(agent::start))
        .route("/thread/{thread_id}/agent-runs", get(agent::list_runs))
        .route("/thread/{thread_id}/agent", get(agent::thread_agent))
        .route("/agent-run/{run_id}", get(agent::get_run))
        .route("/agent-run/{run_id}/stream", get(crate::stream::stream))
        .route("/agent-run/{run_id}/stop", post(control::stop))
        .route("/agent-run/{run_id}/pause", post(control::pause))
        .route("/agent-run/{run_id}/resume", post(control::resume))
        .route("/agent-run/{run_id}/takeover", post(control::takeover))
        .route("/agent-run/{run_id}/release", post(control::release))
        .route("/agent-run/{run_id}/manual-event", post(control::manual_event))
        .route(
            "/sandboxes/{sandbox_id}/files",
            get(sandbox::list)
                .post(sandbox::upload)
                .delete(sandbox::delete_file)
                .layer(multipart),
        )
        .route("/sandboxes/{sandbox_id}/files/content", get(sandbox::content))
        .route("/sandboxes/{sandbox_id}", delete(sandbox::delete_sandbox))
        .route(
            "/project/{project_id}/sandbox/ensure-active",
            post(sandbox::ensure_active),
        )
        .route("/billing/subscription", get(billing::subscription))
        .route("/billing/check-status", get(billing::check_status))
        .route("/billing/available-models", get(billing::available_models))
        .route(
            "/billing/create-checkout-session",
            post(billing::create_checkout_session),
        )
        .route(
            "/billing/create-portal-session",
            post(billing::create_portal_session),
        )
        .route(
            "/billing/subscription-commitment/{subscription_id}",
            get(billing::subscription_commitment),
        )
        .route(
            "/billing/subscription-details",
            get(billing::subscription_details),
        )
        .route("/billing/cancel-subscription", post(billing::cancel_subscription))
        .route(
            "/billing/reactivate-subscription",
            post(billing::reactivate_subscription),
        )
        .route("/billing/usage-logs", get(billing::usage_logs))
        .route(
            "/billing/thread-credit-usage/{thread_id}",
            get(billing::thread_credit_usage),
        )
        .route("/billing/purchase-credits", post(billing::purchase_credits))
        .route("/billing/credit-balance", get(billing::credit_balance))
        .route("/billing/credit-history", get(billing::credit_history))
        .route(
            "/billing/can-purchase-credits",
            get(billing::can_purchase_credits),
        )
        .route(
            "/billing/create-trial-checkout",
            post(billing::create_trial_checkout),
        )
        .route(
            "/billing/thread-token-usage/{thread_id}",
            get(billing::thread_token_usage),
        )
        .route(
            "/admin/helium-agents/install-user/{account_id}",
            post(backend_admin::install_helium_agent),
        )
        .route("/agents", get(agents::list).post(agents::create))
        .route(
            "/agents/{agent_id}",
            get(agents::get_one).put(agents::update).delete(agents::delete),
        )
        .route("/agents/{agent_id}/export", get(agents::export))
        .route("/agents/json/analyze", post(agents::json_analyze))
        .route("/agents/json/import", post(agents::json_import))
        .route(
            "/agents/{agent_id}/custom-mcp-tools",
            get(agents::custom_mcp_tools)
                .post(agents::set_custom_mcp_tools)
                .put(agents::set_custom_mcp_tools),
        )
        .route(
            "/agents/{agent_id}/pipedream-tools/{profile_id}",
            get(agents::pipedream_tools).put(agents::set_pipedream_tools),
        )
        .route("/agents/{agent_id}/tools", get(agents::tools))
        .route(
            "/agents/profile-image/upload",
            post(agents::upload_image).layer(DefaultBodyLimit::max(MULTIPART_BODY_LIMIT)),
        )
        .route(
            "/agents/{agent_id}/versions",
            get(agents::versions).post(agents::create_version),
        )
        .route("/agents/{agent_id}/versions/{version_id}", get(agents::version))
        .route(
            "/agents/{agent_id}/versions/{version_id}/activate",
            put(agents::activate),
        )
        .route(
            "/agents/{agent_id}/versions/{version_id}/compare/{other_id}",
            get(agents::compare),
        )
        .route(
            "/agents/{agent_id}/versions/{version_id}/rollback",
            post(agents::rollback),
        )
        .route(
            "/agents/{agent_id}/versions/{version_id}/details",
            put(agents::version_details),
        )
        .route("/feature-flags", get(misc::flags))
        .route("/feature-flags/{name}", get(misc::flag))
        .route("/api-keys", post(keys::create).get(keys::list))
        .route("/api-keys/{key_id}/revoke", patch(keys::revoke))
        .route("/api-keys/{key_id}", delete(keys::delete))
        .route("/threads", get(threads::list).post(threads::create))
        .route("/threads/{thread_id}", get(threads::detail))
        .route(
            "/threads/{thread_id}/messages",
            get(threads::messages).post(threads::create_message),
        )
        .route("/threads/{thread_id}/messages/add", post(threads::add_message))
        .route(
            "/threads/{thread_id}/messages/{message_id}",
            delete(threads::delete_message),
        )
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// The full router: `/api/*`, the minimal Supabase endpoints and the `/__devserver` admin routes.
pub fn router(app: Arc<AppState>) -> Router {
    let public_body_limit = app
        .config
        .public_file_limits
        .max_total_bytes
        .saturating_add(2 * 1024 * 1024);
    Router::new()
        .nest("/api", api_routes(public_body_limit))
        .route("/rest/v1", get(supabase::rest_root))
        .route("/rest/v1/", get(supabase::rest_root))
        .route(
            "/rest/v1/{table}",
            get(rest::table)
                .post(rest::table)
                .patch(rest::table)
                .delete(rest::table),
        )
        .route("/auth/v1/health", get(supabase::auth_health))
        .route(
            "/storage/v1/object/public/agent-profile-images/{name}",
            get(agents::image),
        )
        .route(
            "/__devserver/faults",
            post(admin::schedule).get(admin::list).delete(admin::clear),
        )
        .route(
            "/__devserver/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route("/__devserver/token", get(admin::token))
        .route("/__devserver/streams", get(admin::streams))
        .route("/__devserver/connections", get(admin::connections))
        .route("/__devserver/supabase", get(admin::supabase))
        .route("/__devserver/public-keys", post(admin::public_key))
        .fallback(not_found_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(app)
}
