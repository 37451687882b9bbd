//! Hostile mode on the wire: each mode's answer, read with a raw socket (no client limits in the way).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read as _;
use std::time::Duration;

use helium_devserver::hostile::{HostileMode, HostileOptions, HostileServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start() -> HostileServer {
    HostileServer::start(HostileOptions {
        body_size: 1 << 20,
        bomb_size: 4 << 20,
        drip_interval: Duration::from_millis(1),
        depth: 1000,
        endless_limit: 2 << 20,
        ..HostileOptions::default()
    })
    .await
    .unwrap()
}

/// Sends `GET path` and reads the answer until the server closes, or `max` bytes.
async fn get(server: &HostileServer, path: &str, max: usize) -> Vec<u8> {
    let addr = server.base_url().trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    while out.len() < max {
        let n = s.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Splits an answer into its head (text) and body.
fn split(answer: &[u8]) -> (String, &[u8]) {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&answer[..end]).into_owned(),
        &answer[end + 4..],
    )
}

#[tokio::test]
async fn every_mode_answers_as_documented() {
    let server = start().await;
    // The endless header never ends its head (up to the server's bound).
    let a = get(&server, "/endless-header/api/health", 4 << 20).await;
    assert!(!a.windows(4).any(|w| w == b"\r\n\r\n"));
    assert_eq!(
        a.len(),
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-endless: ".len() + (2 << 20)
    );

    // The endless line: one line, no newline, on the stream route as an SSE data line.
    let a = get(&server, "/endless-line/api/agent-run/r/stream", 4 << 20).await;
    let (head, body) = split(&a);
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(body.starts_with(b"data: {"));
    assert!(!body.contains(&b'\n') && !body.contains(&b'\r'));

    // The huge body has its length; the chunked one has none; both are valid JSON of that size.
    for (mode, with_length) in [("huge-body", true), ("huge-chunked", false)] {
        let a = get(&server, &format!("/{mode}/api/health"), 4 << 20).await;
        let (head, body) = split(&a);
        assert_eq!(
            head.contains(&format!("content-length: {}", 1 << 20)),
            with_length,
            "{head}"
        );
        assert_eq!(body.len(), 1 << 20);
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert!(v["status"].is_string());
    }

    // The gzip bomb inflates to the configured size of spaces, with a valid trailer.
    let a = get(&server, "/gzip-bomb/api/agent-run/r/stream", 1 << 20).await;
    let (head, body) = split(&a);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(body.len() < (4 << 20) / 100, "compressed {} bytes", body.len());
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated.len() as u64, 1 + ((4 << 20) - 1) / 258 * 258);
    assert!(inflated.iter().all(|&b| b == b' '));

    // The slow drip is a complete, valid answer, just slow.
    let a = get(&server, "/slow-drip/api/health", 1 << 20).await;
    let (head, body) = split(&a);
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    serde_json::from_slice::<serde_json::Value>(body).unwrap();
    let a = get(&server, "/slow-body/api/agent-run/r/stream", 1 << 20).await;
    assert!(
        split(&a)
            .1
            .starts_with(b"data: {\"type\": \"status\", \"status\": \"completed\"")
    );

    // Invalid UTF-8 in a header and in the body.
    let a = get(&server, "/invalid-utf8/api/health", 1 << 20).await;
    let (_, body) = split(&a);
    assert!(a.windows(2).any(|w| w == b"\xff\xfe"));
    assert!(std::str::from_utf8(body).is_err());

    // Nesting as deep as configured.
    let a = get(&server, "/deep-json/api/health", 1 << 20).await;
    let (_, body) = split(&a);
    assert_eq!(body.len(), 2000);
    assert!(body.starts_with(&[b'['; 1000]));

    // Numbers no decoder can hold.
    let a = get(&server, "/absurd-numbers/api/health", 1 << 20).await;
    let (_, body) = split(&a);
    let text = std::str::from_utf8(body).unwrap();
    assert!(text.contains("1e999999") && text.contains(&"9".repeat(100_000)));

    // Other paths are FastAPI's 404.
    let a = get(&server, "/api/health", 1 << 20).await;
    assert!(split(&a).0.starts_with("HTTP/1.1 404"));
    assert_eq!(server.connections(), 11);
    assert!(server.bytes_sent() > 4 << 20);
    server.shutdown().await;
}

#[tokio::test]
async fn the_binary_serves_hostile_mode_on_a_free_port() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_helium-devserver"))
        .args(["--hostile", "--port", "0", "--body-size", "100"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let banner: Vec<String> = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .map(Result::unwrap)
            .take(3)
            .collect()
    })
    .await
    .unwrap();
    let url = banner[0]
        .strip_prefix("helium-devserver listening on ")
        .unwrap()
        .to_owned();
    for mode in HostileMode::ALL {
        assert!(banner[2].contains(mode.as_str()), "{banner:?}");
    }
    let body = reqwest::get(format!("{url}/huge-body/api/health"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(body.len(), 100);
}
