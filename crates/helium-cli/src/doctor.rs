//! `helium doctor`: what breaks first in a real deployment, check by check (the deployment guide's
//! `test-connections.sh`, and more): the configuration of both runtimes, the backend's health, Redis and the
//! database, the URL and CORS policy the browser meets, Supabase.

use std::time::{Duration, Instant};

use helium_sdk::config::NEXT_PUBLIC_BACKEND_URL;
use helium_sdk::models::HealthResponse;
use helium_sdk::{ApiRoot, BACKEND_CORS_HEADERS, Client, HttpUrl, RetryPolicy, Runtime};
use serde::Serialize;

use crate::context::{Auth, EnvSnapshot, Target, client};
use crate::error::{CliError, EXIT_OK};
use crate::output::out_line;
use crate::report::{ConfigReport, SupabaseReport, config_report};

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `NEXT_PUBLIC_URL`: the frontend's public origin (contract §2.1), whose CORS preflight the doctor sends.
pub const NEXT_PUBLIC_URL: &str = "NEXT_PUBLIC_URL";
/// The frontend origin when `NEXT_PUBLIC_URL` is unset (the guide's local setup).
const DEFAULT_FRONTEND_ORIGIN: &str = "http://localhost:3000";
/// The request headers the SDK's browser client sends to the backend (a JSON call with a token).
const BROWSER_HEADERS: &str = "authorization,content-type";

/// The result of one check.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Passed.
    Pass,
    /// Works, but something is likely to break or is unsafe.
    Warn,
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
    /// How to fix a failure or a warning (one line).
    pub fix: Option<String>,
    /// Latency of the probe, when one was sent.
    pub latency_ms: Option<u64>,
    /// The backend's component states, when it reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<serde_json::Value>,
}

impl Check {
    fn new(name: &'static str, status: Status, detail: impl Into<String>, fix: Option<String>) -> Check {
        Check {
            name,
            status,
            required: true,
            detail: detail.into(),
            fix,
            latency_ms: None,
            components: None,
        }
    }

    fn pass(name: &'static str, detail: impl Into<String>) -> Check {
        Check::new(name, Status::Pass, detail, None)
    }

    fn warn(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(name, Status::Warn, detail, Some(fix.into()))
    }

    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(name, Status::Fail, detail, Some(fix.into()))
    }

    fn skip(name: &'static str, detail: impl Into<String>, required: bool, fix: Option<String>) -> Check {
        Check {
            required,
            ..Check::new(name, Status::Skip, detail, fix)
        }
    }

    fn latency(mut self, d: Duration) -> Check {
        self.latency_ms = Some(d.as_millis() as u64);
        self
    }

    /// True when this check makes the doctor fail.
    pub fn failed(&self) -> bool {
        match self.status {
            Status::Pass | Status::Warn => false,
            Status::Fail => true,
            Status::Skip => self.required,
        }
    }
}

/// A configuration check: fail on the first error, warn on the first warning, else pass.
fn config_check(name: &'static str, report: &ConfigReport) -> Check {
    let backend = report
        .backend
        .as_ref()
        .map(|b| format!("backend {} (from {})", b.api_root, b.source))
        .unwrap_or_else(|| "backend invalid".into());
    let first = |severity: &str| {
        report
            .problems
            .iter()
            .filter(|p| p.severity == severity)
            .collect::<Vec<_>>()
    };
    let (errors, warnings) = (first("error"), first("warning"));
    let more = |n: usize| {
        if n > 1 {
            format!(" (+{} more, see `helium config`)", n - 1)
        } else {
            String::new()
        }
    };
    if let Some(e) = errors.first() {
        return Check::fail(
            name,
            format!("{}{}", e.message, more(errors.len())),
            e.fix.clone().unwrap_or_else(|| "see `helium config`".into()),
        );
    }
    // "Supabase is not configured" is a warning the Supabase checks report themselves.
    let warnings: Vec<_> = warnings
        .into_iter()
        .filter(|w| w.code != "supabase_not_configured")
        .collect();
    match warnings.first() {
        Some(w) => Check::warn(
            name,
            format!("{}{}", w.message, more(warnings.len())),
            w.fix.clone().unwrap_or_else(|| "see `helium config`".into()),
        ),
        None => Check::pass(name, format!("{backend}, env mode {}", report.env_mode)),
    }
}

