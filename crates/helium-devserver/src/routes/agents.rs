//! Custom agents (§5.7): CRUD, export/import, tool settings, profile images and versions. Everything but the two
//! listing routes answers `403 Custom agents currently disabled…` unless the `custom_agents` feature flag is on
//! (`DevServerOptions::feature_flags`). Staging and production cap the number of agents (402
//! `AGENT_LIMIT_EXCEEDED`, `DevServerOptions::agent_limit`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult, ok};
use crate::state::{Agent, AppState, Store, new_id};
use crate::validation::{Errors, json_body, read_form, require_object};
use crate::{EnvMode, auth, fixtures, timefmt};

/// The 403 detail when the flag is off.
pub const DISABLED: &str = "Custom agents currently disabled. This feature is not available at the moment.";
const NOT_FOUND: &str = "Agent not found or access denied";
/// Largest profile image accepted.
const MAX_IMAGE: usize = 5 * 1024 * 1024;

/// Whether the `custom_agents` flag is on.
pub fn enabled(app: &AppState) -> bool {
    app.config
        .feature_flags
        .iter()
        .any(|(n, on)| n == "custom_agents" && *on)
}

fn gate(app: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let user = auth::require_user(app, headers)?;
    if !enabled(app) {
        return Err(ApiError::forbidden(DISABLED));
    }
    Ok(user)
}

fn config_of(v: &Value) -> Value {
    json!({
        "system_prompt": v["system_prompt"], "model": v.get("model").cloned().unwrap_or(Value::Null),
        "configured_mcps": v["configured_mcps"], "custom_mcps": v["custom_mcps"], "agentpress_tools": v["agentpress_tools"],
    })
}

fn current_version(a: &Agent) -> Option<&Value> {
    let id = a.row["current_version_id"].as_str()?;
    a.versions.iter().find(|v| v["version_id"] == id)
}

/// `AgentResponse` (the keys of `agents_list.json`).
pub fn agent_response(a: &Agent) -> Value {
    let cur = current_version(a).cloned().unwrap_or(Value::Null);
    let mut cur_view = cur.clone();
    if let Some(obj) = cur_view.as_object_mut() {
        let active = true;
        obj.insert("is_active".to_owned(), Value::Bool(active));
    }
    let r = &a.row;
    json!({
        "agent_id": r["agent_id"], "name": r["name"], "description": r["description"],
        "system_prompt": cur["system_prompt"], "configured_mcps": cur["configured_mcps"],
        "custom_mcps": cur["custom_mcps"], "agentpress_tools": cur["agentpress_tools"],
        "is_default": r["is_default"], "avatar": r["avatar"], "avatar_color": r["avatar_color"],
        "profile_image_url": r["profile_image_url"], "created_at": r["created_at"], "updated_at": r["updated_at"],
        "is_public": r["is_public"], "tags": r["tags"], "current_version_id": r["current_version_id"],
        "version_count": a.versions.len(), "current_version": if cur.is_null() { Value::Null } else { cur_view },
        "metadata": r["metadata"],
    })
}

fn version_view(a: &Agent, v: &Value) -> Value {
    let mut v = v.clone();
    let active = a.row["current_version_id"] == v["version_id"];
    if let Some(obj) = v.as_object_mut() {
        obj.insert("is_active".to_owned(), Value::Bool(active));
    }
    v
}

fn find<'a>(store: &'a Store, user: &str, id: &str) -> Result<&'a Agent, ApiError> {
    store
        .agents
        .iter()
        .find(|a| a.row["agent_id"] == id && a.account_id == user)
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

fn find_mut<'a>(store: &'a mut Store, user: &str, id: &str) -> Result<&'a mut Agent, ApiError> {
    store
        .agents
        .iter_mut()
        .find(|a| a.row["agent_id"] == id && a.account_id == user)
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

/// Whether `user` may run with `agent_id` (one of their custom agents).
pub fn owns(store: &Store, user: &str, agent_id: &str) -> bool {
    find(store, user, agent_id).is_ok()
}

