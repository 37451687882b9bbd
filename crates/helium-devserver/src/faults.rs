//! Fault injection: the `x-devserver-fault` directive syntax, scheduled faults and the request log.
//!
//! Syntax: directives separated by `;`, each `name=value` or a bare flag, whitespace ignored:
//! `status=503; times=2; retry_after=1; key=abc`, `delay_ms=200`, `reset`, `truncate=10`,
//! `drop_after=3`, `eof_after=3`, `drop_at=100`, `eof_at=100`, `stall_at=100`, `stall; stall_ms=500`, `html` (an
//! HTML page instead of JSON), `framing=ids,crlf,cr,bom,pings` (other SSE framings on the stream route).

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

/// Header carrying a per-request fault.
pub const FAULT_HEADER: &str = "x-devserver-fault";

/// A parsed fault directive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fault {
    /// Reply with this status and a FastAPI-style body instead of handling the request.
    pub status: Option<u16>,
    /// Apply only to the first N matching requests.
    pub times: Option<u32>,
    /// `Retry-After` header value (seconds).
    pub retry_after: Option<String>,
    /// Counter key for `times` (default: method + path + header value).
    pub key: Option<String>,
    /// Added latency before handling.
    pub delay_ms: Option<u64>,
    /// Close the TCP connection without a response.
    pub reset: bool,
    /// Send only the first N body bytes (with the full `Content-Length`), then close.
    pub truncate: Option<usize>,
    /// Stream route: send K items then abort the connection.
    pub drop_after: Option<usize>,
    /// Stream route: send K items then end the body cleanly.
    pub eof_after: Option<usize>,
    /// Send the first N body bytes (the cut may fall inside a line or a UTF-8 character), then abort.
    pub drop_at: Option<usize>,
    /// Send the first N body bytes, then end the body cleanly (chunked, so the end is not an error).
    pub eof_at: Option<usize>,
    /// Send the first N body bytes, then nothing for `stall_ms`, then abort.
    pub stall_at: Option<usize>,
    /// Send nothing (stream route: headers only) for up to `stall_ms`, then close.
    pub stall: bool,
    /// Stall duration (default 120000).
    pub stall_ms: Option<u64>,
    /// Stream route: frame items differently from the real backend (other SSE servers and proxies):
    /// `ids` adds `id: N` lines and resumes after `Last-Event-ID` instead of replaying; `crlf` ends lines with
    /// CRLF, `cr` with a lone CR; `bom` starts the body with a UTF-8 byte order mark; `pings` sends a
    /// `: keepalive` comment and a `{"type": "ping"}` item before every item.
    pub framing: Vec<String>,
    /// Answer with an HTML page (as a misconfigured proxy or a frontend server would), status 200 unless
    /// `status` is also given.
    pub html: bool,
}

fn num<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<T, String> {
    value
        .and_then(|v| v.parse::<T>().ok())
        .ok_or_else(|| format!("invalid value for '{name}'"))
}

impl Fault {
    /// Parse the directive syntax. Errors name the offending directive.
    pub fn parse(text: &str) -> Result<Fault, String> {
        let mut f = Fault::default();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim())),
                None => (part.to_ascii_lowercase(), None),
            };
            match name.as_str() {
                "status" => {
                    let code: u16 = num(&name, value)?;
                    if !(400..=599).contains(&code) {
                        return Err("status must be a 4xx or 5xx code".to_owned());
                    }
                    f.status = Some(code);
                }
                "times" => f.times = Some(num(&name, value)?),
                "retry_after" => {
                    let v = value.unwrap_or("").to_owned();
                    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                        return Err("invalid value for 'retry_after'".to_owned());
                    }
                    f.retry_after = Some(v);
                }
                "key" => f.key = value.map(str::to_owned),
                "delay_ms" => f.delay_ms = Some(num(&name, value)?),
                "reset" => f.reset = true,
                "html" => f.html = true,
                "framing" => {
                    for mode in value.unwrap_or("").split(',').map(str::trim) {
                        if !matches!(mode, "ids" | "crlf" | "cr" | "bom" | "pings") {
                            return Err(
                                "framing takes ids, crlf, cr, bom and pings (comma-separated)".to_owned()
                            );
                        }
                        f.framing.push(mode.to_owned());
                    }
                }
                "truncate" => f.truncate = Some(num(&name, value)?),
                "drop_after" => f.drop_after = Some(num(&name, value)?),
                "eof_after" => f.eof_after = Some(num(&name, value)?),
                "drop_at" => f.drop_at = Some(num(&name, value)?),
                "eof_at" => f.eof_at = Some(num(&name, value)?),
                "stall_at" => f.stall_at = Some(num(&name, value)?),
                "stall" => f.stall = true,
                "stall_ms" => {
                    f.stall_ms = Some(num(&name, value)?);
                    f.stall = true;
                }
                other => return Err(format!("unknown directive '{other}'")),
            }
        }
        Ok(f)
    }
}

/// A fault scheduled through `POST /__devserver/faults`.
#[derive(Debug, Clone)]
struct Scheduled {
    method: Option<String>,
    path: String,
    text: String,
    fault: Fault,
    remaining: Option<u32>,
}

impl Scheduled {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok && self.remaining != Some(0)
    }
}

/// One entry of `GET /__devserver/requests`.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub request_id: String,
    pub fault: Option<String>,
    pub status: Option<u16>,
    pub at_ms: u64,
}

