//! The SmartRecruiters adapter: [`crate::Ats`] over `smartrecruiters-client`.
//!
//! - Stages are application statuses, with the sub-status after a `/`
//!   (`INTERVIEW/Video call`; see [`stage_id`] and [`parse_stage_id`]).
//! - Applications are (candidate, job) pairs; their [`ApplicationId`] is always
//!   `candidate:job`, whether a webhook or a listing found them (webhooks may carry
//!   an `application_id` that listings do not, so it is not used as the key).
//! - Results go into ONE note per write-back (`POST /messages/shares`), tagged
//!   `#[CANDIDATE:id]` and shared with the job's hiring team; labels are candidate
//!   tags; a stage move sets the application status.
//! - Webhook deliveries carry ids only, so events are resolved against the API.
//!
//! ```no_run
//! use ats_bridge::Ats;
//! use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
//! use smartrecruiters_client::{SecretString, SmartRecruitersClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = SmartRecruitersClient::builder()
//!     .api_key(SecretString::from("my-api-key"))
//!     .build()?;
//! let config = SmartRecruitersAtsConfig::new()
//!     .webhook_secret(SecretString::from("subscription-secret-key"));
//! let ats = SmartRecruitersAts::new(client, config);
//! for job in ats.jobs().await? {
//!     println!("{} {:?}", job.id, job.state);
//! }
//! # Ok(()) }
//! ```

mod config;
mod jobs;
mod mapped;
mod stage;
mod verify;
mod webhooks;

use async_trait::async_trait;
use futures::TryStreamExt as _;
use smartrecruiters_client::MAX_NOTE_CHARS;
use smartrecruiters_client::webhooks::WebhookVerifier;
use smartrecruiters_client::{
    self as sr, CandidateFilter, JobFilter, JobStatus, NewCandidate, NewNote, NoteContent,
    ShareWith, SmartRecruitersClient, StatusChange,
};

pub use config::SmartRecruitersAtsConfig;
pub use stage::{SUB_STATUS_SEPARATOR, parse_stage_id, stage_id};

use crate::late_results::render_follow_up_note;
use crate::model::{
    ApplicationId, ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails,
    CandidateId, CandidateMatch, Capabilities, CreatedApplication, Job, JobId, JobState, Stage,
    StageId, WriteBack, WriteBackReceipt,
};
use crate::{Ats, AtsError, AtsResult, AtsWebhooks};

/// [`Ats`] for SmartRecruiters.
#[derive(Debug, Clone)]
pub struct SmartRecruitersAts {
    client: SmartRecruitersClient,
    config: SmartRecruitersAtsConfig,
    verifier: Option<WebhookVerifier>,
}

impl SmartRecruitersAts {
    /// An adapter over `client` configured with `config`.
    pub fn new(client: SmartRecruitersClient, config: SmartRecruitersAtsConfig) -> Self {
        let verifier = webhooks::verifier(&config);
        Self {
            client,
            config,
            verifier,
        }
    }

    /// The application of `candidate` on `job`, named as the adapter's webhooks and
    /// listings name it: use it for recruiter-triggered sends, so a later stage change
    /// finds the same ledger row.
    pub fn application_ref(candidate: &str, job: &str) -> ApplicationRef {
        let (candidate, job) = (CandidateId::from(candidate), JobId::from(job));
        ApplicationRef {
            application: pair_id(&candidate, &job),
            candidate,
            job,
        }
    }

    /// The client underneath, for calls the adapter does not make.
    pub fn client(&self) -> &SmartRecruitersClient {
        &self.client
    }

    /// The configuration.
    pub fn config(&self) -> &SmartRecruitersAtsConfig {
        &self.config
    }

    /// Open when `status` is in the allow-list; closed otherwise (also when absent).
    fn job_state(&self, status: Option<&JobStatus>) -> JobState {
        match status {
            Some(s) if self.config.job_status_allow_list.contains(s) => JobState::Open,
            _ => JobState::Closed,
        }
    }

