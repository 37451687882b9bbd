use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{ConfigError, EnvOrigin};

use super::{ENV_MODE, NEXT_PUBLIC_ENV_MODE};

/// Where the code runs, in the deployment guide's sense.
///
/// `Server` is native code and JavaScript runtimes without a `window` global (Node, edge runtimes);
/// `Client` is a browser window or worker. [`Runtime::detect`] finds it; callers can always pass one instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// Server side: may read private variables such as `BACKEND_INTERNAL_URL`.
    Server,
    /// Client side (browser): sees only public, build-time-inlined values.
    Client,
}

impl Runtime {
    /// Detects the runtime: always `Server` natively; in wasm, `Client` in a browser window or worker and
    /// `Server` where there is no `window` (Node, edge runtimes).
    pub fn detect() -> Runtime {
        crate::platform::detect_runtime()
    }

    /// `"server"` or `"client"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Server => "server",
            Runtime::Client => "client",
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A snapshot of environment variables, with JavaScript `||` semantics: an empty value counts as unset.
///
/// Build one from an explicit map ([`Env::from_map`]) or from the process ([`Env::from_process`]: the native
/// environment, or `process.env` when the wasm runs in a server JavaScript runtime; in a browser it is empty).
/// `Debug` lists variable names only, never values.
#[derive(Clone, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
    origin: EnvOrigin,
}

impl Env {
    /// An environment made of exactly these pairs.
    pub fn from_map<K, V, I>(vars: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            origin: EnvOrigin::Explicit,
        }
    }

    /// The process environment: `std::env` natively; `process.env` in a server JavaScript runtime; nothing in a
    /// browser (where only values passed in explicitly exist).
    pub fn from_process() -> Env {
        let (vars, origin) = crate::platform::process_env();
        Env { vars, origin }
    }

    /// The value of `name`, or `None` when it is unset **or empty**.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The first of `names` that is set and non-empty, with its name: `a || b || c`.
    pub fn first_of<'n>(&self, names: &[&'n str]) -> Option<(&'n str, &str)> {
        names.iter().find_map(|n| self.get(n).map(|v| (*n, v)))
    }

    /// The same variables, described as coming from `origin` in error messages (e.g. a snapshot of the process
    /// environment taken by the caller).
    pub fn with_origin(mut self, origin: EnvOrigin) -> Env {
        self.origin = origin;
        self
    }

    /// Where the values came from.
    pub fn origin(&self) -> EnvOrigin {
        self.origin
    }

    /// A copy without `names`.
    pub fn without(&self, names: &[&str]) -> Env {
        let mut e = self.clone();
        e.vars.retain(|k, _| !names.contains(&k.as_str()));
        e
    }

    /// A copy with these values set.
    pub fn with<'a>(&self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        let mut e = self.clone();
        for (k, v) in pairs {
            e.vars.insert(k.to_owned(), v.to_owned());
        }
        e
    }

    /// The variables as a map (for [`crate::ClientOptions::env`]).
    pub fn to_map(&self) -> BTreeMap<String, Option<String>> {
        self.vars
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("origin", &self.origin)
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The deployment's mode, as the backend's `ENV_MODE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum EnvMode {
    /// Local development (the default when nothing is set, as in the backend).
    #[default]
    Local,
    /// Staging: billing is enforced by the backend.
    Staging,
    /// Production: plain-http URLs to non-loopback hosts are refused.
    Production,
}

impl EnvMode {
    /// `"local"`, `"staging"` or `"production"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvMode::Local => "local",
            EnvMode::Staging => "staging",
            EnvMode::Production => "production",
        }
    }

    /// Reads `NEXT_PUBLIC_ENV_MODE` ‖ `ENV_MODE` (case-insensitive), defaulting to `local`. Returns the mode and
    /// the variable it came from.
    ///
    /// # Errors
    /// [`ConfigError::InvalidEnvMode`] for a value that is none of the three modes.
    pub fn from_env(env: &Env) -> Result<(EnvMode, Option<&'static str>), ConfigError> {
        match env.first_of(&[NEXT_PUBLIC_ENV_MODE, ENV_MODE]) {
            None => Ok((EnvMode::Local, None)),
            Some((variable, value)) => value
                .parse()
                .map(|m| (m, Some(variable)))
                .map_err(|_| ConfigError::InvalidEnvMode { variable }),
        }
    }
}

impl FromStr for EnvMode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Ok(EnvMode::Local),
            "staging" => Ok(EnvMode::Staging),
            "production" => Ok(EnvMode::Production),
            _ => Err(()),
        }
    }
}

impl fmt::Display for EnvMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
