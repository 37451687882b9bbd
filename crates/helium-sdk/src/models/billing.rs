//! Billing (`/billing/...`): subscription status, the run gate, available models and token usage.

use serde::{Deserialize, Serialize, Serializer};

use super::wire::null_to_default;

/// A minutes limit: a number of minutes, or a text such as `"no limit"` / `"unlimited"` (the local and
/// production stubs of `check-status`).
///
/// Integral numbers re-encode as JSON integers (`60`, not `60.0`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(untagged)]
pub enum MinutesLimit {
    /// A number of minutes.
    Minutes(f64),
    /// A text, e.g. `"no limit"` or `"unlimited"`.
    Text(String),
}

impl MinutesLimit {
    /// The number of minutes, when numeric.
    pub fn minutes(&self) -> Option<f64> {
        match self {
            MinutesLimit::Minutes(n) => Some(*n),
            MinutesLimit::Text(_) => None,
        }
    }

    /// Whether the text says there is no limit (`"no limit"` or `"unlimited"`, case-insensitive).
    pub fn is_unlimited(&self) -> bool {
        match self {
            MinutesLimit::Minutes(_) => false,
            MinutesLimit::Text(t) => {
                let t = t.trim();
                t.eq_ignore_ascii_case("no limit") || t.eq_ignore_ascii_case("unlimited")
            }
        }
    }
}

impl Serialize for MinutesLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // 2^53: every integer below it is exact in an f64.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        match self {
            MinutesLimit::Minutes(n) if n.fract() == 0.0 && n.abs() < EXACT => {
                serializer.serialize_i64(*n as i64)
            }
            MinutesLimit::Minutes(n) => serializer.serialize_f64(*n),
            MinutesLimit::Text(t) => serializer.serialize_str(t),
        }
    }
}

/// The short Stripe subscription summary inside [`SubscriptionStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SubscriptionSummary {
    /// The Stripe subscription id (`sub_…`).
    pub id: String,
    /// The Stripe status (`active`, `trialing`, …).
    pub status: String,
    /// Whether it ends with the current period.
    #[serde(deserialize_with = "null_to_default")]
    pub cancel_at_period_end: bool,
    /// Scheduled cancellation time (Unix seconds), or `null`.
    pub cancel_at: Option<i64>,
    /// End of the current period (Unix seconds).
    pub current_period_end: Option<i64>,
}

/// The response of `GET /billing/subscription`. The backend sends every field, `null` when unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SubscriptionStatus {
    /// `active`, `trialing`, `past_due`, `scheduled_downgrade` or `no_subscription`.
    pub status: String,
    /// The plan (`free`, `tier_ridiculously_cheap`, …).
    pub plan_name: Option<String>,
    /// The Stripe price id.
    pub price_id: Option<String>,
    /// End of the current period (ISO-8601).
    pub current_period_end: Option<String>,
    /// Whether the subscription ends with the current period.
    #[serde(deserialize_with = "null_to_default")]
    pub cancel_at_period_end: bool,
    /// End of the trial (ISO-8601).
    pub trial_end: Option<String>,
    /// Minutes per month (an integer from this route).
    pub minutes_limit: Option<MinutesLimit>,
    /// Monthly cost limit in dollars.
    pub cost_limit: Option<f64>,
    /// This month's usage in dollars.
    pub current_usage: Option<f64>,
    /// Whether a plan change is scheduled.
    #[serde(deserialize_with = "null_to_default")]
    pub has_schedule: bool,
    /// The scheduled plan.
    pub scheduled_plan_name: Option<String>,
    /// The scheduled price id.
    pub scheduled_price_id: Option<String>,
    /// When the scheduled change happens (ISO-8601).
    pub scheduled_change_date: Option<String>,
    /// The Stripe subscription id.
    pub subscription_id: Option<String>,
    /// The Stripe subscription summary.
    pub subscription: Option<SubscriptionSummary>,
    /// Purchased credit balance in dollars.
    pub credit_balance: Option<f64>,
    /// The same balance in credits (1 credit = $0.01).
    pub credit_balance_credits: Option<i64>,
    /// Total credits ever purchased, in dollars.
    pub credit_total_purchased: Option<f64>,
    /// Total credits ever used, in dollars.
    pub credit_total_used: Option<f64>,
    /// Whether credits can be bought (always true).
    #[serde(deserialize_with = "null_to_default")]
    pub can_purchase_credits: bool,
}

/// The `subscription` of `GET /billing/check-status` (and of a 402 billing detail).
///
/// It is one of the backend's stubs (`{price_id, plan_name, minutes_limit?}`) or a full Stripe subscription
/// object; every key besides the three known ones is kept in [`BillingSubscription::extra`], so both decode
/// and re-encode unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct BillingSubscription {
    /// The price id of a stub (`local_dev`, `production_unlimited`, the free price id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_id: Option<String>,
    /// The plan name of a stub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_name: Option<String>,
    /// The minutes limit of a stub: a number or `"no limit"` / `"unlimited"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_limit: Option<MinutesLimit>,
    /// All other keys (the fields of a raw Stripe subscription object).
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The response of `GET /billing/check-status`: whether the account may start a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct CheckStatusResponse {
    /// Whether a run may start.
    pub can_run: bool,
    /// The explanation (billing disabled, or the limit message).
    pub message: String,
    /// The subscription stub or Stripe object.
    #[serde(deserialize_with = "null_to_default")]
    pub subscription: BillingSubscription,
    /// Purchased credit balance in dollars.
    pub credit_balance: Option<f64>,
    /// Whether credits can be bought.
    pub can_purchase_credits: bool,
}

/// One model of `GET /billing/available-models`. The local shape has only `id`, `display_name`,
/// `short_name` and `requires_subscription`; the others are then `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ModelInfo {
    /// The model id, e.g. `vertex_ai/gemini-2.5-pro`.
    pub id: String,
    /// The display name (the alias, e.g. `gemini-2.5-pro-vertex`).
    pub display_name: String,
    /// The short name.
    pub short_name: Option<String>,
    /// Whether a paid plan is needed.
    #[serde(deserialize_with = "null_to_default")]
    pub requires_subscription: bool,
    /// Whether the caller's tier may use it (absent in local mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_available: Option<bool>,
    /// Input price in dollars per million tokens (with the 1.25 multiplier).
    #[serde(default)]
    pub input_cost_per_million_tokens: Option<f64>,
    /// Output price in dollars per million tokens (with the 1.25 multiplier).
    #[serde(default)]
    pub output_cost_per_million_tokens: Option<f64>,
    /// The context limit, often `null`.
    #[serde(default)]
    pub max_tokens: Option<u64>,
}

/// The response of `GET /billing/available-models`. The order of `models` is not stable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AvailableModels {
    /// The models.
    #[serde(deserialize_with = "null_to_default")]
    pub models: Vec<ModelInfo>,
    /// The tier name (`free`, `Local Development`, …).
    pub subscription_tier: String,
    /// The number of models.
    pub total_models: u32,
}

/// The response of `GET /billing/thread-token-usage/{thread_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ThreadTokenUsage {
    /// Completion tokens.
    pub total_completion_tokens: u64,
    /// Prompt tokens.
    pub total_prompt_tokens: u64,
    /// All tokens.
    pub total_tokens: u64,
    /// Estimated cost in dollars.
    pub estimated_cost: f64,
    /// Number of LLM requests.
    pub request_count: u64,
    /// The model ids used.
    #[serde(deserialize_with = "null_to_default")]
    pub models: Vec<String>,
    /// A note, e.g. when there is no usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
