//! A small, strict parser for the absolute `http(s)` URLs the SDK accepts as configuration.
//!
//! Configuration URLs are base URLs: a scheme, a host, an optional port and an optional path. Anything else
//! (credentials, a query, a fragment, an unsupported scheme) is refused with a reason, so that a typo shows up
//! as a clear error instead of a request to the wrong place. The parser is written here rather than taken from
//! the `url` crate to keep the wasm bundle small; it is fuzzed with the rest of the configuration parsers.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The scheme of a configuration URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http://`
    Http,
    /// `https://`
    Https,
}

impl Scheme {
    /// The scheme name, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// An absolute `http(s)` base URL with no credentials, query or fragment, and no trailing slash.
///
/// The scheme and host are lower-cased, a default port (`:80` for http, `:443` for https) is dropped and trailing
/// slashes are trimmed from the path, so two spellings of the same base URL compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    path: String,
}

/// Why a value is not an acceptable base URL. Never contains the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Empty, or only whitespace.
    Empty,
    /// Not of the form `http://…` or `https://…`.
    NotHttp,
    /// `user:password@` before the host.
    Credentials,
    /// No host after the scheme.
    MissingHost,
    /// The host contains characters a host name cannot contain (non-ASCII names must be given in punycode).
    InvalidHost,
    /// The port is not a number from 1 to 65535.
    InvalidPort,
    /// A `?query` or `#fragment` is present.
    QueryOrFragment,
    /// The path contains whitespace or control characters.
    InvalidPath,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlProblem::Empty => "the value is empty",
            UrlProblem::NotHttp => "it is not an absolute http:// or https:// URL",
            UrlProblem::Credentials => {
                "it contains credentials (user:password@); pass credentials separately"
            }
            UrlProblem::MissingHost => "it has no host",
            UrlProblem::InvalidHost => {
                "its host is not a valid host name or IP address (write non-ASCII names in punycode, xn--…)"
            }
            UrlProblem::InvalidPort => "its port is not a number from 1 to 65535",
            UrlProblem::QueryOrFragment => "a base URL cannot have a ?query or #fragment",
            UrlProblem::InvalidPath => "its path contains whitespace or control characters",
        })
    }
}

impl HttpUrl {
    /// Parses an absolute `http(s)` base URL. Surrounding ASCII whitespace is ignored, as browsers do.
    ///
    /// # Errors
    /// A [`UrlProblem`] saying what is wrong; it never echoes the input.
    pub fn parse(input: &str) -> Result<HttpUrl, UrlProblem> {
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
        if s.is_empty() {
            return Err(UrlProblem::Empty);
        }
        let (scheme, after) = split_scheme(s).ok_or(UrlProblem::NotHttp)?;
        let auth_end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
        let (authority, tail) = after.split_at(auth_end);
        if authority.contains('@') {
            return Err(UrlProblem::Credentials);
        }
        let (host, port) = parse_authority(authority)?;
        if tail.contains(['?', '#']) {
            return Err(UrlProblem::QueryOrFragment);
        }
        if tail
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(UrlProblem::InvalidPath);
        }
        let path = tail.trim_end_matches('/').to_owned();
        let port = port.filter(|p| *p != scheme.default_port());
        Ok(HttpUrl {
            scheme,
            host,
            port,
            path,
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, lower case; IPv6 addresses in brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, if it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path without trailing slashes (`""` for the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `scheme://host[:port]`
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme.as_str(), self.host),
            None => format!("{}://{}", self.scheme.as_str(), self.host),
        }
    }

    /// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `[::1]`.
    pub fn is_loopback(&self) -> bool {
        let h = self.host.as_str();
        if h == "localhost" || h.ends_with(".localhost") {
            return true;
        }
        if let Ok(v4) = h.parse::<Ipv4Addr>() {
            return v4.is_loopback();
        }
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .and_then(|h| h.parse::<Ipv6Addr>().ok())
            .is_some_and(|v6| v6.is_loopback())
    }

