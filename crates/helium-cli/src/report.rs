//! `helium config`: the resolved configuration of one runtime, with every problem and the variable to fix.

use helium_sdk::config::{Diagnostic, ENV_MODE, Severity, VARIABLES};
use helium_sdk::{Config, KeyKind, Runtime, SupabaseConfig, SupabaseKey};
use serde::Serialize;

use crate::context::EnvSnapshot;

/// The resolved configuration of one runtime.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigReport {
    /// `server` or `client`.
    pub runtime: &'static str,
    /// The env mode in force (`local` when the variable is invalid).
    pub env_mode: &'static str,
    /// The variable the env mode came from, or `default`.
    pub env_mode_source: &'static str,
    /// The backend, when it resolves.
    pub backend: Option<BackendReport>,
    /// The Supabase project, when it resolves.
    pub supabase: Option<SupabaseReport>,
    /// Every Supabase key variable this runtime reads that is set: kind and fingerprint, never the key.
    pub keys: Vec<KeyReport>,
    /// The variables read by this runtime and whether they are set.
    pub variables: Vec<VariableState>,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// True when no problem is an error.
    pub ok: bool,
}

/// The backend part.
#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    /// The backend URL.
    pub url: String,
    /// `BACKEND_INTERNAL_URL`, `NEXT_PUBLIC_BACKEND_URL` or `default`.
    pub source: String,
    /// The API root.
    pub api_root: String,
}

/// The Supabase part.
#[derive(Debug, Clone, Serialize)]
pub struct SupabaseReport {
    /// The project URL.
    pub url: String,
    /// Where it came from.
    pub url_variable: &'static str,
    /// The key kind label (`anon_jwt`, `service_role_jwt`, `publishable`, `secret`, `jwt`).
    pub key_kind: &'static str,
    /// The key's fingerprint.
    pub key_fingerprint: String,
    /// Where the key came from.
    pub key_variable: &'static str,
    /// `…/rest/v1`.
    pub rest_url: String,
    /// `…/auth/v1`.
    pub auth_url: String,
    /// The key, for the doctor's probes; never serialised or printed.
    #[serde(skip)]
    pub(crate) apikey: Secret,
}

/// A key that must not be printed (its `Debug` is redacted).
#[derive(Clone, Default)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One key variable.
#[derive(Debug, Clone, Serialize)]
pub struct KeyReport {
    /// The variable.
    pub variable: &'static str,
    /// The kind label, when the key parses.
    pub kind: Option<&'static str>,
    /// The fingerprint, when the key parses.
    pub fingerprint: Option<String>,
    /// True for service-role and secret keys.
    pub secret: bool,
}

/// Whether a variable is set.
#[derive(Debug, Clone, Serialize)]
pub struct VariableState {
    /// The name.
    pub name: &'static str,
    /// `set`, `empty` (counts as unset) or `unset`.
    pub state: &'static str,
}

/// One problem.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The SDK's stable code (`invalid_url`, `missing`, …).
    pub code: &'static str,
    /// The variable to fix.
    pub variable: Option<&'static str>,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: Option<String>,
}

impl Problem {
    fn from_diagnostic(d: &Diagnostic) -> Problem {
        Problem {
            severity: match d.severity {
                Severity::Error => "error",
                _ => "warning",
            },
            code: d.code,
            variable: d.variable,
            message: d.message.clone(),
            fix: d.fix.clone(),
        }
    }
}

/// Builds the report of `runtime` from `snapshot`: the SDK's [`Config::diagnose`], rendered.
pub fn config_report(runtime: Runtime, snapshot: &EnvSnapshot) -> ConfigReport {
    let d = Config::diagnose(runtime, &snapshot.env());
    let keys = d
        .keys
        .iter()
        .map(|k| KeyReport {
            variable: k.variable,
            kind: k.kind().map(KeyKind::label),
            fingerprint: k.key.as_ref().map(SupabaseKey::fingerprint),
            secret: k.kind().is_some_and(KeyKind::is_secret),
        })
        .collect();
    let variables = VARIABLES
        .iter()
        .copied()
        .filter(|v| match runtime {
            Runtime::Client => v.starts_with("NEXT_PUBLIC_") || *v == ENV_MODE,
            _ => true,
        })
        .map(|name| VariableState {
            name,
            state: snapshot.state(name),
        })
        .collect();
    ConfigReport {
        runtime: runtime.as_str(),
        env_mode: d.env_mode.as_str(),
        env_mode_source: d.env_mode_variable.unwrap_or("default"),
        backend: d.backend.as_ref().map(|b| BackendReport {
            url: b.url().to_string(),
            source: b.source().to_string(),
            api_root: b.api_root().to_string(),
        }),
        supabase: d.supabase.as_ref().map(supabase_report),
        keys,
        variables,
        ok: d.is_ok(),
        problems: d.problems.iter().map(Problem::from_diagnostic).collect(),
    }
}

