//! The Lever adapter: [`crate::Ats`] over `lever-client`.
//!
//! - Jobs are Lever postings (open while `published` or `internal`, closed in every
//!   other state); stages are Lever's account-wide pipeline stages, by stage id.
//! - An application is an opportunity: [`ApplicationRef::application`] is the
//!   opportunity id, [`ApplicationRef::candidate`] its contact id (the person), and
//!   [`ApplicationRef::job`] its posting id.
//! - Write-backs are one note, tag changes and a stage change, all attributed to
//!   [`LeverAtsConfig::perform_as`].
//! - Screening creates an opportunity on the posting (`POST /opportunities`, as
//!   [`LeverAtsConfig::perform_as`]); Lever attaches it to the existing contact with
//!   the same e-mail and says so (`deduped`), reported as
//!   [`CandidateMatch::ExistingCandidate`].
//! - Webhooks are verified with `lever-client`'s [`WebhookVerifier`] (signature over the
//!   body's `token` + `triggeredAt`, staleness) and the configured replay guard; no
//!   header is needed.
//! - Tag rules: see [`interview_tag`] and [`LeverAts::postings_for_interview_tags`].
//!
//! ```no_run
//! use ats_bridge::Ats;
//! use ats_bridge::lever::{LeverAts, LeverAtsConfig};
//! use lever_client::{LeverClient, SecretString};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = LeverClient::builder().api_key(SecretString::from("…")).build()?;
//! let config = LeverAtsConfig::new("df0adaa6-172c-4cd6-8520-49b203660fe1")
//!     .signature_token(SecretString::from("73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"));
//! let lever = LeverAts::new(client, config);
//! for job in lever.jobs().await? {
//!     println!("{} {}", job.id, job.title);
//! }
//! # Ok(()) }
//! ```
//!
//! [`WebhookVerifier`]: lever_client::webhooks::WebhookVerifier

mod config;
mod mapped;
mod postings;
mod tags;
mod verify;
mod webhooks;

use async_trait::async_trait;
use futures::TryStreamExt;
use lever_client::webhooks::WebhookVerifier;
use lever_client::{Expandable, Opportunity, OpportunityExpand, OpportunityFilter};
use lever_client::{LeverClient, NoteId, OpportunityId, PostingId};
use lever_client::{NewNote, NewOpportunity, NoteUpdate, NoteValue, PerformAs, Phone};
use lever_client::{Posting, PostingFilter};
use serde_json::Value;

pub use config::{DEFAULT_MAX_AGE, LeverAtsConfig};
pub use tags::interview_tag;

use crate::late_results::{ResultsUpdate, render_amended_note, render_follow_up_note};
use crate::model::{
    ApplicationId, ApplicationRef, ApplicationsPage, AtsName, CandidateDetails, CandidateId,
    CandidateMatch, Capabilities, CreatedApplication, InterviewKey, Job, JobId, Stage, StageId,
    WriteBack, WriteBackReceipt,
};
use crate::rules::InterviewDirectory;
use crate::{Ats, AtsError, AtsResult, AtsWebhooks};

/// The longest note the adapter writes, in characters. Lever documents no limit on a
/// note's `value`; 10,000 characters keeps a note readable in Lever's feed and far
/// below any request-size limit, and [`crate::note::Note::text`] drops transcripts first (each
/// answer's link leads to its full transcript).
pub const NOTE_MAX_CHARS: usize = 10_000;

/// [`Ats`] for Lever.
#[derive(Debug)]
pub struct LeverAts {
    client: LeverClient,
    config: LeverAtsConfig,
    verifier: Option<WebhookVerifier>,
}

impl LeverAts {
    /// An adapter calling Lever through `client` with `config`.
    pub fn new(client: LeverClient, config: LeverAtsConfig) -> Self {
        let verifier = config.verifier();
        Self {
            client,
            config,
            verifier,
        }
    }

    /// The Lever client, for calls the trait does not cover.
    pub fn client(&self) -> &LeverClient {
        &self.client
    }

