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
/// listed by SmartRecruiters (talent-pool-only candidates never appear).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CandidateFilter {
    /// Keyword search (tokenised, fuzzy; quote phrases and emails).
    pub q: Option<String>,
    /// Page size, 1–100 (default 10 at the API).
    pub limit: Option<u32>,
    /// Applied to any of these jobs.
    pub job_id: Vec<JobId>,
    /// Location labels.
    pub location: Vec<String>,
    /// Average ratings, whole numbers (deprecated by SmartRecruiters; the API
    /// definition types them as an integer array, so `4`, never `4.0`).
    pub average_rating: Vec<u32>,
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
    /// Candidate property ids (single-select properties only; repeatable).
    pub property_id: Vec<String>,
    /// Value ids of the `property_id` properties (repeatable).
    pub property_value_id: Vec<String>,
    /// Source types (repeatable).
    pub source_type: Vec<String>,
    /// Source sub-types (repeatable).
    pub source_sub_type: Vec<String>,
    /// Source value ids (repeatable).
    pub source_value_id: Vec<String>,
    /// Screening question categories (repeatable).
    pub question_category: Vec<String>,
    /// Screening question field ids (repeatable).
    pub question_field_id: Vec<String>,
    /// Screening question field value ids (repeatable).
    pub question_field_value_id: Vec<String>,
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

    /// Add a location keyword.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location.push(location.into());
        self
    }

    /// Add an average rating (deprecated by SmartRecruiters).
    pub fn average_rating(mut self, rating: u32) -> Self {
        self.average_rating.push(rating);
        self
    }

    /// Add a consent status.
    pub fn consent_status(mut self, status: ConsentStatus) -> Self {
        self.consent_status.push(status);
        self
    }

    /// Onboarding status.
    pub fn onboarding_status(mut self, status: OnboardingStatus) -> Self {
        self.onboarding_status = Some(status);
        self
    }

    /// Add a single-select property and one of its value ids (each list is sent
    /// repeated: `propertyId=a&propertyId=b&propertyValueId=…`).
    pub fn property(mut self, property_id: impl Into<String>, value_id: impl Into<String>) -> Self {
        self.property_id.push(property_id.into());
        self.property_value_id.push(value_id.into());
        self
    }

    /// Add a source type.
    pub fn source_type(mut self, source_type: impl Into<String>) -> Self {
        self.source_type.push(source_type.into());
        self
    }

    /// Add a source sub-type.
    pub fn source_sub_type(mut self, sub_type: impl Into<String>) -> Self {
        self.source_sub_type.push(sub_type.into());
        self
    }

    /// Add a source value id.
    pub fn source_value_id(mut self, value_id: impl Into<String>) -> Self {
        self.source_value_id.push(value_id.into());
        self
    }

    /// Add a screening question category.
    pub fn question_category(mut self, category: impl Into<String>) -> Self {
        self.question_category.push(category.into());
        self
    }

    /// Add a screening question field id.
    pub fn question_field_id(mut self, field_id: impl Into<String>) -> Self {
        self.question_field_id.push(field_id.into());
        self
    }

    /// Add a screening question field value id.
    pub fn question_field_value_id(mut self, value_id: impl Into<String>) -> Self {
        self.question_field_value_id.push(value_id.into());
        self
    }
}

/// The job of an assignment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Consent {
    /// Status.
    #[serde(default)]
    pub status: Option<ConsentStatus>,
}

/// Web profiles. Both `linkedin` and `linkedIn` spellings occur.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
    /// Profiles not modelled here (kept, and sent back as received).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WebProfiles {
    /// No profiles.
    pub fn new() -> Self {
        Self::default()
    }

    /// With a Skype handle.
    pub fn skype(mut self, skype: impl Into<String>) -> Self {
        self.skype = Some(skype.into());
        self
    }

    /// With a LinkedIn URL.
    pub fn linkedin(mut self, linkedin: impl Into<String>) -> Self {
        self.linkedin = Some(linkedin.into());
        self
    }

    /// With a Facebook URL.
    pub fn facebook(mut self, facebook: impl Into<String>) -> Self {
        self.facebook = Some(facebook.into());
        self
    }

    /// With a Twitter handle.
    pub fn twitter(mut self, twitter: impl Into<String>) -> Self {
        self.twitter = Some(twitter.into());
        self
    }

    /// With a personal website.
    pub fn website(mut self, website: impl Into<String>) -> Self {
        self.website = Some(website.into());
        self
    }
}

/// A candidate with everything `GET /candidates/{id}` returns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct SourceDetails {
    /// Source type id.
    pub source_type_id: String,
    /// Source sub-type id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sub_type_id: Option<String>,
    /// Source id.
    pub source_id: String,
}

impl SourceDetails {
    /// Source `source_id` of type `source_type_id`.
    pub fn new(source_type_id: impl Into<String>, source_id: impl Into<String>) -> Self {
        Self {
            source_type_id: source_type_id.into(),
            source_sub_type_id: None,
            source_id: source_id.into(),
        }
    }

    /// With a sub-type.
    pub fn sub_type(mut self, sub_type_id: impl Into<String>) -> Self {
        self.source_sub_type_id = Some(sub_type_id.into());
        self
    }
}

