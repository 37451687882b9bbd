use crate::Client;
use crate::error::Error;
use crate::http::Call;
use crate::models::{ApiKey, ApiKeyId, ApiKeyMessage, CreateApiKeyRequest, CreatedApiKey};
use crate::transport::Method;

use super::seg;

/// `client.api_keys()`.
#[derive(Debug, Clone, Copy)]
pub struct ApiKeysApi<'c> {
    pub(crate) client: &'c Client,
}

impl ApiKeysApi<'_> {
    /// `POST /api-keys`: the secret is in the answer only this once.
    ///
    /// # Errors
    /// `validation`, `unauthorized`. Not retried.
    pub async fn create(&self, request: &CreateApiKeyRequest) -> Result<CreatedApiKey, Error> {
        let call = Call::new(Method::Post, "/api-keys").json(request)?;
        self.client.pipeline.json(call, &self.client.settings).await
    }

    /// `GET /api-keys`.
    ///
    /// # Errors
    /// `unauthorized`.
    pub async fn list(&self) -> Result<Vec<ApiKey>, Error> {
        self.client
            .pipeline
            .json(Call::new(Method::Get, "/api-keys"), &self.client.settings)
            .await
    }

    /// `PATCH /api-keys/{id}/revoke`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`.
    pub async fn revoke(&self, id: &ApiKeyId) -> Result<ApiKeyMessage, Error> {
        let call = Call::new(Method::Patch, format!("/api-keys/{}/revoke", seg(id.as_str()))).idempotent();
        self.client.pipeline.json(call, &self.client.settings).await
    }

    /// `DELETE /api-keys/{id}`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`.
    pub async fn delete(&self, id: &ApiKeyId) -> Result<ApiKeyMessage, Error> {
        let call = Call::new(Method::Delete, format!("/api-keys/{}", seg(id.as_str()))).idempotent();
        self.client.pipeline.json(call, &self.client.settings).await
    }
}
