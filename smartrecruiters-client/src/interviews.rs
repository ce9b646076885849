//! Interviews of the Interviews API (`/interviews-api/v201904`): the interviews of an
//! application, one interview, and cancelling one. Scope: `interviews_read` to read
//! (uncertain: the Permission Reference rows could not be read), and a manage scope to
//! delete.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::Listing;
use crate::ids::{ApplicationId, JobId, UserId};

/// Base path of the Interviews API.
pub const INTERVIEWS_API: &str = "/interviews-api/v201904";

/// An interviewer of a timeslot and their answer to the invitation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interviewer {
    /// User id.
    #[serde(default)]
    pub id: Option<UserId>,
    /// Attendance status, as sent.
    #[serde(default)]
    pub status: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One slot of an interview.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Timeslot {
    /// Slot id.
    #[serde(default)]
    pub id: Option<String>,
    /// Interview type label.
    #[serde(default)]
    pub interview_type: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Where.
    #[serde(default)]
    pub place: Option<String>,
    /// Start (ISO-8601).
    #[serde(default)]
    pub starts_on: Option<String>,
    /// End (ISO-8601).
    #[serde(default)]
    pub ends_on: Option<String>,
    /// Interviewers.
    #[serde(default)]
    pub interviewers: Vec<Interviewer>,
    /// The candidate's attendance, as sent.
    #[serde(default)]
    pub candidate_status: Option<Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An interview.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Interview {
    /// Interview id.
    pub id: String,
    /// The candidate, as sent (`{id, …}`).
    #[serde(default)]
    pub candidate: Option<Value>,
    /// Job.
    #[serde(default)]
    pub job_id: Option<JobId>,
    /// Location.
    #[serde(default)]
    pub location: Option<String>,
    /// Organiser's user id.
    #[serde(default)]
    pub organizer_id: Option<UserId>,
    /// Time zone (`Europe/Warsaw`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Slots.
    #[serde(default)]
    pub timeslots: Vec<Timeslot>,
    /// Creation time.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Link to the interview in another system.
    #[serde(default)]
    pub ref_url: Option<String>,
    /// Which system created it.
    #[serde(default)]
    pub source: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Interview calls. Obtain with [`SmartRecruitersClient::interviews`].
#[derive(Debug, Clone, Copy)]
pub struct Interviews<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

fn interview_path(id: &str) -> String {
    format!("{INTERVIEWS_API}/interviews/{}", encode_segment(id))
}

impl Interviews<'_> {
    /// `GET /interviews-api/v201904/interviews?applicationId=…`: the interviews of an
    /// application (the Job Applications API id). Scope: `interviews_read` (uncertain).
    pub async fn for_application(&self, application: &ApplicationId) -> Result<Vec<Interview>> {
        let listing: Listing<Interview> = self
            .client
            .transport
            .get(format!("{INTERVIEWS_API}/interviews"))
            .query("applicationId", application)
            .send()
            .await?;
        Ok(listing.content)
    }

    /// `GET /interviews-api/v201904/interviews/{id}`. Scope: `interviews_read` (uncertain).
    pub async fn get(&self, id: &str) -> Result<Interview> {
        self.client.transport.get(interview_path(id)).send().await
    }

    /// `DELETE /interviews-api/v201904/interviews/{id}`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client
            .transport
            .delete(interview_path(id))
            .send_empty()
            .await
    }
}
