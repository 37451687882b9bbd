use crate::Client;
use crate::error::Error;
use crate::http::{AuthMode, Call};
use crate::models::{
    EnsureActiveResponse, FileCreated, FileDeleted, FileInfo, FileList, ProjectId, SandboxDeleted, SandboxId,
};
use crate::transport::{Body, Method, Part};

use super::{UploadFile, seg};

/// `client.sandbox(id)`: the files of one sandbox. Credentials are sent when the client has some (public
/// projects are readable without).
#[derive(Debug, Clone)]
pub struct SandboxApi<'c> {
    pub(crate) client: &'c Client,
    pub(crate) id: SandboxId,
}

impl SandboxApi<'_> {
    fn files_call(&self, method: Method, suffix: &str, file_path: &str) -> Call {
        let p = format!("/sandboxes/{}/files{suffix}", seg(self.id.as_str()));
        Call::new(method, p)
            .query(vec![("path", file_path.to_owned())])
            .auth(AuthMode::Optional)
    }

    /// `GET /sandboxes/{id}/files?path=…`: the entries of a directory.
    ///
    /// # Errors
    /// `not_found` ("Sandbox not found"), `unauthorized`, `forbidden`.
    pub async fn list(&self, dir: &str) -> Result<Vec<FileInfo>, Error> {
        let list: FileList = self
            .client
            .pipeline
            .json(self.files_call(Method::Get, "", dir), &self.client.settings)
            .await?;
        Ok(list.files)
    }

    /// `GET /sandboxes/{id}/files/content?path=…`: the raw bytes of a file.
    ///
    /// # Errors
    /// `not_found` (also for a failed download), `unauthorized`, `forbidden`.
    pub async fn read(&self, file: &str) -> Result<Vec<u8>, Error> {
        let call = self
            .files_call(Method::Get, "/content", file)
            .accept("application/octet-stream");
        self.client.pipeline.bytes(call, &self.client.settings).await
    }

    /// `POST /sandboxes/{id}/files` (multipart `path` + `file`).
    ///
    /// # Errors
    /// `invalid_request` over 50 MB; `not_found`, `unauthorized`, `forbidden`. Not retried.
    pub async fn upload(&self, file_path: &str, file: UploadFile) -> Result<FileCreated, Error> {
        let parts = vec![
            Part::Text {
                name: "path",
                value: file_path.to_owned(),
            },
            file.into_part("file")?,
        ];
        let call = Call::new(
            Method::Post,
            format!("/sandboxes/{}/files", seg(self.id.as_str())),
        )
        .body(Body::Multipart(parts))
        .auth(AuthMode::Optional);
        self.client.pipeline.json(call, &self.client.settings).await
    }

    /// `DELETE /sandboxes/{id}/files?path=…`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`, `forbidden`.
    pub async fn delete(&self, file_path: &str) -> Result<FileDeleted, Error> {
        self.client
            .pipeline
            .json(
                self.files_call(Method::Delete, "", file_path).idempotent(),
                &self.client.settings,
            )
            .await
    }

    /// `DELETE /sandboxes/{id}`.
    ///
    /// # Errors
    /// `not_found`, `unauthorized`, `forbidden`.
    pub async fn delete_sandbox(&self) -> Result<SandboxDeleted, Error> {
        let call = Call::new(Method::Delete, format!("/sandboxes/{}", seg(self.id.as_str())))
            .auth(AuthMode::Optional)
            .idempotent();
        self.client.pipeline.json(call, &self.client.settings).await
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
        let call = Call::new(
            Method::Post,
            format!("/project/{}/sandbox/ensure-active", seg(self.id.as_str())),
        )
        .auth(AuthMode::Optional)
        .idempotent();
        self.client.pipeline.json(call, &self.client.settings).await
    }
}
