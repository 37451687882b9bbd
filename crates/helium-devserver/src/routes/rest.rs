//! A PostgREST subset on `/rest/v1/{table}` (contract §7) for `projects`, `threads`, `messages` and `agent_runs`,
//! over the same in-memory store as the backend routes.
//!
//! Auth is Supabase's: the `apikey` (header or `?apikey=`) must be one of the project's keys; the JWT is
//! `Authorization: Bearer …`, else the apikey itself, and PostgREST verifies its HS256 signature and `exp`.
//! Row-level security follows `20250416133920_agentpress_schema.sql`: rows of the caller's account for every
//! operation, plus SELECT on public projects and on what belongs to them; `service_role` bypasses it.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use super::supabase::check_apikey;
use crate::errors::json_response;
use crate::jwt::{self, JwtError};
use crate::state::{AppState, Project, Run, Store, Thread, new_id};
use crate::timefmt;

// ------------------------------------------------------------------ schema

/// Column types that matter for parsing and comparing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Uuid,
    Text,
    Bool,
    Json,
    Ts,
}

#[derive(Debug)]
struct Col {
    name: &'static str,
    ty: Ty,
    not_null: bool,
}

const fn col(name: &'static str, ty: Ty, not_null: bool) -> Col {
    Col { name, ty, not_null }
}

const PROJECTS: &[Col] = &[
    col("project_id", Ty::Uuid, true),
    col("name", Ty::Text, true),
    col("description", Ty::Text, false),
    col("account_id", Ty::Uuid, true),
    col("sandbox", Ty::Json, false),
    col("is_public", Ty::Bool, false),
    col("created_at", Ty::Ts, true),
    col("updated_at", Ty::Ts, true),
];
const THREADS: &[Col] = &[
    col("thread_id", Ty::Uuid, true),
    col("account_id", Ty::Uuid, false),
    col("project_id", Ty::Uuid, false),
    col("is_public", Ty::Bool, false),
    col("created_at", Ty::Ts, true),
    col("updated_at", Ty::Ts, true),
    col("metadata", Ty::Json, false),
];
const MESSAGES: &[Col] = &[
    col("message_id", Ty::Uuid, true),
    col("thread_id", Ty::Uuid, true),
    col("type", Ty::Text, true),
    col("is_llm_message", Ty::Bool, true),
    col("content", Ty::Json, true),
    col("metadata", Ty::Json, false),
    col("created_at", Ty::Ts, true),
    col("updated_at", Ty::Ts, true),
    col("agent_id", Ty::Uuid, false),
    col("agent_version_id", Ty::Uuid, false),
];
const AGENT_RUNS: &[Col] = &[
    col("id", Ty::Uuid, true),
    col("thread_id", Ty::Uuid, true),
    col("status", Ty::Text, true),
    col("started_at", Ty::Ts, true),
    col("completed_at", Ty::Ts, false),
    col("error", Ty::Text, false),
    col("created_at", Ty::Ts, true),
    col("updated_at", Ty::Ts, true),
    col("agent_id", Ty::Uuid, false),
    col("agent_version_id", Ty::Uuid, false),
    col("metadata", Ty::Json, false),
];
/// The columns of `agents` that an embed may select (the table itself is not served).
const AGENTS: &[Col] = &[
    col("agent_id", Ty::Uuid, true),
    col("account_id", Ty::Uuid, true),
    col("name", Ty::Text, true),
    col("description", Ty::Text, false),
    col("avatar", Ty::Text, false),
    col("avatar_color", Ty::Text, false),
    col("profile_image_url", Ty::Text, false),
    col("is_default", Ty::Bool, false),
    col("is_public", Ty::Bool, false),
    col("created_at", Ty::Ts, true),
    col("updated_at", Ty::Ts, true),
];

/// A served table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `projects`
    Projects,
    /// `threads`
    Threads,
    /// `messages`
    Messages,
    /// `agent_runs`
    AgentRuns,
}

impl Table {
    fn from_name(name: &str) -> Option<Table> {
        Some(match name {
            "projects" => Table::Projects,
            "threads" => Table::Threads,
            "messages" => Table::Messages,
            "agent_runs" => Table::AgentRuns,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Table::Projects => "projects",
            Table::Threads => "threads",
            Table::Messages => "messages",
            Table::AgentRuns => "agent_runs",
        }
    }
    fn cols(self) -> &'static [Col] {
        match self {
            Table::Projects => PROJECTS,
            Table::Threads => THREADS,
            Table::Messages => MESSAGES,
            Table::AgentRuns => AGENT_RUNS,
        }
    }
    fn pk(self) -> &'static str {
        match self {
            Table::Projects => "project_id",
            Table::Threads => "thread_id",
            Table::Messages => "message_id",
            Table::AgentRuns => "id",
        }
    }
    fn col(self, name: &str) -> Option<&'static Col> {
        self.cols().iter().find(|c| c.name == name)
    }
}

/// Target of a many-to-one embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Table(Table),
    Agents,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Table(t) => t.name(),
            Target::Agents => "agents",
        }
    }
    fn cols(self) -> &'static [Col] {
        match self {
            Target::Table(t) => t.cols(),
            Target::Agents => AGENTS,
        }
    }
}

/// Foreign keys usable for embedding: (table, column, target).
const RELATIONS: [(Table, &str, Target); 4] = [
    (Table::Threads, "project_id", Target::Table(Table::Projects)),
    (Table::Messages, "thread_id", Target::Table(Table::Threads)),
    (Table::Messages, "agent_id", Target::Agents),
    (Table::AgentRuns, "thread_id", Target::Table(Table::Threads)),
];

// ------------------------------------------------------------------ errors

/// A PostgREST error: `{"code","details","hint","message"}` (PostgREST sorts the keys).
#[derive(Debug)]
pub struct PgError(Box<PgErrorBody>);

/// The fields of a [`PgError`].
#[derive(Debug)]
pub struct PgErrorBody {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Value,
    hint: Value,
    www_authenticate: Option<String>,
}

impl PgError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(PgErrorBody {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            hint: Value::Null,
            www_authenticate: None,
        }))
    }
    fn details(mut self, d: impl Into<String>) -> Self {
        self.0.details = Value::String(d.into());
        self
    }
    fn undefined_column(table: &str, column: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "42703",
            format!("column {table}.{column} does not exist"),
        )
    }
    fn parse(what: &str, text: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "PGRST100",
            format!("\"failed to parse {what} ({text})\" (line 1, column 1)"),
        )
        .details(format!("unexpected {text:?}"))
    }
    fn invalid_json() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "PGRST102", "Empty or invalid json")
    }
    fn rls(caller: &Caller, table: Table, using: bool) -> Self {
        let status = if caller.is_anon() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        let kind = if using { " (USING expression)" } else { "" };
        Self::new(
            status,
            "42501",
            format!(
                "new row violates row-level security policy{kind} for table \"{}\"",
                table.name()
            ),
        )
    }
    fn jwt(e: &JwtError) -> Self {
        let (code, message) = match e {
            JwtError::Invalid(m) => ("PGRST301", m.clone()),
            JwtError::Expired => ("PGRST303", "JWT expired".to_owned()),
        };
        let mut err = Self::new(StatusCode::UNAUTHORIZED, code, message.clone());
        err.0.www_authenticate = Some(format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            message.replace('"', "'")
        ));
        err
    }
}

