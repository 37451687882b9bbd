use crate::Client;
use crate::error::Error;
use crate::models::{FeatureFlag, FeatureFlags};

use super::routes;

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
        self.client.send(routes::flags()).await
    }

    /// `GET /feature-flags/{name}`.
    ///
    /// # Errors
    /// Network and HTTP errors.
    pub async fn get(&self, name: &str) -> Result<FeatureFlag, Error> {
        self.client.send(routes::flag(name)).await
    }
}