    /// `application.status.updated`: the delivery says something changed; the current
    /// status says where the application is now. It is read from the candidate, whose
    /// assignments carry each application's status, so the event also carries the
    /// candidate's details and an invite reads nothing more; an application missing
    /// from the assignments (or listed without a status) is read on its own.
    async fn status_updated(&self, event: &sr::webhooks::ApplicationEvent) -> AtsResult<AtsEvent> {
        let candidate = CandidateId::from(event.candidate_id.as_str());
        let job = JobId::from(event.job_id.as_str());
        // Always the (candidate, job) pair, even when the delivery names an
        // application id: the reconciler's listings only know the pair, and one
        // candidacy must have one ledger key whichever path finds it.
        let application = pair_id(&candidate, &job);
        let found = self.read_candidate(&event.candidate_id).await?;
        let person = &found.candidate;
        let assigned = person
            .primary_assignment
            .iter()
            .chain(&person.secondary_assignments)
            .find(|a| a.job.as_ref().and_then(|j| j.id.as_ref()) == Some(&event.job_id))
            .and_then(|a| {
                Some((
                    a.application.status.clone()?,
                    a.application.sub_status.clone(),
                ))
            });
        let (status, sub_status) = match assigned {
            Some(assigned) => assigned,
            None => {
                let current = self
                    .client
                    .applications()
                    .get(&event.candidate_id, &event.job_id)
                    .await
                    .map_err(|e| not_found(e, format!("application {application}")))?;
                let status = current.status.ok_or_else(|| {
                    AtsError::Invalid(format!("application {application} has no status"))
                })?;
                (status, current.sub_status)
            }
        };
        Ok(AtsEvent::StageChanged {
            stage: stage_id(&status, sub_status.as_deref()),
            application: ApplicationRef {
                application,
                candidate,
                job,
            },
            // Without a name the engine's own read reports the candidate as invalid.
            details: self.invitee(&found).ok(),
        })
    }

    /// Who to invite, from the profile, with its phone number unless phones are off.
    fn invitee(&self, found: &sr::CandidateDetails) -> AtsResult<CandidateDetails> {
        let mut details = details_of(found)?;
        if !self.config.phones_in_invites {
            details.phone = None;
        }
        Ok(details)
    }

    /// Candidates whose e-mail is `email` (see [`sr::Candidates::find_by_email`]).
    async fn known_by_email(&self, email: &str) -> AtsResult<Vec<sr::Candidate>> {
        self.client
            .candidates()
            .find_by_email(email)
            .await
            .map_err(|e| not_found(e, "candidates by e-mail".into()))
    }

    /// `GET /candidates/{id}`; a 404 is [`AtsError::NotFound`] naming the id only.
    async fn read_candidate(&self, id: &sr::CandidateId) -> AtsResult<sr::CandidateDetails> {
        self.client
            .candidates()
            .get(id)
            .await
            .map_err(|e| not_found(e, format!("candidate {id}")))
    }