impl IntoResponse for PgError {
    fn into_response(self) -> Response {
        let e = *self.0;
        let body = json!({"code": e.code, "details": e.details, "hint": e.hint, "message": e.message});
        let mut resp = json_response(e.status, &body);
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Some(w) = e.www_authenticate
            && let Ok(v) = HeaderValue::from_str(&w)
        {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        resp
    }
}

// ------------------------------------------------------------------ auth

/// The database role a request runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// `anon`: reads public rows, writes nothing.
    Anon,
    /// `authenticated` with `auth.uid()` = the token's `sub` (if any).
    User(Option<String>),
    /// `service_role`: bypasses row-level security.
    Service,
}

impl Caller {
    fn uid(&self) -> Option<&str> {
        match self {
            Caller::User(Some(u)) => Some(u),
            _ => None,
        }
    }
    fn is_anon(&self) -> bool {
        matches!(self, Caller::Anon)
    }
    fn bypass(&self) -> bool {
        matches!(self, Caller::Service)
    }
    /// `basejump.has_role_on_account(account)` for a personal account.
    fn owns(&self, account: &str) -> bool {
        !account.is_empty() && self.uid() == Some(account)
    }
}

fn authenticate(app: &AppState, headers: &HeaderMap, query: Option<&str>) -> Result<Caller, Box<Response>> {
    let apikey = check_apikey(app, headers, query)?;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.get(..7)
                .filter(|p| p.eq_ignore_ascii_case("bearer "))
                .map(|_| v[7..].trim().to_owned())
        });
    let token = bearer.unwrap_or(apikey);
    let claims = jwt::verify(&token, &app.config.jwt_secret)
        .map_err(|e| Box::new(PgError::jwt(&e).into_response()))?;
    match claims.get("role").and_then(Value::as_str).unwrap_or("anon") {
        "anon" => Ok(Caller::Anon),
        "authenticated" => Ok(Caller::User(
            claims.get("sub").and_then(Value::as_str).map(str::to_owned),
        )),
        "service_role" => Ok(Caller::Service),
        other => Err(Box::new(
            PgError::new(
                StatusCode::BAD_REQUEST,
                "22023",
                format!("role \"{other}\" does not exist"),
            )
            .into_response(),
        )),
    }
}

// ------------------------------------------------------------------ rows

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

fn nullable(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        Value::String(text.to_owned())
    }
}

fn project_row(p: &Project) -> Value {
    json!({
        "project_id": p.project_id, "name": p.name, "description": p.description,
        "account_id": p.account_id, "sandbox": p.sandbox, "is_public": p.is_public,
        "created_at": p.created_at, "updated_at": p.updated_at,
    })
}

fn thread_row(t: &Thread) -> Value {
    json!({
        "thread_id": t.thread_id, "account_id": nullable(&t.account_id), "project_id": nullable(&t.project_id),
        "is_public": t.is_public, "created_at": t.created_at, "updated_at": t.updated_at, "metadata": t.metadata,
    })
}

fn run_row(r: &Run) -> Value {
    json!({
        "id": r.id, "thread_id": r.thread_id, "status": r.status, "started_at": r.started_at,
        "completed_at": r.completed_at, "error": r.error, "created_at": r.created_at, "updated_at": r.updated_at,
        "agent_id": r.agent_id, "agent_version_id": r.agent_version_id, "metadata": r.metadata,
    })
}

/// Every row of a table, in insertion order.
fn all_rows(store: &Store, table: Table) -> Vec<Value> {
    match table {
        Table::Projects => {
            let mut v: Vec<&Project> = store.projects.values().collect();
            v.sort_by_key(|p| p.order);
            v.into_iter().map(project_row).collect()
        }
        Table::Threads => {
            let mut v: Vec<&Thread> = store.threads.values().collect();
            v.sort_by_key(|t| t.order);
            v.into_iter().map(thread_row).collect()
        }
        Table::Messages => {
            let mut threads: Vec<(&String, &Vec<Value>)> = store.messages.iter().collect();
            threads.sort_by_key(|(id, _)| store.threads.get(*id).map_or(u64::MAX, |t| t.order));
            threads
                .into_iter()
                .flat_map(|(_, rows)| rows.iter().cloned())
                .collect()
        }
        Table::AgentRuns => {
            let mut v: Vec<&Run> = store.runs.values().collect();
            v.sort_by_key(|r| r.order);
            v.into_iter().map(run_row).collect()
        }
    }
}

/// The fixtures' agent (`agents` join of `supabase_messages_rows.json`), which every scripted run names. It is
/// public here, so that every user's rows can embed it.
fn agent_rows(store: &Store) -> Vec<Value> {
    let mut rows = vec![json!({
        "agent_id": "e4f5a6b7-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        "account_id": crate::auth::SAMPLE_USER_ID,
        "name": "Helium",
        "description": null,
        "avatar": "\u{26a1}",
        "avatar_color": "#F59E0B",
        "profile_image_url": null,
        "is_default": true,
        "is_public": true,
        "created_at": "2025-09-25T10:00:00.000000+00:00",
        "updated_at": "2025-09-25T10:00:00.000000+00:00",
    })];
    rows.extend(store.agents.iter().map(|a| {
        let mut m = Map::new();
        for c in AGENTS {
            let v = if c.name == "account_id" {
                Value::String(a.account_id.clone())
            } else {
                a.row.get(c.name).cloned().unwrap_or(Value::Null)
            };
            m.insert(c.name.to_owned(), v);
        }
        Value::Object(m)
    }));
    rows
}

// ------------------------------------------------------------------ row-level security

fn thread_project<'a>(store: &'a Store, thread_id: &str) -> (Option<&'a Thread>, Option<&'a Project>) {
    let thread = store.threads.get(thread_id);
    let project = thread.and_then(|t| store.projects.get(&t.project_id));
    (thread, project)
}

/// The SELECT policy.
fn can_select(store: &Store, caller: &Caller, table: Table, row: &Value) -> bool {
    if caller.bypass() {
        return true;
    }
    match table {
        Table::Projects => row["is_public"] == true || caller.owns(&s(&row["account_id"])),
        Table::Threads => {
            caller.owns(&s(&row["account_id"]))
                || store
                    .projects
                    .get(&s(&row["project_id"]))
                    .is_some_and(|p| p.is_public || caller.owns(&p.account_id))
        }
        Table::Messages | Table::AgentRuns => {
            let (thread, project) = thread_project(store, &s(&row["thread_id"]));
            thread.is_some()
                && (project.is_some_and(|p| p.is_public)
                    || thread.is_some_and(|t| caller.owns(&t.account_id))
                    || project.is_some_and(|p| caller.owns(&p.account_id)))
        }
    }
}

