//! The standalone binary: banner, serving, SIGTERM shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn binary_prints_banner_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_helium-devserver"))
        .args(["--port", "0", "--env-mode", "STAGING", "--pace-ms", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("helium-devserver listening on ")
        .unwrap()
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    assert!(!base.ends_with(":0"));
    assert_eq!(lines.next().unwrap().unwrap(), format!("API root: {base}/api"));
    let token_line = lines.next().unwrap().unwrap();
    let token = token_line.strip_prefix("sample bearer token: ").unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(lines.next().unwrap().unwrap(), "env mode: staging");
    assert_eq!(lines.next().unwrap().unwrap(), format!("supabase url: {base}"));
    let anon_line = lines.next().unwrap().unwrap();
    let anon = anon_line.strip_prefix("supabase anon key: ").unwrap().to_owned();
    assert_eq!(anon.split('.').count(), 3);

    let health: serde_json::Value = reqwest::get(format!("{base}/api/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["environment"], "staging");
    let r = reqwest::Client::new()
        .get(format!("{base}/api/billing/subscription"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // the printed anon key is the project's: PostgREST accepts it (as apikey and as the anon JWT)
    let r = reqwest::Client::new()
        .get(format!("{base}/rest/v1/threads?select=thread_id"))
        .header("apikey", &anon)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "[]");

    #[cfg(unix)]
    {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let t = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{status:?}");
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(10), "no exit after SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = child.kill();
    }
}