/// Append a version with `config` and make it current.
fn add_version(
    a: &mut Agent,
    user: &str,
    config: &Value,
    name: Option<String>,
    description: Option<String>,
) -> Value {
    let n = a.versions.len() + 1;
    let now = timefmt::now_iso();
    let v = json!({
        "version_id": new_id(), "agent_id": a.row["agent_id"], "version_number": n,
        "version_name": name.unwrap_or_else(|| format!("v{n}")),
        "system_prompt": config["system_prompt"], "model": config.get("model").cloned().unwrap_or(Value::Null),
        "configured_mcps": config["configured_mcps"], "custom_mcps": config["custom_mcps"],
        "agentpress_tools": config["agentpress_tools"], "is_active": true,
        "created_at": now, "updated_at": now, "created_by": user, "change_description": description,
    });
    a.row["current_version_id"] = v["version_id"].clone();
    a.row["updated_at"] = json!(now);
    a.versions.push(v.clone());
    v
}

fn check_limit(app: &AppState, store: &Store, user: &str) -> Result<(), ApiError> {
    if app.config.env_mode == EnvMode::Local {
        return Ok(());
    }
    let count = store.agents.iter().filter(|a| a.account_id == user).count();
    let limit = app.config.agent_limit;
    if count >= limit {
        let tier = store
            .billing
            .get(user)
            .and_then(|b| b.subscription.as_ref())
            .and_then(|s| s["plan_name"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "free".to_owned());
        return Err(ApiError::with_value(
            StatusCode::PAYMENT_REQUIRED,
            json!({
                "message": format!("Maximum of {limit} agents allowed for your current plan. You have {count} agents."),
                "current_count": count, "limit": limit, "tier_name": tier, "error_code": "AGENT_LIMIT_EXCEEDED",
            }),
        ));
    }
    Ok(())
}

fn list_field(errors: &mut Errors, obj: &Map<String, Value>, name: &str) -> Value {
    match obj.get(name) {
        None | Some(Value::Null) => json!([]),
        Some(v @ Value::Array(_)) => v.clone(),
        Some(other) => {
            errors.0.push(json!({"type": "list_type", "loc": ["body", name], "msg": "Input should be a valid list", "input": other}));
            json!([])
        }
    }
}

fn dict_field(errors: &mut Errors, obj: &Map<String, Value>, name: &str) -> Value {
    match obj.get(name) {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(other) => {
            errors.0.push(json!({"type": "dict_type", "loc": ["body", name], "msg": "Input should be a valid dictionary", "input": other}));
            json!({})
        }
    }
}

/// Insert a new agent for `user` (its first version from `config`); unsets other defaults when it is the default.
fn create_agent(store: &mut Store, user: &str, fields: &Value, config: &Value) -> Value {
    let now = timefmt::now_iso();
    let is_default = fields["is_default"] == true;
    if is_default {
        for a in store.agents.iter_mut().filter(|a| a.account_id == user) {
            a.row["is_default"] = json!(false);
        }
    }
    let mut agent = Agent {
        account_id: user.to_owned(),
        row: json!({
            "agent_id": new_id(), "name": fields["name"], "description": fields["description"],
            "avatar": fields["avatar"], "avatar_color": fields["avatar_color"],
            "profile_image_url": fields["profile_image_url"], "is_default": is_default, "is_public": false,
            "tags": fields.get("tags").filter(|t| t.is_array()).cloned().unwrap_or_else(|| json!([])),
            "metadata": fields.get("metadata").filter(|m| m.is_object()).cloned().unwrap_or_else(|| json!({})),
            "created_at": now, "updated_at": now, "current_version_id": null,
        }),
        versions: Vec::new(),
    };
    add_version(&mut agent, user, config, None, Some("Initial version".to_owned()));
    let body = agent_response(&agent);
    store.agents.push(agent);
    body
}

/// `POST /api/agents` (`AgentCreateRequest`).
pub async fn create(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let name = errors.req_string(&obj, "name");
    let system_prompt = errors.req_string(&obj, "system_prompt");
    let description = errors.opt_string(&obj, "description");
    let avatar = errors.opt_string(&obj, "avatar");
    let avatar_color = errors.opt_string(&obj, "avatar_color");
    let profile_image_url = errors.opt_string(&obj, "profile_image_url");
    let is_default = errors.bool_field(&obj, "is_default", false);
    let configured_mcps = list_field(&mut errors, &obj, "configured_mcps");
    let custom_mcps = list_field(&mut errors, &obj, "custom_mcps");
    let agentpress_tools = dict_field(&mut errors, &obj, "agentpress_tools");
    errors.finish()?;
    let mut store = app.lock();
    check_limit(&app, &store, &user)?;
    let fields = json!({
        "name": name, "description": description, "avatar": avatar, "avatar_color": avatar_color,
        "profile_image_url": profile_image_url, "is_default": is_default,
    });
    let config = json!({"system_prompt": system_prompt, "configured_mcps": configured_mcps,
                        "custom_mcps": custom_mcps, "agentpress_tools": agentpress_tools});
    Ok(ok(create_agent(&mut store, &user, &fields, &config)))
}

/// `PUT /api/agents/{id}` (`AgentUpdateRequest`, every field optional). A change to the prompt, the MCPs or the tools
/// makes a new version.
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let mut row_changes = Map::new();
    for key in [
        "name",
        "description",
        "avatar",
        "avatar_color",
        "profile_image_url",
    ] {
        if obj.contains_key(key) {
            row_changes.insert(key.to_owned(), json!(errors.opt_string(&obj, key)));
        }
    }
    let is_default = obj
        .contains_key("is_default")
        .then(|| errors.bool_field(&obj, "is_default", false));
    let mut config_changes = Map::new();
    if obj.contains_key("system_prompt") {
        config_changes.insert(
            "system_prompt".to_owned(),
            json!(errors.req_string(&obj, "system_prompt")),
        );
    }
    for key in ["configured_mcps", "custom_mcps"] {
        if obj.contains_key(key) {
            config_changes.insert(key.to_owned(), list_field(&mut errors, &obj, key));
        }
    }
    if obj.contains_key("agentpress_tools") {
        config_changes.insert(
            "agentpress_tools".to_owned(),
            dict_field(&mut errors, &obj, "agentpress_tools"),
        );
    }
    errors.finish()?;
    let mut store = app.lock();
    find(&store, &user, &agent_id)?;
    if is_default == Some(true) {
        for a in store.agents.iter_mut().filter(|a| a.account_id == user) {
            a.row["is_default"] = json!(false);
        }
    }
    let agent = find_mut(&mut store, &user, &agent_id)?;
    for (k, v) in row_changes {
        agent.row[k.as_str()] = v;
    }
    if let Some(d) = is_default {
        agent.row["is_default"] = json!(d);
    }
    let current = current_version(agent).map(config_of).unwrap_or_else(|| json!({}));
    let mut next = current.clone();
    for (k, v) in config_changes {
        next[k.as_str()] = v;
    }
    if next != current {
        add_version(
            agent,
            &user,
            &next,
            None,
            Some("Configuration updated".to_owned()),
        );
    } else {
        agent.row["updated_at"] = json!(timefmt::now_iso());
    }
    Ok(ok(agent_response(agent)))
}