/// The INSERT / UPDATE / DELETE policies.
fn can_write(store: &Store, caller: &Caller, table: Table, row: &Value) -> bool {
    if caller.bypass() {
        return true;
    }
    match table {
        Table::Projects => caller.owns(&s(&row["account_id"])),
        Table::Threads => {
            caller.owns(&s(&row["account_id"]))
                || store
                    .projects
                    .get(&s(&row["project_id"]))
                    .is_some_and(|p| caller.owns(&p.account_id))
        }
        Table::Messages | Table::AgentRuns => {
            let (thread, project) = thread_project(store, &s(&row["thread_id"]));
            thread.is_some_and(|t| caller.owns(&t.account_id))
                || project.is_some_and(|p| caller.owns(&p.account_id))
        }
    }
}

// ------------------------------------------------------------------ values

fn is_uuid(v: &str) -> bool {
    let hex: String = v.chars().filter(|c| *c != '-').collect();
    let dashes_ok = v.len() == 32
        || (v.len() == 36
            && [8, 13, 18, 23]
                .iter()
                .all(|i| v.as_bytes().get(*i) == Some(&b'-')));
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) && dashes_ok
}

fn canonical_uuid(v: &str) -> String {
    let hex: String = v
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    match (
        hex.get(0..8),
        hex.get(8..12),
        hex.get(12..16),
        hex.get(16..20),
        hex.get(20..32),
    ) {
        (Some(a), Some(b), Some(c), Some(d), Some(e)) => format!("{a}-{b}-{c}-{d}-{e}"),
        _ => hex,
    }
}

fn pg_bool(v: &str) -> Option<bool> {
    let l = v.trim().to_ascii_lowercase();
    if l.is_empty() {
        return None;
    }
    if "true".starts_with(&l) || "yes".starts_with(&l) || l == "on" || l == "1" {
        return Some(true);
    }
    if "false".starts_with(&l) || "no".starts_with(&l) || l == "off" || l == "of" || l == "0" {
        return Some(false);
    }
    None
}

fn invalid_input(ty: &str, v: &str) -> PgError {
    PgError::new(
        StatusCode::BAD_REQUEST,
        "22P02",
        format!("invalid input syntax for type {ty}: \"{v}\""),
    )
}

fn looks_like_timestamp(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(5..7).is_some_and(|m| m.iter().all(u8::is_ascii_digit))
        && b.get(7) == Some(&b'-')
        && b.get(8..10).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

/// A JSON body value stored into a column of type `ty`, as `json_populate_record` would coerce it.
fn coerce(col: &Col, v: &Value) -> Result<Value, PgError> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match col.ty {
        Ty::Json => Ok(v.clone()),
        Ty::Text => Ok(Value::String(text)),
        Ty::Uuid => {
            if is_uuid(&text) {
                Ok(Value::String(canonical_uuid(&text)))
            } else {
                Err(invalid_input("uuid", &text))
            }
        }
        Ty::Bool => match v {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            _ => pg_bool(&text)
                .map(Value::Bool)
                .ok_or_else(|| invalid_input("boolean", &text)),
        },
        Ty::Ts => {
            if looks_like_timestamp(&text) {
                Ok(Value::String(text))
            } else {
                Err(PgError::new(
                    StatusCode::BAD_REQUEST,
                    "22007",
                    format!("invalid input syntax for type timestamp with time zone: \"{text}\""),
                ))
            }
        }
    }
}

// ------------------------------------------------------------------ query language

#[derive(Debug, Clone)]
enum Operand {
    Text(String),
    Bool(bool),
    Json(Value),
}

#[derive(Debug, Clone)]
enum Op {
    Cmp(Ordering, bool, Operand),
    In(Vec<Operand>),
    IsNull,
    IsBool(bool),
}

#[derive(Debug, Clone)]
struct Filter {
    column: String,
    key: Option<String>,
    negate: bool,
    op: Op,
}

#[derive(Debug, Clone)]
struct OrderBy {
    column: String,
    desc: bool,
    nulls_first: bool,
}

#[derive(Debug, Clone)]
enum SelectItem {
    Star,
    Column {
        alias: String,
        column: String,
    },
    Embed {
        alias: String,
        fk: &'static str,
        target: Target,
        columns: Vec<(String, String)>,
        star: bool,
    },
}

#[derive(Debug, Default)]
struct Query {
    select: Vec<SelectItem>,
    filters: Vec<Filter>,
    order: Vec<OrderBy>,
    limit: Option<usize>,
    offset: usize,
}

fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                cur.push(c);
            }
            ')' if !quoted => {
                depth -= 1;
                cur.push(c);
            }
            ',' if !quoted && depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts.into_iter().map(|p| p.trim().to_owned()).collect()
}

fn parse_alias(item: &str) -> (Option<String>, String) {
    match item.split_once(':') {
        Some((a, rest)) if !rest.starts_with(':') && !a.contains('(') => {
            (Some(a.trim().to_owned()), rest.trim().to_owned())
        }
        _ => (None, item.to_owned()),
    }
}

fn parse_select(table: Table, raw: &str) -> Result<Vec<SelectItem>, PgError> {
    let mut items = Vec::new();
    for item in split_top_level(raw) {
        if item.is_empty() {
            return Err(PgError::parse("select parameter", raw));
        }
        if item == "*" {
            items.push(SelectItem::Star);
            continue;
        }
        let (alias, rest) = parse_alias(&item);
        if let Some(open) = rest.find('(') {
            let Some(inner) = rest.get(open + 1..).and_then(|r| r.strip_suffix(')')) else {
                return Err(PgError::parse("select parameter", raw));
            };
            let rel = rest[..open].split('!').next().unwrap_or("").trim().to_owned();
            let found = RELATIONS
                .iter()
                .find(|(t, fk, target)| *t == table && (*fk == rel || target.name() == rel));
            let Some((_, fk, target)) = found else {
                return Err(PgError::new(
                    StatusCode::BAD_REQUEST,
                    "PGRST200",
                    format!(
                        "Could not find a relationship between '{}' and '{rel}' in the schema cache",
                        table.name()
                    ),
                )
                .details(format!(
                    "Searched for a foreign key relationship between '{}' and '{rel}' in the schema 'public', but no matches were found.",
                    table.name()
                )));
            };
            let mut columns = Vec::new();
            let mut star = false;
            for c in split_top_level(inner) {
                if c == "*" {
                    star = true;
                    continue;
                }
                let (a, name) = parse_alias(&c);
                if !target.cols().iter().any(|k| k.name == name) {
                    return Err(PgError::undefined_column(target.name(), &name));
                }
                columns.push((a.unwrap_or_else(|| name.clone()), name));
            }
            items.push(SelectItem::Embed {
                alias: alias.unwrap_or(rel),
                fk,
                target: *target,
                columns,
                star,
            });
            continue;
        }
        if table.col(&rest).is_none() {
            return Err(PgError::undefined_column(table.name(), &rest));
        }
        items.push(SelectItem::Column {
            alias: alias.unwrap_or_else(|| rest.clone()),
            column: rest,
        });
    }
    Ok(items)
}