    /// Whether the host looks like one inside a private network: loopback, RFC 1918 (`10/8`, `172.16/12`,
    /// `192.168/16`), RFC 4193 unique-local (`fc00::/7`), link-local (`169.254/16`, `fe80::/10`), a single-label
    /// name (`helium-backend`), or a name under `.internal`, `.local`, `.svc` or `.cluster.local`.
    pub fn looks_private(&self) -> bool {
        if self.is_loopback() {
            return true;
        }
        let h = self.host.as_str();
        if let Ok(v4) = h.parse::<Ipv4Addr>() {
            return v4.is_private() || v4.is_link_local();
        }
        if let Some(v6) = h
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .and_then(|h| h.parse::<Ipv6Addr>().ok())
        {
            let first = v6.segments()[0];
            return (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80;
        }
        let name = h.trim_end_matches('.');
        !name.contains('.')
            || [".internal", ".local", ".svc", ".cluster.local"]
                .iter()
                .any(|suffix| name.ends_with(suffix))
    }

    /// A copy with `segment` appended to the path (`segment` starts with `/`).
    pub(crate) fn join(&self, segment: &str) -> HttpUrl {
        HttpUrl {
            path: format!("{}{}", self.path, segment),
            ..self.clone()
        }
    }

    /// The same URL with another scheme name (used for `ws`/`wss` endpoints).
    pub(crate) fn to_string_with_scheme(&self, scheme: &str) -> String {
        let rest = self.to_string();
        let cut = self.scheme.as_str().len();
        format!("{scheme}{}", &rest[cut..])
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.path)
    }
}

fn split_scheme(s: &str) -> Option<(Scheme, &str)> {
    let (name, rest) = s.split_once("://")?;
    let scheme = if name.eq_ignore_ascii_case("http") {
        Scheme::Http
    } else if name.eq_ignore_ascii_case("https") {
        Scheme::Https
    } else {
        return None;
    };
    Some((scheme, rest))
}

fn parse_authority(authority: &str) -> Result<(String, Option<u16>), UrlProblem> {
    if authority.is_empty() {
        return Err(UrlProblem::MissingHost);
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or(UrlProblem::InvalidHost)?;
        addr.parse::<Ipv6Addr>().map_err(|_| UrlProblem::InvalidHost)?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(UrlProblem::InvalidHost)?),
        };
        (format!("[{}]", addr.to_ascii_lowercase()), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() {
        return Err(UrlProblem::MissingHost);
    }
    if !host.starts_with('[') && !valid_reg_name(&host) {
        return Err(UrlProblem::InvalidHost);
    }
    let port = match port {
        None => None,
        Some("") => None,
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => match p.parse::<u16>() {
            Ok(0) | Err(_) => return Err(UrlProblem::InvalidPort),
            Ok(n) => Some(n),
        },
        Some(_) => return Err(UrlProblem::InvalidPort),
    };
    Ok((host, port))
}

