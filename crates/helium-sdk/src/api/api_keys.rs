use crate::Client;
use crate::error::Error;
use crate::models::{ApiKey, ApiKeyId, ApiKeyMessage, CreateApiKeyRequest, CreatedApiKey};

use super::routes;

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
        self.client.send(routes::create_api_key(request)?).await
    }

    /// `GET /api-keys`.
    ///
    /// # Errors
    /// `unauthorized`.
    pub async fn list(&self) -> Result<Vec<ApiKey>, Error> {
        self.client.send(routes::api_keys()).await
    }

    /// `PATCH /api-keys/{id}/revoke`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`.
    pub async fn revoke(&self, id: &ApiKeyId) -> Result<ApiKeyMessage, Error> {
        self.client.send(routes::revoke_api_key(id)).await
    }

    /// `DELETE /api-keys/{id}`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`.
    pub async fn delete(&self, id: &ApiKeyId) -> Result<ApiKeyMessage, Error> {
        self.client.send(routes::delete_api_key(id)).await
    }
}
