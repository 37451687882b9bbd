//! Black-box tests of the `helium` binary against an in-process dev backend, with controlled environments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use helium_devserver::{DevServer, DevServerOptions};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_helium");

/// A dev backend on its own runtime (port 0, 2 ms pace), shut down on drop.
struct Backend {
    rt: tokio::runtime::Runtime,
    server: Option<DevServer>,
    base: String,
    token: String,
    /// The dev project's anon key (the only public key its Supabase endpoints accept).
    anon_key: String,
}

impl Backend {
    fn start() -> Backend {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt
            .block_on(DevServer::start(DevServerOptions {
                pace: Duration::from_millis(2),
                ..DevServerOptions::default()
            }))
            .unwrap();
        let base = server.base_url();
        let token = server.sample_token();
        let anon_key = server.anon_key();
        Backend {
            rt,
            server: Some(server),
            base,
            token,
            anon_key,
        }
    }

    fn api(&self) -> String {
        format!("{}/api", self.base)
    }

    /// NEXT_PUBLIC_BACKEND_URL + HELIUM_ACCESS_TOKEN.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("NEXT_PUBLIC_BACKEND_URL", self.api()),
            ("HELIUM_ACCESS_TOKEN", self.token.clone()),
        ]
    }

    fn schedule_fault(&self, method: &str, path: &str, fault: &str) {
        let url = format!("{}/__devserver/faults", self.base);
        let body = serde_json::json!({"method": method, "path": path, "fault": fault});
        self.rt.block_on(async {
            let resp = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
            assert!(resp.status().is_success());
        });
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}

fn command(args: &[&str], env: &[(&str, String)]) -> Command {
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
    cmd.args(args);
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn helium(args: &[&str], env: &[(&str, String)]) -> Run {
    let out: Output = command(args, env).output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "panic: {}",
        run.stderr
    );
    run
}

fn env(pairs: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    pairs
        .iter()
        .map(|(k, v)| (&*Box::leak(k.to_string().into_boxed_str()), v.to_string()))
        .collect()
}

fn jwt(claims: Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(claims.to_string()),
        b64.encode(b"not-a-real-signature-0123456789")
    )
}

fn anon_key() -> String {
    jwt(serde_json::json!({"iss": "supabase", "role": "anon", "exp": 4102444800i64}))
}

fn service_key() -> String {
    jwt(serde_json::json!({"iss": "supabase", "role": "service_role", "exp": 4102444800i64}))
}

fn assert_no_secret(run: &Run, secret: &str) {
    for part in secret.split('.').filter(|p| p.len() > 8) {
        assert!(!run.stdout.contains(part), "secret in stdout: {}", run.stdout);
        assert!(!run.stderr.contains(part), "secret in stderr: {}", run.stderr);
    }
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn config_json(args: &[&str], env: &[(&str, String)]) -> (i32, Value) {
    let mut all = vec!["config", "--json"];
    all.extend_from_slice(args);
    let run = helium(&all, env);
    (run.code, serde_json::from_str(&run.stdout).unwrap())
}

fn has_problem(report: &Value, variable: &str, code: &str) -> bool {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["variable"] == variable && p["code"] == code)
}

