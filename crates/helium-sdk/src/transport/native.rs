use std::time::Duration;

use super::{Body, Method, Part, Request, Response, TransportError};

/// Natively there is no abort signal: dropping the future cancels the request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signal;

/// reqwest with rustls; one connection pool per client.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
}

impl Transport {
    pub(crate) fn new(connect_timeout: Duration) -> Result<Transport, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .user_agent(concat!("helium-sdk-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Transport { client })
    }

    pub(crate) async fn send(
        &self,
        req: Request,
        _signal: Option<&Signal>,
    ) -> Result<Response, TransportError> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, &req.url);
        for (k, v) in &req.headers {
            builder = builder.header(*k, v);
        }
        builder = match req.body {
            Body::Empty => builder,
            Body::Json(s) => builder.header("content-type", "application/json").body(s),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for part in parts {
                    form = match part {
                        Part::Text { name, value } => form.text(name, value),
                        Part::File {
                            name,
                            filename,
                            content_type,
                            data,
                        } => {
                            let super::FileData::Bytes(bytes) = data;
                            let p = reqwest::multipart::Part::bytes(bytes)
                                .file_name(filename)
                                .mime_str(&content_type)
                                .map_err(|e| TransportError::Connect(e.to_string()))?;
                            form.part(name, p)
                        }
                    };
                }
                builder.multipart(form)
            }
        };
        let resp = builder
            .send()
            .await
            .map_err(|e| TransportError::Connect(describe(e)))?;
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        Ok(Response {
            status: resp.status().as_u16(),
            headers,
            body: TransportBody { resp },
        })
    }
}

/// reqwest's error chain, without the URL (which may carry a query the caller considers private).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A response body read chunk by chunk.
pub(crate) struct TransportBody {
    resp: reqwest::Response,
}

impl TransportBody {
    /// The whole body (one buffer when the length is known).
    pub(crate) async fn all(self) -> Result<Vec<u8>, TransportError> {
        self.resp
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| TransportError::Body(describe(e)))
    }

    pub(crate) async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        match self.resp.chunk().await {
            Ok(Some(b)) => Ok(Some(b.to_vec())),
            Ok(None) => Ok(None),
            Err(e) => Err(TransportError::Body(describe(e))),
        }
    }
}