/// `DELETE /api/agents/{id}` → `{"message": "Agent deleted successfully"}`; the default agent cannot be deleted.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let mut store = app.lock();
    let agent = find(&store, &user, &agent_id)?;
    if agent.row["is_default"] == true {
        return Err(ApiError::bad_request("Cannot delete default agent"));
    }
    store
        .agents
        .retain(|a| !(a.row["agent_id"] == agent_id.as_str() && a.account_id == user));
    Ok(ok(json!({"message": "Agent deleted successfully"})))
}

/// `GET /api/agents/{id}/export`: the agent as importable JSON.
pub async fn export(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let a = agent_response(find(&store, &user, &agent_id)?);
    Ok(ok(json!({
        "name": a["name"], "description": a["description"], "system_prompt": a["system_prompt"],
        "agentpress_tools": a["agentpress_tools"], "configured_mcps": a["configured_mcps"],
        "custom_mcps": a["custom_mcps"], "avatar": a["avatar"], "avatar_color": a["avatar_color"],
        "profile_image_url": a["profile_image_url"], "tags": a["tags"], "metadata": a["metadata"],
        "exported_at": timefmt::now_iso(), "export_version": "1.1",
    })))
}

fn json_data(obj: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    match obj.get("json_data") {
        Some(Value::Object(m)) => Ok(m.clone()),
        None => Err(ApiError::validation(vec![crate::errors::missing_entry(&[
            "body",
            "json_data",
        ])])),
        Some(other) => Err(ApiError::validation(vec![
            json!({"type": "dict_type", "loc": ["body", "json_data"], "msg": "Input should be a valid dictionary", "input": other}),
        ])),
    }
}

