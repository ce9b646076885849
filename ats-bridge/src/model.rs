//! The normalised vocabulary every ATS is translated into: jobs, stages, the
//! application behind an event, candidate details, events, write-backs.
//!
//! Adapters translate their vendor's objects into these types, so the engine, the
//! rules and the store never see a vendor-specific shape.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::note::{Note, NoteRenderError, ResultsRecord};

mod job_attributes;

pub use job_attributes::JobAttributes;
pub use willo_client::{InterviewKey, InterviewResults as InterviewOutcome, ParticipantKey};

client_core::string_id! {
    /// Which ATS a record belongs to (`smartrecruiters`, `lever`, or an integrator's
    /// own name). Part of every ledger key, so two systems' ids never collide.
    AtsName,
    /// A job (SmartRecruiters job, Lever posting).
    JobId,
    /// A pipeline stage. Adapters choose the encoding: SmartRecruiters uses the
    /// application status, with the sub-status after a `/` (`INTERVIEW/Video call`);
    /// Lever uses its stage id.
    StageId,
    /// One candidacy: a candidate on a job (SmartRecruiters application, Lever
    /// opportunity).
    ApplicationId,
    /// The person behind one or more applications.
    CandidateId,
}

client_core::open_enum! {
    /// Whether a job still takes new candidates.
    JobState {
        /// Open: candidates at trigger stages are invited.
        Open = "open",
        /// Closed, filled, cancelled or archived: no new invites.
        Closed = "closed",
    }
}

/// A job as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// Its title, for people reading logs and status pages.
    pub title: String,
    /// Open or closed.
    pub state: JobState,
    /// Department, location, employment type, custom fields and labels, for rules
    /// that select jobs by them (empty when the ATS reports none).
    #[serde(default)]
    pub attributes: JobAttributes,
}

impl Job {
    /// A job with an id, title and state, and no attributes.
    pub fn new(id: impl Into<JobId>, title: impl Into<String>, state: JobState) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            state,
            attributes: JobAttributes::default(),
        }
    }

    /// With these attributes.
    pub fn with_attributes(mut self, attributes: JobAttributes) -> Self {
        self.attributes = attributes;
        self
    }
}

/// A pipeline stage a candidate can be moved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Stage {
    /// Its id (see [`StageId`] for the encodings).
    pub id: StageId,
    /// Its name as recruiters see it.
    pub name: String,
}

impl Stage {
    /// A stage with an id and a name.
    pub fn new(id: impl Into<StageId>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// Which application an event or a write-back is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApplicationRef {
    /// The application (candidacy).
    pub application: ApplicationId,
    /// The candidate behind it.
    pub candidate: CandidateId,
    /// The job applied to.
    pub job: JobId,
}

/// Whom [`Ats::create_application`](crate::Ats::create_application) attached the new
/// application to. ATSs deduplicate people by e-mail; this says what they reported, so
/// a recruiter can see that a screened candidate was already known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CandidateMatch {
    /// The ATS did not say (or the application was found, not created, in a way
    /// that does not tell).
    #[default]
    Unknown,
    /// A new person: nobody with this e-mail was known.
    New,
    /// An existing person (same e-mail): the application was added to them.
    ExistingCandidate,
    /// The person had already applied to this job: nothing was created, their
    /// application is used.
    ExistingApplication,
}

impl CandidateMatch {
    /// True unless the person is new (or the ATS did not say).
    pub fn is_existing(self) -> bool {
        matches!(
            self,
            CandidateMatch::ExistingCandidate | CandidateMatch::ExistingApplication
        )
    }
}

/// What [`Ats::create_application`](crate::Ats::create_application) produced: the
/// application, and whom it belongs to.
///
/// ```
/// # use ats_bridge::model::{ApplicationRef, CandidateMatch, CreatedApplication};
/// let application = ApplicationRef {
///     application: "a1".into(),
///     candidate: "c1".into(),
///     job: "j1".into(),
/// };
/// let created = CreatedApplication::new(application).matched(CandidateMatch::New);
/// assert_eq!(created.candidate, CandidateMatch::New);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedApplication {
    /// The application on the job.
    pub application: ApplicationRef,
    /// Whom it was attached to, as far as the ATS reported.
    pub candidate: CandidateMatch,
}

impl CreatedApplication {
    /// `application`, attached to a person the ATS did not describe
    /// ([`CandidateMatch::Unknown`]).
    pub fn new(application: ApplicationRef) -> Self {
        Self {
            application,
            candidate: CandidateMatch::Unknown,
        }
    }

    /// Say whom the application was attached to.
    pub fn matched(mut self, candidate: CandidateMatch) -> Self {
        self.candidate = candidate;
        self
    }
}