fn probe_client(target: &Target, env: &EnvSnapshot) -> Result<Client, Box<Check>> {
    client(target, Auth::None, env)
        .map(|c| c.with_retry(RetryPolicy::none()).with_timeout(PROBE_TIMEOUT))
        .map_err(|e| Box::new(Check::fail("backend", e.message, e.hint.unwrap_or_default())))
}

async fn health_check(
    name: &'static str,
    client: &Client,
    docker: bool,
    variable_hint: &str,
) -> (Check, Option<HealthResponse>) {
    let root = client.api_root().to_string();
    let start = Instant::now();
    let result = if docker {
        client.health_docker().await
    } else {
        client.health().await
    };
    let latency = start.elapsed();
    match result {
        Ok(health) => {
            let components = health.components.as_ref().and_then(|c| serde_json::to_value(c).ok());
            let detail = format!("{root}: {}", crate::commands::health_summary(&health, latency));
            let mut check = if health.is_ok() {
                Check::pass(name, detail)
            } else {
                Check::fail(name, detail, "the backend reports it is unhealthy: check its logs, Redis and the database")
            };
            check.components = components;
            (check.latency(latency), Some(health))
        }
        Err(e) if docker && e.status().is_some_and(|s| s >= 500) => (
            Check::fail(
                name,
                format!("{root}/health-docker: {}", crate::error::one_line(&e.to_string())),
                "the backend cannot reach Redis or the database: check REDIS_HOST/REDIS_PORT, SUPABASE_URL and the backend's logs",
            )
            .latency(latency),
            None,
        ),
        Err(e) => {
            let err = CliError::from_sdk(&e, &root);
            (
                Check::fail(
                    name,
                    err.message,
                    format!("start the backend or fix {variable_hint} (`helium devserver` runs a local one)"),
                )
                .latency(latency),
                None,
            )
        }
    }
}

