//! Black-box tests of `helium ask`, `helium agents` and `helium billing` against an in-process dev backend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Duration;

use helium_devserver::{DevServer, DevServerOptions};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_helium");
const USER: &str = "2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b";

/// A dev backend on its own runtime, shut down on drop.
struct Backend {
    rt: tokio::runtime::Runtime,
    server: Option<DevServer>,
}

impl Backend {
    fn start(f: impl FnOnce(&mut DevServerOptions)) -> Backend {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut options = DevServerOptions {
            pace: Duration::from_millis(2),
            ..DevServerOptions::default()
        };
        f(&mut options);
        let server = rt.block_on(DevServer::start(options)).unwrap();
        Backend {
            rt,
            server: Some(server),
        }
    }

    fn server(&self) -> &DevServer {
        self.server.as_ref().unwrap()
    }

    fn with(&self, name: &'static str, value: String) -> Vec<(&'static str, String)> {
        vec![
            ("NEXT_PUBLIC_BACKEND_URL", self.server().api_url()),
            (name, value),
        ]
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn helium(args: &[&str], env: &[(&'static str, String)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.env_clear();
    for keep in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    run
}

/// A failure: a non-zero exit that says why on stderr, in a short `error:` line.
fn assert_fails_saying(run: &Run, needle: &str) {
    assert_ne!(run.code, 0, "stdout: {}", run.stdout);
    let first = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or("");
    assert!(first.contains(needle), "expected {needle:?} in: {}", run.stderr);
}

#[test]
fn ask_prints_the_answer_and_the_files_with_an_he_key() {
    let backend = Backend::start(|_| {});
    let key = backend.server().create_public_api_key(USER);
    let env = backend.with("HELIUM_API_KEY", key.clone());
    let dir = std::env::temp_dir().join(format!("helium-ask-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "remember the milk").unwrap();

    let run = helium(
        &["ask", "Write a hello page", "--file", notes.to_str().unwrap()],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The answer (the run's last assistant message), then the files the task made.
    let answer = run.stdout.lines().next().unwrap_or("");
    assert!(answer.contains("index.html"), "{}", run.stdout);
    assert!(
        run.stdout.contains("files:") && run.stdout.contains("index.html"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("▶ task started") && run.stderr.contains("rate limit: "),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(&key) && !run.stderr.contains(&key));

    let run = helium(&["ask", "Same, as JSON", "--json"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(out["status"], "completed");
    assert!(out["response"].as_str().unwrap().contains("index.html"), "{out}");
    assert!(
        out["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file_name"] == "index.html"),
        "{out}"
    );
    assert_eq!(out["rate_limit"]["limit"], 100);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ask_failures_say_why_on_stderr() {
    let backend = Backend::start(|_| {});
    let key = backend.server().create_public_api_key(USER);
    let env = backend.with("HELIUM_API_KEY", key);
    assert_fails_saying(&helium(&["ask", &"x".repeat(5001)], &env), "5000");
    let run = helium(&["ask", "wait for me [hold]", "--timeout", "1"], &env);
    assert_fails_saying(&run, "did not finish within 1 s");
    assert!(run.stderr.contains("hint: wait longer"), "{}", run.stderr);
    // A pk_…:sk_… key is not a public API key; no credentials at all is the usual message.
    let pk = backend.with(
        "HELIUM_API_KEY",
        format!("pk_{}:sk_{}", "a".repeat(32), "b".repeat(32)),
    );
    let run = helium(&["ask", "hi"], &pk);
    assert_fails_saying(&run, "he- API key");
    let none = vec![("NEXT_PUBLIC_BACKEND_URL", backend.server().api_url())];
    assert_fails_saying(&helium(&["ask", "hi"], &none), "needs credentials");
    // An access token works on the public API too.
    let token = backend.with("HELIUM_ACCESS_TOKEN", backend.server().sample_token());
    assert_eq!(helium(&["ask", "with a token"], &token).code, 0);
}

#[test]
fn agents_the_frontend_way_and_billing_status() {
    let backend = Backend::start(|_| {});
    let env = backend.with("HELIUM_ACCESS_TOKEN", backend.server().sample_token());
    let run = helium(&["agents"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("helium-default") && run.stdout.contains("(built-in)"),
        "{}",
        run.stdout
    );
    let run = helium(&["agents", "--json"], &env);
    let out: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(out["agents"][0]["agent_id"], "helium-default");

    let run = helium(&["billing"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("plan: free"), "{}", run.stdout);
    assert!(run.stdout.contains("credit balance: $0.00"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ runs: "), "{}", run.stdout);
    let run = helium(&["billing", "--json"], &env);
    let out: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(out["subscription"]["plan_name"], "free");
    assert_eq!(out["credits"]["balance"], 0.0);
    assert_eq!(out["can_run"], true);

    // A he- key is refused on these internal routes before anything is sent, and the exit says why.
    let key = backend.server().create_public_api_key(USER);
    let he = backend.with("HELIUM_API_KEY", key.clone());
    let run = helium(&["billing"], &he);
    assert_fails_saying(&run, "public API v1");
    assert!(!run.stderr.contains(&key));
}

#[test]
fn agents_lists_custom_agents_when_the_flag_is_on() {
    let backend = Backend::start(|o| o.feature_flags = vec![("custom_agents".into(), true)]);
    let token = backend.server().sample_token();
    let env = backend.with("HELIUM_ACCESS_TOKEN", token.clone());
    let run = helium(&["agents"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "no agents");
    let url = format!("{}/agents", backend.server().api_url());
    backend.rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(url)
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Writer", "system_prompt": "You write."}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
    });
    let run = helium(&["agents"], &env);
    assert!(
        run.stdout.contains("Writer") && !run.stdout.contains("helium-default"),
        "{}",
        run.stdout
    );
}
