//! [`Config::diagnose`]: every configuration problem of a runtime at once, with its severity, the variable to
//! fix and how. `helium config`, `helium doctor` and JavaScript's `diagnoseConfig()` render this; none of them
//! repeats the rules.

use serde::Serialize;

use super::{
    BACKEND_INTERNAL_URL, BackendUrl, Config, ENV_MODE, Env, EnvMode, KeyKind, NEXT_PUBLIC_BACKEND_URL,
    NEXT_PUBLIC_ENV_MODE, NEXT_PUBLIC_SUPABASE_ANON_KEY, NEXT_PUBLIC_SUPABASE_URL, Runtime,
    SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_URL, Scheme, SupabaseConfig, SupabaseKey,
    resolve_backend_url,
};
use crate::error::ConfigError;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The configuration cannot be used as it is.
    Error,
    /// It works, but something is likely to break or is unsafe.
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code: a [`ConfigError::code`] or `internal_url_not_private`, `backend_url_without_api`,
    /// `supabase_not_configured`, `secret_key_in_public_variable`.
    pub code: &'static str,
    /// The variable to fix.
    pub variable: Option<&'static str>,
    /// What is wrong (never a value of a variable).
    pub message: String,
    /// What to do.
    pub fix: Option<String>,
}

impl Diagnostic {
    fn from_config(e: &ConfigError) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: e.code(),
            variable: e.variable(),
            message: e.to_string(),
            fix: Some(e.fix()),
        }
    }
}

/// A key variable that is set: its kind and fingerprint when it parses (never the key).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyFinding {
    /// The variable.
    pub variable: &'static str,
    /// The key, when it parses.
    pub key: Option<SupabaseKey>,
}

/// The outcome of [`Config::diagnose`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// The runtime diagnosed.
    pub runtime: Runtime,
    /// The env mode in force (`local` when the variable is invalid).
    pub env_mode: EnvMode,
    /// The variable the env mode came from.
    pub env_mode_variable: Option<&'static str>,
    /// The backend, when it resolves.
    pub backend: Option<BackendUrl>,
    /// The Supabase project, when it resolves.
    pub supabase: Option<SupabaseConfig>,
    /// The Supabase key variables this runtime reads that are set.
    pub keys: Vec<KeyFinding>,
    /// Every problem, errors first in the order of the variables.
    pub problems: Vec<Diagnostic>,
}

impl Diagnosis {
    /// True when no problem is an error.
    pub fn is_ok(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Error)
    }
}

/// The Supabase URL and key variables a runtime reads, in precedence order.
fn supabase_vars(runtime: Runtime) -> (&'static [&'static str], &'static [&'static str]) {
    match runtime {
        Runtime::Client => (&[NEXT_PUBLIC_SUPABASE_URL], &[NEXT_PUBLIC_SUPABASE_ANON_KEY]),
        Runtime::Server => (
            &[SUPABASE_URL, NEXT_PUBLIC_SUPABASE_URL],
            &[
                SUPABASE_SERVICE_ROLE_KEY,
                SUPABASE_ANON_KEY,
                NEXT_PUBLIC_SUPABASE_ANON_KEY,
            ],
        ),
    }
}

/// A URL used only to look for key problems behind a URL problem.
const PLACEHOLDER_SUPABASE_URL: &str = "https://placeholder.supabase.co";

