//! Interviews of the Interviews API (`/interviews-api/v201904`): the interviews of an
//! application, one interview, scheduling one ([`Interviews::create`]), changing it
//! ([`Interviews::update`]), its timeslots, the attendees' answers, and cancelling it.
//! Scope: `interviews_read` to read (uncertain: the Permission Reference rows could not
//! be read), and a manage scope to write (its name is not in the readable references).
//!
//! Shapes follow the published API definition of the Interviews API: an interview
//! names its candidate (`{"id": …}`), job, organiser, time zone and timeslots; a
//! timeslot its start, end and interviewers. Attendance answers are
//! [`AttendeeStatus`] values.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::Listing;
use crate::ids::{ApplicationId, CandidateId, JobId, UserId};

/// Base path of the Interviews API.
pub const INTERVIEWS_API: &str = "/interviews-api/v201904";

client_core::open_enum!(
    /// An attendee's answer to an interview invitation (lower-case on the wire).
    AttendeeStatus {
        /// Will attend.
        Accepted = "accepted",
        /// Will not attend.
        Declined = "declined",
        /// Has not answered.
        Pending = "pending",
        /// Might attend.
        Tentative = "tentative",
    }
);

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

impl Interviewer {
    /// User `id`, invited (`pending`) as interviewers are when a slot is created.
    pub fn new(id: UserId) -> Self {
        Self {
            id: Some(id),
            status: Some(AttendeeStatus::Pending.as_str().to_owned()),
            extra: Map::new(),
        }
    }

    /// With another answer.
    pub fn status(mut self, status: AttendeeStatus) -> Self {
        self.status = Some(status.as_str().to_owned());
        self
    }
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

/// The candidate of a [`NewInterview`] or an [`InterviewUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InterviewCandidate {
    /// Candidate id.
    pub id: CandidateId,
}

/// A slot to schedule: body of `POST …/interviews/{id}/timeslots`, and each slot of a
/// [`NewInterview`]. Times are ISO-8601 (`2026-12-07T10:00:00.000Z`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewTimeslot {
    /// Start (required).
    pub starts_on: String,
    /// End (required).
    pub ends_on: String,
    /// Interviewers (required; may be empty).
    pub interviewers: Vec<Interviewer>,
    /// Interview type label (see the company's interview types).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview_type: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where (a room, a video link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

impl NewTimeslot {
    /// From `starts_on` to `ends_on` (ISO-8601), without interviewers yet.
    pub fn new(starts_on: impl Into<String>, ends_on: impl Into<String>) -> Self {
        Self {
            starts_on: starts_on.into(),
            ends_on: ends_on.into(),
            interviewers: Vec::new(),
            interview_type: None,
            title: None,
            place: None,
        }
    }

    /// Invite `interviewer` too.
    pub fn interviewer(mut self, interviewer: Interviewer) -> Self {
        self.interviewers.push(interviewer);
        self
    }

    /// With an interview type label.
    pub fn interview_type(mut self, interview_type: impl Into<String>) -> Self {
        self.interview_type = Some(interview_type.into());
        self
    }

    /// With a title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// With a place.
    pub fn place(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into());
        self
    }
}

/// Body of `POST /interviews-api/v201904/interviews`.
///
/// ```
/// use smartrecruiters_client::{CandidateId, Interviewer, JobId, NewInterview, NewTimeslot, UserId};
/// let slot = NewTimeslot::new("2026-12-07T10:00:00.000Z", "2026-12-07T10:30:00.000Z")
///     .interviewer(Interviewer::new(UserId::from("u1")))
///     .place("Room 4");
/// let interview = NewInterview::new(
///     CandidateId::from("c1"),
///     JobId::from("j1"),
///     UserId::from("u2"),
///     "Europe/Warsaw",
/// )
/// .timeslot(slot)
/// .ref_url("https://willo.video/interview/abc");
/// assert_eq!(serde_json::to_value(&interview).unwrap()["candidate"]["id"], "c1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewInterview {
    /// The candidate (required).
    pub candidate: InterviewCandidate,
    /// The job (required).
    pub job_id: JobId,
    /// The organiser's user id (required).
    pub organizer_id: UserId,
    /// Time zone, a TZ database name such as `Europe/Warsaw` (required).
    pub timezone: String,
    /// Slots (required; at least one to be useful).
    pub timeslots: Vec<NewTimeslot>,
    /// Location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Link to the interview in another system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_url: Option<String>,
    /// Which system created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl NewInterview {
    /// An interview of `candidate` for `job`, organised by `organizer` in `timezone`,
    /// without slots yet.
    pub fn new(
        candidate: CandidateId,
        job: JobId,
        organizer: UserId,
        timezone: impl Into<String>,
    ) -> Self {
        Self {
            candidate: InterviewCandidate { id: candidate },
            job_id: job,
            organizer_id: organizer,
            timezone: timezone.into(),
            timeslots: Vec::new(),
            location: None,
            ref_url: None,
            source: None,
        }
    }

    /// Add a slot.
    pub fn timeslot(mut self, slot: NewTimeslot) -> Self {
        self.timeslots.push(slot);
        self
    }

    /// With a location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// With a link to the interview elsewhere.
    pub fn ref_url(mut self, url: impl Into<String>) -> Self {
        self.ref_url = Some(url.into());
        self
    }

    /// With the creating system's name.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// Body of `PATCH /interviews-api/v201904/interviews/{id}`: only what is set changes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InterviewUpdate {
    /// New location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New time zone (TZ database name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Another candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<InterviewCandidate>,
}

