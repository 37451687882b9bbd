//! Property tests: the configuration parsers never panic and are stable on their own output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use helium_sdk::{Config, Env, HttpUrl, Runtime, SupabaseConfig, SupabaseKey};
use proptest::prelude::*;

fn url_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(https?|HTTP|ftp)://[a-zA-Z0-9.:@\\[\\]_/?#% -]{0,40}",
        "http://\\[[0-9a-f:]{0,12}\\](:[0-9]{0,6})?(/[a-z]{0,5}){0,3}/{0,3}",
    ]
}

fn key_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9_=-]{0,20}(\\.[A-Za-z0-9_=+/-]{0,30}){0,4}",
        "sb_(publishable|secret)_[ -~]{0,12}",
    ]
}

proptest! {
    #[test]
    fn url_parser_never_panics_and_is_idempotent(s in url_like()) {
        if let Ok(url) = HttpUrl::parse(&s) {
            let again = HttpUrl::parse(&url.to_string()).expect("output re-parses");
            prop_assert_eq!(&again, &url);
            prop_assert!(!url.to_string().ends_with('/'));
        }
    }

    #[test]
    fn key_parser_never_panics(s in key_like()) {
        if let Ok(key) = SupabaseKey::parse(&s) {
            prop_assert_eq!(key.fingerprint().len(), 8);
        }
    }

    #[test]
    fn loaders_never_panic(
        internal in url_like(), public in url_like(), mode in "[a-zA-Z]{0,12}", key in key_like(), client in any::<bool>()
    ) {
        let env = Env::from_map([
            ("BACKEND_INTERNAL_URL", internal),
            ("NEXT_PUBLIC_BACKEND_URL", public.clone()),
            ("ENV_MODE", mode),
            ("NEXT_PUBLIC_SUPABASE_URL", public),
            ("NEXT_PUBLIC_SUPABASE_ANON_KEY", key),
        ]);
        let runtime = if client { Runtime::Client } else { Runtime::Server };
        let _ = Config::load(runtime, &env).map(|c| c.to_string());
        let _ = SupabaseConfig::load(runtime, &env).map(|c| c.to_string());
    }
}