fn valid_reg_name(host: &str) -> bool {
    host.len() <= 253
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        HttpUrl::parse(s)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn err(s: &str) -> UrlProblem {
        match HttpUrl::parse(s) {
            Ok(u) => panic!("{s:?} parsed as {u}"),
            Err(e) => e,
        }
    }

    #[test]
    fn normalises_base_urls() {
        assert_eq!(ok("http://localhost:8000"), "http://localhost:8000");
        assert_eq!(ok("http://localhost:8000/"), "http://localhost:8000");
        assert_eq!(ok("http://localhost:8000/api///"), "http://localhost:8000/api");
        assert_eq!(ok("  HTTPS://API.He2.ai/api\n"), "https://api.he2.ai/api");
        assert_eq!(ok("https://api.he2.ai:443/api"), "https://api.he2.ai/api");
        assert_eq!(ok("http://x.test:80"), "http://x.test");
        assert_eq!(ok("http://[::1]:8000/api"), "http://[::1]:8000/api");
        assert_eq!(ok("http://backend_internal:8000"), "http://backend_internal:8000");
        assert_eq!(ok("http://10.0.0.2:8000/a/b/"), "http://10.0.0.2:8000/a/b");
        assert_eq!(ok("http://host:/x"), "http://host/x");
    }

    #[test]
    fn refuses_what_is_not_a_base_url() {
        assert_eq!(err(""), UrlProblem::Empty);
        assert_eq!(err("   "), UrlProblem::Empty);
        assert_eq!(err("localhost:8000"), UrlProblem::NotHttp);
        assert_eq!(err("/api"), UrlProblem::NotHttp);
        assert_eq!(err("ftp://x"), UrlProblem::NotHttp);
        assert_eq!(err("http:/x"), UrlProblem::NotHttp);
        assert_eq!(err("http://"), UrlProblem::MissingHost);
        assert_eq!(err("http:///api"), UrlProblem::MissingHost);
        assert_eq!(err("http://:8000"), UrlProblem::MissingHost);
        assert_eq!(err("http://u:p@host"), UrlProblem::Credentials);
        assert_eq!(err("http://host:0"), UrlProblem::InvalidPort);
        assert_eq!(err("http://host:65536"), UrlProblem::InvalidPort);
        assert_eq!(err("http://host:8o"), UrlProblem::InvalidPort);
        assert_eq!(err("http://ho st"), UrlProblem::InvalidHost);
        assert_eq!(err("http://bücher.de"), UrlProblem::InvalidHost);
        assert_eq!(err("http://[::1"), UrlProblem::InvalidHost);
        assert_eq!(err("http://[zz::1]"), UrlProblem::InvalidHost);
        assert_eq!(err("http://host/api?x=1"), UrlProblem::QueryOrFragment);
        assert_eq!(err("http://host#f"), UrlProblem::QueryOrFragment);
        assert_eq!(err("http://host/a b"), UrlProblem::InvalidPath);
        assert_eq!(err("http://host\\x"), UrlProblem::InvalidPath);
    }

    #[test]
    fn loopback() {
        for s in [
            "http://localhost",
            "http://LOCALHOST:3",
            "http://app.localhost",
            "http://127.0.0.1",
            "http://127.9.9.9:1",
            "http://[::1]",
        ] {
            assert!(HttpUrl::parse(s).unwrap().is_loopback(), "{s}");
        }
    }

    #[test]
    fn private_hosts() {
        for s in [
            "http://10.1.2.3:8000",
            "http://172.16.0.5",
            "http://172.31.255.1",
            "http://192.168.1.10",
            "http://169.254.1.1",
            "http://[fd12:3456::1]:8000",
            "http://[fe80::1]",
            "http://backend.internal:8000",
            "http://helium-backend:8000",
            "http://backend.default.svc.cluster.local:8000",
            "http://api.svc",
            "http://printer.local",
            "http://localhost:8000",
            "http://127.0.0.1",
        ] {
            assert!(HttpUrl::parse(s).unwrap().looks_private(), "{s}");
        }
        for s in [
            "http://api.example.com",
            "http://8.8.8.8",
            "http://172.32.0.1",
            "http://[2001:db8::1]",
            "http://internal.example.com",
            "http://backend.internal.example.com",
        ] {
            assert!(!HttpUrl::parse(s).unwrap().looks_private(), "{s}");
        }
        for s in [
            "http://localhost.example",
            "http://128.0.0.1",
            "http://[::2]",
            "http://api.he2.ai",
        ] {
            assert!(!HttpUrl::parse(s).unwrap().is_loopback(), "{s}");
        }
    }

    #[test]
    fn problems_never_echo_the_input() {
        for s in [
            "http://secret-token@host",
            "nonsense-secret-token",
            "http://host/?secret-token",
        ] {
            let msg = HttpUrl::parse(s).unwrap_err().to_string();
            assert!(!msg.contains("secret-token"), "{msg}");
        }
    }
}
