//! In-memory state: projects, threads, messages, agent runs, sandboxes and API keys.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::cors::CorsPolicy;
use crate::faults::FaultRegistry;
use crate::{EnvMode, pyjson, timefmt};

/// Settings derived from [`crate::DevServerOptions`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Env mode (`local|staging|production`).
    pub env_mode: EnvMode,
    /// Delay between scripted stream items.
    pub pace: Duration,
    /// Parallel run limit (production only).
    pub max_parallel_runs: usize,
    /// HMAC key for API-key secrets.
    pub api_key_secret: String,
    /// How long a finished run keeps its stored stream items.
    pub response_ttl: Duration,
    /// Runs a staging user may start before the 402 billing gate closes.
    pub staging_free_runs: u32,
    /// Feature flags reported by `/feature-flags`.
    pub feature_flags: Vec<(String, bool)>,
    /// HS256 secret of the dev Supabase project.
    pub jwt_secret: String,
    /// Agent-count limit (staging, production).
    pub agent_limit: usize,
    /// Public API v1: requests per window and the window.
    pub public_rate_limit: u32,
    /// Public API v1 rate-limit window.
    pub public_rate_window: Duration,
    /// Public API v1 upload limits.
    pub public_file_limits: crate::PublicFileLimits,
    /// `KORTIX_ADMIN_API_KEY`, if configured.
    pub admin_api_key: Option<String>,
}

/// Shared server state.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub config: Config,
    /// Mutable data.
    pub store: Mutex<Store>,
    /// Fault schedule and counters.
    pub faults: FaultRegistry,
    /// CORS allow-list.
    pub cors: CorsPolicy,
    /// Server start, for `at_ms` in the request log.
    pub started: Instant,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// `http://HOST:PORT` of the listener (the dev Supabase URL too).
    pub base_url: String,
    /// Agent-run streams whose body is still being sent (`GET /__devserver/streams`).
    pub open_streams: std::sync::atomic::AtomicUsize,
    /// TCP connections accepted since the start (`GET /__devserver/connections`).
    pub connections_accepted: std::sync::atomic::AtomicU64,
    /// TCP connections open right now.
    pub connections_open: std::sync::atomic::AtomicUsize,
}

impl AppState {
    /// Lock the store (a poisoned lock is recovered, never a panic).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A project row.
#[derive(Debug, Clone)]
pub struct Project {
    pub project_id: String,
    pub name: String,
    pub description: Option<String>,
    pub account_id: String,
    /// `{id, pass, vnc_preview, sandbox_url, token}` or `{}`.
    pub sandbox: Value,
    pub is_public: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Insertion order (rows without `order=` are listed in it).
    pub order: u64,
}

impl Project {
    /// The sandbox id, if the project has one.
    pub fn sandbox_id(&self) -> Option<&str> {
        self.sandbox.get("id").and_then(Value::as_str)
    }
    /// The `project` object of `/threads` responses.
    pub fn to_json(&self) -> Value {
        json!({
            "project_id": self.project_id, "name": self.name, "description": self.description,
            "sandbox": self.sandbox, "is_public": self.is_public,
            "created_at": self.created_at, "updated_at": self.updated_at,
        })
    }
}

/// A thread row. `account_id` and `project_id` are nullable columns: an empty string stands for SQL `NULL`.
#[derive(Debug, Clone)]
pub struct Thread {
    pub thread_id: String,
    pub account_id: String,
    pub project_id: String,
    pub is_public: bool,
    pub created_at: String,
    pub updated_at: String,
    pub metadata: Value,
    pub order: u64,
}

/// An agent run row plus its Redis-like response list and control channel.
#[derive(Debug)]
pub struct Run {
    pub id: String,
    pub thread_id: String,
    pub account_id: String,
    pub status: String,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub agent_id: Option<String>,
    pub agent_version_id: Option<String>,
    pub metadata: Value,
    pub order: u64,
    pub started: Instant,
    pub ended: Option<Instant>,
    /// Stored stream items (already serialised with Python spacing).
    pub items: Vec<String>,
    /// Control signals published so far (`STOP`, `ERROR`, `END_STREAM`).
    pub controls: Vec<String>,
    pub paused: bool,
    /// Bumped on every change; streams and the runner wait on it.
    pub notify: watch::Sender<u64>,
}

impl Run {
    /// Wake everything that waits on this run.
    pub fn bump(&self) {
        self.notify.send_modify(|v| *v = v.wrapping_add(1));
    }
    /// Whether the DB status is `running`.
    pub fn is_running(&self) -> bool {
        self.status == "running"
    }
    /// Set a final DB status.
    pub fn finish(&mut self, status: &str, error: Option<String>) {
        let now = timefmt::now_iso();
        self.status = status.to_owned();
        self.completed_at = Some(now.clone());
        self.updated_at = now;
        self.error = error;
        self.ended = Some(Instant::now());
        self.paused = false;
        self.bump();
    }
}

/// One sandbox file.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub data: Bytes,
    pub mod_time: String,
}

