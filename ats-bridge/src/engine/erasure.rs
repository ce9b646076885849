//! A deleted candidate: pending work cancelled, stored deliveries erased, and the
//! Willo participants the bridge created for them deleted (unless configured not to).

use std::collections::BTreeSet;

use super::Engine;
use super::action::{Action, EngineError};
use crate::model::{ApplicationId, AtsName, CandidateId, ParticipantKey};

impl Engine {
    /// `candidate` was deleted in `ats` (usually a privacy request). The Willo
    /// participants of their rows go first (a failure leaves everything for the
    /// delivery's retry, since cancelling forgets the participant links), then the
    /// ledger cancels their pending rows and forgets deliveries naming them.
    pub(crate) async fn erase_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> Result<Action, EngineError> {
        let participants_erased = if self.inner.config.erase_willo_participants {
            self.erase_participants(ats, candidate).await?
        } else {
            0
        };
        let rows = self
            .inner
            .stores
            .ledger
            .cancel_candidate(ats, candidate, self.now_ms())
            .await?;
        tracing::info!(%ats, rows, participants_erased, "candidate deleted: pending work cancelled");
        Ok(Action::Cancelled {
            ats: ats.clone(),
            candidate: candidate.clone(),
            rows,
            participants_erased,
        })
    }

    /// An application was deleted and the ATS did not say whose (Lever without a
    /// `contactId`): the ledger knows the candidate behind it.
    pub(crate) async fn erase_application(
        &self,
        ats: &AtsName,
        application: &ApplicationId,
    ) -> Result<Action, EngineError> {
        let rows = self
            .inner
            .stores
            .ledger
            .rows_of_application(ats, application)
            .await?;
        let candidates: BTreeSet<CandidateId> = rows.into_iter().map(|row| row.candidate).collect();
        let mut done = None;
        for candidate in &candidates {
            done = Some(self.erase_candidate(ats, candidate).await?);
        }
        Ok(done.unwrap_or(Action::Ignored(super::Ignored::UnknownApplication)))
    }

    /// Delete in Willo the participants of `candidate`'s rows that no other
    /// candidate's row shares (the same person as two candidates keeps theirs).
    /// Returns how many were deleted (or already gone).
    async fn erase_participants(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> Result<u64, EngineError> {
        let ledger = &self.inner.stores.ledger;
        let rows = ledger.rows_of_candidate(ats, candidate).await?;
        let participants: BTreeSet<ParticipantKey> =
            rows.into_iter().filter_map(|row| row.participant).collect();
        let mut erased = 0;
        for participant in participants {
            let shared = ledger
                .rows_by_participant(&participant)
                .await?
                .iter()
                .any(|row| &row.key.ats != ats || &row.candidate != candidate);
            if shared {
                continue;
            }
            match self.inner.willo.participants().delete(&participant).await {
                Ok(_) => erased += 1,
                Err(error) if error.is_not_found() => erased += 1,
                Err(error) => return Err(error.into()),
            }
        }
        Ok(erased)
    }
}