fn analysis(data: &Map<String, Value>) -> Value {
    let configured: Vec<Value> = data
        .get("configured_mcps")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|m| {
                    let keys: Vec<String> = m["config"].as_object().map(|c| c.keys().cloned().collect()).unwrap_or_default();
                    json!({"qualified_name": m.get("qualifiedName").or_else(|| m.get("name")).cloned().unwrap_or(Value::Null),
                           "display_name": m.get("name").cloned().unwrap_or(Value::Null), "required_config": keys})
                })
                .collect()
        })
        .unwrap_or_default();
    let custom: Vec<Value> = data
        .get("custom_mcps")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|m| json!({"name": m.get("name").cloned().unwrap_or(Value::Null),
                                "type": m.get("type").cloned().unwrap_or(json!("sse")), "required_config": ["url"]}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "requires_setup": !configured.is_empty() || !custom.is_empty(),
        "missing_regular_credentials": configured, "missing_custom_configs": custom,
        "agent_info": {"name": data.get("name").cloned().unwrap_or(Value::Null),
                       "description": data.get("description").cloned().unwrap_or(Value::Null)},
    })
}

/// `POST /api/agents/json/analyze` `{"json_data": {...}}`: what an import would need.
pub async fn json_analyze(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    gate(&app, &headers)?;
    Ok(ok(analysis(&json_data(&obj)?)))
}

