//! Candidates: list (a stream) and page (resumable), get, create (talent pool or on a job),
//! personal-details patch, delete, tags, attachments, and an email lookup.

use bytes::Bytes;
use client_core::pagination::{ItemStream, Page, Paginated, boxed_items_capped};
use client_core::{MultipartPart, RawResponse, Result, Transport, encode_segment, query_pairs};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::applications::{Application, ApplicationStatus};
use crate::client::{CLASS_CANDIDATES_LIST, SmartRecruitersClient};
use crate::common::{Actions, CursorPage, Location};
use crate::ids::{AttachmentId, CandidateId, JobId};

client_core::open_enum!(
    /// Consent status of a candidate.
    ConsentStatus {
        /// Consent is required.
        Required = "REQUIRED",
        /// A consent request is pending.
        Pending = "PENDING",
        /// Consent was given.
        Acquired = "ACQUIRED",
    }
);

client_core::open_enum!(
    /// Onboarding status of an application.
    OnboardingStatus {
        /// Ready to onboard.
        ReadyToOnboard = "READY_TO_ONBOARD",
        /// Onboarding succeeded.
        OnboardingSuccessful = "ONBOARDING_SUCCESSFUL",
        /// Onboarding failed.
        OnboardingFailed = "ONBOARDING_FAILED",
    }
);

client_core::open_enum!(
    /// Kind of an uploaded attachment.
    AttachmentType {
        /// Any file.
        GenericFile = "GENERIC_FILE",
        /// A résumé.
        Resume = "RESUME",
        /// A cover letter.
        CoverLetter = "COVER_LETTER",
    }
);

/// Filters of `GET /candidates`. Every list is sent as a repeated parameter
/// (`status=NEW&status=IN_REVIEW`). Only candidates with at least one application are
/// listed by SmartRecruiters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateFilter {
    /// Keyword search (tokenised, fuzzy; quote phrases and emails).
    pub q: Option<String>,
    /// Page size, 1–100 (default 10 at the API).
    pub limit: Option<u32>,
    /// Applied to any of these jobs.
    pub job_id: Vec<JobId>,
    /// Location labels.
    pub location: Vec<String>,
    /// Average ratings (deprecated by SmartRecruiters).
    pub average_rating: Vec<f64>,
    /// Application statuses.
    pub status: Vec<ApplicationStatus>,
    /// Consent statuses.
    pub consent_status: Vec<ConsentStatus>,
    /// Sub-status label; only honoured together with `status`.
    pub sub_status: Option<String>,
    /// Tags (case-insensitive).
    pub tag: Vec<String>,
    /// ISO-8601 timestamp (`yyyy-MM-ddTHH:mm:ss.SSSZZ`).
    pub updated_after: Option<String>,
    /// Onboarding status.
    pub onboarding_status: Option<OnboardingStatus>,
    /// Candidate property id (single-select properties only).
    pub property_id: Option<String>,
    /// Value id of `property_id`.
    pub property_value_id: Option<String>,
    /// Source type.
    pub source_type: Option<String>,
    /// Source sub-type.
    pub source_sub_type: Option<String>,
    /// Source value id.
    pub source_value_id: Option<String>,
    /// Screening question category.
    pub question_category: Option<String>,
    /// Screening question field id.
    pub question_field_id: Option<String>,
    /// Screening question field value id.
    pub question_field_value_id: Option<String>,
}

impl CandidateFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keyword search.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Page size (1–100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Add a job.
    pub fn job(mut self, job: impl Into<JobId>) -> Self {
        self.job_id.push(job.into());
        self
    }

    /// Add a status.
    pub fn status(mut self, status: ApplicationStatus) -> Self {
        self.status.push(status);
        self
    }

    /// Sub-status (with [`CandidateFilter::status`]).
    pub fn sub_status(mut self, sub_status: impl Into<String>) -> Self {
        self.sub_status = Some(sub_status.into());
        self
    }

    /// Add a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag.push(tag.into());
        self
    }

    /// Updated after this ISO-8601 timestamp.
    pub fn updated_after(mut self, at: impl Into<String>) -> Self {
        self.updated_after = Some(at.into());
        self
    }
}

/// The job of an assignment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedJob {
    /// Job id.
    #[serde(default)]
    pub id: Option<JobId>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
}

