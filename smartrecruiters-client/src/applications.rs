//! Applications (a candidate on a job): status, status changes and their history,
//! plus the Job Applications API lookup by application id.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::candidates::candidate_path;
use crate::client::SmartRecruitersClient;
use crate::common::{Actions, IdLabel, get_listing};
use crate::ids::{ApplicationId, CandidateId, JobId};

/// Base path of the Job Applications API.
pub const JOB_APPLICATIONS_API: &str = "/job-applications-api/v202112";

client_core::open_enum!(
    /// Status of an application (`CandidateStatusEnum`). Sub-statuses are free-text
    /// labels configured per hiring process for `IN_REVIEW`, `INTERVIEW` and `OFFERED`.
    ApplicationStatus {
        /// Assigned to the job without having applied.
        Lead = "LEAD",
        /// Applied.
        New = "NEW",
        /// Under review.
        InReview = "IN_REVIEW",
        /// Interviewing.
        Interview = "INTERVIEW",
        /// Offer made.
        Offered = "OFFERED",
        /// Hired.
        Hired = "HIRED",
        /// Rejected.
        Rejected = "REJECTED",
        /// Withdrew.
        Withdrawn = "WITHDRAWN",
        /// Transferred to another job.
        Transferred = "TRANSFERRED",
    }
);

/// `GET /candidates/{id}/jobs/{jobId}`: the state of one application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Application {
    /// Status.
    #[serde(default)]
    pub status: Option<ApplicationStatus>,
    /// Sub-status label.
    #[serde(default)]
    pub sub_status: Option<String>,
    /// When the status starts (interview date…).
    #[serde(default)]
    pub starts_on: Option<String>,
    /// Source label.
    #[serde(default)]
    pub source: Option<String>,
    /// Why the candidate was rejected.
    #[serde(default)]
    pub reason_of_rejection: Option<IdLabel>,
    /// Why the candidate withdrew.
    #[serde(default)]
    pub reason_of_withdrawal: Option<IdLabel>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here (`url`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `PUT /candidates/{id}/jobs/{jobId}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusChange {
    /// The new status.
    pub status: ApplicationStatus,
    /// Sub-status label of the job's hiring process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_status: Option<String>,
    /// ISO-8601 start (e.g. interview time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    /// Rejection or withdrawal reason id (from the configuration reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StatusChange {
    /// Move to `status`.
    pub fn new(status: ApplicationStatus) -> Self {
        Self {
            status,
            sub_status: None,
            starts_on: None,
            reason: None,
        }
    }

    /// With a sub-status.
    pub fn sub_status(mut self, sub_status: impl Into<String>) -> Self {
        self.sub_status = Some(sub_status.into());
        self
    }

    /// With a start time.
    pub fn starts_on(mut self, at: impl Into<String>) -> Self {
        self.starts_on = Some(at.into());
        self
    }

    /// With a rejection/withdrawal reason id.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// One entry of an application's status history.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusHistoryEntry {
    /// When it changed.
    #[serde(default)]
    pub changed_on: Option<String>,
    /// The status entered.
    #[serde(default)]
    pub status: Option<ApplicationStatus>,
    /// The sub-status entered.
    #[serde(default)]
    pub sub_status: Option<String>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An application from the Job Applications API (`/job-applications-api/v202112`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobApplication {
    /// Status.
    #[serde(default)]
    pub status: Option<ApplicationStatus>,
    /// Sub-status.
    #[serde(default)]
    pub sub_status: Option<String>,
    /// Source identifier.
    #[serde(default)]
    pub source_identifier: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<String>,
    /// The candidate (profile) id.
    #[serde(default)]
    pub profile_id: Option<CandidateId>,
    /// The job id.
    #[serde(default)]
    pub job_id: Option<JobId>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Application calls. Obtain with [`SmartRecruitersClient::applications`].
#[derive(Debug, Clone, Copy)]
pub struct Applications<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

pub(crate) fn application_path(candidate: &CandidateId, job: &JobId) -> String {
    format!(
        "{}/jobs/{}",
        candidate_path(candidate),
        encode_segment(job.as_str())
    )
}

fn job_application_path(id: &ApplicationId) -> String {
    format!(
        "{JOB_APPLICATIONS_API}/job-applications/{}",
        encode_segment(id.as_str())
    )
}

impl Applications<'_> {
    /// `GET /candidates/{id}/jobs/{jobId}`.
    pub async fn get(&self, candidate: &CandidateId, job: &JobId) -> Result<Application> {
        self.client
            .transport
            .get(application_path(candidate, job))
            .send()
            .await
    }

    /// The current state of the application behind an `application.*` webhook event
    /// (the delivery carries ids only).
    pub async fn get_for_event(
        &self,
        event: &crate::webhooks::ApplicationEvent,
    ) -> Result<Application> {
        self.get(&event.candidate_id, &event.job_id).await
    }

    /// `PUT /candidates/{id}/jobs/{jobId}/status` (answers 204).
    pub async fn set_status(
        &self,
        candidate: &CandidateId,
        job: &JobId,
        change: &StatusChange,
    ) -> Result<()> {
        self.client
            .transport
            .put(format!("{}/status", application_path(candidate, job)))
            .json(change)
            .send_empty()
            .await
    }

    /// `GET /candidates/{id}/jobs/{jobId}/status/history`.
    pub async fn status_history(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Vec<StatusHistoryEntry>> {
        get_listing(
            &self.client.transport,
            format!("{}/status/history", application_path(candidate, job)),
        )
        .await
    }

    /// `GET /job-applications-api/v202112/job-applications/{id}` (the webhook
    /// `application_id`).
    pub async fn get_by_id(&self, id: &ApplicationId) -> Result<JobApplication> {
        self.client
            .transport
            .get(job_application_path(id))
            .send()
            .await
    }

    /// `DELETE /job-applications-api/v202112/job-applications/{id}`: remove an
    /// application (the candidate stays, with their other applications). The scope it
    /// needs is not in the readable part of the Permission Reference: grant
    /// `candidates_manage` and check.
    pub async fn delete_by_id(&self, id: &ApplicationId) -> Result<()> {
        self.client
            .transport
            .delete(job_application_path(id))
            .send_empty()
            .await
    }
}
