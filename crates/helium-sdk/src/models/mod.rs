//! Wire types of the Helium backend API, one module per resource.
//!
//! Field names are the wire names (snake_case, except the camelCase [`AgentRun`]). Responses are
//! `#[non_exhaustive]` and tolerate unknown fields; request types are plain structs with `Default`.
//! Statuses are enums with an `Other(String)` escape so a new server value never breaks decoding.
//! On `wasm32` the same types derive `tsify::Tsify`, so the TypeScript declarations come from here.

mod wire;

pub mod agent;
pub mod agent_config;
pub mod agents;
pub mod api_keys;
pub mod billing;
pub mod conversations;
pub mod error;
pub mod flags;
pub mod health;
pub mod ids;
pub mod public_v1;
pub mod runs;
pub mod sandbox;
pub mod subscriptions;
pub mod threads;

pub use agent::{AgentStartRequest, AgentStartResponse, InitiateAgentRequest, InitiateAgentResponse};
pub use agent_config::{
    AgentCreateRequest, AgentExport, AgentJsonAnalysis, AgentJsonImported, AgentJsonRequest, AgentMessage,
    AgentTools, AgentUpdateRequest, CreateAgentVersionRequest, CustomMcpTools, CustomMcpToolsUpdate,
    DefaultAgentInstalled, InstallAgentQuery, PipedreamTools, PipedreamToolsUpdate, ProfileImageUploaded,
    ToolsUpdated, VersionComparison, VersionDetailsUpdate,
};
pub use agents::{Agent, AgentVersion, AgentsList, AgentsQuery, Pagination};
pub use api_keys::{ApiKey, ApiKeyMessage, ApiKeyStatus, CreateApiKeyRequest, CreatedApiKey};
pub use billing::{
    AvailableModels, BillingSubscription, CheckStatusResponse, MinutesLimit, ModelInfo, SubscriptionStatus,
    SubscriptionSummary, ThreadTokenUsage,
};
pub use conversations::{
    AddMessageRequest, CreateThreadRequest, FollowUp, MessageDeleted, MessagesQuery, NewProject, NewThread,
    NewUserMessage, ProjectUpdate, ThreadUpdate, ThreadsQuery, parse_content,
};
pub use error::{
    AgentLimitDetail, BillingDetail, ErrorBody, ErrorDetail, ModelDetail, RunLimitDetail, ValidationIssue,
};
pub use flags::{FeatureFlag, FeatureFlags};
pub use health::{HealthComponents, HealthResponse};
pub use ids::{
    AccountId, AgentId, AgentRunId, ApiKeyId, MessageId, ProjectId, SandboxId, ThreadId, ThreadRunId, UserId,
};
pub use public_v1::{
    CodeBlock, FileContentResponse, FilesPage, FilesPagination, FollowUpAccepted, HistoryMessage,
    HistoryPage, HistoryPagination, HistoryQuery, PUBLIC_MAX_FILE_BYTES, PUBLIC_MAX_FILES,
    PUBLIC_MAX_PROMPT_CHARS, PUBLIC_MAX_TOTAL_BYTES, PUBLIC_UPLOAD_EXTENSIONS, PublicFile, PublicFileContent,
    PublicFollowUpRequest, PublicMessage, PublicPageQuery, PublicRunStatus, PublicStopResponse,
    QuickActionRequest, QuickActionResponse, RealtimeItem, ThreadResponse, ThreadResponseQuery,
    WithRateLimit,
};
pub(crate) use wire::null_to_default;

pub use runs::{
    AgentRun, AgentRunStatus, AgentRunSummary, AgentRunsList, ManualEventRequest, RunControlResponse,
    ThreadAgentResponse,
};
pub use sandbox::{EnsureActiveResponse, FileCreated, FileDeleted, FileInfo, FileList, SandboxDeleted};
/// JSON values, as used by public fields of the models (`serde_json::Value`).
pub use serde_json::Value;
pub use subscriptions::{
    CanPurchaseCredits, CheckoutSession, CheckoutSessionRequest, CommitmentInfo, CreditBalance,
    CreditHistory, CreditPurchase, CreditUsageDetail, PortalSession, PortalSessionRequest,
    PurchaseCreditsRequest, SubscriptionChange, SubscriptionDetails, ThreadCreditUsage, TrialCheckoutRequest,
    UsageLogEntry, UsageLogsPage, UsageLogsQuery,
};
pub use threads::{
    MessageAgent, MessageRow, ProjectRow, ProjectSummary, RecentAgentRun, SandboxInfo, ThreadCreated,
    ThreadDetail, ThreadMessages, ThreadRow, ThreadSummary, ThreadsList,
};