fn parse_operand(col: &Col, keyed: bool, raw: &str) -> Result<Operand, PgError> {
    if keyed {
        return Ok(Operand::Text(raw.to_owned()));
    }
    match col.ty {
        Ty::Uuid if is_uuid(raw) => Ok(Operand::Text(canonical_uuid(raw))),
        Ty::Uuid => Err(invalid_input("uuid", raw)),
        Ty::Bool => pg_bool(raw)
            .map(Operand::Bool)
            .ok_or_else(|| invalid_input("boolean", raw)),
        Ty::Json => serde_json::from_str(raw)
            .map(Operand::Json)
            .map_err(|_| invalid_input("json", raw)),
        Ty::Ts => Ok(Operand::Text(timefmt::ts_key(raw))),
        Ty::Text => Ok(Operand::Text(raw.to_owned())),
    }
}

fn parse_in_list(raw: &str) -> Option<Vec<String>> {
    let inner = raw.strip_prefix('(')?.strip_suffix(')')?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    Some(
        split_top_level(inner)
            .into_iter()
            .map(|v| {
                v.strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .map_or(v.clone(), str::to_owned)
            })
            .collect(),
    )
}

fn parse_filter(table: Table, key: &str, value: &str) -> Result<Filter, PgError> {
    let (column, json_key) = match key.split_once("->>") {
        Some((c, k)) => (c.trim().to_owned(), Some(k.trim().trim_matches('\'').to_owned())),
        None => (key.to_owned(), None),
    };
    let Some(col) = table.col(&column) else {
        return Err(PgError::undefined_column(table.name(), &column));
    };
    let bad = || PgError::parse("filter", value);
    let (negate, rest) = match value.strip_prefix("not.") {
        Some(r) => (true, r),
        None => (false, value),
    };
    let (op, arg) = rest.split_once('.').ok_or_else(bad)?;
    let keyed = json_key.is_some();
    let op = match op {
        "eq" => Op::Cmp(Ordering::Equal, true, parse_operand(col, keyed, arg)?),
        "neq" => Op::Cmp(Ordering::Equal, false, parse_operand(col, keyed, arg)?),
        "gt" => Op::Cmp(Ordering::Greater, true, parse_operand(col, keyed, arg)?),
        "lt" => Op::Cmp(Ordering::Less, true, parse_operand(col, keyed, arg)?),
        "gte" => Op::Cmp(Ordering::Less, false, parse_operand(col, keyed, arg)?),
        "lte" => Op::Cmp(Ordering::Greater, false, parse_operand(col, keyed, arg)?),
        "in" => Op::In(
            parse_in_list(arg)
                .ok_or_else(bad)?
                .iter()
                .map(|v| parse_operand(col, keyed, v))
                .collect::<Result<_, _>>()?,
        ),
        "is" => match arg.to_ascii_lowercase().as_str() {
            "null" => Op::IsNull,
            "not_null" => {
                return Ok(Filter {
                    column,
                    key: json_key,
                    negate: !negate,
                    op: Op::IsNull,
                });
            }
            "true" => Op::IsBool(true),
            "false" => Op::IsBool(false),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    };
    Ok(Filter {
        column,
        key: json_key,
        negate,
        op,
    })
}

fn parse_order(table: Table, raw: &str) -> Result<Vec<OrderBy>, PgError> {
    let mut out = Vec::new();
    for term in raw.split(',').map(str::trim) {
        let mut parts = term.split('.');
        let column = parts.next().unwrap_or("").to_owned();
        if column.is_empty() {
            return Err(PgError::parse("order", raw));
        }
        if table.col(&column).is_none() {
            return Err(PgError::undefined_column(table.name(), &column));
        }
        let mut desc = false;
        let mut nulls: Option<bool> = None;
        for p in parts {
            match p {
                "asc" => desc = false,
                "desc" => desc = true,
                "nullsfirst" => nulls = Some(true),
                "nullslast" => nulls = Some(false),
                _ => return Err(PgError::parse("order", raw)),
            }
        }
        out.push(OrderBy {
            column,
            desc,
            nulls_first: nulls.unwrap_or(desc),
        });
    }
    Ok(out)
}

fn parse_count(what: &str, v: &str) -> Result<usize, PgError> {
    v.trim()
        .parse::<usize>()
        .map_err(|_| PgError::parse(&format!("{what} parameter"), v))
}

/// Reserved parameters are `select`, `order`, `limit`, `offset` (and `columns`/`on_conflict`, accepted and
/// ignored); `apikey` is removed by the gateway. Everything else is a filter. Repeated filters are ANDed.
fn parse_query(table: Table, query: Option<&str>) -> Result<Query, PgError> {
    let mut q = Query {
        select: vec![SelectItem::Star],
        ..Query::default()
    };
    let pairs: Vec<(String, String)> = query
        .map(|qs| form_urlencoded::parse(qs.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    for (k, v) in pairs {
        match k.as_str() {
            "select" => q.select = parse_select(table, &v)?,
            "order" => q.order = parse_order(table, &v)?,
            "limit" => q.limit = Some(parse_count("limit", &v)?),
            "offset" => q.offset = parse_count("offset", &v)?,
            "apikey" | "columns" | "on_conflict" => {}
            _ => q.filters.push(parse_filter(table, &k, &v)?),
        }
    }
    Ok(q)
}

/// The text a `->>` arrow yields.
fn arrow(v: &Value, key: &str) -> Value {
    match v.get(key) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(other) => Value::String(other.to_string()),
    }
}

fn compare(ty: Ty, cell: &Value, operand: &Operand) -> Option<Ordering> {
    match (operand, cell) {
        (_, Value::Null) => None,
        (Operand::Bool(b), Value::Bool(c)) => Some(c.cmp(b)),
        (Operand::Json(j), c) => Some(if c == j {
            Ordering::Equal
        } else {
            c.to_string().cmp(&j.to_string())
        }),
        (Operand::Text(t), Value::String(c)) => Some(match ty {
            Ty::Ts => timefmt::ts_key(c).cmp(t),
            Ty::Uuid => c.to_ascii_lowercase().cmp(t),
            _ => c.as_str().cmp(t.as_str()),
        }),
        (Operand::Text(t), other) => Some(other.to_string().cmp(t)),
        (Operand::Bool(_), _) => None,
    }
}

fn filter_matches(table: Table, f: &Filter, row: &Value) -> bool {
    let Some(col) = table.col(&f.column) else {
        return false;
    };
    let raw = &row[f.column.as_str()];
    let (cell, ty) = match &f.key {
        Some(k) => (arrow(raw, k), Ty::Text),
        None => (raw.clone(), col.ty),
    };
    // SQL three-valued logic: a comparison with NULL is unknown, and so is its negation.
    let result: Option<bool> = match &f.op {
        Op::IsNull => Some(cell.is_null()),
        Op::IsBool(b) => Some(cell.as_bool() == Some(*b)),
        Op::Cmp(ord, want, operand) => compare(ty, &cell, operand).map(|o| (o == *ord) == *want),
        Op::In(list) => {
            if cell.is_null() {
                None
            } else {
                Some(
                    list.iter()
                        .any(|o| compare(ty, &cell, o) == Some(Ordering::Equal)),
                )
            }
        }
    };
    match result {
        Some(r) => r != f.negate,
        None => false,
    }
}

fn order_rows(table: Table, rows: &mut [Value], order: &[OrderBy]) {
    rows.sort_by(|a, b| {
        for o in order {
            let ty = table.col(&o.column).map_or(Ty::Text, |c| c.ty);
            let (x, y) = (&a[o.column.as_str()], &b[o.column.as_str()]);
            let ord = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if o.nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if o.nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) => {
                    let base = match ty {
                        Ty::Ts => timefmt::ts_key(x.as_str().unwrap_or(""))
                            .cmp(&timefmt::ts_key(y.as_str().unwrap_or(""))),
                        Ty::Bool => x.as_bool().cmp(&y.as_bool()),
                        _ => match (x.as_str(), y.as_str()) {
                            (Some(p), Some(q)) => p.cmp(q),
                            _ => x.to_string().cmp(&y.to_string()),
                        },
                    };
                    if o.desc { base.reverse() } else { base }
                }
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

fn embed_row(store: &Store, caller: &Caller, target: Target, id: &Value) -> Option<Value> {
    let id = id.as_str()?;
    match target {
        Target::Agents => agent_rows(store)
            .into_iter()
            .find(|a| a["agent_id"] == id)
            .filter(|a| caller.bypass() || a["is_public"] == true || caller.owns(&s(&a["account_id"]))),
        Target::Table(t) => all_rows(store, t)
            .into_iter()
            .find(|r| r[t.pk()] == id)
            .filter(|r| can_select(store, caller, t, r)),
    }
}

/// Shape a row as the `select` asks.
fn project_select(store: &Store, caller: &Caller, table: Table, row: &Value, select: &[SelectItem]) -> Value {
    let mut out = Map::new();
    for item in select {
        match item {
            SelectItem::Star => {
                for c in table.cols() {
                    out.insert(c.name.to_owned(), row[c.name].clone());
                }
            }
            SelectItem::Column { alias, column } => {
                out.insert(alias.clone(), row[column.as_str()].clone());
            }
            SelectItem::Embed {
                alias,
                fk,
                target,
                columns,
                star,
            } => {
                let embedded = embed_row(store, caller, *target, &row[*fk]).map(|r| {
                    let mut m = Map::new();
                    if *star {
                        for c in target.cols() {
                            m.insert(c.name.to_owned(), r[c.name].clone());
                        }
                    }
                    for (a, c) in columns {
                        m.insert(a.clone(), r[c.as_str()].clone());
                    }
                    Value::Object(m)
                });
                out.insert(alias.clone(), embedded.unwrap_or(Value::Null));
            }
        }
    }
    Value::Object(out)
}

// ------------------------------------------------------------------ writes into the store

/// Write a full row back (insert, or update of the row whose key was `old_pk`).
fn put_row(store: &mut Store, table: Table, old_pk: Option<&str>, row: &Value) {
    let now_order = store.next_seq();
    match table {
        Table::Projects => {
            let old = old_pk.and_then(|k| store.projects.remove(k));
            let p = Project {
                project_id: s(&row["project_id"]),
                name: s(&row["name"]),
                description: row["description"].as_str().map(str::to_owned),
                account_id: s(&row["account_id"]),
                sandbox: row["sandbox"].clone(),
                is_public: row["is_public"] == true,
                created_at: s(&row["created_at"]),
                updated_at: s(&row["updated_at"]),
                order: old.map_or(now_order, |o| o.order),
            };
            store.projects.insert(p.project_id.clone(), p);
        }
        Table::Threads => {
            let old = old_pk.and_then(|k| store.threads.remove(k));
            let t = Thread {
                thread_id: s(&row["thread_id"]),
                account_id: s(&row["account_id"]),
                project_id: s(&row["project_id"]),
                is_public: row["is_public"] == true,
                created_at: s(&row["created_at"]),
                updated_at: s(&row["updated_at"]),
                metadata: row["metadata"].clone(),
                order: old.map_or(now_order, |o| o.order),
            };
            if let Some(old_id) = old_pk
                && old_id != t.thread_id
                && let Some(msgs) = store.messages.remove(old_id)
            {
                store.messages.insert(t.thread_id.clone(), msgs);
            }
            store.threads.insert(t.thread_id.clone(), t);
        }
        Table::Messages => {
            let thread_id = s(&row["thread_id"]);
            if let Some(old) = old_pk {
                for rows in store.messages.values_mut() {
                    if let Some(slot) = rows.iter_mut().find(|r| r["message_id"] == old) {
                        if slot["thread_id"] == thread_id.as_str() {
                            *slot = row.clone();
                            return;
                        }
                        rows.retain(|r| r["message_id"] != old);
                        break;
                    }
                }
            }
            store.messages.entry(thread_id).or_default().push(row.clone());
        }
        Table::AgentRuns => {
            let account = store
                .threads
                .get(&s(&row["thread_id"]))
                .map(|t| t.account_id.clone())
                .unwrap_or_default();
            let old = old_pk.and_then(|k| store.runs.remove(k));
            let status = s(&row["status"]);
            let mut run = match old {
                Some(r) => r,
                None => {
                    let (notify, _) = watch::channel(0u64);
                    Run {
                        id: String::new(),
                        thread_id: String::new(),
                        account_id: String::new(),
                        status: String::new(),
                        started_at: String::new(),
                        completed_at: None,
                        error: None,
                        created_at: String::new(),
                        updated_at: String::new(),
                        agent_id: None,
                        agent_version_id: None,
                        metadata: Value::Null,
                        order: now_order,
                        started: std::time::Instant::now(),
                        ended: None,
                        items: Vec::new(),
                        controls: Vec::new(),
                        paused: false,
                        notify,
                    }
                }
            };
            if run.status == "running" && status != "running" {
                run.ended = Some(std::time::Instant::now());
                run.paused = false;
            }
            run.id = s(&row["id"]);
            run.thread_id = s(&row["thread_id"]);
            run.account_id = account;
            run.status = status;
            run.started_at = s(&row["started_at"]);
            run.completed_at = row["completed_at"].as_str().map(str::to_owned);
            run.error = row["error"].as_str().map(str::to_owned);
            run.created_at = s(&row["created_at"]);
            run.updated_at = s(&row["updated_at"]);
            run.agent_id = row["agent_id"].as_str().map(str::to_owned);
            run.agent_version_id = row["agent_version_id"].as_str().map(str::to_owned);
            run.metadata = row["metadata"].clone();
            run.bump();
            store.runs.insert(run.id.clone(), run);
        }
    }
}

/// Delete a row, with the schema's `ON DELETE CASCADE`s.
fn delete_row(store: &mut Store, table: Table, pk: &str) {
    match table {
        Table::Projects => {
            store.projects.remove(pk);
            let threads: Vec<String> = store
                .threads
                .values()
                .filter(|t| t.project_id == pk)
                .map(|t| t.thread_id.clone())
                .collect();
            for t in threads {
                delete_row(store, Table::Threads, &t);
            }
        }
        Table::Threads => {
            store.threads.remove(pk);
            store.messages.remove(pk);
            store.runs.retain(|_, r| r.thread_id != pk);
        }
        Table::Messages => {
            for rows in store.messages.values_mut() {
                rows.retain(|r| r["message_id"] != pk);
            }
        }
        Table::AgentRuns => {
            store.runs.remove(pk);
        }
    }
}

fn pk_exists(store: &Store, table: Table, pk: &str) -> bool {
    match table {
        Table::Projects => store.projects.contains_key(pk),
        Table::Threads => store.threads.contains_key(pk),
        Table::AgentRuns => store.runs.contains_key(pk),
        Table::Messages => store.messages.values().flatten().any(|r| r["message_id"] == pk),
    }
}

fn fmt_cell(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(true) => "t".to_owned(),
        Value::Bool(false) => "f".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// NOT NULL, then UNIQUE (primary key), then FOREIGN KEY checks of a new or updated row.
fn check_constraints(
    store: &Store,
    table: Table,
    row: &Value,
    old_pk: Option<&str>,
    batch_pks: &[String],
) -> Result<(), PgError> {
    for c in table.cols() {
        if c.not_null && row[c.name].is_null() {
            let failing: Vec<String> = table.cols().iter().map(|c| fmt_cell(&row[c.name])).collect();
            return Err(PgError::new(
                StatusCode::BAD_REQUEST,
                "23502",
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    c.name,
                    table.name()
                ),
            )
            .details(format!("Failing row contains ({}).", failing.join(", "))));
        }
    }
    let pk = s(&row[table.pk()]);
    let changed = old_pk != Some(pk.as_str());
    if changed && (pk_exists(store, table, &pk) || batch_pks.contains(&pk)) {
        return Err(PgError::new(
            StatusCode::CONFLICT,
            "23505",
            format!(
                "duplicate key value violates unique constraint \"{}_pkey\"",
                table.name()
            ),
        )
        .details(format!("Key ({})=({pk}) already exists.", table.pk())));
    }
    let fk = match table {
        Table::Threads => Some(("project_id", Table::Projects)),
        Table::Messages | Table::AgentRuns => Some(("thread_id", Table::Threads)),
        Table::Projects => None,
    };
    if let Some((column, parent)) = fk {
        let value = s(&row[column]);
        if !value.is_empty() && !pk_exists(store, parent, &value) {
            return Err(PgError::new(
                StatusCode::CONFLICT,
                "23503",
                format!(
                    "insert or update on table \"{}\" violates foreign key constraint \"{}_{column}_fkey\"",
                    table.name(),
                    table.name()
                ),
            )
            .details(format!(
                "Key ({column})=({value}) is not present in table \"{}\".",
                parent.name()
            )));
        }
    }
    // A referenced key may not change (ON UPDATE NO ACTION).
    if let Some(old) = old_pk
        && changed
    {
        let referenced = match table {
            Table::Projects => store
                .threads
                .values()
                .any(|t| t.project_id == old)
                .then_some(("threads", "project_id")),
            Table::Threads => (store.messages.get(old).is_some_and(|m| !m.is_empty()))
                .then_some(("messages", "thread_id"))
                .or_else(|| {
                    store
                        .runs
                        .values()
                        .any(|r| r.thread_id == old)
                        .then_some(("agent_runs", "thread_id"))
                }),
            _ => None,
        };
        if let Some((child, column)) = referenced {
            return Err(PgError::new(
                StatusCode::CONFLICT,
                "23503",
                format!(
                    "update or delete on table \"{}\" violates foreign key constraint \"{child}_{column}_fkey\" on table \"{child}\"",
                    table.name()
                ),
            )
            .details(format!(
                "Key ({})=({old}) is still referenced from table \"{child}\".",
                table.pk()
            )));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ request plumbing

#[derive(Debug, Default)]
struct Prefer {
    representation: bool,
    count_exact: bool,
}

fn prefer(headers: &HeaderMap) -> Prefer {
    let mut p = Prefer::default();
    for v in headers.get_all("prefer") {
        for item in v.to_str().unwrap_or("").split(',').map(str::trim) {
            match item {
                "return=representation" => p.representation = true,
                "count=exact" => p.count_exact = true,
                _ => {}
            }
        }
    }
    p
}

fn wants_object(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/vnd.pgrst.object"))
}

fn singular_error(n: usize) -> PgError {
    PgError::new(
        StatusCode::NOT_ACCEPTABLE,
        "PGRST116",
        "JSON object requested, multiple (or no) rows returned",
    )
    .details(format!("The result contains {n} rows"))
}

fn body_response(status: StatusCode, rows: Vec<Value>, singular: bool) -> Response {
    let (value, ct) = if singular {
        (
            rows.into_iter().next().unwrap_or(Value::Null),
            "application/vnd.pgrst.object+json; charset=utf-8",
        )
    } else {
        (Value::Array(rows), "application/json; charset=utf-8")
    };
    let mut resp = json_response(status, &value);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    resp
}

fn content_range(resp: &mut Response, offset: usize, n: usize, total: Option<usize>) {
    let range = if n == 0 {
        "*".to_owned()
    } else {
        format!("{offset}-{}", offset + n - 1)
    };
    let total = total.map_or_else(|| "*".to_owned(), |t| t.to_string());
    if let Ok(v) = HeaderValue::from_str(&format!("{range}/{total}")) {
        resp.headers_mut().insert(header::CONTENT_RANGE, v);
    }
}

fn empty(status: StatusCode) -> Response {
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = status;
    resp
}

fn unknown_table(name: &str) -> PgError {
    PgError::new(
        StatusCode::NOT_FOUND,
        "PGRST205",
        format!("Could not find the table 'public.{name}' in the schema cache"),
    )
}

/// `Range: 0-9` (items) when no `limit`/`offset` is given.
fn apply_range_header(headers: &HeaderMap, q: &mut Query) {
    if q.limit.is_some() || q.offset != 0 {
        return;
    }
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let range = range.trim().trim_start_matches("items=");
    if let Some((a, b)) = range.split_once('-')
        && let Ok(start) = a.trim().parse::<usize>()
    {
        q.offset = start;
        if let Ok(end) = b.trim().parse::<usize>()
            && end >= start
        {
            q.limit = Some((end - start).saturating_add(1));
        }
    }
}

// ------------------------------------------------------------------ handlers

/// Every method on `/rest/v1/{table}`.
pub async fn table(
    State(app): State<Arc<AppState>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(&app, &headers, query.as_deref()) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let Some(table) = Table::from_name(&name) else {
        return unknown_table(&name).into_response();
    };
    let result = match method {
        Method::GET | Method::HEAD => read(&app, &caller, table, query.as_deref(), &headers),
        Method::POST => insert(&app, &caller, table, query.as_deref(), &headers, &body),
        Method::PATCH => update(&app, &caller, table, query.as_deref(), &headers, &body),
        Method::DELETE => remove(&app, &caller, table, query.as_deref(), &headers),
        _ => Err(PgError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "PGRST117",
            format!("Unsupported HTTP method: {method}"),
        )),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn read(
    app: &AppState,
    caller: &Caller,
    table: Table,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, PgError> {
    let mut q = parse_query(table, query)?;
    apply_range_header(headers, &mut q);
    let pref = prefer(headers);
    let store = app.lock();
    let mut rows: Vec<Value> = all_rows(&store, table)
        .into_iter()
        .filter(|r| can_select(&store, caller, table, r))
        .filter(|r| q.filters.iter().all(|f| filter_matches(table, f, r)))
        .collect();
    order_rows(table, &mut rows, &q.order);
    let total = rows.len();
    let page: Vec<Value> = rows
        .iter()
        .skip(q.offset)
        .take(q.limit.unwrap_or(usize::MAX))
        .map(|r| project_select(&store, caller, table, r, &q.select))
        .collect();
    drop(store);
    let singular = wants_object(headers);
    if singular && page.len() != 1 {
        return Err(singular_error(page.len()));
    }
    let n = page.len();
    let status = if pref.count_exact && n < total {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut resp = body_response(status, page, singular);
    content_range(&mut resp, q.offset, n, pref.count_exact.then_some(total));
    Ok(resp)
}

fn parse_body(table: Table, body: &Bytes) -> Result<Vec<Map<String, Value>>, PgError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| PgError::invalid_json())?;
    let objects: Vec<Map<String, Value>> = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Object(m) => Ok(m),
                _ => Err(PgError::invalid_json()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(PgError::invalid_json()),
    };
    if let Some(first) = objects.first() {
        let keys: Vec<&String> = first.keys().collect();
        if objects
            .iter()
            .any(|o| o.len() != keys.len() || !o.keys().all(|k| keys.contains(&k)))
        {
            return Err(PgError::new(
                StatusCode::BAD_REQUEST,
                "PGRST102",
                "All object keys must match",
            ));
        }
        for k in keys {
            if table.col(k).is_none() {
                return Err(PgError::new(
                    StatusCode::BAD_REQUEST,
                    "PGRST204",
                    format!(
                        "Could not find the '{k}' column of '{}' in the schema cache",
                        table.name()
                    ),
                ));
            }
        }
    }
    Ok(objects)
}

fn default_value(table: Table, col: &Col, now: &str) -> Value {
    if col.name == table.pk() {
        return Value::String(new_id());
    }
    match (table, col.name) {
        (_, "created_at" | "updated_at") | (Table::AgentRuns, "started_at") => Value::String(now.to_owned()),
        (Table::Projects, "sandbox") | (Table::Threads | Table::Messages, "metadata") => json!({}),
        (Table::Projects | Table::Threads, "is_public") => Value::Bool(false),
        (Table::Messages, "is_llm_message") => Value::Bool(true),
        (Table::AgentRuns, "status") => Value::String("running".to_owned()),
        _ => Value::Null,
    }
}

fn insert(
    app: &AppState,
    caller: &Caller,
    table: Table,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, PgError> {
    let q = parse_query(table, query)?;
    let objects = parse_body(table, body)?;
    let now = timefmt::now_iso();
    let mut rows = Vec::new();
    for obj in &objects {
        let mut row = Map::new();
        for c in table.cols() {
            let v = match obj.get(c.name) {
                Some(v) => coerce(c, v)?,
                None => default_value(table, c, &now),
            };
            row.insert(c.name.to_owned(), v);
        }
        rows.push(Value::Object(row));
    }
    let mut store = app.lock();
    let mut batch = Vec::new();
    for row in &rows {
        if !can_write(&store, caller, table, row) {
            return Err(PgError::rls(caller, table, false));
        }
        check_constraints(&store, table, row, None, &batch)?;
        batch.push(s(&row[table.pk()]));
    }
    let pref = prefer(headers);
    let singular = wants_object(headers);
    if pref.representation && singular && rows.len() != 1 {
        return Err(singular_error(rows.len()));
    }
    for row in &rows {
        put_row(&mut store, table, None, row);
    }
    if !pref.representation {
        return Ok(empty(StatusCode::CREATED));
    }
    let out: Vec<Value> = rows
        .iter()
        .map(|r| project_select(&store, caller, table, r, &q.select))
        .collect();
    drop(store);
    let mut resp = body_response(StatusCode::CREATED, out, singular);
    content_range(&mut resp, 0, 0, None);
    Ok(resp)
}

/// Rows a write may touch: the filters, and the table's write policy (rows it hides are left alone, as
/// Postgres does for UPDATE and DELETE).
fn targets(store: &Store, caller: &Caller, table: Table, q: &Query) -> Vec<Value> {
    let mut rows: Vec<Value> = all_rows(store, table)
        .into_iter()
        .filter(|r| can_select(store, caller, table, r) && can_write(store, caller, table, r))
        .filter(|r| q.filters.iter().all(|f| filter_matches(table, f, r)))
        .collect();
    order_rows(table, &mut rows, &q.order);
    rows.truncate(q.limit.unwrap_or(usize::MAX));
    rows
}

fn update(
    app: &AppState,
    caller: &Caller,
    table: Table,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, PgError> {
    let q = parse_query(table, query)?;
    let patch = match serde_json::from_slice::<Value>(body).map_err(|_| PgError::invalid_json())? {
        Value::Object(m) => m,
        _ => return Err(PgError::invalid_json()),
    };
    let mut coerced = Map::new();
    for (k, v) in &patch {
        let Some(c) = table.col(k) else {
            return Err(PgError::new(
                StatusCode::BAD_REQUEST,
                "PGRST204",
                format!(
                    "Could not find the '{k}' column of '{}' in the schema cache",
                    table.name()
                ),
            ));
        };
        coerced.insert(k.clone(), coerce(c, v)?);
    }
    if q.filters.is_empty() {
        return Err(PgError::new(
            StatusCode::BAD_REQUEST,
            "21000",
            "UPDATE requires a WHERE clause",
        ));
    }
    let mut store = app.lock();
    let now = timefmt::now_iso();
    let mut changes = Vec::new();
    let mut batch = Vec::new();
    for old in targets(&store, caller, table, &q) {
        let mut new = old.clone();
        if let Some(obj) = new.as_object_mut() {
            for (k, v) in &coerced {
                obj.insert(k.clone(), v.clone());
            }
            // the `update_<table>_updated_at` trigger
            obj.insert("updated_at".to_owned(), Value::String(now.clone()));
        }
        if !can_write(&store, caller, table, &new) {
            return Err(PgError::rls(caller, table, true));
        }
        let old_pk = s(&old[table.pk()]);
        check_constraints(&store, table, &new, Some(&old_pk), &batch)?;
        batch.push(s(&new[table.pk()]));
        changes.push((old_pk, new));
    }
    let pref = prefer(headers);
    let singular = wants_object(headers);
    if pref.representation && singular && changes.len() != 1 {
        return Err(singular_error(changes.len()));
    }
    for (old_pk, new) in &changes {
        put_row(&mut store, table, Some(old_pk), new);
    }
    if !pref.representation {
        return Ok(empty(StatusCode::NO_CONTENT));
    }
    let out: Vec<Value> = changes
        .iter()
        .map(|(_, r)| project_select(&store, caller, table, r, &q.select))
        .collect();
    drop(store);
    let n = out.len();
    let mut resp = body_response(StatusCode::OK, out, singular);
    content_range(&mut resp, 0, n, None);
    Ok(resp)
}

fn remove(
    app: &AppState,
    caller: &Caller,
    table: Table,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, PgError> {
    let q = parse_query(table, query)?;
    if q.filters.is_empty() {
        return Err(PgError::new(
            StatusCode::BAD_REQUEST,
            "21000",
            "DELETE requires a WHERE clause",
        ));
    }
    let mut store = app.lock();
    let rows = targets(&store, caller, table, &q);
    let pref = prefer(headers);
    let singular = wants_object(headers);
    if pref.representation && singular && rows.len() != 1 {
        return Err(singular_error(rows.len()));
    }
    let out: Vec<Value> = rows
        .iter()
        .map(|r| project_select(&store, caller, table, r, &q.select))
        .collect();
    for r in &rows {
        delete_row(&mut store, table, &s(&r[table.pk()]));
    }
    drop(store);
    if !pref.representation {
        return Ok(empty(StatusCode::NO_CONTENT));
    }
    let n = out.len();
    let mut resp = body_response(StatusCode::OK, out, singular);
    content_range(&mut resp, 0, n, None);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_filters_parse() {
        let items = parse_select(Table::Messages, "*,agents:agent_id(name,avatar,avatar_color)").unwrap();
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], SelectItem::Embed { alias, fk: "agent_id", .. } if alias == "agents"));
        assert_eq!(parse_select(Table::Messages, "nope").unwrap_err().0.code, "42703");
        assert_eq!(
            parse_select(Table::Messages, "*,foo(x)").unwrap_err().0.code,
            "PGRST200"
        );
        assert_eq!(
            parse_filter(Table::Threads, "thread_id", "eq.x")
                .unwrap_err()
                .0
                .code,
            "22P02"
        );
        assert_eq!(
            parse_filter(Table::Threads, "bogus", "eq.x").unwrap_err().0.code,
            "42703"
        );
        assert_eq!(
            parse_filter(Table::Threads, "is_public", "like.x")
                .unwrap_err()
                .0
                .code,
            "PGRST100"
        );
        let f = parse_filter(Table::Messages, "type", "in.(user,\"a,b\")").unwrap();
        assert!(filter_matches(Table::Messages, &f, &json!({"type": "a,b"})));
        assert!(!filter_matches(Table::Messages, &f, &json!({"type": "a"})));
        let neq = parse_filter(
            Table::Messages,
            "agent_id",
            "neq.e4f5a6b7-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        )
        .unwrap();
        assert!(
            !filter_matches(Table::Messages, &neq, &json!({"agent_id": null})),
            "NULL <> x is unknown"
        );
        let is_null = parse_filter(Table::Messages, "agent_id", "is.null").unwrap();
        assert!(filter_matches(
            Table::Messages,
            &is_null,
            &json!({"agent_id": null})
        ));
        let not_null = parse_filter(Table::Messages, "agent_id", "not.is.null").unwrap();
        assert!(!filter_matches(
            Table::Messages,
            &not_null,
            &json!({"agent_id": null})
        ));
        let arrow = parse_filter(Table::Projects, "sandbox->>id", "eq.abc").unwrap();
        assert!(filter_matches(
            Table::Projects,
            &arrow,
            &json!({"sandbox": {"id": "abc"}})
        ));
        let ts = parse_filter(Table::Messages, "created_at", "gte.2025-09-25T10:15:02Z").unwrap();
        assert!(filter_matches(
            Table::Messages,
            &ts,
            &json!({"created_at": "2025-09-25T10:15:02.000001+00:00"})
        ));
        assert!(!filter_matches(
            Table::Messages,
            &ts,
            &json!({"created_at": "2025-09-25T10:15:01.999999+00:00"})
        ));
    }

    #[test]
    fn order_puts_nulls_like_postgres() {
        let mut rows = vec![
            json!({"error": "b"}),
            json!({"error": null}),
            json!({"error": "a"}),
        ];
        order_rows(
            Table::AgentRuns,
            &mut rows,
            &parse_order(Table::AgentRuns, "error.asc").unwrap(),
        );
        assert_eq!(
            rows,
            vec![
                json!({"error": "a"}),
                json!({"error": "b"}),
                json!({"error": null})
            ]
        );
        order_rows(
            Table::AgentRuns,
            &mut rows,
            &parse_order(Table::AgentRuns, "error.desc").unwrap(),
        );
        assert_eq!(rows[0], json!({"error": null}));
    }

    #[test]
    fn uuid_and_bool_inputs() {
        assert!(is_uuid("2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b"));
        assert!(is_uuid("2F6E8A1C4B3D4E5F9A7B1C2D3E4F5A6B"));
        assert!(!is_uuid("2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6"));
        assert_eq!(
            canonical_uuid("2F6E8A1C4B3D4E5F9A7B1C2D3E4F5A6B"),
            "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b"
        );
        assert_eq!(pg_bool("t"), Some(true));
        assert_eq!(pg_bool("OFF"), Some(false));
        assert_eq!(pg_bool("maybe"), None);
    }
}
