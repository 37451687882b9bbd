//! The backend's admin router (`/api/admin/*`, contract §4.1 item 5 and §5.9): `X-Admin-Api-Key` must equal
//! `KORTIX_ADMIN_API_KEY`. The contract names the router, not its routes: the dev backend serves one,
//! `POST /api/admin/helium-agents/install-user/{account_id}` (the call the frontend's `install-helium-agent.ts`
//! makes with the admin key; path chosen after the Suna original `/admin/suna-agents/install-user/{account_id}`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::errors::{ApiError, json_response, ok};
use crate::state::{Agent, AppState, new_id};
use crate::{fixtures, timefmt};

/// `verify_admin_api_key`: 500 when no key is configured, 401 without the header, 403 for a wrong key. The 401
/// is a plain `HTTPException` (no `WWW-Authenticate`).
pub fn verify_admin(app: &AppState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(expected) = app.config.admin_api_key.as_deref() else {
        return Err(Box::new(
            ApiError::internal("Admin API key not configured on server").into_response(),
        ));
    };
    let given = headers
        .get("x-admin-api-key")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| !v.is_empty());
    let Some(given) = given else {
        return Err(Box::new(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"detail": "Admin API key required. Include X-Admin-Api-Key header."}),
        )));
    };
    if given != expected {
        return Err(Box::new(
            ApiError::forbidden("Invalid admin API key").into_response(),
        ));
    }
    Ok(())
}

/// `POST /api/admin/helium-agents/install-user/{account_id}?replace_existing=false`: gives the account the default
/// Helium agent (a custom agent with `metadata.is_helium_default`).
pub async fn install_helium_agent(
    State(app): State<Arc<AppState>>,
    Path(account_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(resp) = verify_admin(&app, &headers) {
        return *resp;
    }
    let replace = query
        .as_deref()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "replace_existing")
                .last()
                .map(|(_, v)| v.into_owned())
        })
        .and_then(|v| crate::validation::parse_bool_str(&v))
        .unwrap_or(false);
    let mut store = app.lock();
    let existing = store
        .agents
        .iter()
        .find(|a| a.account_id == account_id && a.row["metadata"]["is_helium_default"] == true)
        .map(|a| a.row["agent_id"].clone());
    if let Some(id) = existing.clone()
        && !replace
    {
        return ok(
            json!({"success": true, "message": format!("Helium agent already installed for user {account_id}"), "agent_id": id}),
        );
    }
    if let Some(id) = existing {
        store.agents.retain(|a| a.row["agent_id"] != id);
    }
    for a in store.agents.iter_mut().filter(|a| a.account_id == account_id) {
        a.row["is_default"] = json!(false);
    }
    let template = fixtures::json("agents_list_custom_agents_disabled.json")["agents"][0].clone();
    let now = timefmt::now_iso();
    let agent_id = new_id();
    let version_id = new_id();
    let version = json!({
        "version_id": version_id, "agent_id": agent_id, "version_number": 1, "version_name": "v1",
        "system_prompt": template["system_prompt"], "model": null,
        "configured_mcps": template["configured_mcps"], "custom_mcps": template["custom_mcps"],
        "agentpress_tools": template["agentpress_tools"], "is_active": true,
        "created_at": now, "updated_at": now, "created_by": account_id, "change_description": "Installed by admin",
    });
    store.agents.push(Agent {
        account_id: account_id.clone(),
        row: json!({
            "agent_id": agent_id, "name": template["name"], "description": template["description"],
            "avatar": template["avatar"], "avatar_color": template["avatar_color"], "profile_image_url": null,
            "is_default": true, "is_public": false, "tags": [],
            "metadata": template.get("metadata").cloned().unwrap_or(Value::Null),
            "created_at": now, "updated_at": now, "current_version_id": version_id,
        }),
        versions: vec![version],
    });
    ok(json!({
        "success": true,
        "message": format!("Successfully installed Helium agent for user {account_id}"),
        "agent_id": agent_id,
    }))
}
