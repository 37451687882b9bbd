use crate::Client;
use crate::error::Error;
use crate::models::{
    AgentRun, AgentRunId, AgentRunSummary, AgentRunsList, ManualEventRequest, RunControlResponse, ThreadId,
};
use crate::stream::{AgentRunStream, StreamOptions};

use super::routes::{self, Control};

/// `client.runs()`: status and control of agent runs.
#[derive(Debug, Clone, Copy)]
pub struct RunsApi<'c> {
    pub(crate) client: &'c Client,
}

impl RunsApi<'_> {
    /// `GET /agent-run/{id}` (the camelCase status object).
    ///
    /// # Errors
    /// `not_found` ("Agent run not found"), `forbidden`, HTTP and network errors.
    pub async fn get(&self, id: &AgentRunId) -> Result<AgentRun, Error> {
        self.client.send(routes::run(id)).await
    }

    /// `GET /thread/{id}/agent-runs`, newest first.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, HTTP and network errors.
    pub async fn list(&self, thread_id: &ThreadId) -> Result<Vec<AgentRunSummary>, Error> {
        let list: AgentRunsList = self.client.send(routes::runs_of_thread(thread_id)).await?;
        Ok(list.agent_runs)
    }

    /// `POST /agent-run/{id}/stop` → `{"status": "stopped"}`. Safe to repeat, so it is retried.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `server`.
    pub async fn stop(&self, id: &AgentRunId) -> Result<RunControlResponse, Error> {
        self.client.send(routes::control(id, Control::Stop)).await
    }

    /// `POST /agent-run/{id}/pause` → `{"status": "pausing"}`.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `server`.
    pub async fn pause(&self, id: &AgentRunId) -> Result<RunControlResponse, Error> {
        self.client.send(routes::control(id, Control::Pause)).await
    }

    /// `POST /agent-run/{id}/resume` → `{"status": "resuming"}`.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `server`.
    pub async fn resume(&self, id: &AgentRunId) -> Result<RunControlResponse, Error> {
        self.client.send(routes::control(id, Control::Resume)).await
    }

    /// `POST /agent-run/{id}/takeover` → `{"status": "takeover"}`.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `server`.
    pub async fn takeover(&self, id: &AgentRunId) -> Result<RunControlResponse, Error> {
        self.client.send(routes::control(id, Control::Takeover)).await
    }

    /// `POST /agent-run/{id}/release` → `{"status": "released"}`.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `server`.
    pub async fn release(&self, id: &AgentRunId) -> Result<RunControlResponse, Error> {
        self.client.send(routes::control(id, Control::Release)).await
    }

    /// `POST /agent-run/{id}/manual-event`: appends a `manual_event` item to the run's stream.
    ///
    /// # Errors
    /// `validation`, `not_found`, `forbidden`, `server`. Not retried.
    pub async fn manual_event(
        &self,
        id: &AgentRunId,
        event: &ManualEventRequest,
    ) -> Result<RunControlResponse, Error> {
        self.client.send(routes::manual_event(id, event)?).await
    }

    /// `GET /agent-run/{id}/stream`: the run's events, each exactly once and in order, reconnecting after a
    /// dropped connection (default [`StreamOptions`]). The token goes in the `Authorization` header, never the URL.
    pub fn stream(&self, id: &AgentRunId) -> AgentRunStream {
        self.stream_with(id, StreamOptions::default())
    }

    /// As [`RunsApi::stream`], with options.
    pub fn stream_with(&self, id: &AgentRunId, options: StreamOptions) -> AgentRunStream {
        AgentRunStream::new(self.client.clone(), id.clone(), options)
    }
}
