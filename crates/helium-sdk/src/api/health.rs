use super::routes;
use crate::Client;
use crate::error::Error;
use crate::models::HealthResponse;

impl Client {
    /// `GET /health`, without credentials. Tolerates the backend's shape and the deployment guide's
    /// `{status, timestamp, components}` shape.
    ///
    /// # Errors
    /// Network, timeout, HTTP and decode errors.
    pub async fn health(&self) -> Result<HealthResponse, Error> {
        self.send(routes::health()).await
    }

    /// `GET /health-docker`: the backend checks Redis and the database before answering.
    ///
    /// # Errors
    /// As [`Client::health`]; a failed check is a `server` error ("Health check failed").
    pub async fn health_docker(&self) -> Result<HealthResponse, Error> {
        self.send(routes::health_docker()).await
    }

    /// Sends a call and decodes its JSON answer.
    pub(crate) async fn send<T: serde::de::DeserializeOwned>(
        &self,
        call: crate::http::Call,
    ) -> Result<T, Error> {
        self.pipeline.json(call, &self.settings).await
    }
}
