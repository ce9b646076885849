//! Jobs: list and page (paged by `pageId` with `sort=job_id`), details, status and its
//! history, hiring team, publication.

use client_core::pagination::{ItemStream, Page, Paginated, boxed_items_capped};
use client_core::{Result, Transport, encode_segment, query_pairs};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{CLASS_PUBLICATION, SmartRecruitersClient};
use crate::common::{Actions, CursorPage, IdLabel, Location, get_listing};
use crate::ids::{JobId, UserId};

client_core::open_enum!(
    /// Status of a job. The UI shows more (e.g. "Pending Approval") than the schema
    /// lists; those arrive as `Other`.
    JobStatus {
        /// Created.
        Created = "CREATED",
        /// Sourcing.
        Sourcing = "SOURCING",
        /// Filled.
        Filled = "FILLED",
        /// Interviewing.
        Interview = "INTERVIEW",
        /// Offer stage.
        Offer = "OFFER",
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// On hold.
        OnHold = "ON_HOLD",
        /// Other (response only).
        OtherStatus = "OTHER",
    }
);

client_core::open_enum!(
    /// Where a job is posted.
    PostingStatus {
        /// Public.
        Public = "PUBLIC",
        /// Internal only.
        Internal = "INTERNAL",
        /// Not published.
        NotPublished = "NOT_PUBLISHED",
        /// Private.
        Private = "PRIVATE",
    }
);

client_core::open_enum!(
    /// Role of a hiring-team member.
    HiringTeamRole {
        /// Hiring manager.
        HiringManager = "HIRING_MANAGER",
        /// Interview team.
        InterviewTeam = "INTERVIEW_TEAM",
        /// Recruiter.
        Recruiter = "RECRUITER",
        /// Executive.
        Executive = "EXECUTIVE",
        /// Coordinator.
        Coordinator = "COORDINATOR",
    }
);

client_core::open_enum!(
    /// Sort order of `GET /jobs`. Only `job_id` pages reliably with `pageId`.
    JobSort {
        /// Creation date / relevance (may skip results when paging).
        Default = "default",
        /// By job id (required for complete paging).
        JobId = "job_id",
    }
);

/// Filters of `GET /jobs`; lists are sent as repeated parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobFilter {
    /// Full-text search over titles.
    pub q: Option<String>,
    /// Page size (max 100).
    pub limit: Option<u32>,
    /// Sort order; [`Jobs::list`] and [`Jobs::page`] send `job_id` when unset.
    pub sort: Option<JobSort>,
    /// Cities.
    pub city: Vec<String>,
    /// Department labels.
    pub department: Vec<String>,
    /// ISO-8601 timestamp.
    pub updated_after: Option<String>,
    /// ISO-8601 timestamp.
    pub last_activity_after: Option<String>,
    /// Job ad language code.
    pub language: Option<String>,
    /// Statuses.
    pub statuses: Vec<JobStatus>,
    /// Posting status.
    pub posting_status: Option<PostingStatus>,
    /// Hiring-team members.
    pub hiring_team_member_id: Vec<UserId>,
}

impl JobFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Title search.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Add a status.
    pub fn status(mut self, status: JobStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Posting status.
    pub fn posting_status(mut self, status: PostingStatus) -> Self {
        self.posting_status = Some(status);
        self
    }

    /// Add a city.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city.push(city.into());
        self
    }

    /// Add a department label.
    pub fn department(mut self, department: impl Into<String>) -> Self {
        self.department.push(department.into());
        self
    }

    /// Updated after.
    pub fn updated_after(mut self, at: impl Into<String>) -> Self {
        self.updated_after = Some(at.into());
        self
    }

    /// Add a hiring-team member.
    pub fn hiring_team_member(mut self, user: impl Into<UserId>) -> Self {
        self.hiring_team_member_id.push(user.into());
        self
    }
}

/// A job as listed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Job {
    /// Job id.
    pub id: JobId,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Reference number.
    #[serde(default)]
    pub ref_number: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Last update.
    #[serde(default)]
    pub updated_on: Option<String>,
    /// Last activity.
    #[serde(default)]
    pub last_activity_on: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<IdLabel>,
    /// Location.
    #[serde(default)]
    pub location: Option<Location>,
    /// Status.
    #[serde(default)]
    pub status: Option<JobStatus>,
    /// Posting status.
    #[serde(default)]
    pub posting_status: Option<PostingStatus>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Everything else (`language`, and in details `jobAd`, `properties`, `creator`,
    /// `compensation`, `industry`, `function`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Pay range of a job.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Compensation {
    /// Minimum.
    #[serde(default)]
    pub min: Option<f64>,
    /// Maximum.
    #[serde(default)]
    pub max: Option<f64>,
    /// Currency code.
    #[serde(default)]
    pub currency: Option<String>,
}

/// The user who created a job.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Creator {
    /// User id.
    #[serde(default)]
    pub id: Option<UserId>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
}

/// A job property and its value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobProperty {
    /// Property id.
    #[serde(default)]
    pub id: Option<String>,
    /// Property label.
    #[serde(default)]
    pub label: Option<String>,
    /// Selected value.
    #[serde(default)]
    pub value: Option<IdLabel>,
}

