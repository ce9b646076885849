//! The [`Ats`] trait: what the bridge needs from an applicant tracking system.
//!
//! Implement it to connect a new ATS. Every method speaks the normalised types of
//! [`crate::model`]; vendor specifics (note formats, tag conventions, signature
//! schemes) stay inside the implementation. Methods an ATS cannot support return
//! [`AtsError::Unsupported`] and are reported as missing by [`Ats::capabilities`], so
//! the engine never calls them.

use std::fmt;

use async_trait::async_trait;
use client_core::header::HeaderMap;

use crate::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, Capabilities, Job,
    JobId, Stage, StageId, WriteBack, WriteBackReceipt,
};

/// Why an ATS call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AtsError {
    /// The vendor API call failed (see the inner error for status, code and message).
    #[error(transparent)]
    Api(#[from] client_core::Error),
    /// This ATS does not offer the operation; check [`Ats::capabilities`] first.
    #[error("this ATS does not support {operation}")]
    Unsupported {
        /// What was asked for.
        operation: &'static str,
    },
    /// The record the call was about does not exist (any more).
    #[error("not found in the ATS: {what}")]
    NotFound {
        /// What was looked for (ids only, never personal data).
        what: String,
    },
    /// The ATS holds data the bridge cannot use (a candidate without a name, a stage
    /// the job does not have…).
    #[error("unusable ATS data: {0}")]
    Invalid(String),
}

impl AtsError {
    /// True when the same call may succeed later (throttling, 5xx, timeouts): the
    /// engine reschedules the step instead of marking it failed.
    pub fn is_transient(&self) -> bool {
        matches!(self, AtsError::Api(e) if e.is_transient())
    }
}

/// Result of an [`Ats`] call.
pub type AtsResult<T> = Result<T, AtsError>;

/// Why a webhook delivery was refused. Nothing is stored for a refused delivery; the
/// intake answers with a non-2xx status (so a genuine sender retries) and logs the
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// A required header (signature, timestamp, event name) is missing.
    #[error("missing header `{0}`")]
    MissingHeader(String),
    /// The signature does not match any configured secret.
    #[error("bad signature")]
    BadSignature,
    /// The delivery is older (or further in the future) than the allowed window.
    #[error("stale delivery")]
    Stale,
    /// The delivery was seen before.
    #[error("replayed delivery")]
    Replayed,
    /// The body or a header is not what the vendor sends.
    #[error("malformed delivery: {0}")]
    Malformed(String),
}

/// An applicant tracking system, as the bridge uses it.
///
/// The trait is object safe: the engine holds `Arc<dyn Ats>`, one per connected ATS.
/// Implementations should be cheap to call concurrently (the vendor clients are) and
/// must keep personal data (names, emails, phones) out of errors and logs.
#[async_trait]
pub trait Ats: Send + Sync + fmt::Debug {
    /// A stable name for this ATS connection; part of every ledger key.
    fn name(&self) -> AtsName;

    /// What this ATS supports.
    fn capabilities(&self) -> Capabilities;

    /// The jobs candidates can be invited from.
    async fn jobs(&self) -> AtsResult<Vec<Job>>;

    /// The stages of `job`'s pipeline, for configuring trigger stages.
    async fn stages(&self, job: &JobId) -> AtsResult<Vec<Stage>>;

    /// Name, email and phone of the candidate behind `application`, read at invite
    /// time (the bridge stores none of it).
    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails>;

    /// Verify a webhook delivery (`headers` and the raw `body` as received) without
    /// calling the API: signature, staleness, shape. The intake runs this before it
    /// stores anything, so a refused delivery leaves no trace.
    ///
    /// The returned [`VerifiedDelivery`] names the delivery for deduplication and
    /// carries everything [`Ats::resolve_webhook`] needs later, possibly in another
    /// process: store it, acknowledge, resolve in the background.
    fn verify_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedDelivery, WebhookRejection>;

    /// Turn a payload produced by [`Ats::verify_webhook`] into normalised events. May
    /// call the API (SmartRecruiters deliveries carry ids only). A delivery the bridge
    /// does not act on yields [`AtsEvent::Unknown`], not an error; a transient error
    /// means "resolve it again later". A stage change resolved by reading the
    /// candidate's record can carry their details, so the invite does not read it again.
    async fn resolve_webhook(&self, payload: &[u8]) -> AtsResult<Vec<AtsEvent>>;

    /// Verify and resolve in one step, for callers without an inbox.
    async fn webhook_events(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Vec<AtsEvent>, WebhookEventsError> {
        let verified = self.verify_webhook(headers, body)?;
        Ok(self.resolve_webhook(&verified.payload).await?)
    }

    /// Applications of `job` currently at `stage`, one page from `cursor` (`None`:
    /// the first page). Used by the reconciler to catch what webhooks missed.
    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage>;

    /// Write results back onto the application's record: a note, labels, an optional
    /// stage move. Called at most once per (application, interview, outcome) by the
    /// engine; implementations should still tolerate a repeat (a label already there,
    /// a stage already reached).
    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt>;

    /// Create a candidate on `job` (pre-application screening: someone who completed a
    /// Willo interview becomes an applicant). Optional: the default says unsupported.
    async fn create_application(
        &self,
        _job: &JobId,
        _candidate: &CandidateDetails,
    ) -> AtsResult<ApplicationRef> {
        Err(AtsError::Unsupported {
            operation: "creating candidates",
        })
    }
}

/// A webhook delivery that passed [`Ats::verify_webhook`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDelivery {
    /// Unique per ATS connection for one delivery, the same for the vendor's retries of
    /// it: the vendor's event id or delivery token, or a hash of the content where the
    /// vendor gives none. The intake stores a delivery once per key.
    pub dedupe_key: String,
    /// What to keep until the delivery is resolved: the input of
    /// [`Ats::resolve_webhook`]. Holds no secrets.
    pub payload: Vec<u8>,
}

/// Why [`Ats::webhook_events`] produced no events: the delivery was refused, or it was
/// genuine but looking up what it refers to failed (retry it later).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookEventsError {
    /// Refused: not from the vendor, stale, replayed or malformed.
    #[error("webhook rejected: {0}")]
    Rejected(#[from] WebhookRejection),
    /// Verified, but resolving it against the API failed.
    #[error(transparent)]
    Ats(#[from] AtsError),
}