impl LoggedRequest {
    /// JSON form.
    pub fn to_json(&self) -> Value {
        json!({
            "method": self.method, "path": self.path, "query": self.query,
            "request_id": self.request_id, "fault": self.fault, "status": self.status,
            "at_ms": self.at_ms,
        })
    }
}

#[derive(Debug, Default)]
struct Inner {
    counters: HashMap<String, u32>,
    scheduled: Vec<Scheduled>,
    log: Vec<LoggedRequest>,
}

/// Fault counters, the schedule and the request log.
#[derive(Debug, Default)]
pub struct FaultRegistry {
    inner: Mutex<Inner>,
}

impl FaultRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decide which fault (if any) applies to a request. `header` is the raw header value.
    /// Returns the directive text that applied and the parsed fault.
    pub fn resolve(
        &self,
        method: &str,
        path: &str,
        header: Option<&str>,
    ) -> Result<Option<(String, Fault)>, String> {
        let mut inner = self.lock();
        if let Some(text) = header {
            let fault = Fault::parse(text)?;
            let Some(times) = fault.times else {
                return Ok(Some((text.to_owned(), fault)));
            };
            let key = match &fault.key {
                Some(k) => format!("key:{k}"),
                None => format!("{method} {path} {text}"),
            };
            let count = inner.counters.entry(key).or_insert(0);
            if *count < times {
                *count += 1;
                return Ok(Some((text.to_owned(), fault)));
            }
            return Ok(None);
        }
        for s in inner.scheduled.iter_mut() {
            if s.matches(method, path) {
                if let Some(r) = s.remaining.as_mut() {
                    *r -= 1;
                }
                return Ok(Some((s.text.clone(), s.fault.clone())));
            }
        }
        Ok(None)
    }

    /// Schedule a fault for `method` (any when `None`) and `path` (exact, or prefix ending in `*`).
    pub fn schedule(&self, method: Option<String>, path: String, text: &str) -> Result<(), String> {
        let fault = Fault::parse(text)?;
        let remaining = fault.times;
        self.lock().scheduled.push(Scheduled {
            method,
            path,
            text: text.to_owned(),
            fault,
            remaining,
        });
        Ok(())
    }

    /// The active schedule as JSON.
    pub fn scheduled_json(&self) -> Value {
        let inner = self.lock();
        Value::Array(
            inner
                .scheduled
                .iter()
                .map(|s| json!({"method": s.method, "path": s.path, "fault": s.text, "remaining": s.remaining}))
                .collect(),
        )
    }

    /// Remove every scheduled fault and reset the `times` counters.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.scheduled.clear();
        inner.counters.clear();
    }

    /// Append to the request log; returns its index so the status can be filled in later.
    pub fn log(&self, entry: LoggedRequest) -> usize {
        let mut inner = self.lock();
        inner.log.push(entry);
        inner.log.len() - 1
    }

    /// Set the status of a logged request.
    pub fn set_status(&self, index: usize, status: u16) {
        if let Some(e) = self.lock().log.get_mut(index) {
            e.status = Some(status);
        }
    }

    /// The request log as JSON.
    pub fn log_json(&self) -> Value {
        Value::Array(self.lock().log.iter().map(LoggedRequest::to_json).collect())
    }

    /// Clear the request log.
    pub fn clear_log(&self) {
        self.lock().log.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let f = Fault::parse("status=503; times=2; retry_after=1; key=abc").unwrap();
        assert_eq!(f.status, Some(503));
        assert_eq!(f.times, Some(2));
        assert_eq!(f.retry_after.as_deref(), Some("1"));
        assert_eq!(f.key.as_deref(), Some("abc"));
        let f = Fault::parse(" reset ").unwrap();
        assert!(f.reset);
        let f = Fault::parse("stall;stall_ms=50").unwrap();
        assert!(f.stall);
        assert_eq!(f.stall_ms, Some(50));
        assert!(Fault::parse("status=200").is_err());
        assert!(Fault::parse("bogus=1").is_err());
        assert!(Fault::parse("delay_ms=x").is_err());
        let f = Fault::parse("drop_at=7; framing=cr,bom").unwrap();
        assert_eq!(f.drop_at, Some(7));
        assert_eq!(f.framing, ["cr", "bom"]);
        assert_eq!(Fault::parse("eof_at=0").unwrap().eof_at, Some(0));
        assert_eq!(Fault::parse("stall_at=3").unwrap().stall_at, Some(3));
        assert!(Fault::parse("drop_at=-1").is_err());
        assert!(Fault::parse("framing=lf").is_err());
    }

    #[test]
    fn times_counts_per_key() {
        let r = FaultRegistry::default();
        let h = Some("status=503; times=2");
        assert!(r.resolve("GET", "/a", h).unwrap().is_some());
        assert!(r.resolve("GET", "/a", h).unwrap().is_some());
        assert!(r.resolve("GET", "/a", h).unwrap().is_none());
        assert!(r.resolve("GET", "/b", h).unwrap().is_some());
        r.schedule(Some("GET".into()), "/api/x*".into(), "status=500; times=1")
            .unwrap();
        assert!(r.resolve("POST", "/api/x/1", None).unwrap().is_none());
        assert!(r.resolve("GET", "/api/x/1", None).unwrap().is_some());
        assert!(r.resolve("GET", "/api/x/1", None).unwrap().is_none());
    }
}
