//! Files and resumes of one opportunity (list, get, download; files also upload and
//! delete), and `/uploads`, the staging area for files sent with other calls.

use client_core::pagination::{ItemStream, Page};
use client_core::{Error, Method, MultipartPart, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Call, Download, Nested, data, download, nothing};
use crate::ids::{FileId, OpportunityId, ResumeId};

/// A file to send: its name, content type and bytes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FileUpload {
    /// File name shown in Lever (its extension tells Lever the format).
    pub name: String,
    /// MIME type, when known.
    pub content_type: Option<String>,
    /// The file.
    pub bytes: bytes::Bytes,
}

impl FileUpload {
    /// Lever's documented size limit for uploads: 30 MB.
    pub const MAX_BYTES: usize = 30 * 1024 * 1024;

    /// `bytes` named `name`.
    pub fn new(name: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
        Self {
            name: name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// With a MIME type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The multipart body Lever reads: one part named `file`. Files over the
    /// documented limit are refused before sending.
    fn part(&self) -> Result<Vec<MultipartPart>> {
        if self.bytes.len() > Self::MAX_BYTES {
            return Err(Error::InvalidInput(format!(
                "Lever accepts files up to 30 MB; this one is {} bytes",
                self.bytes.len()
            )));
        }
        Ok(vec![MultipartPart {
            field: "file".into(),
            file_name: Some(self.name.clone()),
            content_type: self.content_type.clone(),
            bytes: self.bytes.clone(),
        }])
    }
}

/// A file attached to an opportunity.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct File {
    /// The file id.
    pub id: FileId,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// Extension.
    #[serde(default)]
    pub ext: Option<String>,
    /// Where to download it (needs the same credentials).
    #[serde(default)]
    pub download_url: Option<String>,
    /// Uploaded (ms).
    #[serde(default)]
    pub uploaded_at: Option<u64>,
    /// Processing status (`processing`, `processed`, `unsupported`, `error`…).
    #[serde(default)]
    pub status: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A resume: its file and what Lever parsed from it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Resume {
    /// The resume id.
    pub id: ResumeId,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// The file (`name`, `ext`, `downloadUrl`, `uploadedAt`, `status`, `size`).
    #[serde(default)]
    pub file: Option<Value>,
    /// Positions and schools Lever parsed, as sent.
    #[serde(default)]
    pub parsed_data: Option<Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A staged upload (`POST /uploads`): pass `uri` where another call takes a file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Upload {
    /// Where the file is staged.
    pub uri: String,
    /// The file name.
    #[serde(default)]
    pub filename: Option<String>,
    /// When the staged file is deleted (ms; Lever keeps uploads 24 hours).
    #[serde(default)]
    pub expires_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Files of one opportunity. Obtain with [`crate::LeverClient::files`]. Scopes
/// `files:read:admin` and, to upload or delete, `files:write:admin`.
#[derive(Debug, Clone)]
pub struct Files<'a> {
    nested: Nested<'a>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "files"),
        }
    }

    /// Every file.
    pub fn list(&self) -> ItemStream<'static, File> {
        self.nested.listing().items()
    }

    /// One page of files.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<File, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One file's metadata.
    pub async fn get(&self, id: &FileId) -> Result<File> {
        self.nested.get(id.as_str()).await
    }

    /// The file itself.
    pub async fn download(&self, id: &FileId) -> Result<Download> {
        let path = format!("{}/download", self.nested.item(id.as_str()));
        download(self.nested.transport(), path, Vec::new()).await
    }

    /// Attach a file (multipart, one part named `file`; `perform_as` optional). Not
    /// retried after a server error.
    pub fn upload(&self, file: &FileUpload) -> Call<'a, File> {
        let call = Call::new(
            self.nested.transport(),
            Method::POST,
            self.nested.base.clone(),
            data,
        )
        .not_repeatable();
        match file.part() {
            Ok(parts) => call.multipart(parts),
            Err(e) => call.fail(e),
        }
    }

    /// Delete a file (`perform_as` optional).
    pub fn delete(&self, id: &FileId) -> Call<'a, ()> {
        Call::new(
            self.nested.transport(),
            Method::DELETE,
            self.nested.item(id.as_str()),
            nothing,
        )
    }
}

/// Resumes of one opportunity. Obtain with [`crate::LeverClient::resumes`]. Scope
/// `resumes:read:admin`. A resume Lever could not process answers `422` on download.
#[derive(Debug, Clone)]
pub struct Resumes<'a> {
    nested: Nested<'a>,
}

impl<'a> Resumes<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "resumes"),
        }
    }

    /// Every resume.
    pub fn list(&self) -> ItemStream<'static, Resume> {
        self.nested.listing().items()
    }

    /// One page of resumes.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Resume, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One resume with its parsed data.
    pub async fn get(&self, id: &ResumeId) -> Result<Resume> {
        self.nested.get(id.as_str()).await
    }

    /// The resume file.
    pub async fn download(&self, id: &ResumeId) -> Result<Download> {
        let path = format!("{}/download", self.nested.item(id.as_str()));
        download(self.nested.transport(), path, Vec::new()).await
    }
}

/// `POST /uploads`. Obtain with [`crate::LeverClient::uploads`]. Scope
/// `uploads:write:admin`.
#[derive(Debug, Clone, Copy)]
pub struct Uploads<'a> {
    client: &'a LeverClient,
}

impl<'a> Uploads<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Stage a file (up to 30 MB, kept 24 hours). Not retried after a server error.
    pub async fn create(&self, file: &FileUpload) -> Result<Upload> {
        data(
            self.client
                .transport()
                .post("/uploads")
                .idempotency(client_core::Idempotency::NotRepeatable)
                .multipart(file.part()?)
                .send_raw()
                .await?,
        )
    }
}
