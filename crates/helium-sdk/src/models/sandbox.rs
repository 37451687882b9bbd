//! Sandbox files (`/sandboxes/{sandbox_id}/files…`) and `POST /project/{project_id}/sandbox/ensure-active`.

use serde::{Deserialize, Serialize};

use super::ids::SandboxId;

/// One entry of a sandbox directory listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FileInfo {
    /// The file name.
    pub name: String,
    /// The full path, `<dir>/<name>`.
    pub path: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size in bytes.
    pub size: u64,
    /// Modification time as the Daytona SDK prints it, e.g. `2025-09-25 10:15:02.904512031 +0000 UTC`
    /// (not ISO-8601).
    pub mod_time: String,
    /// Unix permissions such as `0644`, or `null`.
    pub permissions: Option<String>,
}

/// The response of `GET /sandboxes/{sandbox_id}/files?path=…`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FileList {
    /// The directory's entries.
    pub files: Vec<FileInfo>,
}

/// The response of `POST /sandboxes/{sandbox_id}/files` (multipart upload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FileCreated {
    /// `success`.
    pub status: String,
    /// `true`.
    pub created: bool,
    /// The path written.
    pub path: String,
}

/// The response of `DELETE /sandboxes/{sandbox_id}/files?path=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct FileDeleted {
    /// `success`.
    pub status: String,
    /// `true`.
    pub deleted: bool,
    /// The path deleted.
    pub path: String,
}

/// The response of `DELETE /sandboxes/{sandbox_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct SandboxDeleted {
    /// `success`.
    pub status: String,
    /// `true`.
    pub deleted: bool,
    /// The sandbox deleted.
    pub sandbox_id: SandboxId,
}

/// The response of `POST /project/{project_id}/sandbox/ensure-active`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[non_exhaustive]
pub struct EnsureActiveResponse {
    /// `success`.
    pub status: String,
    /// The project's sandbox.
    pub sandbox_id: SandboxId,
    /// `Sandbox is active`.
    pub message: String,
}
