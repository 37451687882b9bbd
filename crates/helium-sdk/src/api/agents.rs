use crate::Client;
use crate::error::Error;
use crate::models::{Agent, AgentId, AgentsList, AgentsQuery};

use super::routes;

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
        self.client.send(routes::agents(query)).await
    }

    /// `GET /agents/{id}` (`helium-default` always exists).
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `unauthorized`.
    pub async fn get(&self, id: &AgentId) -> Result<Agent, Error> {
        self.client.send(routes::agent(id)).await
    }
}
