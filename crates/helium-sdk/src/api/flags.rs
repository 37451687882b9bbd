use crate::Client;
use crate::error::Error;
use crate::http::Call;
use crate::models::{FeatureFlag, FeatureFlags};
use crate::transport::Method;

use super::seg;

/// `client.flags()`.
#[derive(Debug, Clone, Copy)]
pub struct FlagsApi<'c> {
    pub(crate) client: &'c Client,
}

impl FlagsApi<'_> {
    /// `GET /feature-flags`.
    ///
    /// # Errors
    /// Network and HTTP errors (the backend itself never fails here).
    pub async fn list(&self) -> Result<FeatureFlags, Error> {
        self.client
            .pipeline
            .json(Call::new(Method::Get, "/feature-flags"), &self.client.settings)
            .await
    }

    /// `GET /feature-flags/{name}`.
    ///
    /// # Errors
    /// Network and HTTP errors.
    pub async fn get(&self, name: &str) -> Result<FeatureFlag, Error> {
        self.client
            .pipeline
            .json(
                Call::new(Method::Get, format!("/feature-flags/{}", seg(name))),
                &self.client.settings,
            )
            .await
    }
}
