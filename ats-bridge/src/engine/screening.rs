//! Pre-application screening: someone who completed a screening interview in Willo
//! becomes a candidate on the mapped ATS job, with the results attached.
//!
//! Exactly once, in two steps. The intent is recorded first
//! ([`Ledger::claim_screening`](crate::store::Ledger::claim_screening), keyed by the
//! participant); then the candidate is created, and
//! [`Ledger::record_screened`](crate::store::Ledger::record_screened) keeps the new
//! application and gives it an ordinary ledger row, already invited, in one
//! transaction. A crash between creating and recording leaves the intent claimed
//! but not done: the next attempt looks the candidate up by e-mail in the ATS
//! before creating one.
//!
//! Someone the ATS already knows by e-mail is not created twice: the adapter adds
//! the application to the existing person (SmartRecruiters, Lever), and the
//! [`Action::Screened`] answer says so ([`CandidateMatch`]).
//!
//! [`CandidateMatch`]: crate::model::CandidateMatch

use willo_client::Participant;

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::Failure;
use super::outcome::Outcome;
use super::sync::SyncCause;
use crate::mapping::plan::{Unfilled, plan};
use crate::mapping::{CreateCandidates, SourceData};
use crate::model::{
    CandidateDetails, CandidateMatch, CreatedApplication, InterviewOutcome, ParticipantKey,
};
use crate::rules::{Decision, Rules, Screening};
use crate::store::{ScreeningClaim, ScreeningKey, ScreeningRow, StoreError};
use crate::{Ats, AtsError};

impl Engine {
    /// A Willo participant the bridge did not invite: create the candidate if their
    /// interview is a screening interview, else ignore them.
    pub(crate) async fn screen(&self, participant: &ParticipantKey) -> Result<Action, EngineError> {
        if self.inner.rules.screening.is_empty() {
            return Ok(Action::Ignored(Ignored::UnknownParticipant));
        }
        let results = self.inner.willo.interview_results(participant).await?;
        let found: Option<Participant> = serde_json::from_value(results.raw.clone()).ok();
        let Some(found) = found else {
            return Ok(Action::Ignored(Ignored::UnknownParticipant));
        };
        let Some(rule) = found
            .interview
            .as_ref()
            .and_then(|interview| self.inner.rules.screening_for(interview))
        else {
            return Ok(Action::Ignored(Ignored::UnknownParticipant));
        };
        let may_create = match when_to_screen(&self.inner.rules, rule, &results) {
            Some(may_create) => may_create,
            None => return Ok(Action::Ignored(Ignored::ScreeningHeld)),
        };
        let key = ScreeningKey::new(
            rule.ats.clone(),
            rule.interview.clone(),
            participant.clone(),
        );
        let ledger = &self.inner.stores.ledger;
        let claim = ledger
            .claim_screening(&key, &rule.job, &self.lease())
            .await?;
        let created = match claim {
            // Done by an earlier delivery: whom it matched then is not kept.
            ScreeningClaim::Created(row) => row.created.map(CreatedApplication::new),
            ScreeningClaim::Busy(_) => return Err(EngineError::ScreeningBusy(key)),
            ScreeningClaim::Fresh(row) => {
                self.create_candidate(&row, &found, false, may_create)
                    .await?
            }
            ScreeningClaim::Acquired(row) => {
                self.create_candidate(&row, &found, true, may_create)
                    .await?
            }
        };
        let Some(created) = created else {
            return Ok(Action::Ignored(Ignored::UnknownParticipant));
        };
        // The row `record_screened` made (or an earlier attempt did).
        let Some(row) = ledger
            .rows_by_participant(participant)
            .await?
            .into_iter()
            .find(|row| row.key.application == created.application.application)
        else {
            return Err(StoreError::NotFound(format!("the ledger row of screening {key}")).into());
        };
        let ledger_key = row.key.clone();
        // The results go onto the new candidate like any other write-back.
        match self
            .sync_row(row, SyncCause::Webhook { answered: true })
            .await?
        {
            Action::WroteBack { .. } | Action::AlreadyDone { .. } => Ok(Action::Screened {
                key: ledger_key,
                candidate: created.candidate,
            }),
            other => Ok(other),
        }
    }