/// Who to invite. Personal data: `Debug` shows only which fields are present.
///
/// Built with [`CandidateDetails::new`] and its setters (more contact details may
/// come, so a struct literal outside this crate would break):
///
/// ```
/// # use ats_bridge::model::CandidateDetails;
/// let person = CandidateDetails::new("Ada Lovelace").email("ada@example.com");
/// assert_eq!(person.email.as_deref(), Some("ada@example.com"));
/// assert_eq!(person.phone, None);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CandidateDetails {
    /// Full name (Willo requires one).
    pub name: String,
    /// Email address, the key Willo invites are deduplicated on.
    pub email: Option<String>,
    /// Phone number, E.164 for SMS invites.
    pub phone: Option<String>,
}

impl CandidateDetails {
    /// A candidate known by name only (Willo requires one).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: None,
            phone: None,
        }
    }

    /// With an email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// With a phone number (E.164 for SMS invites).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

impl fmt::Debug for CandidateDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CandidateDetails")
            .field("name", &"[personal data]")
            .field("email", &self.email.as_ref().map(|_| "[personal data]"))
            .field("phone", &self.phone.as_ref().map(|_| "[personal data]"))
            .finish()
    }
}

/// What happened in the ATS, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AtsEvent {
    /// An application is now at `stage`.
    StageChanged {
        /// The application that moved.
        application: ApplicationRef,
        /// The stage it is at now.
        stage: StageId,
        /// The candidate's details, when resolving the event already read them (Lever
        /// fetches the opportunity to learn its posting): the engine then does not ask
        /// the ATS again. `None` and the engine reads them with
        /// [`Ats::candidate`](crate::Ats::candidate) when it invites.
        details: Option<CandidateDetails>,
    },
    /// A candidate was deleted (for example a privacy request): cancel what is pending
    /// and erase what is stored about them.
    CandidateDeleted {
        /// The candidate.
        candidate: CandidateId,
    },
    /// An application was deleted, and the ATS did not say whose it was (a Lever
    /// deletion without `contactId`): the engine finds the candidate in its ledger
    /// and handles it like [`AtsEvent::CandidateDeleted`].
    ApplicationDeleted {
        /// The application.
        application: ApplicationId,
    },
    /// A job opened or closed.
    JobStatusChanged {
        /// The job.
        job: JobId,
        /// Its new state.
        state: JobState,
    },
    /// An event the bridge does not act on, kept for logs and metrics.
    Unknown {
        /// The vendor's event name.
        name: String,
    },
}

/// What changes on the ATS record when results come back.
///
/// An adapter writes the note [`WriteBack::note_text`] gives (the configured note of
/// [`WriteBack::note`], or the default results note of [`WriteBack::outcome`] for a
/// write-back built by hand), then labels and stage as listed.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct WriteBack {
    /// The results the note reports, when it reports results. An implementation
    /// written before [`WriteBack::note`] renders its note from this; newer ones call
    /// [`WriteBack::note_text`].
    pub outcome: Option<InterviewOutcome>,
    /// The note to write, as the rules' `[notes]` settings made it (its event, its
    /// template, its variables); `None` with `outcome` set: the default results note.
    pub note: Option<Note>,
    /// The interview's structured record (candidate id, interview status, answers),
    /// on every write-back the engine makes about an interview, whether or not a note
    /// is written: for implementations that store it in a field of their own.
    pub record: Option<ResultsRecord>,
    /// Labels (SmartRecruiters tags, Lever tags) to add.
    pub add_labels: Vec<String>,
    /// Labels to remove (the previous step of a label lifecycle).
    pub remove_labels: Vec<String>,
    /// Move the application to this stage, if the rules say so.
    pub move_to: Option<StageId>,
    /// Late results (a transcript, a summary, a reviewer's score or comment that
    /// arrived after the results note): amend the results note where the ATS can edit
    /// notes, else write one follow-up note with
    /// [`render_follow_up_note`](crate::late_results::render_follow_up_note). Like
    /// the results note, the engine sends it in a write-back of its own, last.
    pub update: Option<crate::late_results::ResultsUpdate>,
    /// `true` when the engine's ledger knows of no earlier attempt at this write-back
    /// (no failed try, no crashed worker, no redrive), so none of it can be in the
    /// ATS yet and an adapter may skip looking for an earlier copy of the note.
    /// `false`, the default, is always safe.
    pub first_attempt: bool,
}

impl WriteBack {
    /// Labels only: add `add`, remove `remove`.
    pub fn labels(add: Vec<String>, remove: Vec<String>) -> Self {
        Self {
            add_labels: add,
            remove_labels: remove,
            ..Self::default()
        }
    }

    /// A note with `outcome`, plus label changes.
    pub fn results(outcome: InterviewOutcome, add: Vec<String>, remove: Vec<String>) -> Self {
        Self {
            outcome: Some(outcome),
            add_labels: add,
            remove_labels: remove,
            ..Self::default()
        }
    }