/// A CORS preflight from the frontend's origin, asking for exactly the headers the browser client sends.
async fn cors_check(
    http: &reqwest::Client,
    root: &ApiRoot,
    origin: &str,
    health: Option<&HealthResponse>,
) -> Check {
    let name = "CORS preflight";
    let url = root.endpoint("/health");
    let start = Instant::now();
    let result = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", BROWSER_HEADERS)
        .timeout(PROBE_TIMEOUT)
        .send()
        .await;
    let latency = start.elapsed();
    let listed = health
        .and_then(|h| h.cors_origins.as_ref())
        .map(|origins| origins.iter().any(|o| o == origin));
    let fix_origin = format!(
        "add {origin} to the backend's CORS allow_origins (P:backend/api.py), or set {NEXT_PUBLIC_URL} to the frontend's real origin"
    );
    match result {
        Err(e) => Check::fail(
            name,
            format!(
                "OPTIONS {url} from {origin}: {}",
                crate::error::one_line(&e.without_url().to_string())
            ),
            "check that the backend URL is reachable from here",
        ),
        Ok(resp) => {
            let status = resp.status().as_u16();
            let allow_origin = resp
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.text().await.unwrap_or_default();
            let ok_origin = allow_origin.as_deref() == Some(origin) || allow_origin.as_deref() == Some("*");
            if status == 200 && ok_origin {
                let note = match listed {
                    Some(false) => " (not in the cors_origins /health reports, but allowed)",
                    _ => "",
                };
                Check::pass(
                    name,
                    format!("{origin} may call {url} with {BROWSER_HEADERS}{note}"),
                )
                .latency(latency)
            } else if body.contains("headers") {
                Check::fail(
                    name,
                    format!("the backend refuses the headers the browser client sends ({BROWSER_HEADERS}): HTTP {status} {body:?}"),
                    format!("allow {BROWSER_HEADERS} in the backend's CORS allow_headers (it must include {})", BACKEND_CORS_HEADERS.join(", ")),
                )
                .latency(latency)
            } else {
                let listed = match listed {
                    Some(false) => "; /health's cors_origins does not list it",
                    _ => "",
                };
                Check::fail(
                    name,
                    format!(
                        "the backend refuses the origin {origin}: HTTP {status}{}{listed}",
                        if body.is_empty() {
                            String::new()
                        } else {
                            format!(" {body:?}")
                        }
                    ),
                    fix_origin,
                )
                .latency(latency)
            }
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
                "timed out"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
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
    let http = reqwest::Client::builder()
        .connect_timeout(PROBE_TIMEOUT)
        .build()
        .ok();

    // The backend as the server side reaches it: health, then Redis and the database.
    let mut health = None;
    match Target::resolve(backend_flag, env).map(|t| probe_client(&t, env)) {
        Ok(Ok(c)) => {
            let hint = "BACKEND_INTERNAL_URL / NEXT_PUBLIC_BACKEND_URL";
            let (check, h) = health_check("backend health", &c, false, hint).await;
            let reachable = h.is_some();
            health = h;
            checks.push(check);
            if reachable {
                checks.push(health_check("redis and database", &c, true, hint).await.0);
            } else {
                checks.push(Check::skip(
                    "redis and database",
                    "the backend is not reachable",
                    true,
                    None,
                ));
            }
        }
        Ok(Err(check)) => checks.push(*check),
        Err(e) => checks.push(Check::skip(
            "backend health",
            format!("no usable backend URL: {}", e.message),
            true,
            e.hint,
        )),
    }

    // The URL and CORS policy the browser meets.
    let name = "frontend backend URL";
    let browser_root = match (env.get(NEXT_PUBLIC_BACKEND_URL), &client_side.backend) {
        (None, _) => {
            checks.push(Check::skip(
                name,
                "NEXT_PUBLIC_BACKEND_URL is not set: the browser would use http://localhost:8000",
                !local,
                Some(
                    "set NEXT_PUBLIC_BACKEND_URL to the backend URL the browser can reach, ending in /api"
                        .into(),
                ),
            ));
            client_side
                .backend
                .as_ref()
                .and_then(|b| HttpUrl::parse(&b.url).ok())
                .map(|u| ApiRoot::from_backend_url(&u))
        }
        (Some(_), Some(b)) => match HttpUrl::parse(&b.url) {
            Ok(url) => {
                let target = Target {
                    api_root: ApiRoot::from_backend_url(&url),
                    source: NEXT_PUBLIC_BACKEND_URL.into(),
                };
                let mut check = match probe_client(&target, env) {
                    Ok(c) => health_check(name, &c, false, NEXT_PUBLIC_BACKEND_URL).await.0,
                    Err(check) => *check,
                };
                if check.status == Status::Pass && !(url.path() == "/api" || url.path().ends_with("/api")) {
                    check = Check::warn(
                        name,
                        format!(
                            "{}; but NEXT_PUBLIC_BACKEND_URL does not end in /api, which the frontend's own code needs",
                            check.detail
                        ),
                        "append /api to NEXT_PUBLIC_BACKEND_URL, e.g. https://api.example.com/api",
                    );
                }
                checks.push(check);
                Some(target.api_root)
            }
            Err(problem) => {
                checks.push(Check::fail(
                    name,
                    format!("NEXT_PUBLIC_BACKEND_URL is not a valid URL: {problem}"),
                    "set NEXT_PUBLIC_BACKEND_URL to an absolute http(s) URL",
                ));
                None
            }
        },
        (Some(_), None) => {
            checks.push(Check::fail(
                name,
                "NEXT_PUBLIC_BACKEND_URL is invalid (see client configuration)",
                "set NEXT_PUBLIC_BACKEND_URL to an absolute http(s) URL, e.g. https://api.example.com/api",
            ));
            None
        }
    };
    let origin = env
        .get(NEXT_PUBLIC_URL)
        .unwrap_or(DEFAULT_FRONTEND_ORIGIN)
        .trim_end_matches('/')
        .to_owned();
    match (&browser_root, &http) {
        (Some(root), Some(http)) => checks.push(cors_check(http, root, &origin, health.as_ref()).await),
        _ => checks.push(Check::skip(
            "CORS preflight",
            "no usable browser-side backend URL",
            true,
            None,
        )),
    }

    // Supabase: probed with the client side's (anon) key when it resolves, else the server side's.
    let supabase = client_side.supabase.as_ref().or(server.supabase.as_ref());
    let any_supabase_var = [
        "SUPABASE_URL",
        "NEXT_PUBLIC_SUPABASE_URL",
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_ANON_KEY",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    ]
    .iter()
    .any(|v| env.get(v).is_some());
    let required = !local || any_supabase_var;
    match (supabase, &http) {
        (Some(s), Some(http)) => {
            checks.push(supabase_probe("supabase REST", http, format!("{}/", s.rest_url), s).await);
            checks.push(supabase_probe("supabase auth", http, format!("{}/health", s.auth_url), s).await);
        }
        (Some(_), None) => checks.push(Check::fail(
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

    // A secret key where the browser can see it (the configuration checks name it too; this is the one to act on).
    let name = "no secret key on the client side";
    let public_key = server
        .keys
        .iter()
        .find(|k| k.variable == "NEXT_PUBLIC_SUPABASE_ANON_KEY");
    checks.push(match public_key {
        None => Check::skip(name, "NEXT_PUBLIC_SUPABASE_ANON_KEY is not set", false, None),
        Some(k) if k.kind.is_none() => Check::fail(
            name,
            "NEXT_PUBLIC_SUPABASE_ANON_KEY is not a valid Supabase key",
            "set it to the anon or sb_publishable_ key",
        ),
        Some(k) if k.secret => Check::fail(
            name,
            format!(
                "NEXT_PUBLIC_SUPABASE_ANON_KEY holds a {} key, which reaches every browser",
                k.kind.unwrap_or("secret")
            ),
            "put the anon or sb_publishable_ key there and rotate the exposed secret key",
        ),
        Some(k) => Check::pass(
            name,
            format!(
                "NEXT_PUBLIC_SUPABASE_ANON_KEY is a public key ({}, fingerprint {})",
                k.kind.unwrap_or("?"),
                k.fingerprint.as_deref().unwrap_or("?")
            ),
        ),
    });

    // Plain http in production, for the URLs browsers use.
    let name = "https in production";
    if server.env_mode == "production" {
        let mut insecure: Vec<&str> = server
            .problems
            .iter()
            .chain(&client_side.problems)
            .filter(|p| p.code == "insecure_url")
            .filter_map(|p| p.variable)
            .collect();
        insecure.sort_unstable();
        insecure.dedup();
        checks.push(if insecure.is_empty() {
            Check::pass(name, "every browser-facing URL uses https (or a loopback host)")
        } else {
            Check::fail(
                name,
                format!("plain http:// in production: {}", insecure.join(", ")),
                "use https:// URLs in production",
            )
        });
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
    let failed = report.checks.iter().filter(|c| c.failed()).count();
    if json {
        out_line(&serde_json::to_string(&report).unwrap_or_else(|_| "{}".into()));
    } else {
        out_line(&format!("helium doctor (env mode {})", report.env_mode));
        for c in &report.checks {
            let mark = match (c.status, c.required) {
                (Status::Pass, _) => "✓",
                (Status::Warn, _) => "!",
                (Status::Fail, _) | (Status::Skip, true) => "✗",
                (Status::Skip, false) => "–",
            };
            let skipped = if c.status == Status::Skip { "skipped: " } else { "" };
            out_line(&format!("{mark} {}: {skipped}{}", c.name, c.detail));
            if (c.failed() || c.status == Status::Warn)
                && let Some(fix) = &c.fix
            {
                out_line(&format!("    fix: {fix}"));
            }
        }
        let warned = report.checks.iter().filter(|c| c.status == Status::Warn).count();
        let skipped = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Skip && !c.required)
            .count();
        if failed == 0 {
            out_line(&format!(
                "all required checks passed ({warned} warning(s), {skipped} skipped)"
            ));
        } else {
            out_line(&format!("{failed} of {} checks failed", report.checks.len()));
        }
    }
    if failed > 0 {
        // Say why on stderr too, so a non-zero exit is never silent (also with --json).
        let names: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.failed())
            .map(|c| c.name)
            .collect();
        return Err(
            CliError::new(format!("{failed} check(s) failed: {}", names.join(", ")))
                .hint("run `helium doctor` without --json for the fixes"),
        );
    }
    Ok(EXIT_OK)
}
