//! The HTTP seam: reqwest natively, `fetch` on wasm (the global one or the caller's), behind one interface.
//!
//! The request pipeline (`http`) builds a [`Request`], and a transport sends it and hands back a [`Response`]
//! whose body can be read whole or chunk by chunk (for the agent stream). A request is borrowed by the
//! transport, so its body (uploads reach 50 MB) is shared by every attempt instead of being copied.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{CallContext, Transport, TransportBody, TransportOptions};

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::{
    CallContext, Transport, TransportBody, TransportOptions, js_message, response_headers,
};

use bytes::Bytes;

/// The methods the backend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The contents of an uploaded file. The same variants exist on every target except `Blob`, which only exists
/// where JavaScript does (a `Blob` or `File` is passed to `fetch` without copying it into wasm memory).
#[derive(Clone)]
#[non_exhaustive]
pub enum FileData {
    /// Bytes in memory, shared (not copied) by every attempt of a request.
    Bytes(Bytes),
    /// A JavaScript `Blob` or `File` (wasm only).
    #[cfg(target_arch = "wasm32")]
    Blob(web_sys::Blob),
}

impl FileData {
    /// The size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            FileData::Bytes(b) => b.len() as u64,
            #[cfg(target_arch = "wasm32")]
            FileData::Blob(b) => b.size() as u64,
        }
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<u8>> for FileData {
    fn from(bytes: Vec<u8>) -> Self {
        FileData::Bytes(Bytes::from(bytes))
    }
}

impl From<Bytes> for FileData {
    fn from(bytes: Bytes) -> Self {
        FileData::Bytes(bytes)
    }
}

impl From<&'static [u8]> for FileData {
    fn from(bytes: &'static [u8]) -> Self {
        FileData::Bytes(Bytes::from_static(bytes))
    }
}

impl std::fmt::Debug for FileData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileData({} bytes)", self.len())
    }
}

/// One multipart part.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Text {
        name: &'static str,
        value: String,
    },
    File {
        name: &'static str,
        filename: String,
        content_type: String,
        data: FileData,
    },
}

/// A request body.
#[derive(Debug, Clone, Default)]
pub(crate) enum Body {
    #[default]
    Empty,
    /// A JSON document (sent with `content-type: application/json`).
    Json(Bytes),
    Multipart(Vec<Part>),
}

/// What the request hooks (JavaScript `onRequest`/`onResponse`) and `tracing` spans (natively) see of one
/// attempt: never a header, a body or a query string, so never a token or key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exchange<'a> {
    pub method: &'static str,
    /// The URL's path (`/api/agent-run/…`), without the query.
    pub path: &'a str,
    /// 0 for the first attempt.
    pub attempt: u32,
    pub request_id: Option<&'a str>,
}

/// How an attempt ended, for the hooks: an HTTP status, or the kind of a failure without one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    Status(u16),
    Failed(&'static str),
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub url: String,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// A transport failure (no HTTP status).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// Could not connect, or the connection broke before the response head.
    Connect(String),
    /// The caller's abort signal fired (wasm only: natively a call is cancelled by dropping it).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Aborted,
    /// The connection broke while reading the body.
    Body(String),
    /// The body (announced by `Content-Length`, or as read) is larger than the limit, in bytes; it was not read
    /// to its end.
    TooLarge(usize),
}

/// Collects a body's chunks up to a size limit: one chunk is kept as it is (no copy), more are joined in a
/// buffer that never grows past the limit.
#[derive(Debug)]
pub(crate) struct Collector {
    limit: usize,
    first: Option<Bytes>,
    joined: Vec<u8>,
}

impl Collector {
    /// A collector for a body of at most `limit` bytes; `announced` is the `Content-Length`, if any.
    pub(crate) fn new(limit: usize, announced: Option<u64>) -> Result<Collector, Failure> {
        if announced.is_some_and(|len| len > limit as u64) {
            return Err(Failure::TooLarge(limit));
        }
        Ok(Collector {
            limit,
            first: None,
            joined: Vec::new(),
        })
    }

    /// Adds the next chunk.
    pub(crate) fn push(&mut self, chunk: Bytes) -> Result<(), Failure> {
        let held = self.first.as_ref().map_or(0, Bytes::len) + self.joined.len();
        if held.saturating_add(chunk.len()) > self.limit {
            return Err(Failure::TooLarge(self.limit));
        }
        if self.joined.is_empty() && self.first.is_none() {
            self.first = Some(chunk);
            return Ok(());
        }
        if let Some(first) = self.first.take() {
            self.grow(first.len());
            self.joined.extend_from_slice(&first);
        }
        self.grow(chunk.len());
        self.joined.extend_from_slice(&chunk);
        Ok(())
    }

    /// Makes room for `additional` bytes, growing geometrically but never past the limit.
    fn grow(&mut self, additional: usize) {
        let needed = self.joined.len() + additional;
        if needed > self.joined.capacity() {
            let target = needed
                .max(self.joined.capacity().saturating_mul(2))
                .min(self.limit);
            self.joined.reserve_exact(target - self.joined.len());
        }
    }

    /// The whole body.
    pub(crate) fn finish(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => Bytes::from(self.joined),
        }
    }
}

/// A response head with a body still to be read.
pub(crate) struct Response {
    pub status: u16,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: TransportBody,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collector_keeps_one_chunk_joins_more_and_stops_at_the_limit() {
        assert_eq!(Collector::new(4, Some(5)).err(), Some(Failure::TooLarge(4)));
        let mut one = Collector::new(4, Some(4)).unwrap();
        one.push(Bytes::from_static(b"abcd")).unwrap();
        assert_eq!(one.finish(), Bytes::from_static(b"abcd"));
        let mut many = Collector::new(5, None).unwrap();
        for chunk in [&b"ab"[..], b"c", b"de"] {
            many.push(Bytes::from(chunk)).unwrap();
        }
        assert!(many.joined.capacity() <= 5);
        assert_eq!(many.push(Bytes::from_static(b"f")), Err(Failure::TooLarge(5)));
        assert_eq!(Collector::new(0, None).unwrap().finish(), Bytes::new());
    }
}
