//! The configuration core through the public API: the deployment guide's URL matrix, env mode, Supabase keys
//! and redaction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use helium_sdk::config::{BACKEND_INTERNAL_URL, NEXT_PUBLIC_BACKEND_URL, UrlProblem};
use helium_sdk::{
    BackendUrlSource, Config, ConfigError, Env, EnvMode, EnvOrigin, Error, ErrorKind, JwtRole, KeyKind,
    KeyProblem, Runtime, SupabaseConfig, SupabaseKey, resolve_backend_url,
};

/// One of the three states a variable can be in.
#[derive(Clone, Copy, Debug)]
enum Var {
    Unset,
    Empty,
    Set(&'static str),
}

const STATES_INTERNAL: [Var; 3] = [Var::Unset, Var::Empty, Var::Set("http://backend-internal:8000/")];
const STATES_PUBLIC: [Var; 3] = [Var::Unset, Var::Empty, Var::Set("https://api.example.com/api//")];

fn env_of(pairs: &[(&'static str, Var)]) -> Env {
    Env::from_map(pairs.iter().filter_map(|(k, v)| match v {
        Var::Unset => None,
        Var::Empty => Some((*k, "")),
        Var::Set(s) => Some((*k, *s)),
    }))
}

/// JavaScript's `a || b`: the first truthy string.
fn js_or<'a>(vals: &[Var], default: &'a str) -> &'a str
where
    'static: 'a,
{
    vals.iter()
        .find_map(|v| match v {
            Var::Set(s) if !s.is_empty() => Some(*s),
            _ => None,
        })
        .unwrap_or(default)
}

fn trimmed(s: &str) -> String {
    s.trim_end_matches('/').to_owned()
}

#[test]
fn backend_url_matrix_follows_get_backend_url() {
    let mut checked = 0;
    for internal in STATES_INTERNAL {
        for public in STATES_PUBLIC {
            // A third variable the guide does not read on either side must never matter.
            for unrelated in [Var::Unset, Var::Empty, Var::Set("http://ignored:1")] {
                let env = env_of(&[
                    (BACKEND_INTERNAL_URL, internal),
                    (NEXT_PUBLIC_BACKEND_URL, public),
                    ("BACKEND_URL", unrelated),
                ]);
                let server = resolve_backend_url(Runtime::Server, &env).unwrap();
                let client = resolve_backend_url(Runtime::Client, &env).unwrap();
                assert_eq!(
                    server.to_string(),
                    trimmed(js_or(&[internal, public], "http://localhost:8000")),
                    "server {internal:?} {public:?}"
                );
                assert_eq!(
                    client.to_string(),
                    trimmed(js_or(&[public], "http://localhost:8000")),
                    "client {internal:?} {public:?}"
                );
                let expected_server_source = match (internal, public) {
                    (Var::Set(_), _) => BackendUrlSource::BackendInternalUrl,
                    (_, Var::Set(_)) => BackendUrlSource::NextPublicBackendUrl,
                    _ => BackendUrlSource::Default,
                };
                assert_eq!(server.source(), expected_server_source);
                assert_ne!(client.source(), BackendUrlSource::BackendInternalUrl);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 27);
}

#[test]
fn api_root_appends_api_only_when_missing() {
    for (backend, root) in [
        ("http://localhost:8000", "http://localhost:8000/api"),
        ("http://localhost:8000/", "http://localhost:8000/api"),
        ("http://localhost:8000/api", "http://localhost:8000/api"),
        ("http://localhost:8000/api/", "http://localhost:8000/api"),
        ("https://x.test/helium", "https://x.test/helium/api"),
        ("https://x.test/v2/api", "https://x.test/v2/api"),
        ("https://x.test/myapi", "https://x.test/myapi/api"),
        ("https://x.test/api/v1", "https://x.test/api/v1/api"),
    ] {
        let env = Env::from_map([(NEXT_PUBLIC_BACKEND_URL, backend)]);
        let config = Config::load(Runtime::Client, &env).unwrap();
        assert_eq!(config.api_root().to_string(), root, "{backend}");
        assert_eq!(config.api_root().endpoint("/health"), format!("{root}/health"));
    }
    let default = Config::load(Runtime::Server, &Env::from_map::<&str, &str, _>([])).unwrap();
    assert_eq!(default.api_root().to_string(), "http://localhost:8000/api");
}

fn config_error(result: Result<impl std::fmt::Debug, Error>) -> ConfigError {
    let err = result.expect_err("expected a config error");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(err.kind().as_str(), "config");
    err.as_config().cloned().unwrap()
}

#[test]
fn invalid_values_name_their_variable() {
    for (var, runtime) in [
        (BACKEND_INTERNAL_URL, Runtime::Server),
        (NEXT_PUBLIC_BACKEND_URL, Runtime::Client),
    ] {
        for (value, problem) in [
            ("localhost:8000", UrlProblem::NotHttp),
            ("/api", UrlProblem::NotHttp),
            ("  ", UrlProblem::Empty),
            ("ws://x", UrlProblem::NotHttp),
            ("http://user:pw@x", UrlProblem::Credentials),
            ("http://x:99999", UrlProblem::InvalidPort),
            ("http://x/api?debug=1", UrlProblem::QueryOrFragment),
        ] {
            let env = Env::from_map([(var, value)]);
            let err = config_error(resolve_backend_url(runtime, &env));
            assert_eq!(err.code(), "invalid_url");
            assert_eq!(err.variable(), Some(var));
            assert!(
                matches!(&err, ConfigError::InvalidUrl { variable, problem: p, origin: EnvOrigin::Explicit, .. }
                    if *variable == var && *p == problem),
                "{err:?}"
            );
            let msg = err.to_string();
            assert!(msg.contains(var), "{msg}");
            if value.trim().len() > 3 {
                assert!(!msg.contains(value), "the message must not echo the value: {msg}");
            }
        }
    }
    // The server ignores an invalid public URL when the internal one wins (as `||` never looks at it) ...
    let env = Env::from_map([
        (BACKEND_INTERNAL_URL, "http://internal:1"),
        (NEXT_PUBLIC_BACKEND_URL, "nope"),
    ]);
    assert_eq!(
        resolve_backend_url(Runtime::Server, &env).unwrap().to_string(),
        "http://internal:1"
    );
    // ... and the client reports it.
    assert_eq!(
        config_error(resolve_backend_url(Runtime::Client, &env)).variable(),
        Some(NEXT_PUBLIC_BACKEND_URL)
    );
}

#[test]
fn env_mode_is_read_case_insensitively_and_defaults_to_local() {
    let mode =
        |pairs: &[(&'static str, &'static str)]| EnvMode::from_env(&Env::from_map(pairs.iter().copied()));
    assert_eq!(mode(&[]).unwrap(), (EnvMode::Local, None));
    assert_eq!(
        mode(&[("NEXT_PUBLIC_ENV_MODE", "")]).unwrap(),
        (EnvMode::Local, None)
    );
    assert_eq!(
        mode(&[("NEXT_PUBLIC_ENV_MODE", "PRODUCTION")]).unwrap().0,
        EnvMode::Production
    );
    assert_eq!(
        mode(&[("ENV_MODE", "Staging")]).unwrap(),
        (EnvMode::Staging, Some("ENV_MODE"))
    );
    assert_eq!(
        mode(&[("NEXT_PUBLIC_ENV_MODE", "LOCAL"), ("ENV_MODE", "production")]).unwrap(),
        (EnvMode::Local, Some("NEXT_PUBLIC_ENV_MODE"))
    );
    assert!(matches!(
        mode(&[("ENV_MODE", "prod")]).unwrap_err(),
        ConfigError::InvalidEnvMode {
            variable: "ENV_MODE",
            ..
        }
    ));
}

#[test]
fn production_refuses_plain_http_except_loopback() {
    let load = |url: &'static str| {
        Config::load(
            Runtime::Client,
            &Env::from_map([
                ("NEXT_PUBLIC_ENV_MODE", "production"),
                (NEXT_PUBLIC_BACKEND_URL, url),
            ]),
        )
    };
    let err = config_error(load("http://api.example.com/api"));
    assert_eq!(err.code(), "insecure_url");
    assert_eq!(err.variable(), Some(NEXT_PUBLIC_BACKEND_URL));
    assert!(err.to_string().contains("NEXT_PUBLIC_ENV_MODE"));
    assert_eq!(
        load("https://api.example.com/api").unwrap().env_mode(),
        EnvMode::Production
    );
    for loopback in [
        "http://localhost:8000/api",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
    ] {
        assert!(load(loopback).is_ok(), "{loopback}");
    }
    // The default (localhost) is fine in production; staging allows http.
    assert!(Config::load(Runtime::Server, &Env::from_map([("ENV_MODE", "production")])).is_ok());
    let staging = Env::from_map([
        ("ENV_MODE", "staging"),
        (BACKEND_INTERNAL_URL, "http://backend:8000"),
    ]);
    assert_eq!(
        Config::load(Runtime::Server, &staging).unwrap().env_mode(),
        EnvMode::Staging
    );
}

// ---- Supabase -------------------------------------------------------------------------------------------

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn jwt(payload: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJlLXNlY3JldC1ieXRlcw",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload)
    )
}

fn anon_jwt() -> String {
    jwt(r#"{"iss":"supabase","ref":"abcdefghijklmnop","role":"anon","iat":1700000000,"exp":2015000000}"#)
}

fn service_jwt() -> String {
    jwt(
        r#"{"iss":"supabase","ref":"abcdefghijklmnop","role":"service_role","iat":1700000000,"exp":2015000000}"#,
    )
}

const PUBLISHABLE: &str = "sb_publishable_Zx9PqR7sT3uV5wX1yA2bC4d";
const SECRET: &str = "sb_secret_Qm8NnB7vC6xZ5lK4jH3gF2dS1a";

#[test]
fn recognises_each_key_kind() {
    let anon = SupabaseKey::parse(&anon_jwt()).unwrap();
    assert_eq!(
        anon.kind(),
        &KeyKind::LegacyJwt {
            role: JwtRole::Anon,
            expires_at: Some(2015000000)
        }
    );
    assert!(!anon.kind().is_secret());
    let service = SupabaseKey::parse(&service_jwt()).unwrap();
    assert_eq!(
        service.kind(),
        &KeyKind::LegacyJwt {
            role: JwtRole::ServiceRole,
            expires_at: Some(2015000000)
        }
    );
    assert!(service.kind().is_secret());
    let other = SupabaseKey::parse(&jwt(r#"{"role":"authenticated","sub":"u"}"#)).unwrap();
    assert_eq!(
        other.kind(),
        &KeyKind::LegacyJwt {
            role: JwtRole::Other("authenticated".into()),
            expires_at: None
        }
    );
    // Padded base64 is accepted too.
    let padded = format!(
        "x.{}.sig",
        base64::engine::general_purpose::URL_SAFE.encode(r#"{"role": "anon"}"#)
    );
    assert!(padded.contains("=="));
    assert!(matches!(
        SupabaseKey::parse(&padded).map(|k| k.kind().clone()),
        Ok(KeyKind::LegacyJwt { .. })
    ));
    assert_eq!(
        SupabaseKey::parse(PUBLISHABLE).unwrap().kind(),
        &KeyKind::Publishable
    );
    assert_eq!(SupabaseKey::parse(SECRET).unwrap().kind(), &KeyKind::Secret);
    assert!(SupabaseKey::parse(SECRET).unwrap().kind().is_secret());
    assert_eq!(
        SupabaseKey::parse(PUBLISHABLE).unwrap().expose_secret(),
        PUBLISHABLE
    );
}

#[test]
fn malformed_keys_are_typed_errors() {
    let cases: Vec<(String, KeyProblem)> = vec![
        ("not-a-key".into(), KeyProblem::UnknownFormat),
        ("a.b".into(), KeyProblem::SegmentCount(2)),
        ("a.b.c.d".into(), KeyProblem::SegmentCount(4)),
        ("..".into(), KeyProblem::Json),
        ("h.!!!notbase64!!!.s".into(), KeyProblem::Base64),
        (format!("h.{}.s", b64("not json")), KeyProblem::Json),
        (format!("h.{}.s", b64("[1,2,3]")), KeyProblem::Json),
        (format!("h.{}.s", b64(r#"{"role":7}"#)), KeyProblem::NoRole),
        (format!("h.{}.s", b64(r#"{"sub":"x"}"#)), KeyProblem::NoRole),
        ("sb_publishable_".into(), KeyProblem::Truncated),
        ("sb_secret_has space".into(), KeyProblem::Truncated),
    ];
    for (key, problem) in cases {
        assert_eq!(SupabaseKey::parse(&key).unwrap_err(), problem, "{key}");
    }
    // Through the loader: a typed config error naming the variable.
    let env = Env::from_map([
        ("NEXT_PUBLIC_SUPABASE_URL", "https://p.supabase.co"),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", "a.b"),
    ]);
    let err = config_error(SupabaseConfig::load(Runtime::Client, &env));
    assert!(matches!(
        err,
        ConfigError::InvalidKey {
            variable: "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            reason: KeyProblem::SegmentCount(2),
            ..
        }
    ));
}

fn supabase_env(extra: &[(&'static str, String)]) -> Env {
    Env::from_map(extra.iter().cloned())
}

#[test]
fn supabase_client_side_uses_public_names_and_refuses_secret_keys() {
    let url = ("NEXT_PUBLIC_SUPABASE_URL", "https://proj.supabase.co/".to_owned());
    let ok = SupabaseConfig::load(
        Runtime::Client,
        &supabase_env(&[url.clone(), ("NEXT_PUBLIC_SUPABASE_ANON_KEY", anon_jwt())]),
    )
    .unwrap();
    assert_eq!(ok.url().to_string(), "https://proj.supabase.co");
    assert_eq!(ok.rest_url(), "https://proj.supabase.co/rest/v1");
    assert_eq!(ok.auth_url(), "https://proj.supabase.co/auth/v1");
    assert_eq!(ok.storage_url(), "https://proj.supabase.co/storage/v1");
    assert_eq!(ok.realtime_url(), "wss://proj.supabase.co/realtime/v1");
    assert_eq!(
        (ok.url_variable(), ok.key_variable()),
        ("NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY")
    );
    for secret in [service_jwt(), SECRET.to_owned()] {
        let env = supabase_env(&[url.clone(), ("NEXT_PUBLIC_SUPABASE_ANON_KEY", secret)]);
        let err = config_error(SupabaseConfig::load(Runtime::Client, &env));
        assert_eq!(err.code(), "secret_key_in_client");
        assert_eq!(err.variable(), Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
        // The same value is accepted server side.
        assert!(
            SupabaseConfig::load(Runtime::Server, &env)
                .unwrap()
                .key()
                .kind()
                .is_secret()
        );
    }
    // Server-only names are invisible to the client.
    let server_only = supabase_env(&[
        ("SUPABASE_URL", "https://proj.supabase.co".into()),
        ("SUPABASE_ANON_KEY", anon_jwt()),
    ]);
    let err = config_error(SupabaseConfig::load(Runtime::Client, &server_only));
    assert!(matches!(
        &err,
        ConfigError::Missing { what: "the Supabase URL", looked_for, origin: EnvOrigin::Explicit, .. }
            if looked_for == &["NEXT_PUBLIC_SUPABASE_URL"]
    ));
    assert!(err.to_string().contains("NEXT_PUBLIC_SUPABASE_URL"), "{err}");
    assert!(err.to_string().contains("env map passed by the caller"), "{err}");
}

#[test]
fn supabase_server_side_precedence() {
    let all = supabase_env(&[
        ("SUPABASE_URL", "https://server.supabase.co".into()),
        ("NEXT_PUBLIC_SUPABASE_URL", "https://public.supabase.co".into()),
        ("SUPABASE_SERVICE_ROLE_KEY", service_jwt()),
        ("SUPABASE_ANON_KEY", anon_jwt()),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", PUBLISHABLE.into()),
    ]);
    let c = SupabaseConfig::load(Runtime::Server, &all).unwrap();
    assert_eq!(
        (c.url_variable(), c.key_variable()),
        ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY")
    );
    let c = SupabaseConfig::load(Runtime::Client, &all).unwrap();
    assert_eq!(c.url().to_string(), "https://public.supabase.co");
    assert_eq!(c.key().kind(), &KeyKind::Publishable);

    let anon_only = supabase_env(&[
        ("SUPABASE_URL", "https://server.supabase.co".into()),
        ("SUPABASE_SERVICE_ROLE_KEY", String::new()),
        ("SUPABASE_ANON_KEY", anon_jwt()),
    ]);
    assert_eq!(
        SupabaseConfig::load(Runtime::Server, &anon_only)
            .unwrap()
            .key_variable(),
        "SUPABASE_ANON_KEY"
    );

    let public_only = supabase_env(&[
        ("NEXT_PUBLIC_SUPABASE_URL", "https://public.supabase.co".into()),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", anon_jwt()),
    ]);
    let c = SupabaseConfig::load(Runtime::Server, &public_only).unwrap();
    assert_eq!(
        (c.url_variable(), c.key_variable()),
        ("NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY")
    );

    let no_key = supabase_env(&[("SUPABASE_URL", "https://server.supabase.co".into())]);
    let err = config_error(SupabaseConfig::load(Runtime::Server, &no_key));
    assert_eq!(err.code(), "missing");
    let msg = err.to_string();
    for name in [
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_ANON_KEY",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    ] {
        assert!(msg.contains(name), "{msg}");
    }

    let prod_http = supabase_env(&[
        ("ENV_MODE", "production".into()),
        ("SUPABASE_URL", "http://db.internal:54321".into()),
        ("SUPABASE_ANON_KEY", anon_jwt()),
    ]);
    assert_eq!(
        config_error(SupabaseConfig::load(Runtime::Server, &prod_http)).code(),
        "insecure_url"
    );
    let local_http = supabase_env(&[
        ("SUPABASE_URL", "http://127.0.0.1:54321".into()),
        ("SUPABASE_ANON_KEY", anon_jwt()),
    ]);
    assert_eq!(
        SupabaseConfig::load(Runtime::Server, &local_http)
            .unwrap()
            .realtime_url(),
        "ws://127.0.0.1:54321/realtime/v1"
    );
}

#[test]
fn no_key_material_in_debug_or_display() {
    let anon = anon_jwt();
    let service = service_jwt();
    let fragments = |key: &str| -> Vec<String> {
        let mut f = vec![key.to_owned()];
        f.extend(key.split('.').filter(|s| s.len() >= 8).map(str::to_owned));
        if let Some(rest) = key
            .strip_prefix("sb_secret_")
            .or_else(|| key.strip_prefix("sb_publishable_"))
        {
            f.push(rest.to_owned());
            f.push(rest[..8].to_owned());
        }
        f
    };
    let mut rendered = Vec::new();
    for key in [
        anon.clone(),
        service.clone(),
        PUBLISHABLE.to_owned(),
        SECRET.to_owned(),
    ] {
        let parsed = SupabaseKey::parse(&key).unwrap();
        rendered.push((key.clone(), format!("{parsed:?} {parsed}")));
        let env = supabase_env(&[
            ("SUPABASE_URL", "https://proj.supabase.co".into()),
            ("SUPABASE_SERVICE_ROLE_KEY", key.clone()),
            ("NEXT_PUBLIC_SUPABASE_URL", "https://proj.supabase.co".into()),
            ("NEXT_PUBLIC_SUPABASE_ANON_KEY", key.clone()),
            ("NEXT_PUBLIC_BACKEND_URL", "http://localhost:8000/api".into()),
        ]);
        rendered.push((key.clone(), format!("{env:?}")));
        for runtime in [Runtime::Server, Runtime::Client] {
            match SupabaseConfig::load(runtime, &env) {
                Ok(c) => rendered.push((key.clone(), format!("{c:?} {c}"))),
                Err(e) => rendered.push((key.clone(), format!("{e:?} {e}"))),
            }
            let config = Config::load(runtime, &env).unwrap();
            rendered.push((
                key.clone(),
                format!("{config:?} {config} {:?} {}", config.backend(), config.api_root()),
            ));
        }
        // Keys as the wrong variable's value (a URL) must not be echoed in the error either.
        let err = Config::load(
            Runtime::Client,
            &Env::from_map([("NEXT_PUBLIC_BACKEND_URL", key.clone())]),
        )
        .unwrap_err();
        rendered.push((key.clone(), format!("{err:?} {err}")));
        // A key that is malformed in one character.
        let broken = format!("{key}\u{1}");
        let env = supabase_env(&[
            ("NEXT_PUBLIC_SUPABASE_URL", "https://p.supabase.co".into()),
            ("NEXT_PUBLIC_SUPABASE_ANON_KEY", broken),
        ]);
        if let Err(e) = SupabaseConfig::load(Runtime::Client, &env) {
            rendered.push((key.clone(), format!("{e:?} {e}")));
        }
    }
    assert!(rendered.len() >= 24);
    for (key, text) in &rendered {
        for fragment in fragments(key) {
            assert!(
                !text.contains(&fragment),
                "key material {fragment:?} leaked in {text}"
            );
        }
        assert!(!text.contains("c2lnbmF0dXJl"), "signature leaked in {text}");
    }
    // The fingerprint is shown instead, and tells keys apart.
    let a = SupabaseKey::parse(&anon).unwrap();
    let s = SupabaseKey::parse(&service).unwrap();
    assert!(a.to_string().contains(&a.fingerprint()));
    assert_ne!(a.fingerprint(), s.fingerprint());
    assert_eq!(a.fingerprint().len(), 8);
}

#[test]
fn process_env_is_the_native_environment() {
    let env = Env::from_process();
    assert_eq!(env.origin(), EnvOrigin::Process);
    assert_eq!(
        env.get("PATH"),
        std::env::var("PATH").ok().as_deref().filter(|p| !p.is_empty())
    );
    assert_eq!(Runtime::detect(), Runtime::Server);
}

#[test]
fn config_from_env_uses_the_server_runtime_natively() {
    let config = Config::from_env();
    // Whatever the machine's environment, the runtime is server natively.
    if let Ok(config) = config {
        assert_eq!(config.runtime(), Runtime::Server);
    }
}
