//! Billing routes of §5.5 beyond subscription/check-status/models: checkout, portal, commitment, cancel and
//! reactivate, usage logs, credits, trial.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::EnvMode;
use serde_json::{Value, json};

const PRICE: &str = "price_1S2VNiAnxOD5rXBGWs7gO2rv";

#[tokio::test]
async fn checkout_subscription_cancel_and_reactivate() {
    let server = start().await;
    let token = server.sample_token();
    let b = format!("{}/billing", server.api_url());
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    // auth and validation first
    let (s, _) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 401);
    let (s, body) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        Some(&token),
        Some(json!({"price_id": PRICE})),
    )
    .await;
    assert_eq!(s, 422);
    let locs: Vec<&Value> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["loc"][1])
        .collect();
    assert_eq!(locs, vec!["success_url", "cancel_url"]);
    let (s, body) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        Some(&token),
        Some(json!({"price_id": "price_nope", "success_url": "https://app/ok", "cancel_url": "https://app/no"})),
    )
    .await;
    assert_eq!(
        (s, body),
        (400, json!({"detail": "Invalid price ID: price_nope"}))
    );
    // free until a checkout
    let (_, sub) = call(get.clone(), &format!("{b}/subscription"), Some(&token), None).await;
    assert_eq!(sub["status"], "no_subscription");
    let checkout =
        json!({"price_id": PRICE, "success_url": "https://app/ok", "cancel_url": "https://app/no"});
    let (s, body) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        Some(&token),
        Some(checkout.clone()),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(body["status"], "checkout_created");
    let session_id = body["session_id"].as_str().unwrap();
    assert_eq!(body["url"], format!("https://app/ok?session_id={session_id}"));
    let (_, sub) = call(get.clone(), &format!("{b}/subscription"), Some(&token), None).await;
    let fx = fixture_json("billing_subscription_active.json");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&sub), keys(&fx));
    assert_eq!(keys(&sub["subscription"]), keys(&fx["subscription"]));
    assert_eq!(
        (
            sub["status"].as_str(),
            sub["plan_name"].as_str(),
            sub["minutes_limit"].as_u64(),
            sub["cost_limit"].as_f64()
        ),
        (
            Some("active"),
            Some("tier_ridiculously_cheap"),
            Some(120),
            Some(45.0)
        )
    );
    let sub_id = sub["subscription_id"].as_str().unwrap().to_owned();
    let (_, again) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        Some(&token),
        Some(checkout),
    )
    .await;
    assert_eq!(again["status"], "no_change");
    // commitment, details, portal
    let (s, c) = call(
        get.clone(),
        &format!("{b}/subscription-commitment/{sub_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (s, c),
        (200, json!({"has_commitment": false, "can_cancel": true}))
    );
    let (s, _) = call(
        get.clone(),
        &format!("{b}/subscription-commitment/sub_other"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (_, d) = call(
        get.clone(),
        &format!("{b}/subscription-details"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(d["subscription"]["id"], sub_id.as_str());
    let (s, p) = call(
        post.clone(),
        &format!("{b}/create-portal-session"),
        Some(&token),
        Some(json!({"return_url": "https://app/settings"})),
    )
    .await;
    assert_eq!((s, p), (200, json!({"url": "https://app/settings"})));
    // cancel → reactivate → reactivate again
    let (s, c) = call(
        post.clone(),
        &format!("{b}/cancel-subscription"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (s, c["success"].clone(), c["status"].clone()),
        (200, json!(true), json!("cancelled_at_period_end"))
    );
    let (_, sub) = call(get.clone(), &format!("{b}/subscription"), Some(&token), None).await;
    assert_eq!(sub["cancel_at_period_end"], true);
    assert_eq!(
        sub["subscription"]["cancel_at"],
        sub["subscription"]["current_period_end"]
    );
    let (_, r) = call(
        post.clone(),
        &format!("{b}/reactivate-subscription"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(r["status"], "reactivated");
    let (_, r) = call(
        post.clone(),
        &format!("{b}/reactivate-subscription"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(r["status"], "not_cancelled");
    // another user has none of it
    let other = server.token_for(OTHER_USER);
    let (s, _) = call(
        post.clone(),
        &format!("{b}/cancel-subscription"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(s, 404);
    // a yearly commitment blocks cancellation
    let (_, body) = call(
        post.clone(),
        &format!("{b}/create-checkout-session"),
        Some(&other),
        Some(json!({"price_id": PRICE, "success_url": "https://app/ok", "cancel_url": "https://app/no", "commitment_type": "yearly"})),
    )
    .await;
    assert_eq!(body["status"], "commitment_created");
    let sid = body["subscription_id"].as_str().unwrap();
    let (_, c) = call(
        get.clone(),
        &format!("{b}/subscription-commitment/{sid}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(
        (
            c["has_commitment"].clone(),
            c["months_remaining"].clone(),
            c["can_cancel"].clone()
        ),
        (json!(true), json!(12), json!(false))
    );
    let (_, c) = call(
        post.clone(),
        &format!("{b}/cancel-subscription"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(
        (c["success"].clone(), c["status"].clone()),
        (json!(false), json!("commitment_prevents_cancellation"))
    );
    // trial: only without a subscription
    let third = server.token_for("11111111-2222-4333-8444-555555555555");
    let trial = json!({"success_url": "https://app/ok", "cancel_url": "https://app/no"});
    let (s, t) = call(
        post.clone(),
        &format!("{b}/create-trial-checkout"),
        Some(&third),
        Some(trial.clone()),
    )
    .await;
    assert_eq!((s, t["status"].clone()), (200, json!("checkout_created")));
    let (_, sub) = call(get.clone(), &format!("{b}/subscription"), Some(&third), None).await;
    assert_eq!(
        (sub["status"].clone(), sub["plan_name"].clone()),
        (json!("trialing"), json!("trial"))
    );
    assert!(sub["trial_end"].is_string());
    let (s, _) = call(
        post,
        &format!("{b}/create-trial-checkout"),
        Some(&third),
        Some(trial),
    )
    .await;
    assert_eq!(s, 400);
    server.shutdown().await;
}

#[tokio::test]
async fn usage_logs_credits_and_thread_credit_usage() {
    let server = start_mode(EnvMode::Production).await;
    let token = server.sample_token();
    let b = format!("{}/billing", server.api_url());
    let get = reqwest::Method::GET;
    let mut threads = Vec::new();
    for p in ["one", "two", "three"] {
        let (t, r) = initiate(&server, &token, p).await;
        wait_status(&server, &r, &token, "completed").await;
        threads.push(t);
    }
    // paging: newest thread first, has_more until the last page
    let (s, page0) = call(
        get.clone(),
        &format!("{b}/usage-logs?page=0&items_per_page=2"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(page0["logs"].as_array().unwrap().len(), 2);
    assert_eq!(page0["has_more"], true);
    assert_eq!(
        (page0["total_items"].clone(), page0["total_pages"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(page0["logs"][0]["thread_id"], threads[2].as_str());
    assert_eq!(page0["logs"][0]["project_name"], "three");
    let entry_keys: Vec<&str> = page0["logs"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        entry_keys,
        vec![
            "thread_id",
            "project_id",
            "project_name",
            "created_at",
            "total_credits",
            "request_count",
            "total_prompt_tokens",
            "total_completion_tokens",
            "total_tokens",
            "primary_model",
            "models_used"
        ]
    );
    let (_, page1) = call(
        get.clone(),
        &format!("{b}/usage-logs?page=1&items_per_page=2"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(page1["logs"].as_array().unwrap().len(), 1);
    assert_eq!(page1["has_more"], false);
    assert_eq!(page1["logs"][0]["thread_id"], threads[0].as_str());
    for (q, detail) in [
        ("page=-1", "Page must be non-negative"),
        ("items_per_page=0", "Items per page must be between 1 and 1000"),
        ("items_per_page=1001", "Items per page must be between 1 and 1000"),
    ] {
        let (s, body) = call(get.clone(), &format!("{b}/usage-logs?{q}"), Some(&token), None).await;
        assert_eq!((s, body["detail"].as_str().unwrap()), (400, detail), "{q}");
    }
    // per-thread credit usage
    let (s, u) = call(
        get.clone(),
        &format!("{b}/thread-credit-usage/{}", threads[0]),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(u["usage_count"], 1);
    assert_eq!(u["usage_details"][0]["amount"], u["total_credits_used"]);
    let (s, _) = call(
        get.clone(),
        &format!("{b}/thread-credit-usage/{}", threads[0]),
        Some(&server.token_for(OTHER_USER)),
        None,
    )
    .await;
    assert_eq!(s, 403);
    // credits
    let (_, bal) = call(get.clone(), &format!("{b}/credit-balance"), Some(&token), None).await;
    assert_eq!(bal["balance"], 0.0);
    let (s, _) = call(
        reqwest::Method::POST,
        &format!("{b}/purchase-credits"),
        Some(&token),
        Some(json!({"amount": 5})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, p) = call(
        reqwest::Method::POST,
        &format!("{b}/purchase-credits"),
        Some(&token),
        Some(json!({"amount": 25, "success_url": "https://app/ok"})),
    )
    .await;
    assert_eq!(
        (s, p["credit_balance"].clone(), p["url"].clone()),
        (200, json!(25.0), json!("https://app/ok"))
    );
    let (_, bal) = call(get.clone(), &format!("{b}/credit-balance"), Some(&token), None).await;
    assert_eq!(
        (bal["balance"].clone(), bal["balance_credits"].clone()),
        (json!(25.0), json!(2500))
    );
    let (_, h) = call(get.clone(), &format!("{b}/credit-history"), Some(&token), None).await;
    assert_eq!(h["total"], 1);
    assert_eq!(h["purchases"][0]["amount"], 25.0);
    let (_, c) = call(
        get.clone(),
        &format!("{b}/can-purchase-credits"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(c, json!({"can_purchase": true}));
    let (_, sub) = call(get, &format!("{b}/subscription"), Some(&token), None).await;
    assert_eq!(
        sub["status"], "no_subscription",
        "credits alone are no subscription"
    );
    server.shutdown().await;

    // local mode: the stub with a message
    let server = start().await;
    let (s, body) = call(
        reqwest::Method::GET,
        &format!(
            "{}/billing/usage-logs?page=0&items_per_page=1000",
            server.api_url()
        ),
        Some(&server.sample_token()),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(body["logs"], json!([]));
    assert_eq!(body["has_more"], false);
    assert!(body["message"].is_string());
    server.shutdown().await;
}