/// The run id of a thread's only run, through `helium runs --json`.
fn run_id_of(backend: &Backend, thread_id: &str) -> String {
    let runs = helium(&["runs", thread_id, "--json"], &backend.env());
    assert_eq!(runs.code, 0, "{}", runs.stderr);
    let v: Value = serde_json::from_str(&runs.stdout).unwrap();
    v["agent_runs"][0]["id"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- config

#[test]
fn config_backend_precedence_server_vs_client() {
    let e = env(&[
        ("BACKEND_INTERNAL_URL", "http://backend:8000/"),
        ("NEXT_PUBLIC_BACKEND_URL", "https://api.example.com/api"),
    ]);
    let (code, server) = config_json(&[], &e);
    assert_eq!(code, 0);
    assert_eq!(server["runtime"], "server");
    assert_eq!(server["backend"]["url"], "http://backend:8000");
    assert_eq!(server["backend"]["source"], "BACKEND_INTERNAL_URL");
    assert_eq!(server["backend"]["api_root"], "http://backend:8000/api");
    let (code, client) = config_json(&["--client"], &e);
    assert_eq!(code, 0);
    assert_eq!(client["runtime"], "client");
    assert_eq!(client["backend"]["source"], "NEXT_PUBLIC_BACKEND_URL");
    assert_eq!(client["backend"]["api_root"], "https://api.example.com/api");

    let text = helium(&["config"], &e);
    assert!(
        text.stdout
            .contains("http://backend:8000 (from BACKEND_INTERNAL_URL)"),
        "{}",
        text.stdout
    );
}

#[test]
fn config_empty_values_count_as_unset() {
    let e = env(&[
        ("BACKEND_INTERNAL_URL", ""),
        ("NEXT_PUBLIC_BACKEND_URL", "https://api.example.com"),
    ]);
    let (_, server) = config_json(&[], &e);
    assert_eq!(server["backend"]["source"], "NEXT_PUBLIC_BACKEND_URL");
    assert_eq!(server["backend"]["api_root"], "https://api.example.com/api");
    let e = env(&[("BACKEND_INTERNAL_URL", ""), ("NEXT_PUBLIC_BACKEND_URL", "")]);
    let (code, server) = config_json(&[], &e);
    assert_eq!(code, 0, "only a Supabase warning");
    assert_eq!(server["backend"]["source"], "default");
    assert_eq!(server["backend"]["url"], "http://localhost:8000");
    let text = helium(&["config"], &e);
    assert!(
        text.stdout
            .contains("empty (treated as unset): BACKEND_INTERNAL_URL, NEXT_PUBLIC_BACKEND_URL"),
        "{}",
        text.stdout
    );
}

#[test]
fn config_invalid_url_names_the_variable() {
    let e = env(&[("NEXT_PUBLIC_BACKEND_URL", "backend.example:9000")]);
    let (code, report) = config_json(&["--client"], &e);
    assert_eq!(code, 1);
    assert!(
        has_problem(&report, "NEXT_PUBLIC_BACKEND_URL", "invalid_url"),
        "{report}"
    );
    assert!(report["backend"].is_null());
    let text = helium(&["config"], &e);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout
            .contains("NEXT_PUBLIC_BACKEND_URL is not a valid backend or Supabase URL")
            && text.stdout.contains("(read from the process environment)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("fix: set NEXT_PUBLIC_BACKEND_URL"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.contains("backend.example"),
        "the value is not echoed"
    );
    // Other problems are still reported next to it.
    let e = env(&[
        ("NEXT_PUBLIC_BACKEND_URL", "localhost:8000"),
        ("ENV_MODE", "prod"),
    ]);
    let (_, report) = config_json(&[], &e);
    assert!(has_problem(&report, "ENV_MODE", "invalid_env_mode"), "{report}");
    assert!(
        has_problem(&report, "NEXT_PUBLIC_BACKEND_URL", "invalid_url"),
        "{report}"
    );
}

#[test]
fn config_flags_a_service_role_key_on_the_client_side() {
    let key = service_key();
    let e = env(&[
        ("NEXT_PUBLIC_SUPABASE_URL", "https://proj.supabase.co"),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", &key),
    ]);
    let (code, report) = config_json(&["--client"], &e);
    assert_eq!(code, 1);
    assert!(
        has_problem(&report, "NEXT_PUBLIC_SUPABASE_ANON_KEY", "secret_key_in_client"),
        "{report}"
    );
    assert_eq!(report["keys"][0]["kind"], "service_role_jwt");
    assert_eq!(report["keys"][0]["secret"], true);
    // The server side flags it too: NEXT_PUBLIC_ variables reach browsers.
    let (code, report) = config_json(&[], &e);
    assert_eq!(code, 1);
    assert!(
        has_problem(
            &report,
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "secret_key_in_public_variable"
        ),
        "{report}"
    );
    let text = helium(&["config", "--client"], &e);
    assert!(
        text.stdout.contains("NEXT_PUBLIC_SUPABASE_ANON_KEY"),
        "{}",
        text.stdout
    );
    assert_no_secret(&text, &key);
}

#[test]
fn config_json_shows_kinds_and_fingerprints_never_keys() {
    let service = service_key();
    let anon = anon_key();
    let e = env(&[
        ("SUPABASE_URL", "https://proj.supabase.co"),
        ("SUPABASE_SERVICE_ROLE_KEY", &service),
        ("NEXT_PUBLIC_SUPABASE_URL", "https://proj.supabase.co"),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", &anon),
        (
            "HELIUM_ACCESS_TOKEN",
            "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLXNpZ24",
        ),
    ]);
    for args in [
        &["config", "--json"][..],
        &["config", "--json", "--client"],
        &["config"],
        &["config", "--client"],
    ] {
        let run = helium(args, &e);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stdout);
        assert_no_secret(&run, &service);
        assert_no_secret(&run, &anon);
        assert_no_secret(
            &run,
            "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLXNpZ24",
        );
    }
    let (_, server) = config_json(&[], &e);
    assert_eq!(server["supabase"]["key_kind"], "service_role_jwt");
    assert_eq!(server["supabase"]["key_variable"], "SUPABASE_SERVICE_ROLE_KEY");
    assert_eq!(server["supabase"]["key_fingerprint"].as_str().unwrap().len(), 8);
    assert_eq!(server["supabase"]["rest_url"], "https://proj.supabase.co/rest/v1");
    assert_eq!(server["keys"].as_array().unwrap().len(), 2);
    let (_, client) = config_json(&["--client"], &e);
    assert_eq!(client["supabase"]["key_kind"], "anon_jwt");
    assert_eq!(
        client["supabase"]["key_variable"],
        "NEXT_PUBLIC_SUPABASE_ANON_KEY"
    );
}

#[test]
fn config_missing_supabase_is_a_problem_not_a_crash() {
    let (code, report) = config_json(&[], &[]);
    assert_eq!(code, 0, "a warning in local mode");
    assert!(
        has_problem(&report, "SUPABASE_URL", "supabase_not_configured"),
        "{report}"
    );
    assert!(report["supabase"].is_null());
    let e = env(&[
        ("ENV_MODE", "production"),
        ("NEXT_PUBLIC_BACKEND_URL", "https://api.example.com"),
    ]);
    let (code, report) = config_json(&["--client"], &e);
    assert_eq!(code, 1, "an error in production");
    assert!(
        has_problem(&report, "NEXT_PUBLIC_SUPABASE_URL", "supabase_not_configured"),
        "{report}"
    );
    // Only the key missing.
    let e = env(&[("NEXT_PUBLIC_SUPABASE_URL", "https://proj.supabase.co")]);
    let (code, report) = config_json(&["--client"], &e);
    assert_eq!(code, 1);
    assert!(
        has_problem(&report, "NEXT_PUBLIC_SUPABASE_ANON_KEY", "missing"),
        "{report}"
    );
}

// ---------------------------------------------------------------- doctor

#[test]
fn doctor_all_green_against_the_dev_backend_and_its_supabase_endpoints() {
    let backend = Backend::start();
    let mut e = backend.env();
    e.extend(env(&[
        ("NEXT_PUBLIC_SUPABASE_URL", &backend.base),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", &backend.anon_key),
        ("ENV_MODE", "production"),
    ]));
    let run = helium(&["doctor"], &e);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let checks: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with(['✓', '✗', '–']))
        .collect();
    assert_eq!(checks.len(), 10, "{}", run.stdout);
    assert!(checks.iter().all(|l| l.starts_with('✓')), "{}", run.stdout);
    for name in ["redis and database", "CORS preflight", "frontend backend URL"] {
        assert!(
            run.stdout.contains(&format!("✓ {name}")),
            "{name}: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("supabase REST"), "{}", run.stdout);
    assert_no_secret(&run, &backend.anon_key);

    let json = helium(&["doctor", "--json"], &e);
    assert_eq!(json.code, 0);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pass"),
        "{v}"
    );
    let health = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "backend health")
        .unwrap();
    assert!(health["latency_ms"].is_u64());

    // Local mode without Supabase: skipped, not failed.
    let run = helium(&["doctor"], &backend.env());
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("– supabase REST: skipped"), "{}", run.stdout);
}

