//! `helium doctor`: the deployment guide's connection test, check by check.

use std::time::{Duration, Instant};

use helium_sdk::config::{NEXT_PUBLIC_BACKEND_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY};
use helium_sdk::{Client, Credentials, HttpUrl, RetryPolicy, Runtime, SupabaseKey};
use serde::Serialize;

use crate::context::{EnvSnapshot, Target, client};
use crate::error::{CliError, EXIT_FAILURE, EXIT_OK};
use crate::output::out_line;
use crate::report::{ConfigReport, SupabaseReport, config_report};

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The result of one check.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Not run (nothing to check); a failure only when `required`.
    Skip,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Short name.
    pub name: &'static str,
    /// Result.
    pub status: Status,
    /// Whether a skip counts as a failure.
    pub required: bool,
    /// What was found.
    pub detail: String,
    /// How to fix a failure (one line).
    pub fix: Option<String>,
    /// Latency of the probe, when one was sent.
    pub latency_ms: Option<u64>,
    /// The backend's component states, when it reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<serde_json::Value>,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Pass,
            required: true,
            detail: detail.into(),
            fix: None,
            latency_ms: None,
            components: None,
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Check::pass(name, detail)
        }
    }

    fn skip(name: &'static str, detail: impl Into<String>, required: bool, fix: Option<String>) -> Check {
        Check {
            status: Status::Skip,
            required,
            fix,
            ..Check::pass(name, detail)
        }
    }

    fn latency(mut self, d: Duration) -> Check {
        self.latency_ms = Some(d.as_millis() as u64);
        self
    }

    /// True when this check makes the doctor fail.
    pub fn failed(&self) -> bool {
        match self.status {
            Status::Pass => false,
            Status::Fail => true,
            Status::Skip => self.required,
        }
    }
}

fn config_check(name: &'static str, report: &ConfigReport) -> Check {
    let errors: Vec<_> = report.problems.iter().filter(|p| p.severity == "error").collect();
    let backend = report
        .backend
        .as_ref()
        .map(|b| format!("backend {} (from {})", b.api_root, b.source))
        .unwrap_or_else(|| "backend invalid".into());
    match errors.first() {
        None => Check::pass(name, format!("{backend}, env mode {}", report.env_mode)),
        Some(first) => {
            let more = if errors.len() > 1 {
                format!(" (+{} more, see `helium config`)", errors.len() - 1)
            } else {
                String::new()
            };
            Check::fail(
                name,
                format!("{}{more}", first.message),
                first.fix.clone().unwrap_or_else(|| "see `helium config`".into()),
            )
        }
    }
}

async fn backend_check(name: &'static str, target: &Target, variable_hint: &str) -> Check {
    let root = target.root();
    let client: Client = match client(target, Credentials::default()) {
        Ok(c) => c.with_retry(RetryPolicy::none()).with_timeout(PROBE_TIMEOUT),
        Err(e) => return Check::fail(name, e.message, e.hint.unwrap_or_default()),
    };
    match crate::commands::timed_health(&client).await {
        Ok((health, latency)) => {
            let components = health
                .components
                .as_ref()
                .and_then(|c| serde_json::to_value(c).ok());
            let detail = format!("{root}: {}", crate::commands::health_summary(&health, latency));
            let mut check = if health.is_ok() {
                Check::pass(name, detail)
            } else {
                Check::fail(
                    name,
                    detail,
                    "the backend reports it is unhealthy: check its logs, Redis and the database",
                )
            };
            check.components = components;
            check.latency(latency)
        }
        Err(e) => {
            let err = CliError::from_sdk(&e, &root);
            Check::fail(
                name,
                err.message,
                format!("start the backend or fix {variable_hint} (`helium devserver` runs a local one)"),
            )
        }
    }
}

