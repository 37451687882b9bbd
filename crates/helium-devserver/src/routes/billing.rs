//! Billing (§5.5). Usage is scripted: every started run counts as $5.00 of usage.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde_json::{Value, json};

use super::thread_access;
use crate::errors::{ApiError, ApiResult, ok};
use crate::state::{AppState, new_id};
use crate::validation::{Errors, json_body, require_object};
use crate::{EnvMode, auth, fixtures, timefmt};

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
    let usage = f64::from(runs_started(&app, &user)) * RUN_COST;
    let (sub, purchased) = {
        let store = app.lock();
        let b = store.billing.get(&user);
        (
            b.and_then(|b| b.subscription.clone()),
            b.map_or(0.0, |b| b.credits_purchased),
        )
    };
    if let Some(sub) = sub {
        return Ok(ok(subscribed_status(&sub, usage, purchased)));
    }
    let mut body = fixtures::json("billing_subscription_free.json");
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

// ------------------------------------------------------------------ checkout, subscription, credits
//
// The contract (§5.5, §9) lists these routes and, for most, the TypeScript types the frontend expects. There is
// no Stripe here: a checkout completes at once (the returned `url` is the caller's `success_url`), and the
// subscription it makes lives in memory. Shapes the contract does not give are marked below.

/// Prices the dev checkout accepts: (price id, plan name, minutes, dollars a month).
pub const PRICES: [(&str, &str, u64, f64); 3] = [
    (
        "price_1S2VNiAnxOD5rXBGWs7gO2rv",
        "tier_ridiculously_cheap",
        120,
        45.0,
    ),
    ("price_dev_serious_business", "tier_serious_business", 360, 115.0),
    ("price_dev_trial", "trial", 60, 1.99),
];

fn price(id: &str) -> Option<(&'static str, &'static str, u64, f64)> {
    PRICES.iter().copied().find(|p| p.0 == id)
}

const MONTH: u64 = 30 * 86_400;

