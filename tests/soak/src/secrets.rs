//! The secrets scan: every error message, `Debug`/`Display` output and log line the runs produce passes through
//! one [`Scanner`], which looks for the tokens and keys the runs used (whole, and their distinctive parts: a JWT's
//! payload and signature, an API key's secret half).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the scan saw and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Texts scanned (error messages, `Debug`/`Display` outputs, log writes).
    pub texts: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Log writes among the texts.
    pub log_lines: u64,
    /// Secrets registered (with their parts).
    pub needles: usize,
    /// `origin: label` of every text that contained a secret.
    pub findings: Vec<String>,
}

/// Collects secrets and scans texts for them.
#[derive(Debug, Default)]
pub struct Scanner {
    needles: Mutex<Vec<(String, String)>>,
    texts: AtomicU64,
    bytes: AtomicU64,
    log_lines: AtomicU64,
    findings: Mutex<Vec<String>>,
}

/// Fragments shorter than this are not looked for (they would match ordinary text).
const MIN_FRAGMENT: usize = 12;

impl Scanner {
    /// The process's scanner (the log writer feeds it too).
    pub fn global() -> Arc<Scanner> {
        static GLOBAL: OnceLock<Arc<Scanner>> = OnceLock::new();
        GLOBAL.get_or_init(|| Arc::new(Scanner::default())).clone()
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a secret: the whole value, and its telling parts: a JWT's payload and signature (its header is
    /// the same for every token of the algorithm, and public), both halves of a `pk_…:sk_…` key.
    pub fn add(&self, label: &str, value: &str) {
        let mut needles = Self::lock(&self.needles);
        let mut push = |v: &str| {
            if v.len() >= MIN_FRAGMENT && !needles.iter().any(|(_, n)| n == v) {
                needles.push((label.to_owned(), v.to_owned()));
            }
        };
        push(value);
        let segments: Vec<&str> = value.split('.').collect();
        if segments.len() == 3 {
            segments.iter().skip(1).for_each(|s| push(s));
        }
        for half in value.split(':') {
            push(half);
        }
    }

    /// Scans one text.
    pub fn scan(&self, origin: &str, text: &str) {
        self.texts.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
        let needles = Self::lock(&self.needles);
        for (label, needle) in needles.iter() {
            if text.contains(needle.as_str()) {
                Self::lock(&self.findings).push(format!("{origin}: {label}"));
            }
        }
    }

    /// Scans an error: `Display`, `Debug`, alternate `Debug`, and every source in its chain.
    pub fn scan_error(&self, origin: &str, e: &helium_sdk::Error) {
        self.scan(origin, &e.to_string());
        self.scan(origin, &format!("{e:?}"));
        self.scan(origin, &format!("{e:#?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            self.scan(origin, &s.to_string());
            source = s.source();
        }
    }

    /// Scans a value's `Debug` (and alternate `Debug`).
    pub fn scan_debug(&self, origin: &str, value: &impl std::fmt::Debug) {
        self.scan(origin, &format!("{value:?}"));
        self.scan(origin, &format!("{value:#?}"));
    }

    /// Scans a value's `Display`.
    pub fn scan_display(&self, origin: &str, value: &impl std::fmt::Display) {
        self.scan(origin, &value.to_string());
    }

    /// The report so far.
    pub fn report(&self) -> ScanReport {
        ScanReport {
            texts: self.texts.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            log_lines: self.log_lines.load(Ordering::Relaxed),
            needles: Self::lock(&self.needles).len(),
            findings: Self::lock(&self.findings).clone(),
        }
    }
}

/// A log writer that scans every write.
#[derive(Debug, Clone)]
pub struct ScanWriter(Arc<Scanner>);

impl std::io::Write for ScanWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.log_lines.fetch_add(1, Ordering::Relaxed);
        self.0.scan("log", &String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the process's log subscriber once: the SDK's spans and events at `trace`, reqwest's at `debug`,
/// everything else at `warn`, all written to the global scanner (and nowhere else).
pub fn install_log_scanner() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let scanner = Scanner::global();
        let filter = tracing_subscriber::EnvFilter::new("helium_sdk=trace,reqwest=debug,warn");
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || ScanWriter(scanner.clone()))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Uses every kind of credential the SDK takes, against an in-process dev backend, in calls that succeed and
/// calls that fail (wrong kind of key, unknown run, a revoked key, a refused service-role key in a browser
/// runtime), scanning every error and the `Debug`/`Display` of the clients and configurations.
///
/// # Errors
/// When the backend cannot start or a call meant to succeed fails.
pub async fn exercise_credentials() -> Result<usize, String> {
    use helium_devserver::{DevServer, DevServerOptions};
    use helium_sdk::models::{AgentRunId, CreateApiKeyRequest, InstallAgentQuery};
    use helium_sdk::{Client, Config, Env, Runtime, SupabaseConfig};

    let scanner = Scanner::global();
    let admin_key = "soak-admin-key-7f3c9a1e5b2d4f60";
    let server = DevServer::start(DevServerOptions {
        admin_api_key: Some(admin_key.to_owned()),
        ..DevServerOptions::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let token = server.sample_token();
    let public_key = server.create_public_api_key(helium_devserver::auth::SAMPLE_USER_ID);
    for (label, value) in [
        ("access token", token.as_str()),
        ("admin key", admin_key),
        ("public API key", public_key.as_str()),
        ("anon key", &server.anon_key()),
        ("service-role key", &server.service_role_key()),
    ] {
        scanner.add(label, value);
    }
    let e = |e: helium_sdk::Error| e.to_string();
    let by_token = Client::builder()
        .base_url(server.api_url())
        .bearer_token(&token)
        .admin_api_key(admin_key)
        .supabase(server.base_url(), server.anon_key())
        .build()
        .map_err(e)?;
    let created = by_token
        .api_keys()
        .create(&CreateApiKeyRequest::new("soak"))
        .await
        .map_err(e)?;
    let api_key = format!("{}:{}", created.public_key, created.secret_key);
    scanner.add("API key", &api_key);
    let by_key = Client::builder()
        .base_url(server.api_url())
        .api_key(&api_key)
        .build()
        .map_err(e)?;
    let by_public = Client::builder()
        .base_url(server.api_url())
        .api_key(&public_key)
        .build()
        .map_err(e)?;
    let mut errors = Vec::new();
    let missing = AgentRunId::from("00000000-0000-4000-8000-000000000000");
    by_key.api_keys().list().await.map_err(e)?;
    if let Err(err) = by_key.runs().get(&missing).await {
        errors.push(err);
    }
    if let Err(err) = by_public.runs().get(&missing).await {
        errors.push(err);
    }
    if let Err(err) = by_token
        .admin()
        .install_default_agent("not-an-account", &InstallAgentQuery::default())
        .await
    {
        errors.push(err);
    }
    by_token
        .api_keys()
        .revoke(created.key_id.clone())
        .await
        .map_err(e)?;
    if let Err(err) = by_key.api_keys().list().await {
        errors.push(err);
    }
    // Wrong credentials of every shape.
    let bad_key = format!("{}:sk_{}", created.public_key, "0".repeat(32));
    scanner.add("wrong API key", &bad_key);
    for key in [bad_key.as_str(), "pk_short:sk_short", "he-", &format!("{token}x")] {
        match Client::builder().base_url(server.api_url()).api_key(key).build() {
            Ok(c) => {
                if let Err(err) = c.runs().get(&missing).await {
                    errors.push(err);
                }
            }
            Err(err) => errors.push(err),
        }
    }
    // Configurations holding keys, and a service-role key refused in a browser runtime.
    let env = Env::from_map([
        ("SUPABASE_URL", server.base_url()),
        ("SUPABASE_SERVICE_ROLE_KEY", server.service_role_key()),
        ("NEXT_PUBLIC_SUPABASE_URL", server.base_url()),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", server.service_role_key()),
        ("BACKEND_INTERNAL_URL", server.api_url()),
    ]);
    let server_side = SupabaseConfig::load(Runtime::Server, &env).map_err(e)?;
    scanner.scan_debug("supabase config", &server_side);
    scanner.scan_display("supabase config", &server_side);
    let config = Config::load(Runtime::Server, &env).map_err(e)?;
    scanner.scan_debug("config", &config);
    scanner.scan_display("config", &config);
    if let Err(err) = SupabaseConfig::load(Runtime::Client, &env) {
        errors.push(err);
    }
    for c in [&by_token, &by_key, &by_public] {
        scanner.scan_debug("client", c);
    }
    for err in &errors {
        scanner.scan_error("credential error", err);
    }
    server.shutdown().await;
    Ok(errors.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_secrets_and_their_parts() {
        let s = Scanner::default();
        s.add(
            "token",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVz",
        );
        s.add("api key", "pk_abcdefghijklmnop:sk_0123456789abcdefghij");
        s.scan(
            "a",
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVz",
        );
        s.scan("b", "…c2lnbmF0dXJlLWJ5dGVz…");
        s.scan("c", "sk_0123456789abcdefghij");
        s.scan("d", "nothing here, not even eyJhbGciOiJIUzI1NiJ9 alone");
        let r = s.report();
        assert_eq!(r.texts, 4);
        let origins: Vec<&str> = r.findings.iter().map(|f| f.split(':').next().unwrap()).collect();
        assert!(origins.contains(&"a") && origins.contains(&"b") && origins.contains(&"c"));
        assert!(!origins.contains(&"d"), "a JWT header alone is no secret");
    }
}