    /// The note's text, at most `max_chars` characters: [`WriteBack::note`]'s, else
    /// the default results note of [`WriteBack::outcome`]. `None`: no note to write
    /// (none asked for, or a template that rendered nothing).
    pub fn note_text(&self, max_chars: usize) -> Result<Option<String>, NoteRenderError> {
        let text = match (&self.note, &self.outcome) {
            (Some(note), _) => note.text(max_chars)?,
            (None, Some(outcome)) => Note::default_results(outcome).text(max_chars)?,
            (None, None) => return Ok(None),
        };
        Ok(Some(text).filter(|t| !t.trim().is_empty()))
    }

    /// Whether there is a note to write (see [`WriteBack::note_text`]).
    pub fn has_note(&self) -> bool {
        self.note.is_some() || self.outcome.is_some()
    }

    /// Late results only (see [`WriteBack::update`]).
    pub fn update(update: crate::late_results::ResultsUpdate) -> Self {
        Self {
            update: Some(update),
            ..Self::default()
        }
    }

    /// Also move the application to `stage`.
    pub fn moving_to(mut self, stage: StageId) -> Self {
        self.move_to = Some(stage);
        self
    }

    /// Mark it as a first attempt (see [`WriteBack::first_attempt`]).
    pub fn as_first_attempt(mut self) -> Self {
        self.first_attempt = true;
        self
    }
}

/// What a write-back did, for the ledger and for operators.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WriteBackReceipt {
    /// The id of the note written, if any.
    pub note_id: Option<String>,
    /// Labels now on the record.
    pub labels_added: Vec<String>,
    /// Labels taken off.
    pub labels_removed: Vec<String>,
    /// The stage the application was moved to, if it was.
    pub moved_to: Option<StageId>,
}

/// A page of applications at a stage, for reconciliation.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ApplicationsPage {
    /// Applications on this page.
    pub applications: Vec<ApplicationRef>,
    /// Where the next page starts; `None` on the last page. Stored by the reconciler so
    /// a restart continues where it stopped.
    pub next_cursor: Option<String>,
    /// The candidates' details, for applications whose listing carried the whole
    /// record (Lever's does), so the engine need not read each again with
    /// [`Ats::candidate`](crate::Ats::candidate). Applications missing here are read.
    pub details: BTreeMap<ApplicationId, CandidateDetails>,
}

impl ApplicationsPage {
    /// A page with its continuation cursor.
    pub fn new(applications: Vec<ApplicationRef>, next_cursor: Option<String>) -> Self {
        Self {
            applications,
            next_cursor,
            details: BTreeMap::new(),
        }
    }

    /// Add the candidates' details the listing carried (see
    /// [`ApplicationsPage::details`]).
    pub fn with_details(
        mut self,
        details: impl IntoIterator<Item = (ApplicationId, CandidateDetails)>,
    ) -> Self {
        self.details.extend(details);
        self
    }
}

/// Which parts of the workflow an ATS supports. The engine skips what is missing
/// (no labels: the note alone; no polling: webhooks alone). Webhooks are not a flag:
/// an ATS that has them returns them from [`crate::Ats::webhooks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Capabilities {
    /// Notes on the candidate record.
    pub notes: bool,
    /// Labels (tags) on the record.
    pub labels: bool,
    /// Moving an application to another stage.
    pub stage_moves: bool,
    /// Listing applications at a stage (reconciliation).
    pub polling: bool,
    /// Creating a candidate on a job (pre-application screening).
    pub create_candidates: bool,
}

impl Capabilities {
    /// Nothing supported; switch on what the ATS offers with the setters.
    pub fn none() -> Self {
        Self::default()
    }

    /// Everything supported.
    pub fn all() -> Self {
        Self {
            notes: true,
            labels: true,
            stage_moves: true,
            polling: true,
            create_candidates: true,
        }
    }

    /// Set [`Capabilities::notes`].
    pub fn with_notes(mut self, on: bool) -> Self {
        self.notes = on;
        self
    }

    /// Set [`Capabilities::labels`].
    pub fn with_labels(mut self, on: bool) -> Self {
        self.labels = on;
        self
    }

    /// Set [`Capabilities::stage_moves`].
    pub fn with_stage_moves(mut self, on: bool) -> Self {
        self.stage_moves = on;
        self
    }

    /// Set [`Capabilities::polling`].
    pub fn with_polling(mut self, on: bool) -> Self {
        self.polling = on;
        self
    }

    /// Set [`Capabilities::create_candidates`].
    pub fn with_create_candidates(mut self, on: bool) -> Self {
        self.create_candidates = on;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_details_never_print_personal_data() {
        let details = CandidateDetails {
            name: "Jane Doe".into(),
            email: Some("jane@example.com".into()),
            phone: None,
        };
        let text = format!("{details:?}");
        assert!(!text.contains("Jane") && !text.contains("jane@"), "{text}");
        assert!(text.contains("phone: None"), "{text}");
    }

    #[test]
    fn unknown_job_states_are_kept() {
        let state: JobState = serde_json::from_str("\"ON_HOLD\"").unwrap();
        assert_eq!(state, JobState::Other("ON_HOLD".into()));
    }
}