    /// Map postings to interviews through their tags: every posting (all states) that
    /// carries a tag in `tags` (`(interview, tag)`, tags made with
    /// [`interview_tag`]) yields `(posting, interview)`, once.
    ///
    /// A posting's opportunities inherit its interview: build one trigger per pair
    /// (`Rules::trigger(ats, JobSelector::Job(posting), stages, interview)`), or let
    /// the engine follow the tags as they change with an `[[interview_tags]]` rule.
    /// Lever cannot create a tag before it is used (see [`interview_tag`]), so the
    /// mapping is read from postings recruiters have tagged, not pushed to Lever.
    pub async fn postings_for_interview_tags(
        &self,
        tags: &[(InterviewKey, String)],
    ) -> AtsResult<Vec<(JobId, InterviewKey)>> {
        Ok(tags::map_exact_tags(&self.all_postings().await?, tags))
    }

    /// The tag rules of the Willo interviews that exist now: every posting tagged
    /// `Willo:<title>-<account>` (or `Willo:<title>:<account>`) for one of `willo`'s
    /// interviews, as `(posting, interview)` pairs for [`Rules::triggers_for_jobs`].
    /// Computed from the live interview list, so a tag left on a posting after its
    /// interview was deleted maps to nothing. A snapshot: an `[[interview_tags]]`
    /// rule keeps the engine's mapping current without rebuilding anything.
    ///
    /// [`Rules::triggers_for_jobs`]: crate::rules::Rules::triggers_for_jobs
    pub async fn interview_tag_rules(
        &self,
        willo: &willo_client::WilloClient,
        account: &str,
    ) -> AtsResult<Vec<(JobId, InterviewKey)>> {
        let interviews = InterviewDirectory::fetch(willo).await?;
        Ok(tags::map_postings(
            &self.all_postings().await?,
            &interviews,
            account,
        ))
    }

    async fn all_postings(&self) -> AtsResult<Vec<Posting>> {
        Ok(self
            .client
            .postings()
            .list(&PostingFilter::default())
            .try_collect()
            .await?)
    }

    /// Write the results note unless the same text is already on the opportunity (a
    /// write-back repeated after a later step failed), and return its id. A first
    /// attempt (nothing of it can be in Lever yet) skips the look.
    async fn write_note(
        &self,
        id: &OpportunityId,
        text: String,
        first_attempt: bool,
    ) -> AtsResult<NoteId> {
        let notes = self.client.notes(id);
        if !first_attempt {
            let existing = notes
                .list()
                .try_filter(|note| {
                    let same = note
                        .fields
                        .iter()
                        .any(|f| f.value.as_deref() == Some(&text));
                    futures::future::ready(same)
                })
                .try_next()
                .await
                .map_err(|e| not_found(e, format!("opportunity {id}")))?;
            if let Some(note) = existing {
                return Ok(note.id);
            }
        }
        let created = notes
            .create(&NewNote::new(text))
            .perform_as(&self.config.perform_as)
            .await
            .map_err(|e| not_found(e, format!("opportunity {id}")))?;
        Ok(created.note_id)
    }

    /// Late results: replace the results note's text with the results re-rendered,
    /// reviewer comments included (`PUT …/notes/:note`, repeat-safe), or, when the note's id is unknown or Lever
    /// refuses the edit (its FAQ says notes cannot be edited; the API reference
    /// documents the call for notes created through the API), one follow-up note.
    async fn write_update(
        &self,
        id: &OpportunityId,
        update: &ResultsUpdate,
        first_attempt: bool,
    ) -> AtsResult<NoteId> {
        if let Some(note) = &update.amend_note_id {
            let note = NoteId::from(note.as_str());
            let text = render_amended_note(update, NOTE_MAX_CHARS);
            let replacement =
                NoteUpdate::new(vec![NoteValue::new(text)]).user(self.config.perform_as.clone());
            match self.client.notes(id).update(&note, &replacement).await {
                Ok(_) => return Ok(note),
                Err(error)
                    if matches!(
                        error.status().map(|s| s.as_u16()),
                        Some(400 | 403 | 404 | 405 | 409 | 422)
                    ) =>
                {
                    tracing::info!(
                        opportunity = %id,
                        %error,
                        "Lever refused to amend the results note; writing a follow-up note"
                    );
                }
                Err(error) => return Err(error.into()),
            }
        }
        let text = render_follow_up_note(update, NOTE_MAX_CHARS);
        self.write_note(id, text, first_attempt).await
    }

