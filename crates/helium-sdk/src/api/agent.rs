use crate::Client;
use crate::error::Error;
use crate::models::{
    AgentStartRequest, AgentStartResponse, InitiateAgentRequest, InitiateAgentResponse, ThreadAgentResponse,
    ThreadId,
};
use crate::platform;
use crate::transport::{FileData, Part};

use super::routes;

/// The frontend's per-file upload limit (50 MB), checked before sending.
pub const MAX_UPLOAD_BYTES: u64 = 50 * 1024 * 1024;

/// A file to upload with `initiate` or to a sandbox.
#[derive(Debug, Clone)]
pub struct UploadFile {
    name: String,
    content_type: String,
    data: FileData,
}

impl UploadFile {
    /// A file from memory. The name is NFC-normalised, as the frontend does.
    pub fn from_bytes(name: impl AsRef<str>, bytes: impl Into<Vec<u8>>) -> UploadFile {
        UploadFile::new(name, FileData::Bytes(bytes.into()))
    }

    /// A file from data of any kind (bytes, or a JS `Blob` on wasm).
    pub fn new(name: impl AsRef<str>, data: FileData) -> UploadFile {
        UploadFile {
            name: platform::nfc(name.as_ref()),
            content_type: "application/octet-stream".into(),
            data,
        }
    }

    /// Reads a file from disk (native only); the upload name is the file name.
    ///
    /// # Errors
    /// `invalid_request` when the file cannot be read.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<UploadFile, Error> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let bytes = std::fs::read(path).map_err(|e| Error::InvalidRequest {
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        Ok(UploadFile::from_bytes(name, bytes))
    }

    /// Sets the content type (default `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> UploadFile {
        self.content_type = content_type.into();
        self
    }

    /// The (NFC-normalised) file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.data.len()
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn into_part(self, field: &'static str) -> Result<Part, Error> {
        if self.data.len() > MAX_UPLOAD_BYTES {
            return Err(Error::InvalidRequest {
                message: format!(
                    "{} is {} bytes; the upload limit is 50 MB per file",
                    self.name,
                    self.data.len()
                ),
            });
        }
        Ok(Part::File {
            name: field,
            filename: self.name,
            content_type: self.content_type,
            data: self.data,
        })
    }
}

/// `client.agent()`: starting agent runs.
#[derive(Debug, Clone, Copy)]
pub struct AgentApi<'c> {
    pub(crate) client: &'c Client,
}

impl AgentApi<'_> {
    /// `POST /agent/initiate` (multipart): a new project, thread and first run.
    ///
    /// # Errors
    /// `validation` (empty prompt), `billing`, `rate_limited`, `not_found` (agent), HTTP and network errors.
    /// Not retried (it creates resources).
    pub async fn initiate(&self, request: InitiateAgentRequest) -> Result<InitiateAgentResponse, Error> {
        self.initiate_with_files(request, Vec::new()).await
    }

    /// `POST /agent/initiate` with files, uploaded to `/workspace/<name>` of a new sandbox.
    ///
    /// # Errors
    /// As [`AgentApi::initiate`], and `invalid_request` for a file over 50 MB.
    pub async fn initiate_with_files(
        &self,
        request: InitiateAgentRequest,
        files: Vec<UploadFile>,
    ) -> Result<InitiateAgentResponse, Error> {
        self.client.send(routes::initiate(&request, files)?).await
    }

    /// `POST /thread/{id}/agent/start`: a new run on an existing thread.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, `billing`, `rate_limited`, `validation`. Not retried.
    pub async fn start(
        &self,
        thread_id: &ThreadId,
        request: &AgentStartRequest,
    ) -> Result<AgentStartResponse, Error> {
        self.client.send(routes::start(thread_id, request)?).await
    }

    /// `GET /thread/{id}/agent`: the agent most recently used on the thread.
    ///
    /// # Errors
    /// `not_found`, `forbidden`, HTTP and network errors.
    pub async fn thread_agent(&self, thread_id: &ThreadId) -> Result<ThreadAgentResponse, Error> {
        self.client.send(routes::thread_agent(thread_id)).await
    }
}
