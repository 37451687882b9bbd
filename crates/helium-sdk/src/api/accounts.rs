//! Agent and billing operations made of several requests, and the profile-image upload: the frontend's way of
//! listing agents (the `custom_agents` flag first), and every page of the usage logs.

use serde::de::DeserializeOwned;
use serde_json::json;

use super::pages::{Page, Pages};
use super::spec::MultipartForm;
use super::{AgentsApi, BillingApi, Handler, UploadFile, operations};
use crate::Client;
use crate::error::Error;
use crate::models::{Agent, AgentId, AgentsList, AgentsQuery, Pagination, UsageLogEntry, UsageLogsQuery};
use crate::platform::MaybeSend;
use crate::transport::Part;

/// The feature flag that turns custom agents on (contract §3.2).
pub const CUSTOM_AGENTS_FLAG: &str = "custom_agents";

/// The id of the built-in agent (contract §5.7).
pub const DEFAULT_AGENT_ID: &str = "helium-default";

/// Usage-log entries per page when [`BillingApi::usage_logs_all`] fetches every page (the frontend's value).
pub const USAGE_LOGS_PAGE_SIZE: u32 = 1000;

/// `POST /agents/profile-image/upload`: an image (png, jpg, gif, webp or svg).
#[derive(Debug, Clone)]
pub struct ProfileImageUpload {
    /// The image.
    pub file: UploadFile,
}

impl ProfileImageUpload {
    /// An image to upload.
    pub fn new(file: UploadFile) -> ProfileImageUpload {
        ProfileImageUpload { file }
    }
}

impl MultipartForm for ProfileImageUpload {
    fn parts(&self) -> Result<Vec<Part>, Error> {
        Ok(vec![self.file.part("file")?])
    }
}

/// The built-in agent as the frontend builds it when custom agents are off (it does not ask the backend).
pub(crate) fn default_agent() -> Agent {
    Agent {
        agent_id: AgentId::from(DEFAULT_AGENT_ID),
        name: "Helium".into(),
        description: Some("Helium, the default agent".into()),
        system_prompt: String::new(),
        configured_mcps: Vec::new(),
        custom_mcps: Vec::new(),
        agentpress_tools: serde_json::Map::new(),
        is_default: true,
        avatar: None,
        avatar_color: None,
        profile_image_url: None,
        created_at: "2024-01-01T00:00:00Z".into(),
        updated_at: "2024-01-01T00:00:00Z".into(),
        is_public: false,
        tags: Vec::new(),
        current_version_id: None,
        version_count: Some(1),
        current_version: None,
        metadata: Some(json!({
            "is_helium_default": true,
            "centrally_managed": true,
            "restrictions": {
                "system_prompt_editable": false,
                "tools_editable": false,
                "name_editable": false,
                "description_editable": false,
                "mcps_editable": false,
            },
        })),
    }
}

/// The agents the way the frontend lists them: `GET /feature-flags/custom_agents` first; when it is off, the
/// built-in agent alone, without calling `/agents`; else `GET /agents`. Decoded as `T`.
pub(crate) async fn available_agents<T: DeserializeOwned>(
    client: &Client,
    query: &AgentsQuery,
) -> Result<T, Error> {
    let flag = client.flags().get(CUSTOM_AGENTS_FLAG).await?;
    if !flag.enabled {
        let list = AgentsList {
            agents: vec![default_agent()],
            pagination: Pagination {
                page: 1,
                limit: 1,
                total: 1,
                pages: 1,
            },
        };
        return serde_json::to_value(&list)
            .and_then(serde_json::from_value)
            .map_err(|e| Error::invalid(crate::error::InvalidRequestCause::Encode(e.to_string())));
    }
    let call = operations::list_agents::call(None, query)?;
    client.send(call).await?.json()
}

/// Every usage-log entry, page after page from page 0 (`has_more`), decoded as `T`.
pub(crate) fn usage_log_pages<T: DeserializeOwned + MaybeSend + 'static>(
    client: &Client,
    items_per_page: u32,
) -> Pages<T> {
    #[derive(serde::Deserialize)]
    struct PageOf<T> {
        #[serde(default = "Vec::new")]
        logs: Vec<T>,
        #[serde(default)]
        has_more: Option<bool>,
    }
    let client = client.clone();
    let items_per_page = items_per_page.max(1);
    Pages::new(0, move |page| {
        let client = client.clone();
        Box::pin(async move {
            let query = UsageLogsQuery {
                page: Some(u32::try_from(page).unwrap_or(u32::MAX)),
                items_per_page: Some(items_per_page),
            };
            let call = operations::get_usage_logs::call(None, &query)?;
            let body: PageOf<T> = client.send(call).await?.json()?;
            let next = body.has_more.unwrap_or(false).then_some(page + 1);
            Ok(Page {
                items: body.logs,
                next,
            })
        })
    })
}

impl AgentsApi {
    /// The agents the way the frontend lists them: checks the `custom_agents` flag first
    /// (`GET /feature-flags/custom_agents`); when it is off, the built-in `helium-default` agent alone, without
    /// calling `/agents`; else one page of `GET /agents`.
    ///
    /// # Errors
    /// Those of the flag and list calls.
    pub async fn available(&self, query: &AgentsQuery) -> Result<AgentsList, Error> {
        available_agents(self.client(), query).await
    }
}

impl BillingApi {
    /// Every usage-log entry, page after page from page 0, `items_per_page` a page (the frontend asks for
    /// [`USAGE_LOGS_PAGE_SIZE`]).
    pub fn usage_logs_all(&self, items_per_page: u32) -> Pages<UsageLogEntry> {
        usage_log_pages(self.client(), items_per_page)
    }
}