fn epoch_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn iso_from_epoch(secs: u64) -> String {
    timefmt::iso_z(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

fn parse_object(headers: &HeaderMap, body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    require_object(json_body(headers, body)?)
}

fn new_subscription(price_id: &str, commitment: Option<&str>) -> Value {
    let (_, plan, _, _) = price(price_id).unwrap_or(("", "free", 60, 0.0));
    let now = epoch_now();
    json!({
        "id": format!("sub_dev{}", &new_id().replace('-', "")[..20]),
        "price_id": price_id,
        "plan_name": plan,
        "status": if plan == "trial" { "trialing" } else { "active" },
        "cancel_at_period_end": false,
        "current_period_end": now + MONTH,
        "commitment_type": commitment,
        "created": now,
    })
}

/// The Stripe-like `subscription` object of `SubscriptionStatus`.
fn stripe_view(sub: &Value) -> Value {
    let cancel = sub["cancel_at_period_end"] == true;
    json!({
        "id": sub["id"], "status": sub["status"], "cancel_at_period_end": cancel,
        "cancel_at": if cancel { sub["current_period_end"].clone() } else { Value::Null },
        "current_period_end": sub["current_period_end"],
    })
}

fn commitment_info(sub: &Value) -> Value {
    if sub["commitment_type"] != "yearly" {
        return json!({"has_commitment": false, "can_cancel": true});
    }
    let created = sub["created"].as_u64().unwrap_or(0);
    let end = created + 12 * MONTH;
    let months = end.saturating_sub(epoch_now()).div_ceil(MONTH);
    json!({
        "has_commitment": true, "commitment_type": "yearly", "months_remaining": months,
        "can_cancel": false, "commitment_end_date": iso_from_epoch(end),
    })
}

/// `POST /api/billing/create-checkout-session` `{price_id, success_url, cancel_url, tolt_referral?, commitment_type?}`.
pub async fn create_checkout_session(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = parse_object(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let mut errors = Errors::default();
    let price_id = errors.req_string(&obj, "price_id");
    let success_url = errors.req_string(&obj, "success_url");
    let _cancel_url = errors.req_string(&obj, "cancel_url");
    let commitment = errors.opt_string(&obj, "commitment_type");
    errors.finish()?;
    let (Some(price_id), Some(success_url)) = (price_id, success_url) else {
        return Err(ApiError::internal("Error creating checkout session"));
    };
    if price(&price_id).is_none() {
        return Err(ApiError::bad_request(format!("Invalid price ID: {price_id}")));
    }
    let mut store = app.lock();
    let billing = store.billing.entry(user).or_default();
    let body = match &mut billing.subscription {
        Some(sub) if sub["price_id"] == price_id.as_str() => json!({
            "status": "no_change", "subscription_id": sub["id"], "message": "Already subscribed to this plan",
        }),
        Some(sub) => {
            let (_, plan, _, _) = price(&price_id).unwrap_or(("", "free", 60, 0.0));
            sub["price_id"] = json!(price_id);
            sub["plan_name"] = json!(plan);
            json!({"status": "updated", "subscription_id": sub["id"], "message": "Subscription updated"})
        }
        None => {
            let sub = new_subscription(&price_id, commitment.as_deref());
            let session_id = format!("cs_dev_{}", new_id().replace('-', ""));
            let sep = if success_url.contains('?') { '&' } else { '?' };
            let body = json!({
                "status": if commitment.as_deref() == Some("yearly") { "commitment_created" } else { "checkout_created" },
                "session_id": session_id,
                "url": format!("{success_url}{sep}session_id={session_id}"),
                "subscription_id": sub["id"],
            });
            billing.subscription = Some(sub);
            body
        }
    };
    Ok(ok(body))
}

/// `POST /api/billing/create-portal-session` `{return_url}` → `{url}` (the dev portal sends the user straight back).
pub async fn create_portal_session(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = parse_object(&headers, &body)?;
    auth::require_user(&app, &headers)?;
    let mut errors = Errors::default();
    let url = errors.req_string(&obj, "return_url");
    errors.finish()?;
    Ok(ok(json!({"url": url})))
}

fn own_subscription(app: &AppState, user: &str) -> Option<Value> {
    app.lock().billing.get(user).and_then(|b| b.subscription.clone())
}

/// `GET /api/billing/subscription-commitment/{subscription_id}` → `CommitmentInfo`.
pub async fn subscription_commitment(
    State(app): State<Arc<AppState>>,
    Path(subscription_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    match own_subscription(&app, &user) {
        Some(sub) if sub["id"] == subscription_id.as_str() => Ok(ok(commitment_info(&sub))),
        _ => Err(ApiError::not_found("Subscription not found")),
    }
}

/// `GET /api/billing/subscription-details` (shape chosen here: `{subscription, commitment}`).
pub async fn subscription_details(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let body = match own_subscription(&app, &user) {
        Some(sub) => json!({
            "subscription": {
                "id": sub["id"], "status": sub["status"], "price_id": sub["price_id"], "plan_name": sub["plan_name"],
                "cancel_at_period_end": sub["cancel_at_period_end"], "current_period_end": sub["current_period_end"],
            },
            "commitment": commitment_info(&sub),
        }),
        None => json!({"subscription": null, "commitment": {"has_commitment": false, "can_cancel": true}}),
    };
    Ok(ok(body))
}

/// `POST /api/billing/cancel-subscription` → `CancelSubscriptionResponse`.
pub async fn cancel_subscription(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    let Some(sub) = store.billing.get_mut(&user).and_then(|b| b.subscription.as_mut()) else {
        return Err(ApiError::not_found("No active subscription found"));
    };
    let info = commitment_info(sub);
    if info["can_cancel"] == false {
        return Ok(ok(json!({
            "success": false, "status": "commitment_prevents_cancellation",
            "message": format!("Your yearly commitment runs until {}.", info["commitment_end_date"].as_str().unwrap_or("")),
            "details": info,
        })));
    }
    sub["cancel_at_period_end"] = json!(true);
    let end = iso_from_epoch(sub["current_period_end"].as_u64().unwrap_or(0));
    Ok(ok(json!({
        "success": true, "status": "cancelled_at_period_end",
        "message": format!("Subscription will be cancelled at the end of the period ({end})."),
        "details": {"cancellation_effective_date": end},
    })))
}

/// `POST /api/billing/reactivate-subscription` → `ReactivateSubscriptionResponse`.
pub async fn reactivate_subscription(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let mut store = app.lock();
    let Some(sub) = store.billing.get_mut(&user).and_then(|b| b.subscription.as_mut()) else {
        return Err(ApiError::not_found("No active subscription found"));
    };
    if sub["cancel_at_period_end"] != true {
        return Ok(ok(
            json!({"success": true, "status": "not_cancelled", "message": "Subscription is not cancelled"}),
        ));
    }
    sub["cancel_at_period_end"] = json!(false);
    Ok(ok(
        json!({"success": true, "status": "reactivated", "message": "Subscription reactivated"}),
    ))
}

/// Dollars one completed run costs (the token-usage fixture's `estimated_cost`).
fn run_dollars() -> f64 {
    fixtures::json("billing_thread_token_usage.json")["estimated_cost"]
        .as_f64()
        .unwrap_or(0.0)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `GET /api/billing/usage-logs?page=0&items_per_page=1000` → `UsageLogsResponse`; one entry per thread with completed
/// runs, newest first. Local mode answers the stub with `message`.
pub async fn usage_logs(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let param = |name: &str, default: i64| -> Result<i64, ApiError> {
        let raw = query.as_deref().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == name)
                .last()
                .map(|(_, v)| v.into_owned())
        });
        match raw {
            None => Ok(default),
            Some(v) => v.trim().parse::<i64>().map_err(|_| {
                ApiError::validation(vec![json!({"type": "int_parsing", "loc": ["query", name], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": v})])
            }),
        }
    };
    let page = param("page", 0)?;
    let per_page = param("items_per_page", 1000)?;
    if page < 0 {
        return Err(ApiError::bad_request("Page must be non-negative"));
    }
    if !(1..=1000).contains(&per_page) {
        return Err(ApiError::bad_request("Items per page must be between 1 and 1000"));
    }
    if app.config.env_mode == EnvMode::Local {
        return Ok(ok(json!({
            "logs": [], "has_more": false,
            "message": "Usage logs are not available in local development mode",
        })));
    }
    let store = app.lock();
    let usage = fixtures::json("billing_thread_token_usage.json");
    let mut entries: Vec<(String, Value)> = Vec::new();
    for t in store.threads.values().filter(|t| t.account_id == user) {
        let runs: Vec<&crate::state::Run> = store
            .runs
            .values()
            .filter(|r| r.thread_id == t.thread_id && r.status == "completed")
            .collect();
        if runs.is_empty() {
            continue;
        }
        let n = runs.len() as u64;
        let latest = runs
            .iter()
            .map(|r| r.created_at.clone())
            .max()
            .unwrap_or_default();
        let mul = |k: &str| usage[k].as_u64().unwrap_or(0) * n;
        #[allow(clippy::cast_precision_loss)]
        let credits = (run_dollars() * n as f64 * 100.0).round();
        entries.push((
            latest.clone(),
            json!({
                "thread_id": t.thread_id, "project_id": t.project_id,
                "project_name": store.projects.get(&t.project_id).map(|p| p.name.clone()),
                "created_at": latest, "total_credits": credits, "request_count": mul("request_count"),
                "total_prompt_tokens": mul("total_prompt_tokens"), "total_completion_tokens": mul("total_completion_tokens"),
                "total_tokens": mul("total_tokens"), "primary_model": usage["models"][0].clone(),
                "models_used": usage["models"].clone(),
            }),
        ));
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0));
    let total = entries.len() as i64;
    let cumulative: f64 = entries
        .iter()
        .map(|(_, e)| e["total_credits"].as_f64().unwrap_or(0.0))
        .sum::<f64>()
        / 100.0;
    let skip = usize::try_from(page.saturating_mul(per_page)).unwrap_or(usize::MAX);
    let logs: Vec<Value> = entries
        .into_iter()
        .skip(skip)
        .take(usize::try_from(per_page).unwrap_or(0))
        .map(|(_, e)| e)
        .collect();
    let shown = i64::try_from(logs.len()).unwrap_or(0);
    Ok(ok(json!({
        "logs": logs,
        "has_more": page.saturating_mul(per_page).saturating_add(shown) < total,
        "total_items": total,
        "total_pages": (total + per_page - 1) / per_page,
        "current_page": page,
        "items_per_page": per_page,
        "subscription_limit": 15.0,
        "cumulative_cost": round4(cumulative),
    })))
}

/// `GET /api/billing/thread-credit-usage/{thread_id}` → `ThreadCreditUsageResponse` (one detail per completed run).
pub async fn thread_credit_usage(
    State(app): State<Arc<AppState>>,
    Path(thread_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let store = app.lock();
    thread_access(&store, &thread_id, &user)?;
    let mut runs: Vec<&crate::state::Run> = store
        .runs
        .values()
        .filter(|r| r.thread_id == thread_id && r.status == "completed")
        .collect();
    runs.sort_by_key(|r| r.order);
    let credits = (run_dollars() * 100.0).round();
    let details: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({"amount": credits, "created_at": r.completed_at.clone().unwrap_or_else(|| r.created_at.clone()),
                   "description": format!("Agent run {}", r.id), "message_id": null})
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let total = credits * details.len() as f64;
    Ok(ok(
        json!({"total_credits_used": total, "usage_count": details.len(), "usage_details": details}),
    ))
}

/// `POST /api/billing/purchase-credits` `{amount, success_url?, cancel_url?}` (dollars; shape chosen here): the
/// purchase completes at once → `{session_id, url, amount, credit_balance}`.
pub async fn purchase_credits(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = parse_object(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let mut errors = Errors::default();
    let amount = errors.req_number(&obj, "amount");
    let success_url = errors.opt_string(&obj, "success_url");
    errors.finish()?;
    let amount = amount.unwrap_or(0.0);
    if !(10.0..=5000.0).contains(&amount) {
        return Err(ApiError::bad_request("Amount must be between $10 and $5000"));
    }
    let session_id = format!("cs_dev_{}", new_id().replace('-', ""));
    let mut store = app.lock();
    let billing = store.billing.entry(user).or_default();
    billing.credits_purchased += amount;
    billing.purchases.push(json!({
        "id": session_id, "amount": amount, "status": "completed", "created_at": timefmt::now_iso(),
        "description": format!("Purchased ${amount:.2} of credits"),
    }));
    // Runs do not draw on purchased credits in the dev backend: the balance is what was bought.
    let balance = round4(billing.credits_purchased);
    Ok(ok(json!({
        "session_id": session_id,
        "url": success_url.unwrap_or_default(),
        "amount": amount,
        "credit_balance": balance,
    })))
}

fn balance_json(app: &AppState, user: &str) -> Value {
    let purchased = app.lock().billing.get(user).map_or(0.0, |b| b.credits_purchased);
    #[allow(clippy::cast_possible_truncation)]
    let credits = (purchased * 100.0).round() as i64;
    json!({"balance": round4(purchased), "balance_credits": credits, "total_purchased": round4(purchased),
           "total_used": 0.0, "can_purchase_credits": true})
}

/// `GET /api/billing/credit-balance` (shape chosen here, after `SubscriptionStatus`' credit fields).
pub async fn credit_balance(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    Ok(ok(balance_json(&app, &user)))
}

/// `GET /api/billing/credit-history` (shape chosen here): `{purchases: [...], total}`, newest first.
pub async fn credit_history(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    let purchases: Vec<Value> = app
        .lock()
        .billing
        .get(&user)
        .map(|b| b.purchases.iter().rev().cloned().collect())
        .unwrap_or_default();
    Ok(ok(json!({"total": purchases.len(), "purchases": purchases})))
}

/// `GET /api/billing/can-purchase-credits` (shape chosen here; the backend always allows, §5.5).
pub async fn can_purchase_credits(State(app): State<Arc<AppState>>, headers: HeaderMap) -> ApiResult {
    auth::require_user(&app, &headers)?;
    Ok(ok(json!({"can_purchase": true})))
}

/// `POST /api/billing/create-trial-checkout` `{success_url, cancel_url}` (shape chosen here): a trial subscription
/// → `{status: "checkout_created", session_id, url}`; a user who already has a subscription gets 400.
pub async fn create_trial_checkout(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = parse_object(&headers, &body)?;
    let user = auth::require_user(&app, &headers)?;
    let mut errors = Errors::default();
    let success_url = errors.req_string(&obj, "success_url");
    let _cancel = errors.req_string(&obj, "cancel_url");
    errors.finish()?;
    let mut store = app.lock();
    let billing = store.billing.entry(user).or_default();
    if billing.subscription.is_some() {
        return Err(ApiError::bad_request(
            "Trial not available: you already have a subscription",
        ));
    }
    let sub = new_subscription("price_dev_trial", None);
    let session_id = format!("cs_dev_{}", new_id().replace('-', ""));
    let url = format!("{}?session_id={session_id}", success_url.unwrap_or_default());
    let body = json!({"status": "checkout_created", "session_id": session_id, "url": url, "subscription_id": sub["id"]});
    billing.subscription = Some(sub);
    Ok(ok(body))
}

/// `SubscriptionStatus` for a user with a dev subscription.
pub fn subscribed_status(sub: &Value, usage: f64, purchased: f64) -> Value {
    let (_, plan, minutes, cost) =
        price(sub["price_id"].as_str().unwrap_or("")).unwrap_or(("", "free", 60, 15.0));
    #[allow(clippy::cast_possible_truncation)]
    let credits = (purchased * 100.0).round() as i64;
    json!({
        "status": sub["status"], "plan_name": plan, "price_id": sub["price_id"],
        "current_period_end": iso_from_epoch(sub["current_period_end"].as_u64().unwrap_or(0)),
        "cancel_at_period_end": sub["cancel_at_period_end"] == true,
        "trial_end": if plan == "trial" { Value::String(iso_from_epoch(sub["current_period_end"].as_u64().unwrap_or(0))) } else { Value::Null },
        "minutes_limit": minutes, "cost_limit": cost, "current_usage": usage,
        "has_schedule": false, "scheduled_plan_name": null, "scheduled_price_id": null, "scheduled_change_date": null,
        "subscription_id": sub["id"], "subscription": stripe_view(sub),
        "credit_balance": round4(purchased), "credit_balance_credits": credits,
        "credit_total_purchased": round4(purchased), "credit_total_used": 0.0, "can_purchase_credits": true,
    })
}
