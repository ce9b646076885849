//! Sending the Willo interview: once per (application, interview).

use std::sync::Arc;

use willo_client::{Candidate, Metadata, SendInterview};

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::Failure;
use super::write_order::write_in_order;
use crate::model::{
    ApplicationRef, AtsName, CandidateDetails, InterviewKey, JobState, ParticipantKey, WriteBack,
};
use crate::note::NoteEvent;
use crate::store::{Claim, InviteClaim, LedgerKey, LedgerRow, RowState, StoreError};
use crate::{Ats, AtsError};

/// What the ledger knows about earlier invites for a claimed row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendHistory {
    /// Nothing can have been sent ([`Claim::Fresh`]): invite without a look-up.
    NeverSent,
    /// Someone may have sent already: look for the participant in Willo first.
    Unknown,
}

/// Where the application came from: rule-driven invites respect closed jobs, a
/// recruiter's explicit send does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InviteCause {
    Rule,
    Recruiter,
}

impl Engine {
    /// Recruiter-triggered send: invite `application` to `interview` now, whatever its
    /// stage, with the same once-only guarantee as rule-driven invites (a second call
    /// finds the row settled). Closed jobs are not checked: the recruiter chose.
    pub async fn send_interview(
        &self,
        ats: &AtsName,
        application: &ApplicationRef,
        interview: &InterviewKey,
    ) -> Result<Action, EngineError> {
        let connection = self.ats(ats)?.clone();
        self.invite(&connection, application, interview, InviteCause::Recruiter)
            .await
    }

    /// The invite path for one application.
    pub(crate) async fn invite(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        interview: &InterviewKey,
        cause: InviteCause,
    ) -> Result<Action, EngineError> {
        self.invite_knowing(ats, application, interview, cause, None)
            .await
    }

    /// [`Engine::invite`], with the candidate's details when a listing already gave
    /// them (`known`), so the ATS is not asked again.
    pub(crate) async fn invite_knowing(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        interview: &InterviewKey,
        cause: InviteCause,
        known: Option<CandidateDetails>,
    ) -> Result<Action, EngineError> {
        let key = LedgerKey::new(
            ats.name(),
            application.application.clone(),
            interview.clone(),
        );
        if cause == InviteCause::Rule && self.job_closed(&key.ats, application).await? {
            return Ok(Action::Ignored(Ignored::JobClosed));
        }
        if self.inner.config.dry_run {
            return self.plan_invite(ats, application, key, known).await;
        }
        let claim = self
            .inner
            .stores
            .ledger
            .claim_invite(
                &InviteClaim::new(
                    key.clone(),
                    application.candidate.clone(),
                    application.job.clone(),
                ),
                &self.lease(),
            )
            .await?;
        match claim {
            Claim::Acquired(row) => {
                let claimed = row.clone();
                let work = self.invite_claimed(ats, application, row, known, SendHistory::Unknown);
                crate::metrics::invite(&key.ats, self.within_lease(&claimed, work).await)
            }
            Claim::Fresh(row) => {
                let history = if self.inner.config.look_up_before_first_invite
                    || self.ledger_is_young().await?
                {
                    SendHistory::Unknown
                } else {
                    SendHistory::NeverSent
                };
                let claimed = row.clone();
                let work = self.invite_claimed(ats, application, row, known, history);
                crate::metrics::invite(&key.ats, self.within_lease(&claimed, work).await)
            }
            Claim::Busy(_) => Ok(Action::Busy { key }),
            Claim::Settled(_) => Ok(Action::AlreadyDone { key }),
        }
    }

