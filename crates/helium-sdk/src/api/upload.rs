//! Files for multipart requests: [`UploadFile`], the sandbox upload request, and the multipart encoding of
//! the requests that carry files.

use bytes::Bytes;

use super::spec::{MultipartForm, sandbox_path};
use crate::error::{Error, InvalidRequestCause};
use crate::models::{CreateThreadRequest, InitiateAgentRequest};
use crate::platform;
use crate::transport::{FileData, Part};

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
    /// A file from memory (a `Vec<u8>`, `bytes::Bytes` or `&'static [u8]`; shared, not copied, when sent). The
    /// name is NFC-normalised, as the frontend does.
    pub fn from_bytes(name: impl AsRef<str>, bytes: impl Into<Bytes>) -> UploadFile {
        UploadFile::new(name, FileData::Bytes(bytes.into()))
    }

    /// A file from data of any kind (bytes, or a JavaScript `Blob` on wasm).
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
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid(InvalidRequestCause::ReadFile {
                path: path.display().to_string(),
                message: e.to_string(),
            })
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

    /// The data.
    pub fn data(&self) -> &FileData {
        &self.data
    }

    /// The multipart part, after the upload limit check.
    pub(crate) fn part(&self, field: &'static str) -> Result<Part, Error> {
        if self.data.len() > MAX_UPLOAD_BYTES {
            return Err(Error::invalid(InvalidRequestCause::FileTooLarge {
                name: self.name.clone(),
                size: self.data.len(),
                limit: MAX_UPLOAD_BYTES,
            }));
        }
        Ok(Part::File {
            name: field,
            filename: self.name.clone(),
            content_type: self.content_type.clone(),
            data: self.data.clone(),
        })
    }
}

/// `POST /sandboxes/{id}/files`: a file and the path it is written to (e.g. `/workspace/notes.txt`).
#[derive(Debug, Clone)]
pub struct SandboxUpload {
    /// Where the file goes in the sandbox.
    pub path: String,
    /// The file.
    pub file: UploadFile,
}

impl SandboxUpload {
    /// A file to write at `path`.
    pub fn new(path: impl Into<String>, file: UploadFile) -> SandboxUpload {
        SandboxUpload {
            path: path.into(),
            file,
        }
    }
}

impl MultipartForm for SandboxUpload {
    fn parts(&self) -> Result<Vec<Part>, Error> {
        // A form field is not form-decoded by the backend, only `normalize_path`-ed (percent-decoded and
        // `\uXXXX`-expanded), so the path is encoded exactly once.
        Ok(vec![
            Part::Text {
                name: "path",
                value: sandbox_path(&self.path),
            },
            self.file.part("file")?,
        ])
    }
}

impl MultipartForm for InitiateAgentRequest {
    /// The text fields in the order the frontend sends them (`prompt`, `agent_id`, `enable_thinking`,
    /// `reasoning_effort`, `enable_context_manager`, `model_name`, `stream`), booleans as `"true"`/`"false"`,
    /// unset fields left out, then the files as `files`. The frontend's `mode=agent` field is not sent: the
    /// backend ignores it.
    fn parts(&self) -> Result<Vec<Part>, Error> {
        let mut parts: Vec<Part> = self
            .form_fields()
            .into_iter()
            .map(|(name, value)| Part::Text { name, value })
            .collect();
        for file in &self.files {
            parts.push(file.part("files")?);
        }
        Ok(parts)
    }
}

impl MultipartForm for CreateThreadRequest {
    /// The form field `name`, when set (the backend defaults it to "New Project").
    fn parts(&self) -> Result<Vec<Part>, Error> {
        Ok(self
            .name
            .iter()
            .map(|name| Part::Text {
                name: "name",
                value: name.clone(),
            })
            .collect())
    }
}