    /// A note on the application whose content holds `text`: the same results shared
    /// by an earlier attempt. Reading notes (`GET /messages`) is for administrators
    /// only; without the right (401/403) the answer is "none found", so the note is
    /// written, as it would be without this check.
    async fn earlier_note(
        &self,
        candidate: &sr::CandidateId,
        job: &sr::JobId,
        text: &str,
    ) -> AtsResult<Option<sr::Note>> {
        let listed = self
            .client
            .notes()
            .list(candidate, Some(job))
            .try_filter(|note| {
                let same = note
                    .content
                    .as_deref()
                    .is_some_and(|c| c.contains(text.trim()));
                futures::future::ready(same)
            })
            .try_next()
            .await;
        match listed {
            Ok(found) => Ok(found),
            Err(error) if matches!(error.status().map(|s| s.as_u16()), Some(401 | 403)) => {
                tracing::warn!(
                    %error,
                    "cannot read SmartRecruiters notes to check for an earlier copy; writing the note"
                );
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Tags after the write-back: current minus `remove` plus `add`, compared without
    /// case (SmartRecruiters matches tags case-insensitively). Replaced only if changed.
    async fn write_labels(&self, candidate: &sr::CandidateId, write: &WriteBack) -> AtsResult<()> {
        if write.add_labels.is_empty() && write.remove_labels.is_empty() {
            return Ok(());
        }
        if write.remove_labels.is_empty() {
            // `POST …/tags` adds and keeps the rest: one call instead of read-and-
            // replace. (Whether SmartRecruiters keeps a tag it already has once is
            // not documented; the sandbox does.)
            let refs: Vec<&str> = write.add_labels.iter().map(String::as_str).collect();
            return self
                .client
                .candidates()
                .add_tags(candidate, &refs)
                .await
                .map_err(|e| not_found(e, format!("candidate {candidate}")));
        }
        let current = self
            .client
            .candidates()
            .tags(candidate)
            .await
            .map_err(|e| not_found(e, format!("candidate {candidate}")))?;
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let mut next: Vec<String> = current
            .iter()
            .filter(|tag| !write.remove_labels.iter().any(|r| same(tag, r)))
            .cloned()
            .collect();
        for label in &write.add_labels {
            if !next.iter().any(|tag| same(tag, label)) {
                next.push(label.clone());
            }
        }
        if next == current {
            return Ok(());
        }
        let refs: Vec<&str> = next.iter().map(String::as_str).collect();
        self.client
            .candidates()
            .replace_tags(candidate, &refs)
            .await
            .map_err(|e| not_found(e, format!("candidate {candidate}")))
    }
}

/// The id of an application known only by its pair: `candidate:job`.
fn pair_id(candidate: &CandidateId, job: &JobId) -> ApplicationId {
    ApplicationId::from(format!("{candidate}:{job}"))
}

/// A 404 becomes [`AtsError::NotFound`] naming `what` (ids only); anything else stays
/// an API error (transient ones stay transient).
fn not_found(error: sr::Error, what: String) -> AtsError {
    if error.is_not_found() {
        AtsError::NotFound { what }
    } else {
        AtsError::Api(error)
    }
}

/// Who to invite, from `GET /candidates/{id}`: invalid without a name (Willo needs
/// one; the error names the id only).
fn details_of(found: &sr::CandidateDetails) -> AtsResult<CandidateDetails> {
    let person = &found.candidate;
    let mut details = listed_details(person)
        .ok_or_else(|| AtsError::Invalid(format!("candidate {} has no name", person.id)))?;
    details.phone = found.phone_number.clone().filter(|p| !p.trim().is_empty());
    Ok(details)
}

/// Who to invite, from a search result: name and e-mail, no phone (the search has
/// none); `None` without a name.
fn listed_details(listed: &sr::Candidate) -> Option<CandidateDetails> {
    Some(CandidateDetails {
        name: full_name(listed.first_name.as_deref(), listed.last_name.as_deref())?,
        email: listed.email.clone().filter(|e| !e.trim().is_empty()),
        phone: None,
    })
}

/// `first last`, either part may be missing; `None` when both are.
fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// SmartRecruiters requires a first and a last name: the last word is the last
/// name, the rest the first; a one-word name fills both.
fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (name.to_owned(), name.to_owned()),
    }
}

#[async_trait]
impl Ats for SmartRecruitersAts {
    fn name(&self) -> AtsName {
        self.config.name.clone()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        let jobs: Vec<sr::Job> = self
            .client
            .jobs()
            .list(&JobFilter::new().limit(100))
            .try_collect()
            .await?;
        Ok(jobs
            .into_iter()
            .map(|job| {
                let state = self.job_state(job.status.as_ref());
                let attributes = jobs::listed_attributes(&job);
                Job::new(job.id.as_str(), job.title.unwrap_or_default(), state)
                    .with_attributes(attributes)
            })
            .collect())
    }

    /// `GET /jobs/{id}`: the listing's attributes plus the type of employment and
    /// the job properties (custom fields). A deleted job is [`AtsError::NotFound`].
    async fn job_details(&self, job: &JobId) -> AtsResult<Job> {
        let details = self
            .client
            .jobs()
            .get(&sr::JobId::from(job.as_str()))
            .await
            .map_err(|e| not_found(e, format!("job {job}")))?;
        let state = self.job_state(details.job.status.as_ref());
        let attributes = jobs::detailed_attributes(&details);
        let title = details.job.title.clone().unwrap_or_default();
        Ok(Job::new(job.clone(), title, state).with_attributes(attributes))
    }