    /// With the lease held: read the candidate, send, label, record.
    async fn invite_claimed(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        row: LedgerRow,
        known: Option<CandidateDetails>,
        history: SendHistory,
    ) -> Result<Action, EngineError> {
        let key = &row.key;
        let held = Some(row.fence);
        let (request, warning) = match self
            .invite_request(ats, application, &key.interview, known)
            .await
        {
            Ok(planned) => planned,
            Err(failure) => {
                return Ok(self
                    .record_failure(key, row.attempts, held, failure)
                    .await?);
            }
        };
        // The send cannot be fenced, so look just before it: a worker paused past its
        // lease (or whose clock ran ahead) finds the row claimed by another and stops,
        // and a row cancelled meanwhile (the candidate was deleted) sends nothing.
        match self.inner.stores.ledger.row(key).await? {
            Some(now) if now.state != RowState::Pending => return Ok(self.stopped(key).await?),
            Some(now) if now.fence != row.fence => {
                let lost = format!("{key} was claimed again (fence {})", now.fence);
                return Ok(self.lease_lost(key, &lost));
            }
            Some(_) => {}
            None => return Ok(self.stopped(key).await?),
        }
        let willo = &self.inner.willo;
        let sent = match history {
            SendHistory::NeverSent => willo.send_new_interview(&request).await,
            SendHistory::Unknown => willo.send_interview(&request).await,
        };
        let sent = match sent {
            Ok(sent) => sent,
            Err(error) => {
                let failure = Failure::from_willo("sending the Willo invite", &error);
                return Ok(self
                    .record_failure(key, row.attempts, held, failure)
                    .await?);
            }
        };
        let Some(participant) = sent.participant.key.clone() else {
            let failure =
                Failure::Permanent("Willo's invite response named no participant key".into());
            return Ok(self
                .record_failure(key, row.attempts, held, failure)
                .await?);
        };
        // Labelled before the invite is recorded: if labelling fails for a while, the
        // retry finds the participant in Willo (by email) instead of inviting again.
        let first_attempt = history == SendHistory::NeverSent;
        if let Err(error) = self
            .label_invited(
                ats,
                application,
                &row,
                &participant,
                &request,
                first_attempt,
            )
            .await
        {
            if error.is_transient() {
                let failure = Failure::from_ats("labelling the invite", &error);
                return Ok(self
                    .record_failure(key, row.attempts, held, failure)
                    .await?);
            }
            // The invite stands; a label the ATS refuses is not worth losing it over.
            tracing::warn!(row = %key, %error, "the ATS refused the invited label");
        }
        match self
            .inner
            .stores
            .ledger
            .record_invited(key, &participant, row.fence, self.now_ms())
            .await
        {
            Ok(()) => {}
            // The candidate was deleted while the invite was on its way (conflict), or
            // another worker took the row (fenced): take back what this call created
            // if nothing points to it, so no stray participant stays in Willo.
            Err(StoreError::Conflict(_)) => {
                self.take_back_invite(key, &participant, sent.created)
                    .await?;
                return Ok(self.stopped(key).await?);
            }
            Err(StoreError::Fenced(lost)) => {
                self.take_back_invite(key, &participant, sent.created)
                    .await?;
                return Ok(self.lease_lost(key, &lost));
            }
            Err(other) => return Err(other.into()),
        }
        if warning.is_some() || row.warning.is_some() {
            self.record_warning(key, warning.as_deref()).await;
        }
        self.credentials_work(super::WILLO).await;
        self.credentials_work(key.ats.as_str()).await;
        tracing::info!(row = %key, created = sent.created, "invited");
        Ok(Action::Invited {
            key: key.clone(),
            participant,
            created: sent.created,
        })
    }

    /// Whether the ledger's history is too young to vouch that nothing was sent
    /// before it (see [`EngineConfig::young_ledger_window`](super::EngineConfig)).
    async fn ledger_is_young(&self) -> Result<bool, EngineError> {
        let window = self.inner.config.young_ledger_window;
        if window.is_zero() {
            return Ok(false);
        }
        let state = &self.inner.stores.state;
        let start = *self
            .inner
            .history_start_ms
            .get_or_try_init(|| state.history_start(self.now_ms()))
            .await?;
        // A connection added to a shared ledger later has its history start then.
        let start = start.max(self.inner.history_floor_ms.unwrap_or(i64::MIN));
        Ok(self.now_ms() < start.saturating_add(super::failure::millis(window)))
    }

