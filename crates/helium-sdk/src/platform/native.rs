use std::collections::BTreeMap;

use crate::config::Runtime;
use crate::error::EnvOrigin;

/// Native code is always server side.
pub(crate) fn detect_runtime() -> Runtime {
    Runtime::Server
}

/// The process environment; variables whose name or value is not Unicode are skipped.
pub(crate) fn process_env() -> (BTreeMap<String, String>, EnvOrigin) {
    let vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    (vars, EnvOrigin::Process)
}
