//! Billing beyond the status (contract §5.5, §9): checkout and portal sessions, commitments, cancel and
//! reactivate, usage logs, credits, trial checkout.
//!
//! Where the contract names a route without its answer's shape (subscription details, credits, the trial), the
//! model keeps every key: the known ones as optional fields, the others in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::{ProjectId, ThreadId};
use super::wire::null_to_default;

/// The body of `POST /billing/create-checkout-session` (the frontend's `CreateCheckoutSessionRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CheckoutSessionRequest {
    /// The Stripe price to subscribe to.
    pub price_id: String,
    /// Where Stripe returns after paying.
    pub success_url: String,
    /// Where Stripe returns when cancelled.
    pub cancel_url: String,
    /// A referral id (the frontend's `tolt_referral`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolt_referral: Option<String>,
    /// `monthly` or `yearly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_type: Option<String>,
}

/// The answer of a checkout (`create-checkout-session`, `create-trial-checkout`): what happened and, for a new
/// checkout, where to pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CheckoutSession {
    /// `upgraded`, `downgrade_scheduled`, `checkout_created`, `no_change`, `new`, `updated`, `scheduled`,
    /// `commitment_created` or `commitment_blocks_downgrade`.
    pub status: String,
    /// The subscription.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// A scheduled change.
    #[serde(default)]
    pub schedule_id: Option<String>,
    /// The Stripe checkout session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Where to pay.
    #[serde(default)]
    pub url: Option<String>,
    /// When a scheduled change takes effect.
    #[serde(default)]
    pub effective_date: Option<String>,
    /// A message.
    #[serde(default)]
    pub message: Option<String>,
    /// Details of an upgrade or a schedule.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub details: Option<Value>,
}

/// The body of `POST /billing/create-portal-session`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PortalSessionRequest {
    /// Where the portal returns.
    pub return_url: String,
}

/// The answer of `POST /billing/create-portal-session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct PortalSession {
    /// The billing portal.
    pub url: String,
}

/// `GET /billing/subscription-commitment/{subscription_id}` (`CommitmentInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CommitmentInfo {
    /// Whether the subscription has a yearly commitment.
    pub has_commitment: bool,
    /// `monthly` or `yearly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_type: Option<String>,
    /// Months left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_remaining: Option<i64>,
    /// Whether it can be cancelled now.
    pub can_cancel: bool,
    /// When the commitment ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_end_date: Option<String>,
}

/// `GET /billing/subscription-details`. The contract names the route, not its answer: the subscription and
/// its commitment when the server sends them, every other key in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SubscriptionDetails {
    /// The subscription, or `null` without one.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub subscription: Option<Value>,
    /// Its commitment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub commitment: Option<CommitmentInfo>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

/// The answer of `POST /billing/cancel-subscription` (`status` `cancelled_at_period_end` or
/// `commitment_prevents_cancellation`) and `POST /billing/reactivate-subscription` (`reactivated` or
/// `not_cancelled`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SubscriptionChange {
    /// Whether it was done.
    pub success: bool,
    /// What happened.
    pub status: String,
    /// The explanation.
    pub message: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>", optional))]
    pub details: Option<Value>,
}

/// The query of `GET /billing/usage-logs` (`None` is not sent; the frontend sends `page=0`,
/// `items_per_page=1000`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UsageLogsQuery {
    /// The page, from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Entries per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_per_page: Option<u32>,
}

/// One entry of the usage logs: a thread's usage (`UsageLogEntry`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct UsageLogEntry {
    /// The thread.
    pub thread_id: ThreadId,
    /// Its project.
    pub project_id: ProjectId,
    /// The project's name.
    #[serde(deserialize_with = "null_to_default")]
    pub project_name: String,
    /// When.
    pub created_at: String,
    /// Credits used.
    pub total_credits: f64,
    /// LLM requests.
    pub request_count: u64,
    /// Prompt tokens.
    pub total_prompt_tokens: u64,
    /// Completion tokens.
    pub total_completion_tokens: u64,
    /// All tokens.
    pub total_tokens: u64,
    /// The model used most.
    #[serde(deserialize_with = "null_to_default")]
    pub primary_model: String,
    /// Every model used.
    #[serde(deserialize_with = "null_to_default")]
    pub models_used: Vec<String>,
}

/// One page of `GET /billing/usage-logs` (`UsageLogsResponse`; in local mode an empty stub with `message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct UsageLogsPage {
    /// The entries of this page.
    #[serde(deserialize_with = "null_to_default")]
    pub logs: Vec<UsageLogEntry>,
    /// Whether another page follows.
    #[serde(deserialize_with = "null_to_default")]
    pub has_more: bool,
    /// Entries in all pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub total_items: Option<u64>,
    /// The number of pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub total_pages: Option<u32>,
    /// This page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub current_page: Option<u32>,
    /// Entries per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub items_per_page: Option<u32>,
    /// A note (local mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub message: Option<String>,
    /// The plan's limit in dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub subscription_limit: Option<f64>,
    /// The cost so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub cumulative_cost: Option<f64>,
}

/// One use of credits in a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CreditUsageDetail {
    /// Credits used.
    pub amount: f64,
    /// When.
    pub created_at: String,
    /// What for.
    #[serde(deserialize_with = "null_to_default")]
    pub description: String,
    /// The message that used them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub message_id: Option<String>,
}

/// `GET /billing/thread-credit-usage/{thread_id}` (`ThreadCreditUsageResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadCreditUsage {
    /// Credits used by the thread.
    pub total_credits_used: f64,
    /// The number of uses.
    pub usage_count: u64,
    /// Each use.
    #[serde(deserialize_with = "null_to_default")]
    pub usage_details: Vec<CreditUsageDetail>,
}

/// The body of `POST /billing/purchase-credits`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PurchaseCreditsRequest {
    /// The amount in dollars.
    pub amount: f64,
    /// Where Stripe returns after paying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    /// Where Stripe returns when cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
}

/// The answer of `POST /billing/purchase-credits` (shape not in the contract): the checkout session when
/// there is one, every other key in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CreditPurchase {
    /// The Stripe checkout session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub session_id: Option<String>,
    /// Where to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub url: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

/// `GET /billing/credit-balance` (shape not in the contract): the balance in dollars when sent, every other
/// key in `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CreditBalance {
    /// The balance in dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub balance: Option<f64>,
    /// Whether credits can be bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub can_purchase_credits: Option<bool>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

/// `GET /billing/credit-history` (shape not in the contract): the purchases when sent, every other key in
/// `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CreditHistory {
    /// The purchases, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>[]", optional))]
    pub purchases: Vec<Value>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

/// `GET /billing/can-purchase-credits` (shape not in the contract): the answer when sent, every other key in
/// `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CanPurchaseCredits {
    /// Whether credits can be bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub can_purchase: Option<bool>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

/// The body of `POST /billing/create-trial-checkout`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct TrialCheckoutRequest {
    /// Where Stripe returns after starting the trial.
    pub success_url: String,
    /// Where Stripe returns when cancelled.
    pub cancel_url: String,
}