/// A job with everything `GET /jobs/{id}` returns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobDetails {
    /// The fields a listing shows (unmodelled fields end up in `job.extra`).
    #[serde(flatten)]
    pub job: Job,
    /// Target hiring date.
    #[serde(default)]
    pub target_hiring_date: Option<String>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<IdLabel>,
    /// Job function.
    #[serde(default)]
    pub function: Option<IdLabel>,
    /// Type of employment.
    #[serde(default)]
    pub type_of_employment: Option<IdLabel>,
    /// Experience level.
    #[serde(default)]
    pub experience_level: Option<IdLabel>,
    /// EEO category.
    #[serde(default)]
    pub eeo_category: Option<IdLabel>,
    /// Whether this is a template.
    #[serde(default)]
    pub template: Option<bool>,
    /// Creator.
    #[serde(default)]
    pub creator: Option<Creator>,
    /// Pay range.
    #[serde(default)]
    pub compensation: Option<Compensation>,
    /// The job ad (`sections`, `language`), as received.
    #[serde(default)]
    pub job_ad: Option<Value>,
    /// Job properties.
    #[serde(default)]
    pub properties: Vec<JobProperty>,
}

/// An entry of a job's status history.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobStatusChange {
    /// When.
    #[serde(default)]
    pub changed_on: Option<String>,
    /// New status.
    #[serde(default)]
    pub status: Option<JobStatus>,
    /// Links (`user`).
    #[serde(default)]
    pub actions: Actions,
}

/// A hiring-team member.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HiringTeamMember {
    /// User id.
    pub id: UserId,
    /// Role (older responses omit it).
    #[serde(default)]
    pub role: Option<HiringTeamRole>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
}

client_core::open_enum!(
    /// Audience of a publication.
    PublicationVisibility {
        /// Public job boards and career site.
        Public = "PUBLIC",
        /// Internal only.
        Internal = "INTERNAL",
    }
);

/// Body of `POST /jobs/{id}/publication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Publication {
    /// Post to aggregators.
    pub aggregators: bool,
    /// Audience.
    pub visibility: PublicationVisibility,
}

impl Publication {
    /// Publish with `visibility`, to aggregators or not.
    pub fn new(visibility: PublicationVisibility, aggregators: bool) -> Self {
        Self {
            aggregators,
            visibility,
        }
    }
}

/// Job calls. Obtain with [`SmartRecruitersClient::jobs`].
#[derive(Debug, Clone, Copy)]
pub struct Jobs<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

fn job_path(id: &JobId) -> String {
    format!("/jobs/{}", encode_segment(id.as_str()))
}

async fn search_page(
    transport: &Transport,
    filter: &JobFilter,
    page_id: Option<String>,
) -> Result<CursorPage<Job>> {
    let mut filter = filter.clone();
    filter.sort.get_or_insert(JobSort::JobId);
    let raw = transport
        .get("/jobs")
        .query_pairs(query_pairs(&filter)?)
        .query_opt("pageId", page_id)
        .send_raw()
        .await?;
    CursorPage::from_response(&raw)
}

impl Jobs<'_> {
    /// `GET /jobs`: every matching job, page by page (`sort=job_id` unless set).
    pub fn list(&self, filter: &JobFilter) -> ItemStream<'static, Job> {
        let transport = self.client.transport.clone();
        let filter = filter.clone();
        boxed_items_capped(transport.max_pages(), None, move |cursor| {
            let transport = transport.clone();
            let filter = filter.clone();
            async move { search_page(&transport, &filter, cursor).await }
        })
    }

    /// One page of `GET /jobs`: the first (`cursor` `None`) or the one a saved
    /// `pageId` (a previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &JobFilter,
        cursor: Option<String>,
    ) -> Result<Page<Job, String>> {
        Ok(search_page(&self.client.transport, filter, cursor)
            .await?
            .into_page())
    }

    /// `GET /jobs/{id}`.
    pub async fn get(&self, id: &JobId) -> Result<JobDetails> {
        self.client.transport.get(job_path(id)).send().await
    }

    /// `PUT /jobs/{id}/status`; returns the API's answer as JSON.
    pub async fn update_status(&self, id: &JobId, status: &JobStatus) -> Result<Value> {
        self.client
            .transport
            .put(format!("{}/status", job_path(id)))
            .json(&serde_json::json!({ "status": status }))
            .send_value()
            .await
    }

    /// `GET /jobs/{id}/status/history`.
    pub async fn status_history(&self, id: &JobId) -> Result<Vec<JobStatusChange>> {
        get_listing(
            &self.client.transport,
            format!("{}/status/history", job_path(id)),
        )
        .await
    }

    /// `GET /jobs/{id}/hiring-team`.
    pub async fn hiring_team(&self, id: &JobId) -> Result<Vec<HiringTeamMember>> {
        get_listing(
            &self.client.transport,
            format!("{}/hiring-team", job_path(id)),
        )
        .await
    }

    /// `POST /jobs/{id}/publication` (2 requests per second).
    pub async fn publish(&self, id: &JobId, publication: &Publication) -> Result<Value> {
        self.client
            .transport
            .post(format!("{}/publication", job_path(id)))
            .class(CLASS_PUBLICATION)
            .json(publication)
            .send_value()
            .await
    }

    /// `DELETE /jobs/{id}/publication` (2 requests per second).
    pub async fn unpublish(&self, id: &JobId) -> Result<()> {
        self.client
            .transport
            .delete(format!("{}/publication", job_path(id)))
            .class(CLASS_PUBLICATION)
            .send_empty()
            .await
    }
}
