use crate::Client;
use crate::error::Error;
use crate::http::Call;
use crate::models::{Agent, AgentId, AgentsList, AgentsQuery};
use crate::transport::Method;

use super::seg;

/// `client.agents()`.
#[derive(Debug, Clone, Copy)]
pub struct AgentsApi<'c> {
    pub(crate) client: &'c Client,
}

impl AgentsApi<'_> {
    /// `GET /agents` with paging, search, sorting and filters. With the `custom_agents` flag off (the
    /// backend's default) the answer is the single `helium-default` agent.
    ///
    /// # Errors
    /// `unauthorized`, `validation` (out-of-range paging), `server`.
    pub async fn list(&self, query: &AgentsQuery) -> Result<AgentsList, Error> {
        let call = Call::new(Method::Get, "/agents").query(query.query_pairs());
        self.client.pipeline.json(call, &self.client.settings).await
    }

    /// `GET /agents/{id}` (`helium-default` always exists).
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `unauthorized`.
    pub async fn get(&self, id: &AgentId) -> Result<Agent, Error> {
        self.client
            .pipeline
            .json(
                Call::new(Method::Get, format!("/agents/{}", seg(id.as_str()))),
                &self.client.settings,
            )
            .await
    }
}