#[test]
fn doctor_fails_on_an_unreachable_backend_and_a_rejected_key() {
    let e = env(&[("NEXT_PUBLIC_BACKEND_URL", "http://127.0.0.1:1")]);
    let run = helium(&["doctor"], &e);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("✗ backend health"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ frontend backend URL"), "{}", run.stdout);
    assert!(run.stdout.contains("fix:"), "{}", run.stdout);

    // Supabase answering 401 for a key it does not accept; a client-side secret key.
    let backend = Backend::start();
    let mut e = backend.env();
    e.extend(env(&[
        ("NEXT_PUBLIC_SUPABASE_URL", &backend.base),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", "sb_secret_abcdef123456"),
    ]));
    let run = helium(&["doctor", "--json"], &e);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let secret = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "no secret key on the client side")
        .unwrap();
    assert_eq!(secret["status"], "fail");
    assert!(!run.stdout.contains("abcdef123456"));
}

// ---------------------------------------------------------------- runs

#[test]
fn run_json_prints_the_full_event_sequence() {
    let backend = Backend::start();
    let run = helium(&["run", "Create a Hello World page", "--json"], &backend.env());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = json_lines(&run.stdout);
    assert_eq!(events.len(), 27, "{}", run.stdout);
    assert_eq!(events[0]["kind"], "thread_run_start");
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "run_status");
    assert_eq!(last["state"], "completed");
    assert!(events.iter().all(|e| e["raw"].is_object()));
    for kind in [
        "assistant_chunk",
        "assistant_message",
        "tool",
        "tool_result",
        "finish",
    ] {
        assert!(events.iter().any(|e| e["kind"] == kind), "no {kind}");
    }
    assert_no_secret(&run, &backend.token);
}

