//! What the engine did with an event, and why it failed when it could not decide.

use crate::model::{AtsName, CandidateId, CandidateMatch, JobId, JobState, ParticipantKey};
use crate::store::{LedgerKey, RowState, ScreeningKey, StoreError};

/// What handling one event, row or application did. Ids only: no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// The invite was sent (or an earlier one found in Willo) and recorded.
    Invited {
        /// The ledger row.
        key: LedgerKey,
        /// The Willo participant.
        participant: ParticipantKey,
        /// False when Willo already had this candidate for the interview (a retry
        /// after a crash, or an invite sent outside the bridge).
        created: bool,
    },
    /// Results were written to the ATS.
    WroteBack {
        /// The ledger row.
        key: LedgerKey,
        /// The outcome written (`completed`, `decision:accepted`, …).
        outcome: String,
    },
    /// A candidate was created in the ATS from a screening interview.
    Screened {
        /// The ledger row (its application is the new candidacy).
        key: LedgerKey,
        /// Whether the ATS knew the person already (by e-mail): a new profile, an
        /// existing one given the application, or an application already there.
        candidate: CandidateMatch,
    },
    /// The work was already done (a duplicate or late event).
    AlreadyDone {
        /// The ledger row.
        key: LedgerKey,
    },
    /// Another worker holds the row, or its retry time is not reached.
    Busy {
        /// The ledger row.
        key: LedgerKey,
    },
    /// The candidate has not answered yet.
    NotAnswered {
        /// The ledger row.
        key: LedgerKey,
    },
    /// A retryable failure: the row will be tried again.
    Rescheduled {
        /// The ledger row.
        key: LedgerKey,
        /// The error (ids and vendor messages only).
        reason: String,
        /// When (epoch ms).
        next_attempt_at_ms: i64,
    },
    /// A vendor refused the credentials: the row is parked, not failed, and tried
    /// again after `next_attempt_at_ms` (see [`Engine::credential_outages`]).
    ///
    /// [`Engine::credential_outages`]: super::Engine::credential_outages
    Parked {
        /// The ledger row.
        key: LedgerKey,
        /// Whose credentials (`willo` or the ATS connection's name).
        connection: String,
        /// When it is tried again (epoch ms).
        next_attempt_at_ms: i64,
    },
    /// A permanent failure: the row is failed until an operator re-drives it.
    Failed {
        /// The ledger row.
        key: LedgerKey,
        /// Why.
        reason: String,
    },
    /// The candidate was deleted: pending work cancelled, stored details erased.
    Cancelled {
        /// The ATS.
        ats: AtsName,
        /// The candidate.
        candidate: CandidateId,
        /// Rows cancelled.
        rows: u64,
        /// Willo participants deleted with them
        /// ([`EngineConfig::erase_willo_participants`](super::EngineConfig)).
        participants_erased: u64,
    },
    /// A job opened or closed.
    JobStateRecorded {
        /// The ATS.
        ats: AtsName,
        /// The job.
        job: JobId,
        /// Its state now.
        state: JobState,
    },
    /// Dry run: this invite would have been sent.
    WouldInvite {
        /// The ledger row it would create.
        key: LedgerKey,
    },
    /// Nothing to do.
    Ignored(Ignored),
}

/// Why an event needed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// No rule sends an interview from this (ATS, job, stage).
    NoRule,
    /// The job is closed: no new invites.
    JobClosed,
    /// The Willo participant was not invited by the bridge (and is no screening
    /// candidate).
    UnknownParticipant,
    /// The row was cancelled or failed, or never invited.
    RowStopped(RowState),
    /// An event the bridge does not act on.
    UnknownEvent(String),
    /// A deletion of an application the ledger does not know.
    UnknownApplication,
}

/// Why the engine could not handle something at all (as opposed to a row that failed
/// and was recorded as such).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The store failed; nothing was decided.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An event named an ATS connection the engine does not have.
    #[error("no ATS connection named `{0}`")]
    UnknownAts(AtsName),
    /// Resolving an ATS delivery failed.
    #[error("resolving the delivery failed: {0}")]
    Ats(#[from] crate::AtsError),
    /// A Willo call failed before anything could be recorded.
    #[error("Willo call failed: {0}")]
    Willo(#[from] client_core::Error),
    /// A stored Willo delivery could not be read.
    #[error("a stored Willo delivery could not be read: {0}")]
    WilloDelivery(#[from] willo_client::webhooks::VerifyError),
    /// Another worker holds the row the delivery is about; the delivery is retried
    /// once it is likely done.
    #[error("row {0} is busy with another worker")]
    RowBusy(LedgerKey),
    /// Another worker is creating the candidate of this screening; the delivery is
    /// retried once it is likely done.
    #[error("screening {0} is busy with another worker")]
    ScreeningBusy(ScreeningKey),
    /// Creating the candidate of this screening failed for now (recorded on the
    /// screening); the delivery is retried.
    #[error("screening {0} will be retried: {1}")]
    ScreeningFailed(ScreeningKey, String),
    /// A vendor refused the credentials of `connection` (`willo` or an ATS
    /// connection's name) before anything could be recorded; the work waits for them.
    #[error("credentials of {connection} refused: {reason}")]
    CredentialsRefused {
        /// Whose credentials.
        connection: String,
        /// What the vendor said.
        reason: String,
    },
    /// The engine is misconfigured.
    #[error("engine configuration: {0}")]
    Config(String),
}

impl EngineError {
    /// Whether a vendor refused the credentials (HTTP 401, an OAuth grant no longer
    /// valid): nothing is wrong with the work itself, which waits for them.
    pub fn refuses_credentials(&self) -> bool {
        match self {
            EngineError::Willo(e) | EngineError::Ats(crate::AtsError::Api(e)) => {
                super::failure::refuses_credentials(e)
            }
            EngineError::CredentialsRefused { .. } => true,
            _ => false,
        }
    }

    /// Whether another worker held what this needed (a ledger row, a screening): it
    /// is free again once that worker's step is done.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            EngineError::RowBusy(_) | EngineError::ScreeningBusy(_)
        )
    }

    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Store(_)
            | EngineError::RowBusy(_)
            | EngineError::ScreeningBusy(_)
            | EngineError::ScreeningFailed(..) => true,
            EngineError::Ats(e) => e.is_transient(),
            EngineError::Willo(e) => e.is_transient(),
            _ => false,
        }
    }
}