/// A candidate's application to one job, as embedded in candidate objects.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// The job.
    #[serde(default)]
    pub job: Option<AssignedJob>,
    /// Status, sub-status, reasons…
    #[serde(flatten)]
    pub application: Application,
}

/// A candidate as listed by `GET /candidates` (some fields may be missing; fetch
/// details for the full object).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Candidate id.
    pub id: CandidateId,
    /// Internal (employee) candidate.
    #[serde(default)]
    pub internal: Option<bool>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Last update.
    #[serde(default)]
    pub updated_on: Option<String>,
    /// Location.
    #[serde(default)]
    pub location: Option<Location>,
    /// Average rating.
    #[serde(default)]
    pub average_rating: Option<f64>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Consent state.
    #[serde(default)]
    pub consent: Option<Consent>,
    /// The primary application.
    #[serde(default)]
    pub primary_assignment: Option<Assignment>,
    /// Other applications.
    #[serde(default)]
    pub secondary_assignments: Vec<Assignment>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A candidate's consent state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Consent {
    /// Status.
    #[serde(default)]
    pub status: Option<ConsentStatus>,
}

/// Web profiles. Both `linkedin` and `linkedIn` spellings occur.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebProfiles {
    /// Skype handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skype: Option<String>,
    /// LinkedIn URL.
    #[serde(default, alias = "linkedIn", skip_serializing_if = "Option::is_none")]
    pub linkedin: Option<String>,
    /// Facebook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facebook: Option<String>,
    /// Twitter handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twitter: Option<String>,
    /// Personal website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A candidate with everything `GET /candidates/{id}` returns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateDetails {
    /// The list-view fields.
    #[serde(flatten)]
    pub candidate: Candidate,
    /// Phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Web profiles.
    #[serde(default)]
    pub web: Option<WebProfiles>,
    /// Education entries (`startDate`/`endDate` are free text such as `2004`).
    #[serde(default)]
    pub education: Vec<Map<String, Value>>,
    /// Experience entries.
    #[serde(default)]
    pub experience: Vec<Map<String, Value>>,
}

/// Where a new candidate came from (ids from `GET /configuration/sources`). Without
/// one SmartRecruiters records the source "API".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceDetails {
    /// Source type id.
    pub source_type_id: String,
    /// Source sub-type id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sub_type_id: Option<String>,
    /// Source id.
    pub source_id: String,
}

/// Body of `POST /candidates` and `POST /jobs/{jobId}/candidates`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCandidate {
    /// First name (required).
    pub first_name: String,
    /// Last name (required).
    pub last_name: String,
    /// Email (required).
    pub email: String,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Web profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebProfiles>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Education entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub education: Vec<Map<String, Value>>,
    /// Experience entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experience: Vec<Map<String, Value>>,
    /// Source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_details: Option<SourceDetails>,
    /// Internal (employee) candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
}

impl NewCandidate {
    /// A candidate with the three required fields.
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            ..Self::default()
        }
    }
}

/// Body of `PATCH /candidates/{id}`: only the fields set are changed. Email plus last
/// name must stay unique, else the API answers 409 `CANDIDATE_DATA_CONFLICT`
/// (see [`crate::is_candidate_data_conflict`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalDetails {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Web profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebProfiles>,
}

/// `{tags: [..]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Tags {
    /// The tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An attachment's metadata.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Attachment id.
    pub id: AttachmentId,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// Attachment type.
    #[serde(default, rename = "type")]
    pub kind: Option<AttachmentType>,
    /// MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Links (`download`, `remove`).
    #[serde(default)]
    pub actions: Actions,
}

/// A file to upload as an attachment.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// Attachment type.
    pub kind: AttachmentType,
    /// File name reported to SmartRecruiters.
    pub file_name: String,
    /// MIME type, if known.
    pub content_type: Option<String>,
    /// The file.
    pub bytes: Bytes,
}

