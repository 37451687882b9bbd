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
            "set HELIUM_ACCESS_TOKEN (a Supabase access token) or HELIUM_API_KEY (pk_…:sk_…, or he-… for `helium ask`), or pass --token",
        )
    }

    /// Maps an SDK error, with `context` naming the backend (API root) for network and decode errors.
    pub fn from_sdk(err: &Error, api_root: &str) -> CliError {
        if let Some(config) = err.as_config() {
            return CliError::from_config(config);
        }
        match err {
            Error::Decode(d) => {
                let (endpoint, status) = (d.endpoint(), err.status().unwrap_or_default());
                let start = d.excerpt().trim_start().to_ascii_lowercase();
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
                .hint("is the backend running? set --backend, BACKEND_INTERNAL_URL or NEXT_PUBLIC_BACKEND_URL, or unset both to let `helium quickstart` start the embedded dev backend (`helium devserver` runs one)"),
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
                ErrorKind::Auth => match err {
                    Error::Auth(a) if !matches!(a.cause(), helium_sdk::error::AuthCause::Missing { .. }) => {
                        CliError::new(one_line(&err.to_string()))
                    }
                    _ => CliError::missing_auth(),
                },
                _ => CliError::new(one_line(&err.to_string())),
            },
        }
    }

    /// Maps a configuration problem to a message naming the variable (or flag) and a fix.
    pub fn from_config(config: &ConfigError) -> CliError {
        if config.variable() == Some("baseUrl") {
            return CliError::new(format!(
                "--backend is not a valid URL: {}",
                after_colon(&config.to_string())
            ))
            .hint("pass an absolute http(s) URL, e.g. --backend http://localhost:8000/api");
        }
        CliError::new(describe_config(config)).hint(config.fix())
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
        Some(api) => format!(
            "{} (HTTP {} from {})",
            api.message(),
            api.status(),
            api.endpoint()
        ),
        None => one_line(&err.to_string()),
    }
}

/// The part of a message after its first `": "`.
fn after_colon(s: &str) -> &str {
    s.split_once(": ").map_or(s, |(_, rest)| rest)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_auth_names_both_variables() {
        let e = CliError::missing_auth().to_string();
        assert!(e.contains("HELIUM_ACCESS_TOKEN") && e.contains("HELIUM_API_KEY"));
    }
}