impl InterviewUpdate {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Change the location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Change the time zone.
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }

    /// Change the candidate.
    pub fn candidate(mut self, candidate: CandidateId) -> Self {
        self.candidate = Some(InterviewCandidate { id: candidate });
        self
    }

    fn is_empty(&self) -> bool {
        self.location.is_none() && self.timezone.is_none() && self.candidate.is_none()
    }
}

/// Body of the attendance calls (`{"status": …}`).
#[derive(Serialize)]
struct Attendance<'a> {
    status: &'a str,
}

/// Interview calls. Obtain with [`SmartRecruitersClient::interviews`].
#[derive(Debug, Clone, Copy)]
pub struct Interviews<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

fn interview_path(id: &str) -> String {
    format!("{INTERVIEWS_API}/interviews/{}", encode_segment(id))
}

fn timeslot_path(interview: &str, timeslot: &str) -> String {
    format!(
        "{}/timeslots/{}",
        interview_path(interview),
        encode_segment(timeslot)
    )
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

    /// `POST /interviews-api/v201904/interviews`: schedule an interview; the answer is
    /// the interview with its id. Not retried (a repeat would schedule it twice).
    pub async fn create(&self, interview: &NewInterview) -> Result<Interview> {
        self.client
            .transport
            .post(format!("{INTERVIEWS_API}/interviews"))
            .json(interview)
            .send()
            .await
    }

    /// `PATCH /interviews-api/v201904/interviews/{id}`: change the location, time zone
    /// or candidate. Safe to repeat (the same values again).
    pub async fn update(&self, id: &str, update: &InterviewUpdate) -> Result<()> {
        if update.is_empty() {
            return Err(client_core::Error::InvalidInput(
                "an interview update needs a location, a time zone or a candidate".into(),
            ));
        }
        self.client
            .transport
            .patch(interview_path(id))
            .idempotency(client_core::Idempotency::Guarded)
            .json(update)
            .send_empty()
            .await
    }

    /// `POST /interviews-api/v201904/interviews/{id}/timeslots`: add a slot; the answer
    /// is the slot with its id. Not retried.
    pub async fn add_timeslot(&self, interview: &str, slot: &NewTimeslot) -> Result<Timeslot> {
        self.client
            .transport
            .post(format!("{}/timeslots", interview_path(interview)))
            .json(slot)
            .send()
            .await
    }

    /// `PATCH /interviews-api/v201904/interviews/{id}/timeslots/{timeslotId}`: replace a
    /// slot's times, interviewers and labels. Safe to repeat.
    pub async fn update_timeslot(
        &self,
        interview: &str,
        timeslot: &str,
        slot: &NewTimeslot,
    ) -> Result<()> {
        self.client
            .transport
            .patch(timeslot_path(interview, timeslot))
            .idempotency(client_core::Idempotency::Guarded)
            .json(slot)
            .send_empty()
            .await
    }

    /// `DELETE /interviews-api/v201904/interviews/{id}/timeslots/{timeslotId}`.
    pub async fn delete_timeslot(&self, interview: &str, timeslot: &str) -> Result<()> {
        self.client
            .transport
            .delete(timeslot_path(interview, timeslot))
            .send_empty()
            .await
    }

    /// `PUT /interviews-api/v201904/interviews/{id}/candidate/status`: the candidate's
    /// answer for the whole interview.
    pub async fn set_candidate_status(
        &self,
        interview: &str,
        status: AttendeeStatus,
    ) -> Result<()> {
        self.put_attendance(
            format!("{}/candidate/status", interview_path(interview)),
            status,
        )
        .await
    }

    /// `PUT /interviews-api/v201904/interviews/{id}/timeslots/{timeslotId}/candidateStatus`:
    /// the candidate's answer for one slot.
    pub async fn set_timeslot_candidate_status(
        &self,
        interview: &str,
        timeslot: &str,
        status: AttendeeStatus,
    ) -> Result<()> {
        self.put_attendance(
            format!("{}/candidateStatus", timeslot_path(interview, timeslot)),
            status,
        )
        .await
    }

    /// `PUT /interviews-api/v201904/interviews/{id}/timeslots/{timeslotId}/interviewers/{userId}/status`:
    /// one interviewer's answer for one slot.
    pub async fn set_interviewer_status(
        &self,
        interview: &str,
        timeslot: &str,
        interviewer: &UserId,
        status: AttendeeStatus,
    ) -> Result<()> {
        self.put_attendance(
            format!(
                "{}/interviewers/{}/status",
                timeslot_path(interview, timeslot),
                encode_segment(interviewer.as_str())
            ),
            status,
        )
        .await
    }

    async fn put_attendance(&self, path: String, status: AttendeeStatus) -> Result<()> {
        self.client
            .transport
            .put(path)
            .json(&Attendance {
                status: status.as_str(),
            })
            .send_empty()
            .await
    }
}