    /// The opportunity with its applications expanded (which name the posting).
    async fn with_applications(&self, opportunity: &OpportunityId) -> AtsResult<Opportunity> {
        self.client
            .opportunities()
            .get_expanded(opportunity, &[OpportunityExpand::Applications])
            .await
            .map_err(|e| not_found(e, format!("opportunity {opportunity}")))
    }
}

/// Lever's application object names its posting in `posting`. The client reads it as an
/// id; an application it could not read (the posting expanded into an object, say) is kept
/// raw, and then `posting` or `posting.id` is read leniently. An opportunity without one has
/// no posting.
fn posting_of(opportunity: &Opportunity) -> Option<PostingId> {
    opportunity.applications.iter().find_map(|application| {
        if let Some(typed) = application.object() {
            return typed.posting.clone().filter(|id| !id.as_str().is_empty());
        }
        let Expandable::Raw(raw) = application else {
            return None;
        };
        let id = match raw.get("posting")? {
            Value::String(id) => id.as_str(),
            Value::Object(object) => object.get("id")?.as_str()?,
            _ => return None,
        };
        (!id.is_empty()).then(|| PostingId::from(id))
    })
}

/// The person behind an opportunity: its contact, or the opportunity itself when Lever
/// sent no contact (old or anonymised records).
fn candidate_of(opportunity: &Opportunity) -> CandidateId {
    opportunity
        .contact
        .as_ref()
        .and_then(|c| c.id().map(|id| id.as_str().to_owned()))
        .unwrap_or_else(|| opportunity.id.as_str().to_owned())
        .into()
}

/// Who to invite, from an opportunity; `None` without a name (Willo needs one).
fn details_of(opportunity: &Opportunity) -> Option<CandidateDetails> {
    let name = opportunity
        .name
        .clone()
        .filter(|name| !name.trim().is_empty())?;
    Some(CandidateDetails {
        name,
        email: opportunity.emails.first().cloned(),
        phone: opportunity.phones.first().map(|p| p.value.clone()),
    })
}

/// The opportunity as an application of `job`.
fn application_of(opportunity: &Opportunity, job: &JobId) -> ApplicationRef {
    ApplicationRef {
        application: opportunity.id.as_str().into(),
        candidate: candidate_of(opportunity),
        job: job.clone(),
    }
}

/// True when one of the opportunity's e-mails is `email` (without case).
fn has_email(opportunity: &Opportunity, email: &str) -> bool {
    opportunity
        .emails
        .iter()
        .any(|e| e.trim().eq_ignore_ascii_case(email))
}

/// A 404 becomes [`AtsError::NotFound`] naming `what` (ids only).
fn not_found(error: client_core::Error, what: String) -> AtsError {
    if error.status() == Some(client_core::StatusCode::NOT_FOUND) {
        AtsError::NotFound { what }
    } else {
        AtsError::Api(error)
    }
}

fn opportunity_id(application: &ApplicationRef) -> OpportunityId {
    OpportunityId::from(application.application.as_str())
}

#[async_trait]
impl Ats for LeverAts {
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

    fn name(&self) -> AtsName {
        self.config.name.clone()
    }