impl Config {
    /// Every configuration problem of `runtime` in `env`, not just the first: an invalid env mode does not
    /// hide the backend, and a Supabase URL problem does not hide a key problem. Warnings cover what loads but
    /// is likely to break: a plain-http `BACKEND_INTERNAL_URL` to a host that does not look private, a
    /// `NEXT_PUBLIC_BACKEND_URL` without `/api` (the frontend's own code needs it, contract §10.1), Supabase
    /// not configured in local mode, a secret key in a `NEXT_PUBLIC_` variable.
    pub fn diagnose(runtime: Runtime, env: &Env) -> Diagnosis {
        let mut problems = Vec::new();
        // Env mode first: when it is invalid, the rest is checked as if it were unset (local).
        let (env_mode, env_mode_variable, env) = match EnvMode::from_env(env) {
            Ok((mode, variable)) => (mode, variable, env.clone()),
            Err(e) => {
                problems.push(Diagnostic::from_config(&e));
                (
                    EnvMode::Local,
                    None,
                    env.without(&[NEXT_PUBLIC_ENV_MODE, ENV_MODE]),
                )
            }
        };

        let backend = match resolve_backend_url(runtime, &env) {
            Ok(b) => Some(b),
            Err(e) => {
                problems.extend(e.as_config().map(Diagnostic::from_config));
                None
            }
        };
        if let Some(b) = &backend {
            backend_warnings(b, &env, &mut problems);
        }

        let (url_vars, key_vars) = supabase_vars(runtime);
        let nothing_set = url_vars.iter().chain(key_vars).all(|v| env.get(v).is_none());
        let supabase = if nothing_set {
            let (url_var, key_var) = match runtime {
                Runtime::Client => (NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY),
                Runtime::Server => (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY),
            };
            // An error where a real deployment needs it, a warning for local development.
            problems.push(Diagnostic {
                severity: if env_mode == EnvMode::Local {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                code: "supabase_not_configured",
                variable: Some(url_var),
                message: "Supabase is not configured".into(),
                fix: Some(format!(
                    "set {url_var} and {key_var} (Supabase → Project Settings → API)"
                )),
            });
            None
        } else {
            match SupabaseConfig::load(runtime, &env) {
                Ok(s) => Some(s),
                Err(e) => {
                    if let Some(c) = e.as_config() {
                        problems.push(Diagnostic::from_config(c));
                        // A URL problem hides key problems: look again with a placeholder URL.
                        if c.variable().is_some_and(|v| url_vars.contains(&v)) {
                            let probe = env.with(url_vars.iter().map(|v| (*v, PLACEHOLDER_SUPABASE_URL)));
                            if let Err(e2) = SupabaseConfig::load(runtime, &probe)
                                && let Some(c2) = e2.as_config()
                            {
                                let d = Diagnostic::from_config(c2);
                                if !problems.contains(&d) {
                                    problems.push(d);
                                }
                            }
                        }
                    }
                    None
                }
            }
        };

        let mut keys = Vec::new();
        for &variable in key_vars {
            let Some(value) = env.get(variable) else {
                continue;
            };
            let key = SupabaseKey::parse(value).ok();
            // The server never refuses a public variable holding a secret key, but Next.js ships it to browsers.
            if let Some(k) = &key
                && runtime == Runtime::Server
                && variable == NEXT_PUBLIC_SUPABASE_ANON_KEY
                && k.kind().is_secret()
            {
                problems.push(Diagnostic {
                    severity: Severity::Error,
                    code: "secret_key_in_public_variable",
                    variable: Some(variable),
                    message: format!(
                        "{variable} holds a {} key, and NEXT_PUBLIC_ variables are shipped to browsers",
                        k.kind().label()
                    ),
                    fix: Some(format!(
                        "put the anon or sb_publishable_ key in {variable}; keep the service-role/secret key in \
                         {SUPABASE_SERVICE_ROLE_KEY}"
                    )),
                });
            }
            keys.push(KeyFinding { variable, key });
        }
        problems.sort_by_key(|p| p.severity != Severity::Error);
        Diagnosis {
            runtime,
            env_mode,
            env_mode_variable,
            backend,
            supabase,
            keys,
            problems,
        }
    }
}

fn backend_warnings(b: &BackendUrl, env: &Env, problems: &mut Vec<Diagnostic>) {
    if b.source().variable() == Some(BACKEND_INTERNAL_URL)
        && b.url().scheme() == Scheme::Http
        && !b.url().looks_private()
    {
        problems.push(Diagnostic {
            severity: Severity::Warning,
            code: "internal_url_not_private",
            variable: Some(BACKEND_INTERNAL_URL),
            message: format!(
                "{BACKEND_INTERNAL_URL} uses plain http:// to a host that does not look private; plain http is \
                 meant for the internal service URL inside a private network"
            ),
            fix: Some(format!(
                "use https:// in {BACKEND_INTERNAL_URL}, or a private address (10.x, 172.16-31.x, 192.168.x, fc00::/7) \
                 or internal name (single label, .internal, .local, .svc, .cluster.local)"
            )),
        });
    }
    if let Some(value) = env.get(NEXT_PUBLIC_BACKEND_URL)
        && let Ok(url) = super::HttpUrl::parse(value)
        && !(url.path() == "/api" || url.path().ends_with("/api"))
    {
        problems.push(Diagnostic {
            severity: Severity::Warning,
            code: "backend_url_without_api",
            variable: Some(NEXT_PUBLIC_BACKEND_URL),
            message: format!(
                "{NEXT_PUBLIC_BACKEND_URL} does not end in /api: the SDK adds it, but the frontend's own code builds \
                 `${{NEXT_PUBLIC_BACKEND_URL}}/thread/…` and needs it"
            ),
            fix: Some(format!("append /api to {NEXT_PUBLIC_BACKEND_URL}, e.g. http://localhost:8000/api")),
        });
    }
}

impl ConfigError {
    /// What to do about it, in one line naming the variable.
    pub fn fix(&self) -> String {
        let e = self;
        let variable = e.variable().unwrap_or("the variable");
        match e {
            ConfigError::InvalidUrl { .. } if variable.contains("SUPABASE") => {
                format!("set {variable} to the project URL, e.g. https://<project>.supabase.co")
            }
            ConfigError::InvalidUrl { .. } => format!(
                "set {variable} to an absolute http(s) URL without credentials, query or fragment, e.g. http://localhost:8000/api"
            ),
            ConfigError::InsecureUrl { .. } => {
                format!(
                    "use https:// in {variable} (in production plain http is only allowed for loopback hosts)"
                )
            }
            ConfigError::Missing { looked_for, .. } => format!("set {}", looked_for.join(" or ")),
            ConfigError::InvalidEnvMode { .. } => format!("set {variable} to local, staging or production"),
            ConfigError::InvalidKey { .. } if variable == SUPABASE_SERVICE_ROLE_KEY => format!(
                "set {variable} to the service_role (or sb_secret_) key from Supabase → Project Settings → API"
            ),
            ConfigError::InvalidKey { .. } => format!(
                "set {variable} to the anon (or sb_publishable_) key from Supabase → Project Settings → API"
            ),
            ConfigError::SecretKeyInClient { .. } => format!(
                "put the anon or sb_publishable_ key in {variable}; keep service-role/secret keys in \
             {SUPABASE_SERVICE_ROLE_KEY} (server only)"
            ),
            ConfigError::InvalidApiKey { .. } => {
                format!("set {variable} to pk_…:sk_… as shown once when the key was created")
            }
        }
    }
}

impl KeyFinding {
    /// The key kind, when the key parses.
    pub fn kind(&self) -> Option<&KeyKind> {
        self.key.as_ref().map(SupabaseKey::kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(d: &Diagnosis) -> Vec<(&'static str, Option<&'static str>, Severity)> {
        d.problems
            .iter()
            .map(|p| (p.code, p.variable, p.severity))
            .collect()
    }

    #[test]
    fn nothing_set_is_the_default_backend_and_a_supabase_warning() {
        let d = Config::diagnose(Runtime::Server, &Env::from_map::<&str, &str, _>([]));
        assert!(d.is_ok());
        assert_eq!(
            d.backend.as_ref().map(|b| b.url().to_string()).as_deref(),
            Some("http://localhost:8000")
        );
        assert_eq!(
            codes(&d),
            vec![("supabase_not_configured", Some(SUPABASE_URL), Severity::Warning)]
        );
    }

    #[test]
    fn a_url_problem_does_not_hide_a_key_problem() {
        let env = Env::from_map([
            (NEXT_PUBLIC_SUPABASE_URL, "proj.supabase.co"),
            (NEXT_PUBLIC_SUPABASE_ANON_KEY, "not-a-key"),
        ]);
        let d = Config::diagnose(Runtime::Client, &env);
        assert!(!d.is_ok());
        assert_eq!(
            codes(&d),
            vec![
                ("invalid_url", Some(NEXT_PUBLIC_SUPABASE_URL), Severity::Error),
                (
                    "invalid_key",
                    Some(NEXT_PUBLIC_SUPABASE_ANON_KEY),
                    Severity::Error
                ),
            ]
        );
        assert!(!format!("{d:?}").contains("not-a-key"));
    }

    #[test]
    fn an_invalid_env_mode_does_not_hide_the_backend() {
        let env = Env::from_map([(ENV_MODE, "prod"), (BACKEND_INTERNAL_URL, "ftp://x")]);
        let c = codes(&Config::diagnose(Runtime::Server, &env));
        assert_eq!(c[0], ("invalid_env_mode", Some(ENV_MODE), Severity::Error));
        assert_eq!(c[1], ("invalid_url", Some(BACKEND_INTERNAL_URL), Severity::Error));
    }

    #[test]
    fn production_internal_urls_and_public_urls() {
        // A private internal URL over http is fine in production…
        for internal in [
            "http://10.1.2.3:8000",
            "http://backend.internal:8000",
            "http://helium-backend:8000",
            "http://backend.default.svc.cluster.local:8000",
        ] {
            let env = Env::from_map([
                (ENV_MODE, "production"),
                (BACKEND_INTERNAL_URL, internal),
                (SUPABASE_URL, "https://p.supabase.co"),
                (SUPABASE_ANON_KEY, "sb_publishable_abc"),
            ]);
            let d = Config::diagnose(Runtime::Server, &env);
            assert!(d.is_ok() && d.problems.is_empty(), "{internal}: {:?}", codes(&d));
        }
        // …one to a public host loads with a warning…
        let env = Env::from_map([
            (ENV_MODE, "production"),
            (BACKEND_INTERNAL_URL, "http://api.example.com"),
        ]);
        let c = codes(&Config::diagnose(Runtime::Server, &env));
        assert!(
            c.contains(&(
                "internal_url_not_private",
                Some(BACKEND_INTERNAL_URL),
                Severity::Warning
            )),
            "{c:?}"
        );
        // …and the browser-facing URL must still be https (or loopback).
        let env = Env::from_map([
            (ENV_MODE, "production"),
            (NEXT_PUBLIC_BACKEND_URL, "http://api.example.com/api"),
        ]);
        let c = codes(&Config::diagnose(Runtime::Client, &env));
        assert_eq!(
            c[0],
            ("insecure_url", Some(NEXT_PUBLIC_BACKEND_URL), Severity::Error)
        );
        let env = Env::from_map([
            (ENV_MODE, "production"),
            (SUPABASE_URL, "http://10.0.0.1"),
            (SUPABASE_ANON_KEY, "sb_publishable_a"),
        ]);
        let c = codes(&Config::diagnose(Runtime::Server, &env));
        assert!(
            c.contains(&("insecure_url", Some(SUPABASE_URL), Severity::Error)),
            "{c:?}"
        );
    }

    #[test]
    fn a_public_backend_url_without_api_is_a_warning() {
        let env = Env::from_map([(NEXT_PUBLIC_BACKEND_URL, "http://localhost:8000")]);
        let d = Config::diagnose(Runtime::Client, &env);
        assert!(d.is_ok());
        assert!(codes(&d).contains(&(
            "backend_url_without_api",
            Some(NEXT_PUBLIC_BACKEND_URL),
            Severity::Warning
        )));
    }

    #[test]
    fn an_invalid_service_role_key_fix_names_the_service_role_key() {
        let env = Env::from_map([
            (SUPABASE_URL, "https://p.supabase.co"),
            (SUPABASE_SERVICE_ROLE_KEY, "nope"),
        ]);
        let d = Config::diagnose(Runtime::Server, &env);
        let p = d.problems.iter().find(|p| p.code == "invalid_key").unwrap();
        assert!(p.fix.as_deref().unwrap().contains("service_role"), "{:?}", p.fix);
    }
}