    /// With the screening claimed: create the candidate (after looking them up by
    /// e-mail when an earlier attempt may have created them) and record it. `None`
    /// when the attempt failed for good (recorded, and logged).
    async fn create_candidate(
        &self,
        claimed: &ScreeningRow,
        found: &Participant,
        look_up_first: bool,
        may_create: bool,
    ) -> Result<Option<CreatedApplication>, EngineError> {
        let key = &claimed.key;
        let ats = self.ats(&key.ats)?.clone();
        let attempt = async {
            let details = screening_details(found)?;
            if (look_up_first || !may_create)
                && let Some(email) = details.email.as_deref()
            {
                let existing = match ats.find_application(&claimed.job, email).await {
                    Ok(existing) => existing,
                    Err(AtsError::Unsupported { .. }) => {
                        tracing::warn!(screening = %key, "the ATS cannot look candidates up; creating again");
                        None
                    }
                    Err(e) => return Err(Failure::from_ats("looking for the candidate", &e)),
                };
                if let Some(existing) = existing {
                    if !may_create {
                        // Nothing is ever created for this connection: the application
                        // found is one the ATS had, linked, not made.
                        tracing::info!(screening = %key, "linked the candidate already on the job");
                        return Ok(CreatedApplication::new(existing)
                            .matched(CandidateMatch::ExistingApplication));
                    }
                    tracing::info!(screening = %key, "adopted the candidate an earlier attempt created");
                    // Whether that attempt found the person new is not known now.
                    return Ok(CreatedApplication::new(existing));
                }
            }
            if !may_create {
                return Err(Failure::Permanent(
                    "no candidate with the participant's e-mail is on the job, and the \
                     mapping's create_candidates is `never`"
                        .into(),
                ));
            }
            create(ats.as_ref(), claimed, &details).await
        };
        let ledger = &self.inner.stores.ledger;
        match attempt.await {
            Ok(created) => {
                match ledger
                    .record_screened(key, &created.application, claimed.fence, self.now_ms())
                    .await
                {
                    Ok(_) => {}
                    Err(StoreError::Fenced(reason)) => {
                        // Another worker took the screening over and will find this
                        // candidate by e-mail, since its claim is not fresh.
                        tracing::warn!(screening = %key, %reason, "screening taken over");
                        return Err(EngineError::ScreeningBusy(key.clone()));
                    }
                    Err(other) => return Err(other.into()),
                }
                self.credentials_work(key.ats.as_str()).await;
                tracing::info!(
                    screening = %key,
                    candidate = ?created.candidate,
                    "screening candidate created"
                );
                Ok(Some(created))
            }
            Err(Failure::Credentials { reason, .. }) => {
                // Not an attempt of the screening's: the delivery waits for them.
                let connection = key.ats.to_string();
                self.credentials_refused(&connection, &reason).await;
                ledger
                    .record_screening_failed(key, &reason, claimed.fence, self.now_ms())
                    .await?;
                Err(EngineError::CredentialsRefused { connection, reason })
            }
            Err(failure) => {
                let (reason, retry) = match failure {
                    Failure::Retryable(reason) => (reason, true),
                    _ => (failure.into_reason(), false),
                };
                ledger
                    .record_screening_failed(key, &reason, claimed.fence, self.now_ms())
                    .await?;
                if retry {
                    // The delivery comes back through the inbox's retries.
                    return Err(EngineError::ScreeningFailed(key.clone(), reason));
                }
                tracing::error!(screening = %key, %reason, "screening candidate not created");
                Ok(None)
            }
        }
    }
}

/// What the connection's mapping lets screening do for `results`: `Some(true)`
/// create the candidate, `Some(false)` only link one found by e-mail, `None` nothing
/// (yet: see [`CreateCandidates`]; or a mandatory target has no data, so nothing is
/// pushed partially and the next news about the participant looks again).
fn when_to_screen(rules: &Rules, rule: &Screening, results: &InterviewOutcome) -> Option<bool> {
    let mapping = rules.mapping_for(&rule.ats);
    let decision = Outcome::of(results, rules, true).and_then(Outcome::decision);
    if let Err(Unfilled(reason)) = plan(mapping, &rule.ats, &SourceData::new(results, decision)) {
        tracing::warn!(interview = %rule.interview, %reason, "screening candidate held");
        return None;
    }
    match mapping.create_candidates {
        CreateCandidates::OnPositiveDecision => {
            (decision == Some(Decision::Accepted)).then_some(true)
        }
        CreateCandidates::Never => (!mapping.notes_only_to_linked).then_some(false),
        _ => Some(true),
    }
}

/// The details a screening candidate is created with.
fn screening_details(found: &Participant) -> Result<CandidateDetails, Failure> {
    let name = found
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Failure::Permanent("the Willo participant has no name".into()))?;
    Ok(CandidateDetails {
        name,
        email: found.email.clone(),
        phone: found.phone.clone(),
    })
}

async fn create(
    ats: &dyn Ats,
    claimed: &ScreeningRow,
    details: &CandidateDetails,
) -> Result<CreatedApplication, Failure> {
    ats.create_application(&claimed.job, details)
        .await
        .map_err(|e: AtsError| Failure::from_ats("creating the candidate", &e))
}