    /// Notes, tags, stage moves, polling and candidate creation (screening).
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
            .with_notes(true)
            .with_labels(true)
            .with_stage_moves(true)
            .with_polling(true)
            .with_create_candidates(true)
    }

    /// Every posting Lever lists by default (all states; confidential postings only
    /// when the API key has confidential access and they are asked for, which this
    /// adapter does not), all pages.
    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        Ok(self
            .all_postings()
            .await?
            .iter()
            .map(postings::job_of)
            .collect())
    }

    /// `GET /postings/{id}`: the same attributes as the listing (categories,
    /// country, workplace type, tags). A deleted posting is [`AtsError::NotFound`].
    async fn job_details(&self, job: &JobId) -> AtsResult<Job> {
        let posting = self
            .client
            .postings()
            .get(&PostingId::from(job.as_str()))
            .await
            .map_err(|e| not_found(e, format!("posting {job}")))?;
        Ok(postings::job_of(&posting))
    }

    /// Lever's stages are account-wide: every posting shares them.
    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(self
            .client
            .stages()
            .list()
            .map_ok(|stage| Stage::new(stage.id.as_str(), stage.text))
            .try_collect()
            .await?)
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        let id = opportunity_id(application);
        let opportunity = self
            .client
            .opportunities()
            .get(&id)
            .await
            .map_err(|e| not_found(e, format!("opportunity {id}")))?;
        details_of(&opportunity)
            .ok_or_else(|| AtsError::Invalid(format!("opportunity {id} has no name")))
    }

    /// Some once a signature token is configured: without one no delivery could be
    /// verified.
    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        self.verifier.is_some().then_some(self as &dyn AtsWebhooks)
    }

    async fn verify_connection(&self, rules: &crate::rules::Rules) -> Vec<crate::verify::Check> {
        verify::checks(self, rules).await
    }

    /// Active (not archived) opportunities of the posting at the stage, one page per
    /// call; the cursor is Lever's offset token. Lever expires offset tokens: an
    /// expired one restarts from the first page, which is safe because the engine's
    /// ledger ignores applications it already handled.
    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        let filter = OpportunityFilter::new()
            .posting_id(PostingId::from(job.as_str()))
            .stage_id(lever_client::StageId::from(stage.as_str()))
            .archived(false);
        let opportunities = self.client.opportunities();
        let page = match opportunities.page(&filter, cursor.map(str::to_owned)).await {
            Err(e) if lever_client::is_invalid_offset(&e) => {
                opportunities.page(&filter, None).await?
            }
            other => other?,
        };
        let applications = page
            .items
            .iter()
            .map(|opportunity| application_of(opportunity, job))
            .collect();
        // A listed opportunity is the whole record: no need to read it again to invite.
        let details = page.items.iter().filter_map(|opportunity| {
            let details = details_of(opportunity)?;
            Some((ApplicationId::from(opportunity.id.as_str()), details))
        });
        Ok(ApplicationsPage::new(applications, page.next).with_details(details))
    }

    /// Tags added, tags removed, the stage change, the results note; each attributed to
    /// `perform_as`. Safe to repeat after a partial failure: unless
    /// [`WriteBack::first_attempt`] says nothing can be there yet, the note is skipped
    /// when a note with the same text is already on the opportunity (one
    /// `GET …/notes`), and Lever's tag and stage calls are idempotent.
    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let id = opportunity_id(application);
        let user = &self.config.perform_as;
        let opportunities = self.client.opportunities();
        let missing = |e| not_found(e, format!("opportunity {id}"));
        let mut receipt = WriteBackReceipt::default();
        if !write.add_labels.is_empty() {
            let tags: Vec<&str> = write.add_labels.iter().map(String::as_str).collect();
            opportunities
                .add_tags(&id, &tags)
                .perform_as(user)
                .await
                .map_err(missing)?;
            receipt.labels_added = write.add_labels.clone();
        }
        if !write.remove_labels.is_empty() {
            let tags: Vec<&str> = write.remove_labels.iter().map(String::as_str).collect();
            opportunities
                .remove_tags(&id, &tags)
                .perform_as(user)
                .await
                .map_err(missing)?;
            receipt.labels_removed = write.remove_labels.clone();
        }
        if let Some(stage) = &write.move_to {
            opportunities
                .change_stage(&id, &lever_client::StageId::from(stage.as_str()))
                .perform_as(user)
                .await
                .map_err(missing)?;
            receipt.moved_to = Some(stage.clone());
        }
        if let Some(text) = write.note_text(NOTE_MAX_CHARS)? {
            let note = self.write_note(&id, text, write.first_attempt).await?;
            receipt.note_id = Some(note.to_string());
        } else if let Some(update) = &write.update {
            let note = self.write_update(&id, update, write.first_attempt).await?;
            receipt.note_id = Some(note.to_string());
        }
        Ok(receipt)
    }

    /// An opportunity on the posting `job`, created as
    /// [`LeverAtsConfig::perform_as`] with the name, e-mail and phone.
    ///
    /// Someone with an active opportunity on `job` already (same e-mail) keeps it:
    /// nothing is created ([`CandidateMatch::ExistingApplication`]). Otherwise Lever
    /// dedupes by e-mail: a known contact gets the new opportunity and the answer's
    /// `deduped` says so ([`CandidateMatch::ExistingCandidate`]); the contact's own
    /// data wins over what is sent. Without an e-mail nothing can be matched and a
    /// new contact is made.
    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        let name = candidate.name.trim();
        if name.is_empty() {
            return Err(AtsError::Invalid(
                "Lever needs a name to create a candidate".into(),
            ));
        }
        let email = candidate
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if let Some(email) = email
            && let Some(applied) = self.find_application(job, email).await?
        {
            return Ok(
                CreatedApplication::new(applied).matched(CandidateMatch::ExistingApplication)
            );
        }
        let mut new = NewOpportunity::new()
            .name(name)
            .posting(PostingId::from(job.as_str()));
        if let Some(email) = email {
            new = new.email(email);
        }
        if let Some(phone) = candidate.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            new = new.phone(Phone::untyped(phone.trim()));
        }
        let performer = PerformAs(self.config.perform_as.clone());
        let created = self
            .client
            .opportunities()
            .create(&performer, &new)
            .await
            .map_err(|e| not_found(e, format!("posting {job}")))?;
        let matched = if created.deduped {
            CandidateMatch::ExistingCandidate
        } else {
            CandidateMatch::New
        };
        Ok(CreatedApplication::new(application_of(&created.opportunity, job)).matched(matched))
    }

    /// The active opportunity on the posting `job` of the contact with `email`
    /// (`GET /opportunities?email=…&posting_id=…&archived=false`; Lever matches the
    /// canonical e-mail, and the answer is checked for the e-mail again).
    async fn find_application(
        &self,
        job: &JobId,
        email: &str,
    ) -> AtsResult<Option<ApplicationRef>> {
        let email = email.trim();
        let filter = OpportunityFilter::new()
            .email(email)
            .posting_id(PostingId::from(job.as_str()))
            .archived(false);
        let found = self
            .client
            .opportunities()
            .list(&filter)
            .try_filter(|opportunity| futures::future::ready(has_email(opportunity, email)))
            .try_next()
            .await?;
        Ok(found.map(|opportunity| application_of(&opportunity, job)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opportunity(applications: Value) -> Opportunity {
        serde_json::from_value(serde_json::json!({
            "id": "opp-1",
            "applications": applications,
        }))
        .unwrap()
    }

    #[test]
    fn the_posting_comes_from_a_typed_or_a_raw_application() {
        let typed = opportunity(serde_json::json!([{"id": "app-1", "posting": "posting-1"}]));
        assert_eq!(posting_of(&typed), Some(PostingId::from("posting-1")));
        // A posting expanded into an object does not fit the typed application.
        let raw = opportunity(serde_json::json!([{"id": "app-1", "posting": {"id": "posting-2"}}]));
        assert_eq!(posting_of(&raw), Some(PostingId::from("posting-2")));
        let none = opportunity(serde_json::json!(["app-1"]));
        assert_eq!(posting_of(&none), None);
    }
}