impl Upload {
    /// A file of `kind` named `file_name`.
    pub fn new(
        kind: AttachmentType,
        file_name: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        Self {
            kind,
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// With a MIME type (`application/pdf`…).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn parts(&self) -> Vec<MultipartPart> {
        vec![
            MultipartPart {
                field: "attachmentType".into(),
                file_name: None,
                content_type: None,
                bytes: Bytes::copy_from_slice(self.kind.as_str().as_bytes()),
            },
            MultipartPart {
                field: "file".into(),
                file_name: Some(self.file_name.clone()),
                content_type: self.content_type.clone(),
                bytes: self.bytes.clone(),
            },
        ]
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    /// `Content-Type` of the answer.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl From<RawResponse> for Download {
    fn from(raw: RawResponse) -> Self {
        Self {
            content_type: raw.header("content-type").map(str::to_owned),
            bytes: raw.body,
        }
    }
}

/// Candidate calls. Obtain with [`SmartRecruitersClient::candidates`].
#[derive(Debug, Clone, Copy)]
pub struct Candidates<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

pub(crate) fn candidate_path(id: &CandidateId) -> String {
    format!("/candidates/{}", encode_segment(id.as_str()))
}

async fn search_page(
    transport: &Transport,
    query: Vec<(String, String)>,
    page_id: Option<String>,
) -> Result<CursorPage<Candidate>> {
    let raw = transport
        .get("/candidates")
        .query_pairs(query)
        .query_opt("pageId", page_id)
        .class(CLASS_CANDIDATES_LIST)
        .send_raw()
        .await?;
    CursorPage::from_response(&raw)
}

impl Candidates<'_> {
    /// `GET /candidates`: every matching candidate, page by page. Requests go out one at
    /// a time (SmartRecruiters allows one in flight per credential).
    pub fn list(&self, filter: &CandidateFilter) -> ItemStream<'static, Candidate> {
        let transport = self.client.transport.clone();
        let query = crate::common::query_or_message(filter);
        boxed_items_capped(transport.max_pages(), None, move |cursor| {
            let transport = transport.clone();
            let query = query.clone();
            async move {
                search_page(
                    &transport,
                    query.map_err(client_core::Error::InvalidInput)?,
                    cursor,
                )
                .await
            }
        })
    }