#[test]
fn run_human_streams_text_once_with_tool_lines_and_files() {
    let backend = Backend::start();
    let dir = std::env::temp_dir().join(format!("helium-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notes.txt");
    std::fs::write(&file, "hello").unwrap();
    let run = helium(
        &[
            "run",
            "Make a page",
            "--file",
            file.to_str().unwrap(),
            "--model",
            "test-model",
        ],
        &backend.env(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("You asked: \"Make a page").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("[Uploaded File: /workspace/notes.txt]"),
        "{}",
        run.stdout
    );
    // Prose and one line per tool, never the raw tool-call XML.
    assert_eq!(
        run.stdout.matches("✓ create_file index.html").count(),
        1,
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("✓ complete").count(), 1, "{}", run.stdout);
    assert!(
        !run.stdout.contains("<function_calls>") && !run.stdout.contains("<invoke"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("⚙"), "{}", run.stdout);
    assert!(run.stdout.contains("completed"), "{}", run.stdout);
    assert!(
        run.stderr.is_empty(),
        "no spinner without a terminal: {:?}",
        run.stderr
    );
    assert_no_secret(&run, &backend.token);

    let missing = helium(&["run", "x", "--file", "/nonexistent/file.txt"], &backend.env());
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stderr
            .starts_with("error: cannot read --file /nonexistent/file.txt"),
        "{}",
        missing.stderr
    );
}

#[test]
fn stop_ends_a_held_run_and_runs_lists_it() {
    let backend = Backend::start();
    let mut child: Child = command(&["run", "please [hold]", "--json"], &backend.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["kind"], "thread_run_start");
    let thread_id = first["thread_id"].as_str().unwrap().to_owned();
    let run_id = run_id_of(&backend, &thread_id);

    let stop = helium(&["stop", &run_id], &backend.env());
    assert_eq!(stop.code, 0, "{}", stop.stderr);
    assert!(stop.stdout.contains("stopped"), "{}", stop.stdout);

    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "run did not end after stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1), "a stopped run is not a success");
    let last: Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(last["kind"], "control");
    assert_eq!(last["signal"], "STOP");

    let runs = helium(&["runs", &thread_id], &backend.env());
    assert_eq!(runs.code, 0);
    assert!(
        runs.stdout.contains(&run_id) && runs.stdout.contains("stopped"),
        "{}",
        runs.stdout
    );
}

#[test]
fn stream_replays_a_finished_run() {
    let backend = Backend::start();
    let run = helium(&["run", "hello", "--json"], &backend.env());
    assert_eq!(run.code, 0);
    let thread_id = json_lines(&run.stdout)[0]["thread_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let run_id = run_id_of(&backend, &thread_id);

    let stream = helium(&["stream", &run_id, "--json"], &backend.env());
    assert_eq!(stream.code, 0, "{}", stream.stderr);
    let events = json_lines(&stream.stdout);
    assert_eq!(events[0]["kind"], "thread_run_start");
    assert_eq!(events.last().unwrap()["kind"], "run_status");
    assert_eq!(events.last().unwrap()["state"], "completed");

    let human = helium(&["stream", &run_id], &backend.env());
    assert_eq!(human.code, 0);
    assert!(human.stdout.contains("✓ create_file"), "{}", human.stdout);
    assert!(
        human.stdout.contains(&format!("run {run_id}: completed")),
        "{}",
        human.stdout
    );

    let runs = helium(&["runs", &thread_id], &backend.env());
    assert!(
        runs.stdout.contains(&run_id) && runs.stdout.contains("completed"),
        "{}",
        runs.stdout
    );
}

#[test]
fn health_human_and_json() {
    let backend = Backend::start();
    let e = env(&[("NEXT_PUBLIC_BACKEND_URL", &backend.base)]);
    let run = helium(&["health"], &e);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("✓ backend "), "{}", run.stdout);
    assert!(run.stdout.contains("status ok"), "{}", run.stdout);
    let json = helium(&["health", "--json"], &[]);
    assert_eq!(
        json.code, 1,
        "nothing listens on the default localhost:8000 here, or it is not ours"
    );
    let json = helium(&["--backend", &backend.api(), "health", "--json"], &[]);
    assert_eq!(json.code, 0);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["source"], "--backend");
    assert_eq!(v["health"]["status"], "ok");
}

// ---------------------------------------------------------------- bad input

fn assert_short_error(run: &Run) {
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.lines().count() <= 2, "{}", run.stderr);
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let run = helium(&["run", "x", "--bogus"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
    assert_eq!(helium(&[], &[]).code, 2);
    assert_eq!(helium(&["frobnicate"], &[]).code, 2);
}

#[test]
fn missing_auth_names_both_variables() {
    let backend = Backend::start();
    let e = env(&[("NEXT_PUBLIC_BACKEND_URL", &backend.api())]);
    for args in [
        &["run", "x"][..],
        &["stop", "r"],
        &["stream", "r"],
        &["runs", "t"],
    ] {
        let run = helium(args, &e);
        assert_eq!(run.code, 1, "{args:?}");
        assert_short_error(&run);
        assert!(run.stderr.contains("HELIUM_ACCESS_TOKEN"), "{}", run.stderr);
        assert!(run.stderr.contains("HELIUM_API_KEY"), "{}", run.stderr);
    }
    let mut bad_key = e.clone();
    bad_key.push(("HELIUM_API_KEY", "he-not-a-pair".into()));
    let run = helium(&["run", "x"], &bad_key);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("pk_") && !run.stderr.contains("he-not-a-pair"),
        "{}",
        run.stderr
    );
    // The quickstart against a configured backend needs a token too.
    let run = helium(&["quickstart"], &e);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("HELIUM_ACCESS_TOKEN"), "{}", run.stderr);
}

