use crate::Client;
use crate::error::Error;
use crate::models::{
    EnsureActiveResponse, FileCreated, FileDeleted, FileInfo, FileList, ProjectId, SandboxDeleted, SandboxId,
};

use super::{UploadFile, routes};

/// `client.sandbox(id)`: the files of one sandbox. Credentials are sent when the client has some (public
/// projects are readable without).
#[derive(Debug, Clone)]
pub struct SandboxApi<'c> {
    pub(crate) client: &'c Client,
    pub(crate) id: SandboxId,
}

impl SandboxApi<'_> {
    /// `GET /sandboxes/{id}/files?path=…`: the entries of a directory.
    ///
    /// # Errors
    /// `not_found` ("Sandbox not found"), `unauthorized`, `forbidden`.
    pub async fn list(&self, dir: &str) -> Result<Vec<FileInfo>, Error> {
        let list: FileList = self.client.send(routes::list_files(&self.id, dir)).await?;
        Ok(list.files)
    }

    /// `GET /sandboxes/{id}/files/content?path=…`: the raw bytes of a file.
    ///
    /// # Errors
    /// `not_found` (also for a failed download), `unauthorized`, `forbidden`.
    pub async fn read(&self, file: &str) -> Result<Vec<u8>, Error> {
        self.client
            .pipeline
            .bytes(routes::read_file(&self.id, file), &self.client.settings)
            .await
    }

    /// `POST /sandboxes/{id}/files` (multipart `path` + `file`).
    ///
    /// # Errors
    /// `invalid_request` over 50 MB; `not_found`, `unauthorized`, `forbidden`. Not retried.
    pub async fn upload(&self, file_path: &str, file: UploadFile) -> Result<FileCreated, Error> {
        self.client
            .send(routes::upload_file(&self.id, file_path, file)?)
            .await
    }

    /// `DELETE /sandboxes/{id}/files?path=…`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`, `forbidden`.
    pub async fn delete(&self, file_path: &str) -> Result<FileDeleted, Error> {
        self.client.send(routes::delete_file(&self.id, file_path)).await
    }

    /// `DELETE /sandboxes/{id}`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`, `forbidden`.
    pub async fn delete_sandbox(&self) -> Result<SandboxDeleted, Error> {
        self.client.send(routes::delete_sandbox(&self.id)).await
    }
}

/// `client.project(id)`: project-level operations.
#[derive(Debug, Clone)]
pub struct ProjectApi<'c> {
    pub(crate) client: &'c Client,
    pub(crate) id: ProjectId,
}

impl ProjectApi<'_> {
    /// `POST /project/{id}/sandbox/ensure-active`. A project without a sandbox gives the backend's
    /// `500 "404: No sandbox found for this project"`.
    ///
    /// # Errors
    /// `server`, `not_found`, `unauthorized`, `forbidden`.
    pub async fn ensure_sandbox_active(&self) -> Result<EnsureActiveResponse, Error> {
        self.client.send(routes::ensure_sandbox_active(&self.id)).await
    }
}
