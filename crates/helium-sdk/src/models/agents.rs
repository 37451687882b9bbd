//! Agents (`GET /agents`, `GET /agents/{agent_id}`).

use serde::{Deserialize, Serialize};

use super::ids::AgentId;
use super::wire::null_to_default;

/// An agent (`AgentResponse`).
///
/// When the `custom_agents` flag is off, the backend returns a single built-in agent with
/// `agent_id = "helium-default"` and `metadata.is_helium_default = true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct Agent {
    /// The agent.
    pub agent_id: AgentId,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The system prompt (may be many kilobytes).
    #[serde(deserialize_with = "null_to_default")]
    pub system_prompt: String,
    /// Configured MCP servers (`{name, config, …}` objects).
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub configured_mcps: Vec<serde_json::Value>,
    /// Custom MCP servers (`{name, type, config, enabledTools}` objects).
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[] | null"))]
    pub custom_mcps: Vec<serde_json::Value>,
    /// Built-in tools by name; values are booleans or `{enabled, …}` objects depending on the version.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub agentpress_tools: serde_json::Map<String, serde_json::Value>,
    /// Whether it is the account's default agent.
    #[serde(deserialize_with = "null_to_default")]
    pub is_default: bool,
    /// An emoji avatar.
    pub avatar: Option<String>,
    /// The avatar background colour.
    pub avatar_color: Option<String>,
    /// A profile image URL.
    pub profile_image_url: Option<String>,
    /// Creation time (ISO-8601).
    pub created_at: String,
    /// Update time (ISO-8601).
    pub updated_at: String,
    /// Whether it is published.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub is_public: bool,
    /// Tags.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string[] | null"))]
    pub tags: Vec<String>,
    /// The active version.
    pub current_version_id: Option<String>,
    /// The number of versions.
    pub version_count: Option<u32>,
    /// The active version's details.
    pub current_version: Option<AgentVersion>,
    /// Free-form metadata (`is_helium_default`, `centrally_managed`, `restrictions`, …).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown> | null"))]
    pub metadata: Option<serde_json::Value>,
}

impl Agent {
    /// Whether this is the built-in Helium agent (`metadata.is_helium_default`).
    pub fn is_helium_default(&self) -> bool {
        self.metadata
            .as_ref()
            .and_then(|m| m.get("is_helium_default"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
}

/// A version of an agent (`AgentVersionResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentVersion {
    /// The version.
    pub version_id: String,
    /// Its agent.
    pub agent_id: AgentId,
    /// 1, 2, 3, …
    pub version_number: u32,
    /// `v1`, `v2`, …
    pub version_name: String,
    /// The system prompt of this version.
    #[serde(deserialize_with = "null_to_default")]
    pub system_prompt: String,
    /// The model, if pinned.
    pub model: Option<String>,
    /// Configured MCP servers.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub configured_mcps: Vec<serde_json::Value>,
    /// Custom MCP servers.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub custom_mcps: Vec<serde_json::Value>,
    /// Built-in tools by name.
    #[serde(deserialize_with = "null_to_default")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub agentpress_tools: serde_json::Map<String, serde_json::Value>,
    /// Whether it is the active version.
    #[serde(deserialize_with = "null_to_default")]
    pub is_active: bool,
    /// Creation time.
    pub created_at: String,
    /// Update time.
    pub updated_at: String,
    /// The user who created it.
    pub created_by: Option<String>,
    /// A change note (absent unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_description: Option<String>,
}

/// Page information of a list response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct Pagination {
    /// The page (from 1).
    pub page: u32,
    /// Items per page.
    pub limit: u32,
    /// Total items.
    pub total: u64,
    /// Total pages.
    pub pages: u32,
}

/// The response of `GET /agents`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentsList {
    /// The agents of this page.
    #[serde(deserialize_with = "null_to_default")]
    pub agents: Vec<Agent>,
    /// Page information.
    #[serde(deserialize_with = "null_to_default")]
    pub pagination: Pagination,
}

/// The query of `GET /agents`. `None` parameters are not sent (backend defaults: page 1, limit 20).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AgentsQuery {
    /// The page (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Items per page (1..=100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// A search text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// `name`, `created_at`, `updated_at` or `tools_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    /// Filter on `is_default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_default: Option<bool>,
    /// Filter on having MCP tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_mcp_tools: Option<bool>,
    /// Filter on having built-in tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_agentpress_tools: Option<bool>,
    /// Comma-separated `mcp:<name>` / `agentpress:<tool>` filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<String>,
}

impl AgentsQuery {
    /// The query parameters to send, in declaration order, `None` left out, booleans as `"true"`/`"false"`.
    /// The values are not percent-encoded.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        push("page", self.page.map(|v| v.to_string()));
        push("limit", self.limit.map(|v| v.to_string()));
        push("search", self.search.clone());
        push("sort_by", self.sort_by.clone());
        push("sort_order", self.sort_order.clone());
        push("has_default", self.has_default.map(|v| v.to_string()));
        push("has_mcp_tools", self.has_mcp_tools.map(|v| v.to_string()));
        push(
            "has_agentpress_tools",
            self.has_agentpress_tools.map(|v| v.to_string()),
        );
        push("tools", self.tools.clone());
        pairs
    }
}
