//! Billing (§5.5). Usage is scripted: every started run counts as $5.00 of usage.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::thread_access;
use crate::errors::{ApiResult, ok};
use crate::state::AppState;
use crate::{EnvMode, auth, fixtures};

/// The free tier's price id (staging), as in `error_402_billing.json`.
pub const FREE_PRICE_ID: &str = "price_1RIGvuG6l1KZGqIrw14abxeL";
/// Scripted cost of one run, in dollars.
pub const RUN_COST: f64 = 5.0;

fn runs_started(app: &AppState, user: &str) -> u32 {
    app.lock().runs_started.get(user).copied().unwrap_or(0)
}

fn set(v: &mut Value, key: &str, new: Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.insert(key.to_owned(), new);
    }
}

/// `GET /api/billing/subscription`: the free-tier `SubscriptionStatus`, with `current_usage`
/// from the runs this user started.
pub async fn subscription(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut body = fixtures::json("billing_subscription_free.json");
    let usage = f64::from(runs_started(&app, &user)) * RUN_COST;
    set(&mut body, "current_usage", json!(usage));
    Ok(ok(body))
}

/// `GET /api/billing/check-status`.
pub async fn check_status(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let body = match app.config.env_mode {
        EnvMode::Local => fixtures::json("billing_check_status_local.json"),
        EnvMode::Production => fixtures::json("billing_check_status_production.json"),
        EnvMode::Staging => {
            if runs_started(&app, &user) >= app.config.staging_free_runs {
                fixtures::json("billing_check_status_staging_blocked.json")
            } else {
                json!({
                    "can_run": true,
                    "message": "OK",
                    "subscription": {"price_id": FREE_PRICE_ID, "plan_name": "free"},
                    "credit_balance": 0.0,
                    "can_purchase_credits": true,
                })
            }
        }
    };
    Ok(ok(body))
}

/// `GET /api/billing/available-models`: the local shape in local mode, the full one otherwise.
pub async fn available_models(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    auth::require_user(&app, &headers)?;
    let name = match app.config.env_mode {
        EnvMode::Local => "billing_available_models_local.json",
        _ => "billing_available_models.json",
    };
    Ok(ok(fixtures::json(name)))
}

/// `GET /api/billing/thread-token-usage/{thread_id}`: a stub with `message` in local mode,
/// otherwise the fixture's per-run numbers times the thread's completed runs.
pub async fn thread_token_usage(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let runs = {
        let store = app.lock();
        thread_access(&store, &thread_id, &user)?;
        store
            .runs
            .values()
            .filter(|r| r.thread_id == thread_id && r.status == "completed")
            .count()
    };
    if app.config.env_mode == EnvMode::Local {
        return Ok(ok(json!({
            "total_completion_tokens": 0,
            "total_prompt_tokens": 0,
            "total_tokens": 0,
            "estimated_cost": 0.0,
            "request_count": 0,
            "models": [],
            "message": "Token usage tracking is not available in local development mode",
        })));
    }
    let base = fixtures::json("billing_thread_token_usage.json");
    let n = u64::try_from(runs).unwrap_or(0);
    let mul = |key: &str| base[key].as_u64().unwrap_or(0) * n;
    let cost = base["estimated_cost"].as_f64().unwrap_or(0.0) * n as f64;
    let cost = (cost * 10_000.0).round() / 10_000.0;
    let models = if n > 0 { base["models"].clone() } else { json!([]) };
    Ok(ok(json!({
        "total_completion_tokens": mul("total_completion_tokens"),
        "total_prompt_tokens": mul("total_prompt_tokens"),
        "total_tokens": mul("total_tokens"),
        "estimated_cost": cost,
        "request_count": mul("request_count"),
        "models": models,
    })))
}
