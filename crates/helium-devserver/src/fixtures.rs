//! The contract fixtures, embedded at compile time.

use serde_json::Value;

/// `stream_sample.sse`: the contract's 27-item two-turn run.
pub const STREAM_SAMPLE: &str = include_str!("../fixtures/stream_sample.sse");
/// `script_run.sse`: the dev backend's own script, the contract sample with texts that are true of the dev
/// backend (the file is created in `/workspace`; nothing is served on a port). Same items, shapes and spacing.
pub const SCRIPT_RUN: &str = include_str!("../fixtures/script_run.sse");
/// `stream_llm_error.sse`.
pub const STREAM_LLM_ERROR: &str = include_str!("../fixtures/stream_llm_error.sse");
/// `stream_worker_error.sse`.
pub const STREAM_WORKER_ERROR: &str = include_str!("../fixtures/stream_worker_error.sse");
/// `stream_billing_stopped.sse`.
pub const STREAM_BILLING_STOPPED: &str = include_str!("../fixtures/stream_billing_stopped.sse");
/// `stream_paused_manual_event.sse`.
pub const STREAM_PAUSED: &str = include_str!("../fixtures/stream_paused_manual_event.sse");

/// Raw JSON fixtures by file name.
pub fn raw(name: &str) -> Option<&'static str> {
    Some(match name {
        "agents_list_custom_agents_disabled.json" => {
            include_str!("../fixtures/agents_list_custom_agents_disabled.json")
        }
        "billing_available_models.json" => {
            include_str!("../fixtures/billing_available_models.json")
        }
        "billing_available_models_local.json" => {
            include_str!("../fixtures/billing_available_models_local.json")
        }
        "billing_check_status_local.json" => {
            include_str!("../fixtures/billing_check_status_local.json")
        }
        "billing_check_status_production.json" => {
            include_str!("../fixtures/billing_check_status_production.json")
        }
        "billing_check_status_staging_blocked.json" => {
            include_str!("../fixtures/billing_check_status_staging_blocked.json")
        }
        "billing_subscription_free.json" => {
            include_str!("../fixtures/billing_subscription_free.json")
        }
        "billing_thread_token_usage.json" => {
            include_str!("../fixtures/billing_thread_token_usage.json")
        }
        "error_402_billing.json" => include_str!("../fixtures/error_402_billing.json"),
        "thread_agent_none.json" => include_str!("../fixtures/thread_agent_none.json"),
        _ => return None,
    })
}

/// A JSON fixture parsed with key order kept (`Value::Null` for an unknown name).
pub fn json(name: &str) -> Value {
    raw(name)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

/// The JSON items of an `.sse` fixture.
pub fn sse_items(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_parse() {
        for name in [
            "agents_list_custom_agents_disabled.json",
            "billing_available_models.json",
            "billing_available_models_local.json",
            "billing_check_status_local.json",
            "billing_check_status_production.json",
            "billing_check_status_staging_blocked.json",
            "billing_subscription_free.json",
            "billing_thread_token_usage.json",
            "error_402_billing.json",
            "thread_agent_none.json",
        ] {
            assert!(!json(name).is_null(), "{name}");
        }
        assert_eq!(sse_items(STREAM_SAMPLE).len(), 27);
        assert_eq!(sse_items(SCRIPT_RUN).len(), 27);
        assert_eq!(sse_items(STREAM_PAUSED).len(), 2);
    }

    /// Strings replaced by `""`, JSON strings that hold JSON decoded first: what is left is the shape.
    fn shape(v: &Value) -> Value {
        match v {
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(inner @ (Value::Object(_) | Value::Array(_))) => {
                    serde_json::json!({"json": shape(&inner)})
                }
                _ => Value::String(String::new()),
            },
            Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn script_is_the_sample_with_other_texts() {
        let sample = sse_items(STREAM_SAMPLE);
        let script = sse_items(SCRIPT_RUN);
        let mut changed = 0;
        for (a, b) in sample.iter().zip(&script) {
            // same keys in the same order, same types, nested JSON strings included
            assert_eq!(
                serde_json::to_string(&shape(a)).unwrap(),
                serde_json::to_string(&shape(b)).unwrap()
            );
            if a != b {
                changed += 1;
            }
        }
        assert_eq!(changed, 4);
        for claim in ["8080", "daytona", "served", "HTTP server"] {
            assert!(!SCRIPT_RUN.contains(claim), "{claim}");
        }
        assert!(SCRIPT_RUN.contains("with a Hello World heading in /workspace."));
        assert!(SCRIPT_RUN.contains(r#"\"output\": \"File 'index.html' created successfully.\""#));
    }
}