async fn supabase_probe(
    name: &'static str,
    http: &reqwest::Client,
    url: String,
    supabase: &SupabaseReport,
) -> Check {
    let start = Instant::now();
    let result = http
        .get(&url)
        .header("apikey", supabase.apikey.0.as_str())
        .timeout(PROBE_TIMEOUT)
        .send()
        .await;
    let latency = start.elapsed();
    match result {
        Ok(resp) if resp.status().is_success() => Check::pass(
            name,
            format!(
                "{url}: HTTP {}, {} ms",
                resp.status().as_u16(),
                latency.as_millis()
            ),
        )
        .latency(latency),
        Ok(resp) if resp.status().as_u16() == 401 || resp.status().as_u16() == 403 => Check::fail(
            name,
            format!(
                "{url}: HTTP {} (the {} key was refused)",
                resp.status().as_u16(),
                supabase.key_kind
            ),
            format!(
                "check {} (Supabase → Project Settings → API)",
                supabase.key_variable
            ),
        )
        .latency(latency),
        Ok(resp) => Check::fail(
            name,
            format!("{url}: HTTP {}", resp.status().as_u16()),
            format!("check that {} is the Supabase project URL", supabase.url_variable),
        )
        .latency(latency),
        Err(e) => {
            let why = if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "connection failed".to_owned()
            } else {
                "request failed".to_owned()
            };
            Check::fail(
                name,
                format!("{url}: {why}"),
                format!(
                    "check {} and that the project is reachable from here",
                    supabase.url_variable
                ),
            )
        }
    }
}

/// The doctor's result.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// True when no check failed.
    pub ok: bool,
    /// The env mode.
    pub env_mode: String,
    /// The checks, in order.
    pub checks: Vec<Check>,
}

/// Runs every check.
pub async fn diagnose(backend_flag: Option<&str>, env: &EnvSnapshot) -> DoctorReport {
    let server = config_report(Runtime::Server, env);
    let client_side = config_report(Runtime::Client, env);
    let local = server.env_mode == "local";
    let mut checks = vec![
        config_check("server configuration", &server),
        config_check("client configuration", &client_side),
    ];

    // Backend health, as the server side reaches it.
    let name = "backend health";
    match Target::resolve(backend_flag, env) {
        Ok(target) => {
            checks.push(backend_check(name, &target, "BACKEND_INTERNAL_URL / NEXT_PUBLIC_BACKEND_URL").await)
        }
        Err(e) => checks.push(Check::skip(
            name,
            format!("no usable backend URL: {}", e.message),
            true,
            e.hint,
        )),
    }

    // The URL the browser uses.
    let name = "frontend backend URL";
    if env.get(NEXT_PUBLIC_BACKEND_URL).is_none() {
        checks.push(Check::skip(
            name,
            "NEXT_PUBLIC_BACKEND_URL is not set: the browser would use http://localhost:8000",
            !local,
            Some("set NEXT_PUBLIC_BACKEND_URL to the backend URL the browser can reach".into()),
        ));
    } else if let Some(b) = &client_side.backend {
        match HttpUrl::parse(&b.url) {
            Ok(url) => {
                let target = Target {
                    api_root: helium_sdk::ApiRoot::from_backend_url(&url),
                    source: NEXT_PUBLIC_BACKEND_URL.into(),
                };
                checks.push(backend_check(name, &target, NEXT_PUBLIC_BACKEND_URL).await);
            }
            Err(problem) => checks.push(Check::fail(
                name,
                format!("NEXT_PUBLIC_BACKEND_URL is not a valid URL: {problem}"),
                "set NEXT_PUBLIC_BACKEND_URL to an absolute http(s) URL",
            )),
        }
    } else {
        checks.push(Check::fail(
            name,
            "NEXT_PUBLIC_BACKEND_URL is invalid (see client configuration)",
            "set NEXT_PUBLIC_BACKEND_URL to an absolute http(s) URL, e.g. https://api.example.com/api",
        ));
    }

    // Supabase: probed with the client side's (anon) key when it resolves, else the server side's.
    let supabase = client_side.supabase.as_ref().or(server.supabase.as_ref());
    let any_supabase_var = [
        "SUPABASE_URL",
        "NEXT_PUBLIC_SUPABASE_URL",
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_ANON_KEY",
        NEXT_PUBLIC_SUPABASE_ANON_KEY,
    ]
    .iter()
    .any(|v| env.get(v).is_some());
    let required = !local || any_supabase_var;
    match (
        supabase,
        reqwest::Client::builder().connect_timeout(PROBE_TIMEOUT).build(),
    ) {
        (Some(s), Ok(http)) => {
            checks.push(supabase_probe("supabase REST", &http, format!("{}/", s.rest_url), s).await);
            checks.push(supabase_probe("supabase auth", &http, format!("{}/health", s.auth_url), s).await);
        }
        (Some(_), Err(_)) => checks.push(Check::fail(
            "supabase REST",
            "could not create an HTTP client",
            "check the system's TLS setup",
        )),
        (None, _) => {
            let why = if any_supabase_var {
                "Supabase is configured with errors (see the configuration checks)"
            } else {
                "Supabase is not configured"
            };
            let fix = Some("set NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY".to_owned());
            checks.push(Check::skip("supabase REST", why, required, fix.clone()));
            checks.push(Check::skip("supabase auth", why, required, fix));
        }
    }

    // A secret key where the browser can see it.
    let name = "no secret key on the client side";
    match env.get(NEXT_PUBLIC_SUPABASE_ANON_KEY).map(SupabaseKey::parse) {
        None => checks.push(Check::skip(
            name,
            "NEXT_PUBLIC_SUPABASE_ANON_KEY is not set",
            false,
            None,
        )),
        Some(Err(_)) => checks.push(Check::fail(
            name,
            "NEXT_PUBLIC_SUPABASE_ANON_KEY is not a valid Supabase key",
            "set it to the anon or sb_publishable_ key",
        )),
        Some(Ok(k)) if k.kind().is_secret() => checks.push(Check::fail(
            name,
            format!(
                "NEXT_PUBLIC_SUPABASE_ANON_KEY holds a {} key, which reaches every browser",
                k.kind().label()
            ),
            "put the anon or sb_publishable_ key there and rotate the exposed secret key",
        )),
        Some(Ok(k)) => checks.push(Check::pass(
            name,
            format!(
                "NEXT_PUBLIC_SUPABASE_ANON_KEY is a {} key (fingerprint {})",
                k.kind().label(),
                k.fingerprint()
            ),
        )),
    }

    // Plain http in production.
    let name = "https in production";
    if server.env_mode == "production" {
        let insecure: Vec<&str> = server
            .problems
            .iter()
            .chain(&client_side.problems)
            .filter(|p| p.code == "insecure_url")
            .filter_map(|p| p.variable)
            .collect();
        if insecure.is_empty() {
            checks.push(Check::pass(
                name,
                "every configured URL uses https (or a loopback host)",
            ));
        } else {
            let mut vars = insecure.clone();
            vars.dedup();
            checks.push(Check::fail(
                name,
                format!("plain http:// in production: {}", vars.join(", ")),
                "use https:// URLs in production",
            ));
        }
    } else {
        checks.push(Check::skip(
            name,
            format!("env mode is {}: plain http is allowed", server.env_mode),
            false,
            None,
        ));
    }

    DoctorReport {
        ok: !checks.iter().any(Check::failed),
        env_mode: server.env_mode.to_owned(),
        checks,
    }
}

