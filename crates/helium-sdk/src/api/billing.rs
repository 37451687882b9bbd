use crate::Client;
use crate::error::Error;
use crate::models::{AvailableModels, CheckStatusResponse, SubscriptionStatus, ThreadId, ThreadTokenUsage};

use super::routes;

/// `client.billing()`.
#[derive(Debug, Clone, Copy)]
pub struct BillingApi<'c> {
    pub(crate) client: &'c Client,
}

impl BillingApi<'_> {
    /// `GET /billing/subscription`.
    ///
    /// # Errors
    /// `unauthorized`, `server` ("Error retrieving subscription status.").
    pub async fn subscription(&self) -> Result<SubscriptionStatus, Error> {
        self.client.send(routes::subscription()).await
    }

    /// `GET /billing/check-status`: whether the account may start a run.
    ///
    /// # Errors
    /// `unauthorized`, `server`.
    pub async fn check_status(&self) -> Result<CheckStatusResponse, Error> {
        self.client.send(routes::check_status()).await
    }

    /// `GET /billing/available-models` (the full shape, or the local one without prices).
    ///
    /// # Errors
    /// `unauthorized`, `server`.
    pub async fn available_models(&self) -> Result<AvailableModels, Error> {
        self.client.send(routes::available_models()).await
    }

    /// `GET /billing/thread-token-usage/{thread_id}`.
    ///
    /// # Errors
    /// `unauthorized`, `forbidden`, `not_found`, `server`.
    pub async fn thread_token_usage(&self, thread_id: &ThreadId) -> Result<ThreadTokenUsage, Error> {
        self.client.send(routes::thread_token_usage(thread_id)).await
    }
}