/// `POST /api/agents/json/import` `{"json_data", "instance_name"?, "custom_system_prompt"?, …}` →
/// `{"instance_id", "name", "status": "success"}`.
pub async fn json_import(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let data = json_data(&obj)?;
    let name = obj
        .get("instance_name")
        .and_then(Value::as_str)
        .or_else(|| data.get("name").and_then(Value::as_str))
        .map(str::to_owned);
    let prompt = obj
        .get("custom_system_prompt")
        .and_then(Value::as_str)
        .or_else(|| data.get("system_prompt").and_then(Value::as_str))
        .map(str::to_owned);
    let (Some(name), Some(prompt)) = (name, prompt) else {
        return Err(ApiError::bad_request(
            "Invalid agent JSON: name and system_prompt are required",
        ));
    };
    let mut store = app.lock();
    check_limit(&app, &store, &user)?;
    let fields = json!({
        "name": name, "description": data.get("description").cloned().unwrap_or(Value::Null),
        "avatar": data.get("avatar").cloned().unwrap_or(Value::Null),
        "avatar_color": data.get("avatar_color").cloned().unwrap_or(Value::Null),
        "profile_image_url": data.get("profile_image_url").cloned().unwrap_or(Value::Null),
        "tags": data.get("tags").cloned().unwrap_or(json!([])),
        "metadata": data.get("metadata").cloned().unwrap_or(json!({})),
        "is_default": false,
    });
    let config = json!({
        "system_prompt": prompt,
        "configured_mcps": data.get("configured_mcps").filter(|v| v.is_array()).cloned().unwrap_or(json!([])),
        "custom_mcps": data.get("custom_mcps").filter(|v| v.is_array()).cloned().unwrap_or(json!([])),
        "agentpress_tools": data.get("agentpress_tools").filter(|v| v.is_object()).cloned().unwrap_or(json!({})),
    });
    let created = create_agent(&mut store, &user, &fields, &config);
    Ok(ok(
        json!({"instance_id": created["agent_id"], "name": created["name"], "status": "success"}),
    ))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// `GET /api/agents/{id}/custom-mcp-tools` with `X-MCP-URL` (required) and `X-MCP-Type` (default `sse`). There is no
/// MCP server to ask: the tools are the ones the agent's config lists for that URL.
pub async fn custom_mcp_tools(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let Some(url) = header(&headers, "x-mcp-url") else {
        return Err(ApiError::bad_request("X-MCP-URL header is required"));
    };
    let kind = header(&headers, "x-mcp-type").unwrap_or_else(|| "sse".to_owned());
    let store = app.lock();
    let a = agent_response(find(&store, &user, &agent_id)?);
    let entry = a["custom_mcps"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["config"]["url"] == url.as_str()).cloned());
    let tools: Vec<Value> = entry
        .as_ref()
        .and_then(|e| e["enabledTools"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|t| json!({"name": t, "description": "", "enabled": true}))
        .collect();
    Ok(ok(
        json!({"tools": tools, "has_mcp_config": entry.is_some(), "server_type": kind, "server_url": url}),
    ))
}

/// `POST`/`PUT /api/agents/{id}/custom-mcp-tools` `{"url", "type", "enabled_tools": [...]}`: sets the enabled tools of
/// that MCP (adding it to the config if needed) → `{"success": true, "enabled_tools", "total_tools"}`.
pub async fn set_custom_mcp_tools(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let url = errors.req_string(&obj, "url");
    let kind = errors
        .opt_string(&obj, "type")
        .unwrap_or_else(|| "sse".to_owned());
    let enabled = list_field(&mut errors, &obj, "enabled_tools");
    errors.finish()?;
    let url = url.unwrap_or_default();
    let mut store = app.lock();
    let agent = find_mut(&mut store, &user, &agent_id)?;
    let mut config = current_version(agent).map(config_of).unwrap_or_else(|| json!({}));
    let mut mcps = config["custom_mcps"].as_array().cloned().unwrap_or_default();
    match mcps.iter_mut().find(|m| m["config"]["url"] == url.as_str()) {
        Some(m) => m["enabledTools"] = enabled.clone(),
        None => {
            mcps.push(json!({"name": url, "type": kind, "config": {"url": url}, "enabledTools": enabled}))
        }
    }
    config["custom_mcps"] = Value::Array(mcps);
    add_version(
        agent,
        &user,
        &config,
        None,
        Some("Custom MCP tools updated".to_owned()),
    );
    let total = enabled.as_array().map_or(0, Vec::len);
    Ok(ok(
        json!({"success": true, "enabled_tools": enabled, "total_tools": total}),
    ))
}

fn pipedream_entry<'a>(config: &'a Value, profile_id: &str) -> Option<&'a Value> {
    config["custom_mcps"]
        .as_array()?
        .iter()
        .find(|m| m["type"] == "pipedream" && m["config"]["profile_id"] == profile_id)
}