/// `helium doctor`.
pub(crate) async fn doctor(json: bool, backend: Option<&str>, env: &EnvSnapshot) -> Result<u8, CliError> {
    let report = diagnose(backend, env).await;
    if json {
        out_line(&serde_json::to_string(&report).unwrap_or_else(|_| "{}".into()));
    } else {
        out_line(&format!("helium doctor (env mode {})", report.env_mode));
        for c in &report.checks {
            let mark = match (&c.status, c.required) {
                (Status::Pass, _) => "✓",
                (Status::Fail, _) | (Status::Skip, true) => "✗",
                (Status::Skip, false) => "–",
            };
            let skipped = if c.status == Status::Skip { "skipped: " } else { "" };
            out_line(&format!("{mark} {}: {skipped}{}", c.name, c.detail));
            if c.failed()
                && let Some(fix) = &c.fix
            {
                out_line(&format!("    fix: {fix}"));
            }
        }
        let failed = report.checks.iter().filter(|c| c.failed()).count();
        let skipped = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Skip && !c.required)
            .count();
        if failed == 0 {
            out_line(&format!("all required checks passed ({skipped} skipped)"));
        } else {
            out_line(&format!("{failed} of {} checks failed", report.checks.len()));
        }
    }
    Ok(if report.ok { EXIT_OK } else { EXIT_FAILURE })
}
