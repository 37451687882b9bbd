//! Fuzzes the configuration parsers: base URLs, Supabase keys (JWT payload decoding) and the loaders over an
//! arbitrary environment. Any panic is a bug.
#![no_main]

use helium_sdk::{Config, Env, HttpUrl, Runtime, SupabaseConfig, SupabaseKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(url) = HttpUrl::parse(&text) {
        assert_eq!(HttpUrl::parse(&url.to_string()).ok(), Some(url));
    }
    let _ = SupabaseKey::parse(&text).map(|k| k.to_string());
    // Lines of NAME=VALUE form an environment.
    let env = Env::from_map(text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())));
    for runtime in [Runtime::Server, Runtime::Client] {
        let _ = Config::load(runtime, &env).map(|c| c.to_string());
        let _ = SupabaseConfig::load(runtime, &env).map(|c| c.to_string());
    }
});
