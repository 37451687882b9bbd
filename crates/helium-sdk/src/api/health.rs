use crate::Client;
use crate::error::Error;
use crate::http::{AuthMode, Call};
use crate::models::HealthResponse;
use crate::transport::Method;

impl Client {
    /// `GET /health`, without credentials. Tolerates the backend's shape and the deployment guide's
    /// `{status, timestamp, components}` shape.
    ///
    /// # Errors
    /// Network, timeout, HTTP and decode errors.
    pub async fn health(&self) -> Result<HealthResponse, Error> {
        self.pipeline
            .json(
                Call::new(Method::Get, "/health").auth(AuthMode::None),
                &self.settings,
            )
            .await
    }

    /// `GET /health-docker`: the backend checks Redis and the database before answering.
    ///
    /// # Errors
    /// As [`Client::health`]; a failed check is a `server` error ("Health check failed").
    pub async fn health_docker(&self) -> Result<HealthResponse, Error> {
        self.pipeline
            .json(
                Call::new(Method::Get, "/health-docker").auth(AuthMode::None),
                &self.settings,
            )
            .await
    }
}