    /// After an invite whose result the ledger refused: delete the participant this
    /// call `created`, unless a ledger row (re-read now) points to it, or the row is
    /// still pending under its new holder — whose own look-up by e-mail is about to
    /// adopt this very participant. Never deletes what the ledger knows.
    async fn take_back_invite(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        created: bool,
    ) -> Result<(), EngineError> {
        if !created {
            return Ok(());
        }
        let ledger = &self.inner.stores.ledger;
        let known = !ledger.rows_by_participant(participant).await?.is_empty();
        let adoptable = ledger
            .row(key)
            .await?
            .is_some_and(|row| row.state == RowState::Pending);
        if known || adoptable {
            tracing::warn!(row = %key, known, adoptable, "kept the participant of a refused invite");
            return Ok(());
        }
        if let Err(error) = self.inner.willo.participants().delete(participant).await {
            tracing::warn!(row = %key, %error, "could not delete the participant of a refused invite");
        }
        Ok(())
    }

    /// Keep `warning` on the row for operators (or clear an old one). The invite is
    /// recorded already, so a store failure here is logged, not the row's failure.
    async fn record_warning(&self, key: &LedgerKey, warning: Option<&str>) {
        let ledger = &self.inner.stores.ledger;
        match ledger.record_warning(key, warning, self.now_ms()).await {
            Ok(()) if warning.is_some() => {
                tracing::warn!(row = %key, warning, "invited with a warning");
            }
            Ok(()) => {}
            Err(error) => tracing::warn!(row = %key, %error, "could not record the warning"),
        }
    }

    /// The Willo request for the candidate behind `application` (from `known`
    /// details, else read from the ATS), and a warning when part of the candidate's
    /// details had to be left out (a phone number Willo would refuse).
    async fn invite_request(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        interview: &InterviewKey,
        known: Option<CandidateDetails>,
    ) -> Result<(SendInterview, Option<String>), Failure> {
        let details = match known {
            Some(details) => details,
            None => ats
                .candidate(application)
                .await
                .map_err(|e| Failure::from_ats("reading the candidate", &e))?,
        };
        let email = details
            .email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| {
                Failure::Permanent(
                    "the candidate has no email address; Willo invites need one".into(),
                )
            })?;
        let mut candidate = Candidate::new(details.name.clone(), email);
        let region = self.inner.config.phone_regions.get(&ats.name());
        let phone =
            super::phone::invite_phone(details.phone.as_deref(), region.map(String::as_str));
        candidate.phone = phone.phone;
        let request = SendInterview::new(interview.clone(), candidate)
            .metadata(Metadata::new().ats_candidate_id(application.candidate.to_string()));
        request
            .validate()
            .map_err(|e| Failure::from_willo("checking the invite", &e))?;
        Ok((request, phone.warning))
    }

    /// The invited label and, when `[notes.invited]` is on, the invite's note.
    async fn label_invited(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        row: &LedgerRow,
        participant: &ParticipantKey,
        request: &SendInterview,
        first_attempt: bool,
    ) -> Result<(), AtsError> {
        let note = self
            .invited_note(ats, row, participant, &request.candidate.name)
            .await?;
        let labels = if ats.capabilities().labels {
            vec![self.inner.rules.labels.invited.clone()]
        } else {
            Vec::new()
        };
        let mut write = WriteBack::labels(labels, Vec::new());
        write.first_attempt = first_attempt;
        write.record = Some(self.record(row, NoteEvent::Invited, None, Some(participant), None));
        // Nothing to check between the label and the note: the invite's row is
        // recorded after both.
        let nothing = async { Ok::<(), std::convert::Infallible>(()) };
        write_in_order(ats.as_ref(), application, &write, note.as_slice(), nothing)
            .await
            .map(drop)
    }

    /// Dry run: everything but the claim and the send.
    async fn plan_invite(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        key: LedgerKey,
        known: Option<CandidateDetails>,
    ) -> Result<Action, EngineError> {
        match self
            .invite_request(ats, application, &key.interview, known)
            .await
        {
            Ok(_) => {
                tracing::info!(row = %key, "dry run: would invite");
                super::lock(&self.inner.would_invite).insert(key.clone());
                Ok(Action::WouldInvite { key })
            }
            Err(failure) => Ok(Action::Failed {
                key,
                reason: failure.into_reason(),
            }),
        }
    }

    /// Whether `application`'s job was reported closed.
    async fn job_closed(
        &self,
        ats: &AtsName,
        application: &ApplicationRef,
    ) -> Result<bool, EngineError> {
        let state = self
            .inner
            .stores
            .state
            .job_state(ats, &application.job)
            .await?;
        Ok(state == Some(JobState::Closed))
    }
}