/// A sandbox with its files, keyed by absolute path.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub id: String,
    pub project_id: String,
    pub files: BTreeMap<String, FileEntry>,
}

/// An API key row.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub key_id: String,
    pub public_key: String,
    pub secret_hash: String,
    pub title: String,
    pub description: Option<String>,
    pub revoked: bool,
    pub expires_at: Option<SystemTime>,
    pub last_used_at: Option<String>,
    pub created_at: String,
    pub account_id: String,
}

impl ApiKey {
    /// `active`, `revoked` or `expired`.
    pub fn status(&self) -> &'static str {
        if self.revoked {
            "revoked"
        } else if self.expires_at.is_some_and(|t| t <= SystemTime::now()) {
            "expired"
        } else {
            "active"
        }
    }
}

/// A custom agent: its row (`agent_id`, `name`, `description`, `avatar`, `avatar_color`, `profile_image_url`,
/// `is_default`, `is_public`, `tags`, `metadata`, `created_at`, `updated_at`, `current_version_id`) and its versions
/// (`AgentVersion` objects, oldest first).
#[derive(Debug, Clone)]
pub struct Agent {
    pub account_id: String,
    pub row: Value,
    pub versions: Vec<Value>,
}

/// A user's dev billing: a subscription made by the checkout routes, and purchased credits (dollars).
#[derive(Debug, Clone, Default)]
pub struct Billing {
    /// `{id, price_id, plan_name, status, cancel_at_period_end, current_period_end (epoch), commitment_type, created}`.
    pub subscription: Option<Value>,
    /// Dollars of credits bought.
    pub credits_purchased: f64,
    /// Purchases, newest last: `{id, amount, status, created_at, description}`.
    pub purchases: Vec<Value>,
}

/// All mutable data.
#[derive(Debug, Default)]
pub struct Store {
    pub projects: HashMap<String, Project>,
    pub threads: HashMap<String, Thread>,
    pub runs: HashMap<String, Run>,
    pub sandboxes: HashMap<String, Sandbox>,
    pub api_keys: Vec<ApiKey>,
    /// Runs started per user (the scripted "usage" behind billing).
    pub runs_started: HashMap<String, u32>,
    /// Message rows per thread, in insertion order.
    pub messages: HashMap<String, Vec<Value>>,
    /// Custom agents (the `custom_agents` flag on), in creation order.
    pub agents: Vec<Agent>,
    /// Uploaded agent profile images by object name: (content type, bytes).
    pub images: HashMap<String, (String, Bytes)>,
    /// Public API v1 keys (`he-…`) → user id.
    pub public_keys: HashMap<String, String>,
    /// Public API v1 rate-limit windows per caller: (window end, epoch seconds; requests counted).
    pub rate_windows: HashMap<String, (u64, u32)>,
    /// Dev billing per user (subscription, credits).
    pub billing: HashMap<String, Billing>,
    seq: u64,
}

/// Columns of the `messages` table, in order.
pub const MESSAGE_COLUMNS: [&str; 10] = [
    "message_id",
    "thread_id",
    "type",
    "is_llm_message",
    "content",
    "metadata",
    "created_at",
    "updated_at",
    "agent_id",
    "agent_version_id",
];

/// A `messages` row with its keys in column order; missing columns get the table defaults.
pub fn message_row(row: Value) -> Value {
    let now = timefmt::now_iso();
    let mut out = serde_json::Map::new();
    for col in MESSAGE_COLUMNS {
        let v = row.get(col).cloned().unwrap_or_else(|| match col {
            "message_id" => Value::String(new_id()),
            "is_llm_message" => Value::Bool(true),
            "metadata" => json!({}),
            "created_at" | "updated_at" => Value::String(now.clone()),
            _ => Value::Null,
        });
        out.insert(col.to_owned(), v);
    }
    Value::Object(out)
}