    /// Every status, then the sub-statuses of the company's active hiring processes.
    /// SmartRecruiters documents no link from a job to its hiring process, so `job`
    /// does not narrow the list: a sub-status listed here may belong to another
    /// job's process.
    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        let processes = self.client.configuration().hiring_processes().await?;
        let mut stages: Vec<Stage> = Vec::new();
        for status in &stage::PIPELINE {
            let name = stage::status_name(status);
            stages.push(Stage::new(stage_id(status, None), name.clone()));
            let subs = processes
                .iter()
                .filter(|p| p.active != Some(false))
                .flat_map(|p| p.sub_statuses_of(status));
            for sub in subs {
                let id = stage_id(status, Some(sub));
                if !stages.iter().any(|s| s.id == id) {
                    stages.push(Stage::new(id, format!("{name} / {}", sub.trim())));
                }
            }
        }
        Ok(stages)
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        let id = sr::CandidateId::from(application.candidate.as_str());
        self.invitee(&self.read_candidate(&id).await?)
    }

    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        Some(self)
    }

    async fn mapping_targets(&self) -> AtsResult<Vec<crate::mapping::MappableTarget>> {
        self.list_mapping_targets().await
    }

    async fn mapped_values(
        &self,
        application: &ApplicationRef,
        targets: &[crate::mapping::Target],
    ) -> AtsResult<Vec<Option<crate::mapping::MappedValue>>> {
        self.read_mapped(application, targets).await
    }

    async fn write_mapped(
        &self,
        application: &ApplicationRef,
        fields: &[crate::mapping::MappedField],
    ) -> AtsResult<()> {
        self.write_mapped_fields(application, fields).await
    }

    async fn verify_connection(&self, rules: &crate::rules::Rules) -> Vec<crate::verify::Check> {
        verify::checks(self, rules).await
    }

    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        let (status, sub_status) = parse_stage_id(stage);
        let mut filter = CandidateFilter::new()
            .job(job.as_str())
            .status(status)
            .limit(self.config.page_size);
        if let Some(sub) = sub_status {
            filter = filter.sub_status(sub);
        }
        let page = self
            .client
            .candidates()
            .page(&filter, cursor.map(str::to_owned))
            .await?;
        let mut applications = Vec::with_capacity(page.items.len());
        let mut details = Vec::new();
        for listed in &page.items {
            let candidate = CandidateId::from(listed.id.as_str());
            let application = pair_id(&candidate, job);
            if !self.config.phones_in_invites
                && let Some(found) = listed_details(listed)
            {
                details.push((application.clone(), found));
            }
            applications.push(ApplicationRef {
                application,
                candidate,
                job: job.clone(),
            });
        }
        Ok(ApplicationsPage::new(applications, page.next).with_details(details))
    }

    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let candidate = sr::CandidateId::from(application.candidate.as_str());
        let job = sr::JobId::from(application.job.as_str());
        let mut receipt = WriteBackReceipt::default();

        self.write_labels(&candidate, write).await?;
        receipt.labels_added = write.add_labels.clone();
        receipt.labels_removed = write.remove_labels.clone();

        if let Some(target) = &write.move_to {
            let (status, sub_status) = parse_stage_id(target);
            let mut change = StatusChange::new(status);
            if let Some(sub) = sub_status {
                change = change.sub_status(sub);
            }
            self.client
                .applications()
                .set_status(&candidate, &job, &change)
                .await
                .map_err(|e| not_found(e, format!("application {}", application.application)))?;
            receipt.moved_to = Some(target.clone());
        }

        // The engine sends the note in a write-back of its own, after the labels and
        // the status (a note is the one step not safe to repeat). A repeat of the note
        // itself (its answer lost, a crash before recording) is caught by
        // `earlier_note` where the credential may read notes.
        // The `#[CANDIDATE:id] ` tag shares the 10,000 characters with the text.
        let limit =
            MAX_NOTE_CHARS.saturating_sub(format!("#[CANDIDATE:{candidate}] ").chars().count());
        // SmartRecruiters' notes cannot be edited: late results are a follow-up note.
        let note = match write.note_text(limit)? {
            Some(text) => Some(text),
            None => write
                .update
                .as_ref()
                .map(|update| render_follow_up_note(update, limit)),
        };
        if let Some(note) = note {
            // Escaped here as `NoteContent` escapes it (a no-op the second time), so
            // the repeat check compares the text as SmartRecruiters stores it.
            let text = sr::escape_note_markup(&note);
            if !write.first_attempt
                && let Some(note) = self.earlier_note(&candidate, &job, &text).await?
            {
                // The listing's documented fields hold no id; keep one if sent.
                receipt.note_id = note
                    .extra
                    .get("id")
                    .and_then(|id| id.as_str())
                    .map(str::to_owned);
                return Ok(receipt);
            }
            let content = NoteContent::new(text)
                .candidate(candidate.clone())
                .build()?;
            let share_with = if self.config.note_share_hiring_team {
                ShareWith::default().hiring_team_of(job.clone())
            } else {
                ShareWith::open_note()
            };
            let created = self
                .client
                .notes()
                .create(&NewNote::new(content, share_with))
                .await
                .map_err(|e| not_found(e, format!("application {}", application.application)))?;
            receipt.note_id = Some(created.id.to_string());
        }
        Ok(receipt)
    }

    /// Someone SmartRecruiters already knows by e-mail gets the application instead
    /// of a second profile. The e-mail is looked up first (`GET /candidates`, quoted
    /// `q`, exact matches kept):
    ///
    /// - a candidate who already applied to `job` keeps that application: nothing is
    ///   written ([`CandidateMatch::ExistingApplication`]);
    /// - a known candidate is added to `job` by `POST /jobs/{jobId}/candidates` with
    ///   their profile's own first name, last name and e-mail. The Candidate API has
    ///   no call that assigns an existing candidate to a job; SmartRecruiters keeps
    ///   e-mail and last name unique per candidate (its changelog: a change that
    ///   would collide is refused with `CANDIDATE_DATA_CONFLICT`), so the profile's
    ///   own identity reaches that person. The phone is not sent, so the profile
    ///   keeps what the recruiter knows. The answer's id says whether it worked:
    ///   [`CandidateMatch::ExistingCandidate`], or a warning and
    ///   [`CandidateMatch::New`] if SmartRecruiters made a new profile anyway;
    /// - nobody: a new candidate on `job` ([`CandidateMatch::New`]). SmartRecruiters
    ///   requires an e-mail and a first and last name: the last word of the name
    ///   becomes the last name, the rest the first name, and a one-word name fills
    ///   both.
    ///
    /// `GET /candidates` lists only candidates with at least one application: a
    /// talent-pool-only profile is not found, and the creation may then duplicate it.
    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        let email = candidate
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| {
                AtsError::Invalid("SmartRecruiters requires an email to create a candidate".into())
            })?;
        if candidate.name.trim().is_empty() {
            return Err(AtsError::Invalid(
                "SmartRecruiters requires a name to create a candidate".into(),
            ));
        }
        let known = self.known_by_email(email).await?;
        if let Some(applied) = known.iter().find(|c| applied_to(c, job)) {
            return Ok(CreatedApplication::new(pair_ref(&applied.id, job))
                .matched(CandidateMatch::ExistingApplication));
        }
        let existing = known.first();
        let new = match existing {
            Some(person) => as_known(person, email, &candidate.name),
            None => {
                let (first, last) = split_name(&candidate.name);
                let mut new = NewCandidate::new(first, last, email);
                new.phone_number = candidate.phone.clone();
                new
            }
        };
        let sr_job = sr::JobId::from(job.as_str());
        let created = self
            .client
            .candidates()
            .create_on_job(&sr_job, &new)
            .await
            .map_err(|e| not_found(e, format!("job {job}")))?;
        let id = &created.candidate.id;
        let matched = match existing {
            Some(person) if person.id == *id => CandidateMatch::ExistingCandidate,
            Some(person) => {
                tracing::warn!(
                    known = %person.id,
                    created = %id,
                    "SmartRecruiters made a new profile for an e-mail it already knew"
                );
                CandidateMatch::New
            }
            None => CandidateMatch::New,
        };
        Ok(CreatedApplication::new(pair_ref(id, job)).matched(matched))
    }

    async fn find_application(
        &self,
        job: &JobId,
        email: &str,
    ) -> AtsResult<Option<ApplicationRef>> {
        Ok(self
            .known_by_email(email)
            .await?
            .iter()
            .find(|c| applied_to(c, job))
            .map(|c| pair_ref(&c.id, job)))
    }
}

