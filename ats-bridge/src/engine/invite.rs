//! Sending the Willo interview: once per (application, interview).

use std::sync::Arc;

use willo_client::{Candidate, Metadata, SendInterview};

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::Failure;
use crate::model::{ApplicationRef, AtsName, CandidateDetails, InterviewKey, JobState, WriteBack};
use crate::store::{Claim, InviteClaim, LedgerKey, LedgerRow, StoreError};
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
                let attempts = row.attempts;
                let work = self.invite_claimed(ats, application, row, known, SendHistory::Unknown);
                self.within_lease(&key, attempts, work).await
            }
            Claim::Fresh(row) => {
                let history = if self.inner.config.look_up_before_first_invite {
                    SendHistory::Unknown
                } else {
                    SendHistory::NeverSent
                };
                let work = self.invite_claimed(ats, application, row, known, history);
                self.within_lease(&key, 0, work).await
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
        let request = match self
            .invite_request(ats, application, &key.interview, known)
            .await
        {
            Ok(request) => request,
            Err(failure) => return Ok(self.record_failure(key, row.attempts, failure).await?),
        };
        let willo = &self.inner.willo;
        let sent = match history {
            SendHistory::NeverSent => willo.send_new_interview(&request).await,
            SendHistory::Unknown => willo.send_interview(&request).await,
        };
        let sent = match sent {
            Ok(sent) => sent,
            Err(error) => {
                let failure = Failure::from_willo("sending the Willo invite", &error);
                return Ok(self.record_failure(key, row.attempts, failure).await?);
            }
        };
        let Some(participant) = sent.participant.key.clone() else {
            let failure =
                Failure::Permanent("Willo's invite response named no participant key".into());
            return Ok(self.record_failure(key, row.attempts, failure).await?);
        };
        // Labelled before the invite is recorded: if labelling fails for a while, the
        // retry finds the participant in Willo (by email) instead of inviting again.
        if let Err(error) = self.label_invited(ats, application).await {
            if error.is_transient() {
                let failure = Failure::from_ats("labelling the invite", &error);
                return Ok(self.record_failure(key, row.attempts, failure).await?);
            }
            // The invite stands; a label the ATS refuses is not worth losing it over.
            tracing::warn!(row = %key, %error, "the ATS refused the invited label");
        }
        match self
            .inner
            .stores
            .ledger
            .record_invited(key, &participant, self.now_ms())
            .await
        {
            Ok(()) => {}
            // The candidate was deleted while the invite was on its way: take back
            // what this call created, so no data of theirs stays in Willo because of us.
            Err(StoreError::Conflict(_)) => {
                if sent.created
                    && let Err(error) = self.inner.willo.participants().delete(&participant).await
                {
                    tracing::warn!(row = %key, %error, "could not delete the participant of a deleted candidate");
                }
                return Ok(self.stopped(key).await?);
            }
            Err(other) => return Err(other.into()),
        }
        tracing::info!(row = %key, created = sent.created, "invited");
        Ok(Action::Invited {
            key: key.clone(),
            participant,
            created: sent.created,
        })
    }

    /// The Willo request for the candidate behind `application`: from `known`
    /// details, else read from the ATS.
    async fn invite_request(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
        interview: &InterviewKey,
        known: Option<CandidateDetails>,
    ) -> Result<SendInterview, Failure> {
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
        candidate.phone = details.phone.clone().filter(|p| !p.trim().is_empty());
        let request = SendInterview::new(interview.clone(), candidate)
            .metadata(Metadata::new().ats_candidate_id(application.candidate.to_string()));
        request
            .validate()
            .map_err(|e| Failure::from_willo("checking the invite", &e))?;
        Ok(request)
    }

    async fn label_invited(
        &self,
        ats: &Arc<dyn Ats>,
        application: &ApplicationRef,
    ) -> Result<(), AtsError> {
        if !ats.capabilities().labels {
            return Ok(());
        }
        let invited = self.inner.rules.labels.invited.clone();
        ats.write_back(application, &WriteBack::labels(vec![invited], Vec::new()))
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
            Err(Failure::Permanent(reason) | Failure::Retryable(reason)) => {
                Ok(Action::Failed { key, reason })
            }
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