/// `GET /api/agents/{id}/pipedream-tools/{profile_id}` → `{profile_id, app_name, profile_name, tools, has_mcp_config}`.
pub async fn pipedream_tools(
    State(app): State<Arc<AppState>>,
    Path((agent_id, profile_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let agent = find(&store, &user, &agent_id)?;
    let config = current_version(agent).map(config_of).unwrap_or_else(|| json!({}));
    let entry = pipedream_entry(&config, &profile_id);
    let tools: Vec<Value> = entry
        .and_then(|e| e["enabledTools"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|t| json!({"name": t, "enabled": true}))
        .collect();
    Ok(ok(json!({
        "profile_id": profile_id,
        "app_name": entry.and_then(|e| e["config"].get("app_slug").cloned()).unwrap_or(Value::Null),
        "profile_name": entry.and_then(|e| e.get("name").cloned()).unwrap_or(Value::Null),
        "tools": tools, "has_mcp_config": entry.is_some(),
    })))
}

/// `PUT /api/agents/{id}/pipedream-tools/{profile_id}` `{"enabled_tools": [...]}`.
pub async fn set_pipedream_tools(
    State(app): State<Arc<AppState>>,
    Path((agent_id, profile_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let enabled = list_field(&mut errors, &obj, "enabled_tools");
    errors.finish()?;
    let mut store = app.lock();
    let agent = find_mut(&mut store, &user, &agent_id)?;
    let mut config = current_version(agent).map(config_of).unwrap_or_else(|| json!({}));
    let mut mcps = config["custom_mcps"].as_array().cloned().unwrap_or_default();
    match mcps
        .iter_mut()
        .find(|m| m["type"] == "pipedream" && m["config"]["profile_id"] == profile_id.as_str())
    {
        Some(m) => m["enabledTools"] = enabled.clone(),
        None => mcps.push(json!({"name": profile_id, "type": "pipedream", "config": {"profile_id": profile_id}, "enabledTools": enabled})),
    }
    config["custom_mcps"] = Value::Array(mcps);
    add_version(
        agent,
        &user,
        &config,
        None,
        Some("Pipedream tools updated".to_owned()),
    );
    let total = enabled.as_array().map_or(0, Vec::len);
    Ok(ok(
        json!({"success": true, "enabled_tools": enabled, "total_tools": total}),
    ))
}

/// `GET /api/agents/{id}/tools` → `{"agentpress_tools": [{name, enabled}], "mcp_tools": [{name, server, enabled}]}`.
pub async fn tools(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let a = agent_response(find(&store, &user, &agent_id)?);
    let agentpress: Vec<Value> = a["agentpress_tools"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| json!({"name": k, "enabled": v.as_bool().unwrap_or_else(|| v["enabled"] == true)}))
                .collect()
        })
        .unwrap_or_default();
    let mut mcp = Vec::new();
    for list in ["configured_mcps", "custom_mcps"] {
        for m in a[list].as_array().cloned().unwrap_or_default() {
            for t in m["enabledTools"].as_array().cloned().unwrap_or_default() {
                mcp.push(json!({"name": t, "server": m["name"], "enabled": true}));
            }
        }
    }
    Ok(ok(json!({"agentpress_tools": agentpress, "mcp_tools": mcp})))
}

/// `POST /api/agents/profile-image/upload` (multipart `file`, an image of at most 5 MB) → `{"url"}`, served at
/// `/storage/v1/object/public/agent-profile-images/<name>` like a Supabase Storage public object.
pub async fn upload_image(State(app): State<Arc<AppState>>, req: Request) -> ApiResult {
    let headers = req.headers().clone();
    let form = read_form(req).await?;
    gate(&app, &headers)?;
    let Some(file) = form.files.iter().find(|f| f.field == "file") else {
        return Err(ApiError::validation(vec![crate::errors::missing_entry(&[
            "body", "file",
        ])]));
    };
    let ext = file
        .filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let content_type = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return Err(ApiError::bad_request("File must be an image")),
    };
    if file.data.len() > MAX_IMAGE {
        return Err(ApiError::bad_request("Image too large (max 5MB)"));
    }
    let name = format!("{}.{ext}", new_id());
    app.lock()
        .images
        .insert(name.clone(), (content_type.to_owned(), file.data.clone()));
    Ok(ok(
        json!({"url": format!("{}/storage/v1/object/public/agent-profile-images/{name}", app.base_url)}),
    ))
}

/// `GET /storage/v1/object/public/agent-profile-images/{name}`: an uploaded profile image.
pub async fn image(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    let Some((ct, data)) = app.lock().images.get(&name).cloned() else {
        // Supabase Storage answers a missing object with HTTP 400 and `statusCode: "404"`.
        return crate::errors::json_response(
            StatusCode::BAD_REQUEST,
            &json!({"statusCode": "404", "error": "not_found", "message": "Object not found"}),
        );
    };
    let mut resp = Response::new(Body::from(data));
    if let Ok(v) = HeaderValue::from_str(&ct) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

// ------------------------------------------------------------------ versions

/// `GET /api/agents/{id}/versions`: every version, newest first.
pub async fn versions(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let a = find(&store, &user, &agent_id)?;
    let list: Vec<Value> = a.versions.iter().rev().map(|v| version_view(a, v)).collect();
    Ok(ok(Value::Array(list)))
}

/// `POST /api/agents/{id}/versions` `{system_prompt, configured_mcps?, custom_mcps?, agentpress_tools?, version_name?,
/// description?}` → the new version, which becomes current.
pub async fn create_version(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let prompt = errors.req_string(&obj, "system_prompt");
    let configured = list_field(&mut errors, &obj, "configured_mcps");
    let custom = list_field(&mut errors, &obj, "custom_mcps");
    let tools = dict_field(&mut errors, &obj, "agentpress_tools");
    let name = errors.opt_string(&obj, "version_name");
    let description = errors.opt_string(&obj, "description");
    errors.finish()?;
    let mut store = app.lock();
    let agent = find_mut(&mut store, &user, &agent_id)?;
    let config = json!({"system_prompt": prompt, "configured_mcps": configured, "custom_mcps": custom, "agentpress_tools": tools});
    let v = add_version(agent, &user, &config, name, description);
    Ok(ok(version_view(agent, &v)))
}

fn version_of<'a>(a: &'a Agent, vid: &str) -> Result<&'a Value, ApiError> {
    a.versions
        .iter()
        .find(|v| v["version_id"] == vid)
        .ok_or_else(|| ApiError::not_found("Version not found"))
}

/// `GET /api/agents/{id}/versions/{vid}`.
pub async fn version(
    State(app): State<Arc<AppState>>,
    Path((agent_id, vid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let a = find(&store, &user, &agent_id)?;
    Ok(ok(version_view(a, version_of(a, &vid)?)))
}

/// `PUT /api/agents/{id}/versions/{vid}/activate` → `{"message": "Version activated successfully"}`.
pub async fn activate(
    State(app): State<Arc<AppState>>,
    Path((agent_id, vid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let mut store = app.lock();
    let a = find_mut(&mut store, &user, &agent_id)?;
    version_of(a, &vid)?;
    a.row["current_version_id"] = json!(vid);
    a.row["updated_at"] = json!(timefmt::now_iso());
    Ok(ok(json!({"message": "Version activated successfully"})))
}

/// `GET /api/agents/{id}/versions/{vid}/compare/{v2}` → `{version1, version2, differences: [{field, version1_value,
/// version2_value}]}`.
pub async fn compare(
    State(app): State<Arc<AppState>>,
    Path((agent_id, v1, v2)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let store = app.lock();
    let a = find(&store, &user, &agent_id)?;
    let (x, y) = (version_of(a, &v1)?, version_of(a, &v2)?);
    let differences: Vec<Value> = [
        "system_prompt",
        "model",
        "configured_mcps",
        "custom_mcps",
        "agentpress_tools",
    ]
    .iter()
    .filter(|f| x[**f] != y[**f])
    .map(|f| json!({"field": f, "version1_value": x[*f], "version2_value": y[*f]}))
    .collect();
    Ok(ok(
        json!({"version1": version_view(a, x), "version2": version_view(a, y), "differences": differences}),
    ))
}

/// `POST /api/agents/{id}/versions/{vid}/rollback`: a new version with `vid`'s configuration, made current.
pub async fn rollback(
    State(app): State<Arc<AppState>>,
    Path((agent_id, vid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let user = gate(&app, &headers)?;
    let mut store = app.lock();
    let a = find_mut(&mut store, &user, &agent_id)?;
    let old = version_of(a, &vid)?.clone();
    let desc = format!("Rolled back to {}", old["version_name"].as_str().unwrap_or(""));
    let v = add_version(a, &user, &config_of(&old), None, Some(desc));
    Ok(ok(version_view(a, &v)))
}

/// `PUT /api/agents/{id}/versions/{vid}/details` `{version_name?, change_description?}` → the version.
pub async fn version_details(
    State(app): State<Arc<AppState>>,
    Path((agent_id, vid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let obj = require_object(json_body(&headers, &body)?)?;
    let user = gate(&app, &headers)?;
    let mut errors = Errors::default();
    let name = errors.opt_string(&obj, "version_name");
    let description = errors.opt_string(&obj, "change_description");
    errors.finish()?;
    let mut store = app.lock();
    let a = find_mut(&mut store, &user, &agent_id)?;
    version_of(a, &vid)?;
    let now = timefmt::now_iso();
    let mut out = Value::Null;
    for v in a.versions.iter_mut().filter(|v| v["version_id"] == vid.as_str()) {
        if let Some(n) = &name {
            v["version_name"] = json!(n);
        }
        if obj.contains_key("change_description") {
            v["change_description"] = json!(description);
        }
        v["updated_at"] = json!(now);
        out = v.clone();
    }
    Ok(ok(version_view(a, &out)))
}

// ------------------------------------------------------------------ listing (both flag states)

/// `GET /api/agents`: with custom agents off, exactly the `helium-default` stub; on, the caller's agents with the
/// backend's query parameters (`page`, `limit` 1–100, `search`, `sort_by`, `sort_order`, `has_default`).
pub async fn list(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult {
    let user = auth::require_user(&app, &headers)?;
    if !enabled(&app) {
        return Ok(ok(fixtures::json("agents_list_custom_agents_disabled.json")));
    }
    let params: Vec<(String, String)> = query
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let get = |k: &str| params.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let int = |k: &str, default: u64, min: u64, max: u64| -> Result<u64, ApiError> {
        let Some(raw) = get(k) else { return Ok(default) };
        match raw.trim().parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::validation(vec![json!({
                "type": "int_parsing", "loc": ["query", k], "msg": format!("Input should be an integer between {min} and {max}"), "input": raw,
            })])),
        }
    };
    let page = int("page", 1, 1, u64::from(u32::MAX))?;
    let limit = int("limit", 20, 1, 100)?;
    let store = app.lock();
    let mut agents: Vec<Value> = store
        .agents
        .iter()
        .filter(|a| a.account_id == user)
        .map(agent_response)
        .collect();
    if let Some(s) = get("search").map(|s| s.to_lowercase()).filter(|s| !s.is_empty()) {
        agents.retain(|a| {
            a["name"].as_str().unwrap_or("").to_lowercase().contains(&s)
                || a["description"]
                    .as_str()
                    .unwrap_or("")
                    .to_lowercase()
                    .contains(&s)
        });
    }
    if let Some(d) = get("has_default").and_then(|v| crate::validation::parse_bool_str(&v)) {
        agents.retain(|a| (a["is_default"] == true) == d);
    }
    let sort_by = get("sort_by").unwrap_or_else(|| "created_at".to_owned());
    agents.sort_by(|a, b| {
        let key = |v: &Value| match sort_by.as_str() {
            "name" => v["name"].as_str().unwrap_or("").to_lowercase(),
            "updated_at" => v["updated_at"].as_str().unwrap_or("").to_owned(),
            _ => v["created_at"].as_str().unwrap_or("").to_owned(),
        };
        key(a).cmp(&key(b))
    });
    if get("sort_order").as_deref() != Some("asc") {
        agents.reverse();
    }
    let total = agents.len() as u64;
    let items: Vec<Value> = agents
        .into_iter()
        .skip(usize::try_from((page - 1) * limit).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(ok(
        json!({"agents": items, "pagination": {"page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit)}}),
    ))
}

/// `GET /api/agents/{id}`: `helium-default` always works; with custom agents on, the caller's agents too.
pub async fn get_one(
    State(app): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let user = match auth::require_user(&app, &headers) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    if agent_id == "helium-default" {
        let list = fixtures::json("agents_list_custom_agents_disabled.json");
        return ok(list["agents"].get(0).cloned().unwrap_or(Value::Null));
    }
    if !enabled(&app) {
        return ApiError::not_found(NOT_FOUND).into_response();
    }
    let store = app.lock();
    match find(&store, &user, &agent_id) {
        Ok(a) => ok(agent_response(a)),
        Err(e) => e.into_response(),
    }
}
