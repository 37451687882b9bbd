use crate::Client;
use crate::error::Error;
use crate::http::Call;
use crate::models::{AvailableModels, CheckStatusResponse, SubscriptionStatus, ThreadId, ThreadTokenUsage};
use crate::transport::Method;

use super::seg;

/// `client.billing()`.
#[derive(Debug, Clone, Copy)]
pub struct BillingApi<'c> {
    pub(crate) client: &'c Client,
}

impl BillingApi<'_> {
    async fn get<T: serde::de::DeserializeOwned>(&self, p: impl Into<String>) -> Result<T, Error> {
        self.client
            .pipeline
            .json(Call::new(Method::Get, p), &self.client.settings)
            .await
    }

    /// `GET /billing/subscription`.
    ///
    /// # Errors
    /// `unauthorized`, `server` ("Error retrieving subscription status.").
    pub async fn subscription(&self) -> Result<SubscriptionStatus, Error> {
        self.get("/billing/subscription").await
    }

    /// `GET /billing/check-status`: whether the account may start a run.
    ///
    /// # Errors
    /// `unauthorized`, `server`.
    pub async fn check_status(&self) -> Result<CheckStatusResponse, Error> {
        self.get("/billing/check-status").await
    }

    /// `GET /billing/available-models` (the full shape, or the local one without prices).
    ///
    /// # Errors
    /// `unauthorized`, `server`.
    pub async fn available_models(&self) -> Result<AvailableModels, Error> {
        self.get("/billing/available-models").await
    }

    /// `GET /billing/thread-token-usage/{thread_id}`.
    ///
    /// # Errors
    /// `unauthorized`, `forbidden`, `not_found`, `server`.
    pub async fn thread_token_usage(&self, thread_id: &ThreadId) -> Result<ThreadTokenUsage, Error> {
        self.get(format!("/billing/thread-token-usage/{}", seg(thread_id.as_str())))
            .await
    }
}
