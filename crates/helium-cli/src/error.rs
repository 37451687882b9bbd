//! The CLI's error: one short `error:` line, an optional `hint:` line, and an exit code.

use std::fmt;

use helium_sdk::{ConfigError, Error, ErrorKind};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a failure, or checks that failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: bad usage (clap's default for unknown flags).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: interrupted with Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure to report to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// What went wrong, one line.
    pub message: String,
    /// What to do about it, one line.
    pub hint: Option<String>,
    /// The exit code.
    pub code: u8,
}

impl CliError {
    /// A failure (exit code 1).
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: None,
            code: EXIT_FAILURE,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// The error for commands that need credentials when none are configured.
    pub fn missing_auth() -> CliError {
        CliError::new("this command needs credentials, and none are configured").hint(
            "set HELIUM_ACCESS_TOKEN (a Supabase access token) or HELIUM_API_KEY (pk_…:sk_…), or pass --token",
        )
    }

    /// Maps an SDK error, with `context` naming the backend (API root) for network and decode errors.
    pub fn from_sdk(err: &Error, api_root: &str) -> CliError {
        if let Some(config) = err.as_config() {
            return CliError::from_config(config);
        }
        match err {
            Error::Decode {
                endpoint,
                status,
                excerpt,
                ..
            } => {
                let start = excerpt.trim_start().to_ascii_lowercase();
                let looks_html = start.starts_with('<')
                    || start.contains("<html")
                    || start.contains("<!doctype");
                if looks_html {
                    CliError::new(format!(
                        "the backend at {api_root} answered HTML instead of JSON ({endpoint}, HTTP {status}): not JSON"
                    ))
                    .hint("the URL points at a web page (frontend or proxy), not the Helium API; check --backend, BACKEND_INTERNAL_URL or NEXT_PUBLIC_BACKEND_URL")
                } else {
                    CliError::new(format!(
                        "the backend at {api_root} sent a response that is not the expected JSON ({endpoint}, HTTP {status})"
                    ))
                    .hint("check that the backend URL points at a Helium backend of a compatible version")
                }
            }
            _ => match err.kind() {
                ErrorKind::Network | ErrorKind::Timeout => CliError::new(format!(
                    "cannot reach the backend at {api_root}: {}",
                    one_line(&err.to_string())
                ))
                .hint("is the backend running? set --backend, BACKEND_INTERNAL_URL or NEXT_PUBLIC_BACKEND_URL (or start one with `helium devserver`)"),
                ErrorKind::Unauthorized => CliError::new(format!(
                    "the backend refused the credentials: {}",
                    server_message(err)
                ))
                .hint("check HELIUM_ACCESS_TOKEN / HELIUM_API_KEY (or --token): the token may be expired or malformed"),
                ErrorKind::Forbidden => CliError::new(format!("access denied: {}", server_message(err)))
                    .hint("the run or thread belongs to another user; use that user's token"),
                ErrorKind::NotFound => CliError::new(format!("not found: {}", server_message(err)))
                    .hint("check the id (`helium runs THREAD_ID` lists a thread's runs) and the backend URL"),
                ErrorKind::Billing => CliError::new(format!("billing limit: {}", server_message(err)))
                    .hint("upgrade the plan or wait for the next billing period"),
                ErrorKind::RateLimited => CliError::new(format!("rate limited: {}", server_message(err)))
                    .hint("stop a running run (`helium stop RUN_ID`) or retry later"),
                ErrorKind::Auth => CliError::missing_auth(),
                _ => CliError::new(one_line(&err.to_string())),
            },
        }
    }

    /// Maps a configuration problem to a message naming the variable and a fix.
    pub fn from_config(config: &ConfigError) -> CliError {
        let mut e = CliError::new(describe_config(config));
        if let Some(fix) = config_fix(config) {
            e = e.hint(fix);
        }
        e
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

fn server_message(err: &Error) -> String {
    match err.as_api() {
        Some(api) => format!("{} (HTTP {} from {})", api.message, api.status, api.endpoint),
        None => one_line(&err.to_string()),
    }
}

/// The first line of a message.
pub(crate) fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// A configuration problem in words, without where the environment was read from (the CLI always reads the
/// process environment) and never with the value.
pub(crate) fn describe_config(config: &ConfigError) -> String {
    match config {
        ConfigError::InvalidUrl {
            variable, problem, ..
        } => format!("{variable} is not a valid URL: {problem}"),
        ConfigError::Missing { what, looked_for, .. } => {
            format!("{what} is not configured (set {})", looked_for.join(" or "))
        }
        other => other.to_string(),
    }
}

/// What to do about a configuration problem.
pub(crate) fn config_fix(config: &ConfigError) -> Option<String> {
    let variable = config.variable().unwrap_or("the variable");
    Some(match config.code() {
        "invalid_url" if variable.contains("SUPABASE") => {
            format!("set {variable} to the project URL, e.g. https://<project>.supabase.co")
        }
        "invalid_url" => format!(
            "set {variable} to an absolute http(s) URL without credentials, query or fragment, e.g. http://localhost:8000/api"
        ),
        "insecure_url" => format!(
            "use https:// in {variable} (plain http is only allowed for loopback hosts in production)"
        ),
        "missing" => match config {
            ConfigError::Missing { looked_for, .. } => format!("set {}", looked_for.join(" or ")),
            _ => format!("set {variable}"),
        },
        "invalid_env_mode" => format!("set {variable} to local, staging or production"),
        "invalid_key" => format!(
            "set {variable} to the anon (or sb_publishable_) key from Supabase → Project Settings → API"
        ),
        "secret_key_in_client" => format!(
            "put the anon or sb_publishable_ key in {variable}; keep service-role/secret keys in SUPABASE_SERVICE_ROLE_KEY (server only)"
        ),
        "invalid_api_key" => "set HELIUM_API_KEY to pk_…:sk_… as shown when the key was created".to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_are_named_as_such() {
        let err = Error::Decode {
            endpoint: "GET /api/health".into(),
            status: 200,
            message: "expected value at line 1 column 1".into(),
            excerpt: "<!DOCTYPE html><html>".into(),
            request_id: None,
        };
        let e = CliError::from_sdk(&err, "http://localhost:3000/api");
        assert!(e.message.contains("HTML instead of JSON"), "{}", e.message);
        assert!(!e.message.contains("DOCTYPE"));
        assert_eq!(e.code, EXIT_FAILURE);
        let shown = e.to_string();
        assert_eq!(shown.lines().count(), 2);
        assert!(shown.starts_with("error: ") && shown.contains("\nhint: "));
    }

    #[test]
    fn missing_auth_names_both_variables() {
        let e = CliError::missing_auth().to_string();
        assert!(e.contains("HELIUM_ACCESS_TOKEN") && e.contains("HELIUM_API_KEY"));
    }
}