/// A fresh v4 UUID string.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Store {
    /// Monotonic counter used to order rows created in the same microsecond.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Create a sandbox for a project and attach it.
    pub fn create_sandbox(&mut self, project_id: &str) -> String {
        let id = new_id();
        let sandbox = json!({
            "id": id,
            "pass": new_id(),
            "vnc_preview": format!("https://6080-{id}.proxy.daytona.works"),
            "sandbox_url": format!("https://8080-{id}.proxy.daytona.works"),
            "token": format!("dtn_{}", &new_id().replace('-', "")[..12]),
        });
        if let Some(p) = self.projects.get_mut(project_id) {
            p.sandbox = sandbox;
            p.updated_at = timefmt::now_iso();
        }
        self.sandboxes.insert(
            id.clone(),
            Sandbox {
                id: id.clone(),
                project_id: project_id.to_owned(),
                files: BTreeMap::new(),
            },
        );
        id
    }

    /// Write a file into a sandbox.
    pub fn write_file(&mut self, sandbox_id: &str, path: &str, data: Bytes) {
        if let Some(sb) = self.sandboxes.get_mut(sandbox_id) {
            let mod_time = timefmt::go_time(SystemTime::now());
            sb.files.insert(path.to_owned(), FileEntry { data, mod_time });
        }
    }

    /// Add a message row to a thread (keys put in the table's column order, missing columns defaulted).
    pub fn add_message(&mut self, thread_id: &str, row: Value) {
        self.messages
            .entry(thread_id.to_owned())
            .or_default()
            .push(message_row(row));
    }

    /// Insert a project row owned by `account_id`; returns its id.
    pub fn create_project(&mut self, account_id: &str, name: &str) -> String {
        let project_id = new_id();
        let now = timefmt::now_iso();
        let order = self.next_seq();
        self.projects.insert(
            project_id.clone(),
            Project {
                project_id: project_id.clone(),
                name: name.to_owned(),
                description: None,
                account_id: account_id.to_owned(),
                sandbox: json!({}),
                is_public: false,
                created_at: now.clone(),
                updated_at: now,
                order,
            },
        );
        project_id
    }

    /// Insert a thread row of `account_id` in `project_id`; returns its id.
    pub fn create_thread(&mut self, account_id: &str, project_id: &str) -> String {
        let thread_id = new_id();
        let now = timefmt::now_iso();
        let order = self.next_seq();
        self.threads.insert(
            thread_id.clone(),
            Thread {
                thread_id: thread_id.clone(),
                account_id: account_id.to_owned(),
                project_id: project_id.to_owned(),
                is_public: false,
                created_at: now.clone(),
                updated_at: now,
                metadata: json!({}),
                order,
            },
        );
        thread_id
    }

    /// Messages of a thread ordered like `ORDER BY created_at` (ties keep insertion order).
    pub fn thread_messages(&self, thread_id: &str) -> Vec<Value> {
        let mut rows = self.messages.get(thread_id).cloned().unwrap_or_default();
        rows.sort_by(|a, b| {
            timefmt::ts_key(a["created_at"].as_str().unwrap_or(""))
                .cmp(&timefmt::ts_key(b["created_at"].as_str().unwrap_or("")))
        });
        rows
    }

    /// Append an item to a run's response list (like `RPUSH` + publish `new`).
    /// Saved message objects (those with a `message_id`) are also stored as thread messages,
    /// with `content`/`metadata` decoded back to JSON objects as in the database.
    pub fn push_item(&mut self, run_id: &str, item: &Value) {
        let Some(run) = self.runs.get_mut(run_id) else {
            return;
        };
        run.items.push(pyjson::dumps(item));
        run.bump();
        let thread_id = run.thread_id.clone();
        if item.get("message_id").is_some_and(|m| !m.is_null()) {
            let mut row = item.clone();
            if let Some(obj) = row.as_object_mut() {
                for key in ["content", "metadata"] {
                    let decoded = obj
                        .get(key)
                        .and_then(Value::as_str)
                        .and_then(|s| serde_json::from_str::<Value>(s).ok());
                    if let Some(decoded) = decoded {
                        obj.insert(key.to_owned(), decoded);
                    }
                }
            }
            self.add_message(&thread_id, row);
        }
    }

    /// Publish a control signal to live streams of a run.
    pub fn publish_control(&mut self, run_id: &str, signal: &str) {
        if let Some(run) = self.runs.get_mut(run_id) {
            run.controls.push(signal.to_owned());
            run.bump();
        }
    }

    /// Ids of a user's runs that count against the parallel-run limit.
    pub fn running_threads_of(&self, account_id: &str) -> Vec<String> {
        let day = Duration::from_secs(86_400);
        let mut runs: Vec<&Run> = self
            .runs
            .values()
            .filter(|r| r.account_id == account_id && r.is_running() && r.started.elapsed() < day)
            .collect();
        runs.sort_by_key(|r| r.order);
        runs.iter().map(|r| r.thread_id.clone()).collect()
    }
}