fn supabase_report(s: &SupabaseConfig) -> SupabaseReport {
    SupabaseReport {
        url: s.url().to_string(),
        url_variable: s.url_variable(),
        key_kind: s.key().kind().label(),
        key_fingerprint: s.key().fingerprint(),
        key_variable: s.key_variable(),
        rest_url: s.rest_url(),
        auth_url: s.auth_url(),
        apikey: Secret(s.key().expose_secret().to_owned()),
    }
}

/// The report as text lines.
pub fn render_text(r: &ConfigReport) -> Vec<String> {
    let mut lines = vec![format!("configuration ({} side)", r.runtime)];
    match &r.backend {
        Some(b) => {
            lines.push(format!("  backend URL   {} (from {})", b.url, b.source));
            lines.push(format!("  API root      {}", b.api_root));
        }
        None => lines.push("  backend URL   (invalid, see problems)".into()),
    }
    lines.push(format!(
        "  env mode      {} (from {})",
        r.env_mode, r.env_mode_source
    ));
    match &r.supabase {
        Some(s) => {
            lines.push(format!("  Supabase URL  {} (from {})", s.url, s.url_variable));
            lines.push(format!(
                "  Supabase key  {} key, fingerprint {} (from {})",
                s.key_kind, s.key_fingerprint, s.key_variable
            ));
        }
        None => lines.push("  Supabase      not configured".into()),
    }
    for k in &r.keys {
        match (&k.kind, &k.fingerprint) {
            (Some(kind), Some(fp)) => {
                lines.push(format!("  key {:<30} {kind}, fingerprint {fp}", k.variable))
            }
            _ => lines.push(format!("  key {:<30} unreadable", k.variable)),
        }
    }
    let empty: Vec<&str> = r
        .variables
        .iter()
        .filter(|v| v.state == "empty")
        .map(|v| v.name)
        .collect();
    if !empty.is_empty() {
        lines.push(format!("  empty (treated as unset): {}", empty.join(", ")));
    }
    if r.problems.is_empty() {
        lines.push("no problems found".into());
    } else {
        lines.push(format!("problems ({}):", r.problems.len()));
        for p in &r.problems {
            let mark = if p.severity == "error" { "✗" } else { "!" };
            lines.push(format!("  {mark} {} [{}]", p.message, p.variable.unwrap_or("-")));
            if let Some(fix) = &p.fix {
                lines.push(format!("      fix: {fix}"));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use helium_sdk::config::{NEXT_PUBLIC_SUPABASE_ANON_KEY, NEXT_PUBLIC_SUPABASE_URL, SUPABASE_URL};

    fn codes(r: &ConfigReport) -> Vec<(&'static str, Option<&'static str>, &'static str)> {
        r.problems
            .iter()
            .map(|p| (p.code, p.variable, p.severity))
            .collect()
    }

    #[test]
    fn nothing_set_is_the_default_backend_and_a_supabase_warning() {
        let r = config_report(Runtime::Server, &EnvSnapshot::default());
        assert!(r.ok);
        assert_eq!(r.backend.as_ref().unwrap().source, "default");
        assert_eq!(
            codes(&r),
            vec![("supabase_not_configured", Some(SUPABASE_URL), "warning")]
        );
    }

    #[test]
    fn a_url_problem_does_not_hide_a_key_problem() {
        let env = EnvSnapshot::from_pairs([
            (NEXT_PUBLIC_SUPABASE_URL, "proj.supabase.co"),
            (NEXT_PUBLIC_SUPABASE_ANON_KEY, "not-a-key"),
        ]);
        let r = config_report(Runtime::Client, &env);
        assert!(!r.ok);
        assert_eq!(
            codes(&r),
            vec![
                ("invalid_url", Some(NEXT_PUBLIC_SUPABASE_URL), "error"),
                ("invalid_key", Some(NEXT_PUBLIC_SUPABASE_ANON_KEY), "error"),
            ]
        );
    }

    #[test]
    fn an_invalid_env_mode_does_not_hide_the_backend_and_production_requires_supabase() {
        let env = EnvSnapshot::from_pairs([(ENV_MODE, "prod"), ("BACKEND_INTERNAL_URL", "ftp://x")]);
        let r = config_report(Runtime::Server, &env);
        let c = codes(&r);
        assert_eq!(c[0], ("invalid_env_mode", Some(ENV_MODE), "error"));
        assert_eq!(c[1], ("invalid_url", Some("BACKEND_INTERNAL_URL"), "error"));
        let env = EnvSnapshot::from_pairs([
            (ENV_MODE, "production"),
            ("NEXT_PUBLIC_BACKEND_URL", "http://api.example.com/api"),
        ]);
        let r = config_report(Runtime::Server, &env);
        let c = codes(&r);
        assert_eq!(c[0], ("insecure_url", Some("NEXT_PUBLIC_BACKEND_URL"), "error"));
        assert_eq!(c[1], ("supabase_not_configured", Some(SUPABASE_URL), "error"));
    }
}
