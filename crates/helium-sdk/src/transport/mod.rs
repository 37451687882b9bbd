//! The HTTP seam: reqwest natively, `fetch` (through gloo-net) on wasm, behind one interface.
//!
//! The request pipeline (`http`) builds a [`Request`], and a transport sends it and hands back a [`Response`]
//! whose body can be read whole or chunk by chunk (for the agent stream).

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::{Signal, Transport, TransportBody};

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::{Signal, Transport, TransportBody};

/// The methods the backend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The contents of an uploaded file.
#[derive(Clone)]
pub enum FileData {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A JavaScript `Blob` or `File`, passed to `fetch` without copying it into wasm memory.
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
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Empty,
    Json(String),
    Multipart(Vec<Part>),
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

/// A transport failure (no HTTP status).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TransportError {
    /// Could not connect, or the connection broke before the response head.
    Connect(String),
    /// The caller's abort signal fired (wasm only: natively a call is cancelled by dropping it).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Aborted,
    /// The connection broke while reading the body.
    Body(String),
}

/// A response head with a body still to be read.
pub(crate) struct Response {
    pub status: u16,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: TransportBody,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads the whole body.
    pub(crate) async fn bytes(self) -> Result<Vec<u8>, TransportError> {
        self.body.all().await
    }
}