/// True when `candidate`'s primary or secondary assignments include `job`.
fn applied_to(candidate: &sr::Candidate, job: &JobId) -> bool {
    let on_job = |assignment: &sr::Assignment| {
        assignment
            .job
            .as_ref()
            .and_then(|assigned| assigned.id.as_ref())
            .is_some_and(|id| id.as_str() == job.as_str())
    };
    candidate.primary_assignment.as_ref().is_some_and(on_job)
        || candidate.secondary_assignments.iter().any(on_job)
}

/// The application of SmartRecruiters candidate `id` on `job`.
fn pair_ref(id: &sr::CandidateId, job: &JobId) -> ApplicationRef {
    let candidate = CandidateId::from(id.as_str());
    ApplicationRef {
        application: pair_id(&candidate, job),
        candidate,
        job: job.clone(),
    }
}

/// The body that reaches the known candidate `person`: their own names and e-mail
/// (a part they lack is taken from `name`, split as for a new candidate).
fn as_known(person: &sr::Candidate, email: &str, name: &str) -> NewCandidate {
    let (first, last) = split_name(name);
    let own = |part: Option<&String>, fallback: String| {
        part.map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or(fallback)
    };
    NewCandidate::new(
        own(person.first_name.as_ref(), first),
        own(person.last_name.as_ref(), last),
        own(person.email.as_ref(), email.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_and_split() {
        assert_eq!(
            full_name(Some(" Ada "), Some("Lovelace")).as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(full_name(None, Some("Cher")).as_deref(), Some("Cher"));
        assert_eq!(full_name(Some(" "), None), None);
        assert_eq!(
            split_name("Mary Ann Smith"),
            ("Mary Ann".into(), "Smith".into())
        );
        assert_eq!(split_name("Cher"), ("Cher".into(), "Cher".into()));
    }
}
