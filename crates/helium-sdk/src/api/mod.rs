//! Resource handlers: one per group of backend routes, borrowed from a [`Client`].

mod agent;
mod agents;
mod api_keys;
mod billing;
mod flags;
mod health;
mod runs;
mod sandbox;

pub use agent::{AgentApi, MAX_UPLOAD_BYTES, UploadFile};
pub use agents::AgentsApi;
pub use api_keys::ApiKeysApi;
pub use billing::BillingApi;
pub use flags::FlagsApi;
pub use runs::RunsApi;
pub use sandbox::{ProjectApi, SandboxApi};

/// A caller-supplied id or name, percent-encoded as one path segment.
fn seg(s: &str) -> String {
    crate::http::encode_component(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_encoded_in_paths() {
        assert_eq!(
            format!("/agent-run/{}/stop", super::seg("a/b?c")),
            "/agent-run/a%2Fb%3Fc/stop"
        );
    }
}
