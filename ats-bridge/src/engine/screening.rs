//! Pre-application screening: someone who completed a screening interview in Willo
//! becomes a candidate on the mapped ATS job, with the results attached.
//!
//! The ledger row is keyed by the participant (`willo-participant:<key>`) because the
//! application does not exist yet; the application created for it is kept by
//! [`ReconcilerState::set_screening_application`](crate::store::ReconcilerState), so
//! a retry after a crash reuses it instead of creating a second one.

use willo_client::Participant;

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::Failure;
use super::sync::SyncCause;
use crate::model::{ApplicationRef, CandidateDetails, ParticipantKey};
use crate::store::{Claim, InviteClaim, LedgerKey, LedgerRow, StoreError};

/// Prefix of the application and candidate ids of screening rows.
const SCREENING_PREFIX: &str = "willo-participant:";

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
        let screening_id = format!("{SCREENING_PREFIX}{participant}");
        let key = LedgerKey::new(
            rule.ats.clone(),
            screening_id.as_str(),
            rule.interview.clone(),
        );
        let claim = self
            .inner
            .stores
            .ledger
            .claim_invite(
                &InviteClaim::new(key.clone(), screening_id.as_str(), rule.job.clone()),
                &self.lease(),
            )
            .await?;
        let row = match claim {
            Claim::Acquired(row) | Claim::Fresh(row) => row,
            Claim::Busy(_) => return Ok(Action::Busy { key }),
            Claim::Settled(_) => return Ok(Action::AlreadyDone { key }),
        };
        if let Err(failure) = self.create_candidate(&row, &found).await {
            return Ok(self.record_failure(&key, row.attempts, failure).await?);
        }
        self.inner
            .stores
            .ledger
            .record_invited(&key, participant, self.now_ms())
            .await?;
        tracing::info!(row = %key, "screening candidate created");
        let Some(row) = self
            .inner
            .stores
            .ledger
            .find_by_participant(participant)
            .await?
        else {
            return Ok(Action::Screened { key });
        };
        // The results go onto the new candidate like any other write-back.
        match self
            .sync_row(row, SyncCause::Webhook { answered: true })
            .await?
        {
            Action::WroteBack { .. } | Action::AlreadyDone { .. } => Ok(Action::Screened { key }),
            other => Ok(other),
        }
    }

    /// Create the candidate for a claimed screening row, unless a previous attempt
    /// already did.
    async fn create_candidate(&self, row: &LedgerRow, found: &Participant) -> Result<(), Failure> {
        let store_failure = |e: crate::store::StoreError| Failure::Retryable(e.to_string());
        if self
            .inner
            .stores
            .state
            .screening_application(&row.key)
            .await
            .map_err(store_failure)?
            .is_some()
        {
            return Ok(());
        }
        let name = found
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| Failure::Permanent("the Willo participant has no name".into()))?;
        let details = CandidateDetails {
            name,
            email: found.email.clone(),
            phone: found.phone.clone(),
        };
        let ats = self
            .ats(&row.key.ats)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        let application = ats
            .create_application(&row.job, &details)
            .await
            .map_err(|e| Failure::from_ats("creating the candidate", &e))?;
        self.inner
            .stores
            .state
            .set_screening_application(&row.key, &application, self.now_ms())
            .await
            .map_err(store_failure)
    }

    /// The application a row writes to: its own ids, or for a screening row the
    /// application created for it.
    pub(crate) async fn application_of(
        &self,
        row: &LedgerRow,
    ) -> Result<ApplicationRef, EngineError> {
        if !row.key.application.as_str().starts_with(SCREENING_PREFIX) {
            return Ok(ApplicationRef {
                application: row.key.application.clone(),
                candidate: row.candidate.clone(),
                job: row.job.clone(),
            });
        }
        let application = self
            .inner
            .stores
            .state
            .screening_application(&row.key)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!("the candidate of screening row {}", row.key))
            })?;
        Ok(application)
    }
}

/// The participant behind a screening row, `None` for other rows.
pub(crate) fn screening_participant(key: &LedgerKey) -> Option<ParticipantKey> {
    key.application
        .as_str()
        .strip_prefix(SCREENING_PREFIX)
        .map(ParticipantKey::from)
}
