//! Custom agents (contract §5.7, behind the `custom_agents` flag): create, update, delete, JSON export and
//! import, tools, versions, profile images; and the admin install of the default agent (§4.1).
//!
//! Where the contract names a route without its answer's shape (export, JSON analysis and import, tool
//! settings, version comparison), the model keeps every key: the known ones as optional fields, the others
//! in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::AgentId;

/// The body of `POST /agents` (`AgentCreateRequest`): `name` and `system_prompt`, the rest optional (`None`
/// is not sent).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AgentCreateRequest {
    /// The name.
    pub name: String,
    /// The system prompt.
    pub system_prompt: String,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Configured MCP servers (`{name, config}` objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub configured_mcps: Option<Vec<Value>>,
    /// Custom MCP servers (`{name, type, config, enabledTools}` objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub custom_mcps: Option<Vec<Value>>,
    /// Built-in tools by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub agentpress_tools: Option<Map<String, Value>>,
    /// Make it the account's default agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// An emoji avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The avatar background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_color: Option<String>,
    /// A profile image URL (see `upload_profile_image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_image_url: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

impl AgentCreateRequest {
    /// An agent with a name and a system prompt.
    pub fn new(name: impl Into<String>, system_prompt: impl Into<String>) -> AgentCreateRequest {
        AgentCreateRequest {
            name: name.into(),
            system_prompt: system_prompt.into(),
            ..AgentCreateRequest::default()
        }
    }
}

/// The body of `PUT /agents/{agent_id}`: only the fields to change (`None` is not sent). A change to the
/// prompt, the MCPs or the tools makes a new version.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AgentUpdateRequest {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Configured MCP servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub configured_mcps: Option<Vec<Value>>,
    /// Custom MCP servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub custom_mcps: Option<Vec<Value>>,
    /// Built-in tools by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub agentpress_tools: Option<Map<String, Value>>,
    /// Make it the account's default agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// An emoji avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The avatar background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_color: Option<String>,
    /// A profile image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_image_url: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// A `{"message": …}` answer (delete, activate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentMessage {
    /// What was done.
    pub message: String,
}

/// `GET /agents/{agent_id}/export`: the agent as a JSON document, for `import_json` (shape not in the
/// contract; every key is kept).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct AgentExport {
    /// The agent's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub name: Option<String>,
    /// Its system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub system_prompt: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub extra: Map<String, Value>,
}

impl AgentExport {
    /// The document as a JSON value (for [`AgentJsonRequest::new`]).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The body of `POST /agents/json/analyze` and `POST /agents/json/import`: an exported agent, and for an
/// import an optional name and system prompt for the new agent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AgentJsonRequest {
    /// The exported agent.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub json_data: Value,
    /// The new agent's name (import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    /// A system prompt replacing the exported one (import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_system_prompt: Option<String>,
}

impl AgentJsonRequest {
    /// A request for an exported agent.
    pub fn new(json_data: Value) -> AgentJsonRequest {
        AgentJsonRequest {
            json_data,
            ..AgentJsonRequest::default()
        }
    }
}

/// An answer whose shape the contract does not give: every key, with the known ones as optional fields.
macro_rules! open_object {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $fdoc:literal])* $field:ident : $ty:ty $(=> $ts:literal)?,)* }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                #[cfg_attr(target_arch = "wasm32", tsify(optional $(, type = $ts)?))]
                pub $field: Option<$ty>,
            )*
            /// Every other key.
            #[serde(flatten)]
            #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
            pub extra: Map<String, Value>,
        }
    };
}

open_object! {
    /// `POST /agents/json/analyze`: what an import would need.
    AgentJsonAnalysis {
        /// Whether credentials or configuration must be set up first.
        requires_setup: bool,
    }
}

open_object! {
    /// `POST /agents/json/import`: the new agent.
    AgentJsonImported {
        /// The new agent.
        instance_id: AgentId,
        /// Its name.
        name: String,
        /// `success`.
        status: String,
    }
}

open_object! {
    /// `GET /agents/{agent_id}/tools`: the agent's built-in and MCP tools.
    AgentTools {
        /// The built-in tools.
        agentpress_tools: Vec<Value> => "Record<string, unknown>[]",
        /// The MCP tools.
        mcp_tools: Vec<Value> => "Record<string, unknown>[]",
    }
}

open_object! {
    /// `GET /agents/{agent_id}/custom-mcp-tools`: the tools of one custom MCP server.
    CustomMcpTools {
        /// The tools (`{name, description, enabled}`).
        tools: Vec<Value> => "Record<string, unknown>[]",
        /// Whether the agent has a configuration for that server.
        has_mcp_config: bool,
    }
}

open_object! {
    /// `GET /agents/{agent_id}/pipedream-tools/{profile_id}`: the tools of a Pipedream profile.
    PipedreamTools {
        /// The profile.
        profile_id: String,
        /// The tools.
        tools: Vec<Value> => "Record<string, unknown>[]",
        /// Whether the agent has a configuration for that profile.
        has_mcp_config: bool,
    }
}

open_object! {
    /// The answer of a tool-settings update.
    ToolsUpdated {
        /// Whether it was done.
        success: bool,
        /// The enabled tools now.
        enabled_tools: Vec<String>,
    }
}

open_object! {
    /// `GET /agents/{agent_id}/versions/{version_id}/compare/{other_version_id}`.
    VersionComparison {
        /// The differing fields.
        differences: Vec<Value> => "Record<string, unknown>[]",
    }
}

/// The body of `POST`/`PUT /agents/{agent_id}/custom-mcp-tools`: the tools to enable on one custom MCP server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CustomMcpToolsUpdate {
    /// The server's URL.
    pub url: String,
    /// `sse` or `json`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// The tools to enable.
    pub enabled_tools: Vec<String>,
}

/// The body of `PUT /agents/{agent_id}/pipedream-tools/{profile_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PipedreamToolsUpdate {
    /// The tools to enable.
    pub enabled_tools: Vec<String>,
}

/// The answer of `POST /agents/profile-image/upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct ProfileImageUploaded {
    /// Where the image is served (use it as the agent's `profile_image_url`).
    pub url: String,
}

/// The body of `POST /agents/{agent_id}/versions`: a new version, which becomes current.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreateAgentVersionRequest {
    /// The system prompt.
    pub system_prompt: String,
    /// Configured MCP servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub configured_mcps: Option<Vec<Value>>,
    /// Custom MCP servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]"))]
    pub custom_mcps: Option<Vec<Value>>,
    /// Built-in tools by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, unknown>"))]
    pub agentpress_tools: Option<Map<String, Value>>,
    /// The version's name (default `vN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// A change note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The body of `PUT /agents/{agent_id}/versions/{version_id}/details` (`None` is not sent).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct VersionDetailsUpdate {
    /// The version's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// A change note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_description: Option<String>,
}

/// The query of the admin install of the default agent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct InstallAgentQuery {
    /// Replace an agent installed before (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_existing: Option<bool>,
}

open_object! {
    /// The answer of the admin install of the default agent.
    DefaultAgentInstalled {
        /// Whether it was installed.
        success: bool,
        /// What was done.
        message: String,
        /// The agent.
        agent_id: AgentId,
    }
}
