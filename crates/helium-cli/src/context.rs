//! The process environment, the backend to talk to, and the credentials.

use std::collections::BTreeMap;
use std::time::Duration;

use helium_sdk::config::{BACKEND_INTERNAL_URL, NEXT_PUBLIC_BACKEND_URL, VARIABLES};
use helium_sdk::{
    ApiRoot, Client, ClientBuilder, ClientOptions, Config, Env, EnvOrigin, HELIUM_ACCESS_TOKEN,
    HELIUM_API_KEY, HttpUrl, Runtime, Secret,
};

use crate::error::CliError;

/// A snapshot of the variables the CLI reads (configuration and credentials), as a plain map so that
/// variants can be built (see the configuration report).
#[derive(Debug, Clone, Default)]
pub struct EnvSnapshot {
    vars: BTreeMap<String, String>,
}

impl EnvSnapshot {
    /// The variables of the configuration core and the credentials, from the process environment.
    pub fn from_process() -> EnvSnapshot {
        let names: Vec<&str> = VARIABLES
            .iter()
            .copied()
            .chain([HELIUM_ACCESS_TOKEN, HELIUM_API_KEY])
            .collect();
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| names.contains(&k.as_str()))
            .collect();
        EnvSnapshot { vars }
    }

    /// An explicit snapshot (tests).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> EnvSnapshot {
        EnvSnapshot {
            vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }

    /// The value when set and non-empty (JavaScript `||` semantics).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// `set`, `empty` or `unset`.
    pub fn state(&self, name: &str) -> &'static str {
        match self.vars.get(name) {
            None => "unset",
            Some(v) if v.is_empty() => "empty",
            Some(_) => "set",
        }
    }

    /// A copy with `name` set to `value`.
    pub fn with(&self, name: &str, value: &str) -> EnvSnapshot {
        let mut vars = self.vars.clone();
        vars.insert(name.to_owned(), value.to_owned());
        EnvSnapshot { vars }
    }

    /// A copy without `names`.
    pub fn without(&self, names: &[&str]) -> EnvSnapshot {
        let mut vars = self.vars.clone();
        for n in names {
            vars.remove(*n);
        }
        EnvSnapshot { vars }
    }

    /// The SDK's view (described as the process environment in messages).
    pub fn env(&self) -> Env {
        Env::from_map(self.vars.clone()).with_origin(EnvOrigin::Process)
    }

    /// True when neither backend variable is set (the quickstart then starts the embedded backend).
    pub fn no_backend_configured(&self) -> bool {
        self.get(BACKEND_INTERNAL_URL).is_none() && self.get(NEXT_PUBLIC_BACKEND_URL).is_none()
    }
}

/// The backend the CLI talks to and where that choice came from.
#[derive(Debug, Clone)]
pub struct Target {
    /// The API root.
    pub api_root: ApiRoot,
    /// `--backend`, a variable name, or `default`.
    pub source: String,
}

impl Target {
    /// `--backend` when given, else the configuration core (server runtime).
    ///
    /// # Errors
    /// An invalid `--backend` or configuration (naming the variable).
    pub fn resolve(backend_flag: Option<&str>, env: &EnvSnapshot) -> Result<Target, CliError> {
        if let Some(flag) = backend_flag {
            let url = HttpUrl::parse(flag).map_err(|problem| {
                CliError::new(format!("--backend is not a valid URL: {problem}"))
                    .hint("pass an absolute http(s) URL, e.g. --backend http://localhost:8000/api")
            })?;
            return Ok(Target {
                api_root: ApiRoot::from_backend_url(&url),
                source: "--backend".into(),
            });
        }
        let config = Config::load(Runtime::Server, &env.env()).map_err(|e| match e.as_config() {
            Some(c) => CliError::from_config(c),
            None => CliError::new(e.to_string()),
        })?;
        Ok(Target {
            api_root: config.api_root(),
            source: config.backend().source().to_string(),
        })
    }

    /// The API root as a string.
    pub fn root(&self) -> String {
        self.api_root.to_string()
    }
}

/// How the CLI authenticates: `--token`, or the environment by the SDK's one credential precedence
/// (`HELIUM_API_KEY`, else `HELIUM_ACCESS_TOKEN`), or none.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `--token` (or none given): the environment is read when it is `None`.
    Token(Option<String>),
    /// No credentials at all (health checks).
    None,
}

/// A client of `target`, built from the same `ClientOptions` as the JavaScript constructor.
///
/// # Errors
/// A malformed `HELIUM_API_KEY` (naming the variable), or the HTTP client cannot be created.
pub fn client(target: &Target, auth: Auth, env: &EnvSnapshot) -> Result<Client, CliError> {
    let mut options = ClientOptions::default();
    options.base_url = Some(target.root());
    options.runtime = Some(Runtime::Server);
    options.env = Some(env.env().to_map());
    let mut builder = match auth {
        Auth::Token(Some(token)) if !token.trim().is_empty() => {
            options.access_token = Some(Secret::new(token.trim()));
            ClientBuilder::from_options(options)
        }
        Auth::Token(_) => ClientBuilder::from_options(options).env_credentials(),
        Auth::None => ClientBuilder::from_options(options),
    };
    builder = builder.connect_timeout(Duration::from_secs(5));
    builder
        .build()
        .map_err(|e| CliError::from_sdk(&e, &target.root()))
}

/// The credentials of a command that needs some: `--token`, else the environment's.
///
/// # Errors
/// Neither `--token` nor a credential variable is set (naming both variables).
pub fn required_auth(token_flag: Option<&str>, env: &EnvSnapshot) -> Result<Auth, CliError> {
    if !has_credentials(token_flag, env) {
        return Err(CliError::missing_auth());
    }
    Ok(Auth::Token(token_flag.map(str::to_owned)))
}

/// True when `--token` or one of the credential variables is set.
pub fn has_credentials(token_flag: Option<&str>, env: &EnvSnapshot) -> bool {
    token_flag.is_some_and(|t| !t.trim().is_empty())
        || env.get(HELIUM_API_KEY).is_some()
        || env.get(HELIUM_ACCESS_TOKEN).is_some()
}