#[test]
fn unreachable_backend_is_one_clear_error() {
    let e = env(&[
        ("NEXT_PUBLIC_BACKEND_URL", "http://127.0.0.1:1/api"),
        ("HELIUM_ACCESS_TOKEN", "t.o.k"),
    ]);
    for args in [&["health"][..], &["run", "x"]] {
        let run = helium(args, &e);
        assert_eq!(run.code, 1);
        assert_short_error(&run);
        assert!(
            run.stderr
                .contains("cannot reach the backend at http://127.0.0.1:1/api"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    }
}

#[test]
fn invalid_url_names_the_variable() {
    let e = env(&[
        ("NEXT_PUBLIC_BACKEND_URL", "localhost:8000"),
        ("HELIUM_ACCESS_TOKEN", "t.o.k"),
    ]);
    for args in [&["health"][..], &["run", "x"], &["quickstart"]] {
        let run = helium(args, &e);
        assert_eq!(run.code, 1, "{args:?}");
        assert_short_error(&run);
        assert!(
            run.stderr.contains("NEXT_PUBLIC_BACKEND_URL is not a valid URL"),
            "{}",
            run.stderr
        );
    }
    let run = helium(&["--backend", "ftp://x", "health"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("--backend is not a valid URL"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_run_id_is_not_found() {
    let backend = Backend::start();
    for args in [
        &["stream", "00000000-0000-4000-8000-000000000000"][..],
        &["stop", "00000000-0000-4000-8000-000000000000"],
    ] {
        let run = helium(args, &backend.env());
        assert_eq!(run.code, 1, "{args:?}");
        assert_short_error(&run);
        assert!(run.stderr.contains("not found"), "{}", run.stderr);
    }
}

#[test]
fn html_backend_is_a_decode_error() {
    let backend = Backend::start();
    backend.schedule_fault("GET", "/api/health", "html; times=1");
    let run = helium(&["health"], &backend.env());
    assert_eq!(run.code, 1);
    assert_short_error(&run);
    assert!(
        run.stderr.contains("HTML") && run.stderr.contains("not JSON"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- devserver, quickstart

#[test]
fn devserver_prints_the_banner_and_stops_on_ctrl_c() {
    let mut child = command(&["devserver", "--port", "0", "--pace-ms", "2"], &[])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("helium-devserver listening on ")
        .unwrap()
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let run = helium(&["--backend", &base, "health"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "devserver did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

fn assert_summary(run: &Run) {
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for needle in [
        "• configuration",
        "• backend healthy",
        "✓ create_file index.html",
        "• summary",
        "run id:",
        "thread id:",
        "events:       27",
        "tools used:   create_file, complete",
        "final status: completed",
        "duration:",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
}

#[test]
fn quickstart_against_a_configured_backend() {
    let backend = Backend::start();
    let run = helium(&["quickstart"], &backend.env());
    assert_summary(&run);
    assert!(!run.stdout.contains("embedded"), "{}", run.stdout);
    assert!(
        run.stdout.contains("(from NEXT_PUBLIC_BACKEND_URL)"),
        "{}",
        run.stdout
    );
    assert_no_secret(&run, &backend.token);
}

#[test]
fn quickstart_with_nothing_configured_starts_the_embedded_backend() {
    let run = helium(&["quickstart"], &env(&[("HELIUM_QUICKSTART_PACE_MS", "2")]));
    assert_summary(&run);
    assert!(
        run.stdout
            .contains("started the embedded dev backend at http://127.0.0.1:"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------- conversations

#[test]
fn follow_up_threads_and_messages() {
    let backend = Backend::start();
    let first = helium(&["run", "first question"], &backend.env());
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let thread = first
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("■ run ").and_then(|r| r.split("(thread ").nth(1)))
        .and_then(|r| r.split(')').next())
        .expect("the summary names the thread")
        .to_owned();

    let second = helium(&["run", "--thread", &thread, "second question"], &backend.env());
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("You asked: \"second question\""),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains(&format!("(thread {thread})")),
        "{}",
        second.stdout
    );

    let threads = helium(&["threads"], &backend.env());
    assert_eq!(threads.code, 0, "{}", threads.stderr);
    assert!(threads.stdout.contains(&thread), "{}", threads.stdout);
    let json = helium(&["threads", "--json"], &backend.env());
    let list: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list.len(), 1);

    let messages = helium(&["messages", &thread], &backend.env());
    assert_eq!(messages.code, 0, "{}", messages.stderr);
    let lines: Vec<&str> = messages.stdout.lines().collect();
    let users: Vec<&&str> = lines.iter().filter(|l| l.starts_with("user")).collect();
    assert_eq!(users.len(), 2, "{}", messages.stdout);
    assert!(
        users[0].contains("first question") && users[1].contains("second question"),
        "{}",
        messages.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("assistant") && l.contains("[create_file]")),
        "{}",
        messages.stdout
    );
    assert!(!messages.stdout.contains("<invoke"), "{}", messages.stdout);

    // A follow-up on a thread that does not exist: a clear error, exit 1.
    let missing = helium(
        &["run", "--thread", "00000000-0000-0000-0000-000000000000", "x"],
        &backend.env(),
    );
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.starts_with("error: not found"),
        "{}",
        missing.stderr
    );
}
