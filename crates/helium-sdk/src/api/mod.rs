//! Resource handlers: one per group of backend routes, borrowed from a [`Client`].

mod agent;
mod agents;
mod api_keys;
mod billing;
mod flags;
mod health;
pub(crate) mod routes;
mod runs;
mod sandbox;

pub use agent::{AgentApi, MAX_UPLOAD_BYTES, UploadFile};
pub use agents::AgentsApi;
pub use api_keys::ApiKeysApi;
pub use billing::BillingApi;
pub use flags::FlagsApi;
pub use runs::RunsApi;
pub use sandbox::{ProjectApi, SandboxApi};