    /// One page of `GET /candidates`: the first (`cursor` `None`) or the one a saved
    /// `pageId` (a previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &CandidateFilter,
        cursor: Option<String>,
    ) -> Result<Page<Candidate, String>> {
        Ok(
            search_page(&self.client.transport, query_pairs(filter)?, cursor)
                .await?
                .into_page(),
        )
    }

    /// Candidates whose email equals `email` (case-insensitive). SmartRecruiters has no
    /// email filter and `@` splits words in `q`, so this searches the quoted address and
    /// keeps the exact matches.
    pub async fn find_by_email(&self, email: &str) -> Result<Vec<Candidate>> {
        use futures::TryStreamExt as _;
        let wanted = email.trim();
        let filter = CandidateFilter::new()
            .q(format!("\"{}\"", wanted.replace('"', "")))
            .limit(100);
        self.list(&filter)
            .try_filter(|c| {
                let hit = c
                    .email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(wanted));
                std::future::ready(hit)
            })
            .try_collect()
            .await
    }

    /// `GET /candidates/{id}`.
    pub async fn get(&self, id: &CandidateId) -> Result<CandidateDetails> {
        self.client.transport.get(candidate_path(id)).send().await
    }

    /// `POST /candidates`: add a candidate to the talent pool.
    pub async fn create(&self, candidate: &NewCandidate) -> Result<CandidateDetails> {
        self.client
            .transport
            .post("/candidates")
            .json(candidate)
            .send()
            .await
    }

    /// `POST /jobs/{jobId}/candidates`: add a candidate applying to a job.
    pub async fn create_on_job(
        &self,
        job: &JobId,
        candidate: &NewCandidate,
    ) -> Result<CandidateDetails> {
        self.client
            .transport
            .post(format!("/jobs/{}/candidates", encode_segment(job.as_str())))
            .json(candidate)
            .send()
            .await
    }

    /// `PATCH /candidates/{id}`: change personal details.
    pub async fn update_personal_details(
        &self,
        id: &CandidateId,
        details: &PersonalDetails,
    ) -> Result<CandidateDetails> {
        self.client
            .transport
            .patch(candidate_path(id))
            .json(details)
            .send()
            .await
    }

    /// `DELETE /candidates/{id}`.
    pub async fn delete(&self, id: &CandidateId) -> Result<()> {
        self.client
            .transport
            .delete(candidate_path(id))
            .send_empty()
            .await
    }

    /// `GET /candidates/{id}/tags`.
    pub async fn tags(&self, id: &CandidateId) -> Result<Vec<String>> {
        let tags: Tags = self
            .client
            .transport
            .get(format!("{}/tags", candidate_path(id)))
            .send()
            .await?;
        Ok(tags.tags)
    }

    /// `POST /candidates/{id}/tags`: add tags, keeping the existing ones.
    pub async fn add_tags(&self, id: &CandidateId, tags: &[&str]) -> Result<()> {
        self.write_tags(client_core::Method::POST, id, tags).await
    }

    /// `PUT /candidates/{id}/tags`: replace all tags.
    pub async fn replace_tags(&self, id: &CandidateId, tags: &[&str]) -> Result<()> {
        self.write_tags(client_core::Method::PUT, id, tags).await
    }

    /// `DELETE /candidates/{id}/tags`: remove all tags.
    pub async fn delete_tags(&self, id: &CandidateId) -> Result<()> {
        self.client
            .transport
            .delete(format!("{}/tags", candidate_path(id)))
            .send_empty()
            .await
    }

    async fn write_tags(
        &self,
        method: client_core::Method,
        id: &CandidateId,
        tags: &[&str],
    ) -> Result<()> {
        let body = Tags {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        };
        self.client
            .transport
            .request(method, format!("{}/tags", candidate_path(id)))
            // Adding the same tags twice leaves the same set: safe to repeat.
            .idempotency(client_core::Idempotency::Guarded)
            .json(&body)
            .send_empty()
            .await
    }

    /// The attachments listed at `path` (a candidate's or an application's).
    async fn list_attachments(&self, path: String) -> Result<Vec<Attachment>> {
        let listing: crate::common::Listing<Attachment> =
            self.client.transport.get(path).send().await?;
        Ok(listing.content)
    }

    /// `upload` sent as multipart to `path`.
    async fn upload(&self, path: String, upload: &Upload) -> Result<Attachment> {
        self.client
            .transport
            .post(path)
            .multipart(upload.parts())
            .send()
            .await
    }

    /// The file at `path`.
    async fn download(&self, path: String) -> Result<Download> {
        let raw = self.client.transport.get(path).send_raw().await?;
        Ok(raw.into())
    }

    /// `GET /candidates/{id}/attachments`.
    pub async fn attachments(&self, id: &CandidateId) -> Result<Vec<Attachment>> {
        self.list_attachments(format!("{}/attachments", candidate_path(id)))
            .await
    }

    /// `POST /candidates/{id}/attachments` (multipart `attachmentType` + `file`).
    pub async fn upload_attachment(&self, id: &CandidateId, upload: &Upload) -> Result<Attachment> {
        self.upload(format!("{}/attachments", candidate_path(id)), upload)
            .await
    }

    /// `GET /candidates/{id}/attachments/{attachmentId}`: the file.
    pub async fn download_attachment(
        &self,
        id: &CandidateId,
        attachment: &AttachmentId,
    ) -> Result<Download> {
        self.download(format!(
            "{}/attachments/{}",
            candidate_path(id),
            encode_segment(attachment.as_str())
        ))
        .await
    }

    /// `GET /candidates/{id}/jobs/{jobId}/attachments`.
    pub async fn application_attachments(
        &self,
        id: &CandidateId,
        job: &JobId,
    ) -> Result<Vec<Attachment>> {
        self.list_attachments(application_attachments_path(id, job))
            .await
    }

    /// `POST /candidates/{id}/jobs/{jobId}/attachments`.
    pub async fn upload_application_attachment(
        &self,
        id: &CandidateId,
        job: &JobId,
        upload: &Upload,
    ) -> Result<Attachment> {
        self.upload(application_attachments_path(id, job), upload)
            .await
    }

    /// `GET /candidates/attachments/{attachmentId}`: an application attachment's file.
    pub async fn download_application_attachment(
        &self,
        attachment: &AttachmentId,
    ) -> Result<Download> {
        self.download(format!(
            "/candidates/attachments/{}",
            encode_segment(attachment.as_str())
        ))
        .await
    }

    /// `DELETE /candidates/attachments/{attachmentId}`.
    pub async fn delete_attachment(&self, attachment: &AttachmentId) -> Result<()> {
        self.client
            .transport
            .delete(format!(
                "/candidates/attachments/{}",
                encode_segment(attachment.as_str())
            ))
            .send_empty()
            .await
    }
}

fn application_attachments_path(id: &CandidateId, job: &JobId) -> String {
    format!(
        "{}/jobs/{}/attachments",
        candidate_path(id),
        encode_segment(job.as_str())
    )
}