/// Body of `POST /candidates` and `POST /jobs/{jobId}/candidates`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

impl NewCandidate {
    /// With a phone number.
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_number = Some(phone_number.into());
        self
    }

    /// With a location.
    pub fn location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// With web profiles.
    pub fn web(mut self, web: WebProfiles) -> Self {
        self.web = Some(web);
        self
    }

    /// With a source (the source "API" without one).
    pub fn source_details(mut self, source_details: SourceDetails) -> Self {
        self.source_details = Some(source_details);
        self
    }

    /// Mark the candidate internal (or not).
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = Some(internal);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
}

/// Body of `PATCH /candidates/{id}`: only the fields set are changed. Email plus last
/// name must stay unique, else the API answers 409 `CANDIDATE_DATA_CONFLICT`
/// (see [`crate::is_candidate_data_conflict`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

impl PersonalDetails {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Change the first name.
    pub fn first_name(mut self, first_name: impl Into<String>) -> Self {
        self.first_name = Some(first_name.into());
        self
    }

    /// Change the last name.
    pub fn last_name(mut self, last_name: impl Into<String>) -> Self {
        self.last_name = Some(last_name.into());
        self
    }

    /// Change the email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Change the phone number.
    pub fn phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_number = Some(phone_number.into());
        self
    }

    /// Change the location.
    pub fn location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Change the web profiles.
    pub fn web(mut self, web: WebProfiles) -> Self {
        self.web = Some(web);
        self
    }
}

/// `{tags: [..]}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tags {
    /// The tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An attachment's metadata.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
#[non_exhaustive]
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
            text_part("attachmentType", self.kind.as_str()),
            file_part(&self.file_name, self.content_type.as_ref(), &self.bytes),
        ]
    }
}

/// A form field of a multipart body.
fn text_part(field: &str, value: &str) -> MultipartPart {
    MultipartPart {
        field: field.into(),
        file_name: None,
        content_type: None,
        bytes: Bytes::copy_from_slice(value.as_bytes()),
    }
}

/// The `file` field of a multipart body.
fn file_part(file_name: &str, content_type: Option<&String>, bytes: &Bytes) -> MultipartPart {
    MultipartPart {
        field: "file".into(),
        file_name: Some(file_name.to_owned()),
        content_type: content_type.cloned(),
        bytes: bytes.clone(),
    }
}

/// A résumé for SmartRecruiters to parse into a new candidate (`POST /candidates/cv`,
/// `POST /jobs/{jobId}/candidates/cv`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Resume {
    /// File name reported to SmartRecruiters.
    pub file_name: String,
    /// MIME type, if known.
    pub content_type: Option<String>,
    /// The file.
    pub bytes: Bytes,
    /// Where the candidate came from (the source "API" without it).
    pub source: Option<SourceDetails>,
    /// Internal (employee) candidate.
    pub internal: Option<bool>,
}

impl Resume {
    /// The résumé `file_name`.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
            source: None,
            internal: None,
        }
    }

    /// With a MIME type (`application/pdf`…).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// With a source.
    pub fn source(mut self, source: SourceDetails) -> Self {
        self.source = Some(source);
        self
    }

    /// Mark the candidate internal (or not).
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = Some(internal);
        self
    }

    fn parts(&self) -> Vec<MultipartPart> {
        let mut parts = Vec::new();
        if let Some(source) = &self.source {
            parts.push(text_part("sourceTypeId", &source.source_type_id));
            if let Some(sub_type) = &source.source_sub_type_id {
                parts.push(text_part("sourceSubTypeId", sub_type));
            }
            parts.push(text_part("sourceId", &source.source_id));
        }
        if let Some(internal) = self.internal {
            parts.push(text_part(
                "internal",
                if internal { "true" } else { "false" },
            ));
        }
        parts.push(file_part(
            &self.file_name,
            self.content_type.as_ref(),
            &self.bytes,
        ));
        parts
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
    ///
    /// It searches `GET /candidates`, which lists only candidates with at least one
    /// application: a talent-pool candidate (created with [`Candidates::create`] and never
    /// assigned to a job) is not found. The Candidate API documents no other search, so
    /// keep the id [`Candidates::create`] returns to reach such a candidate later, or
    /// create them on a job ([`Candidates::create_on_job`]).
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

    /// `POST /candidates/cv`: parse a résumé into a new talent-pool candidate. Not
    /// retried (a repeat would create a second candidate). Scope: `candidates_create`.
    pub async fn create_from_resume(&self, resume: &Resume) -> Result<CandidateDetails> {
        self.client
            .transport
            .post("/candidates/cv")
            .multipart(resume.parts())
            .send()
            .await
    }

    /// `POST /jobs/{jobId}/candidates/cv`: parse a résumé into a new candidate applying
    /// to `job`. Not retried. Scope: `candidates_create`.
    pub async fn create_from_resume_on_job(
        &self,
        job: &JobId,
        resume: &Resume,
    ) -> Result<CandidateDetails> {
        self.client
            .transport
            .post(format!(
                "/jobs/{}/candidates/cv",
                encode_segment(job.as_str())
            ))
            .multipart(resume.parts())
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
        crate::common::get_listing(&self.client.transport, path).await
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
