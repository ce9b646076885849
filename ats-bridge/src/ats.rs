//! The [`Ats`] trait: what the bridge needs from an applicant tracking system.
//!
//! Implement it to connect a new ATS. Every method speaks the normalised types of
//! [`crate::model`]; vendor specifics (note formats, tag conventions, signature
//! schemes) stay inside the implementation. Methods an ATS cannot support return
//! [`AtsError::Unsupported`] and are reported as missing by [`Ats::capabilities`], so
//! the engine never calls them.

use std::fmt;

use async_trait::async_trait;

use crate::mapping::{MappableTarget, MappedField, MappedValue, Target};
use crate::model::{
    ApplicationRef, ApplicationsPage, AtsName, CandidateDetails, Capabilities, CreatedApplication,
    Job, JobId, Stage, StageId, WriteBack, WriteBackReceipt,
};
use crate::webhook::AtsWebhooks;

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
    /// The note's template failed to render (a template checked at load fails only on
    /// data the check could not foresee). Not transient: the same data fails again.
    #[error(transparent)]
    Note(#[from] crate::note::NoteRenderError),
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

    /// One job with every attribute the ATS has for it (see
    /// [`JobAttributes::complete`](crate::model::JobAttributes::complete)): rules
    /// that select jobs by an attribute a listing leaves out ask for it here, once
    /// per job and reconciler pass. The default finds the job in [`Ats::jobs`], and
    /// says [`AtsError::NotFound`] when it is not listed (deleted).
    async fn job_details(&self, job: &JobId) -> AtsResult<Job> {
        self.jobs()
            .await?
            .into_iter()
            .find(|listed| &listed.id == job)
            .ok_or_else(|| AtsError::NotFound {
                what: format!("job {job}"),
            })
    }

    /// The stages of `job`'s pipeline, for configuring trigger stages.
    async fn stages(&self, job: &JobId) -> AtsResult<Vec<Stage>>;

    /// Name, email and phone of the candidate behind `application`, read at invite
    /// time (the bridge stores none of it).
    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails>;

    /// This ATS's webhooks, if it sends any: how the intake verifies its deliveries
    /// and how the engine turns a stored one into events. `None` (the default): the
    /// intake refuses deliveries named after this ATS and the reconciler alone finds
    /// stage changes.
    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        None
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

    /// Check this connection before relying on it (`setup verify`, a server's start):
    /// see [`crate::verify`]. The default lists the jobs (the credentials work) and
    /// checks that the trigger stages `rules` name for this ATS exist; adapters whose
    /// client can probe its permissions add those checks.
    async fn verify_connection(&self, rules: &crate::rules::Rules) -> Vec<crate::verify::Check> {
        crate::verify::ats_checks(self, rules).await
    }

    /// Create a candidate on `job` (pre-application screening: someone who completed a
    /// Willo interview becomes an applicant). A person the ATS already knows by e-mail
    /// should get the application instead of a duplicate profile, and someone who
    /// already applied to `job` should keep their application; say which in
    /// [`CreatedApplication::candidate`]. Optional: the default says unsupported.
    async fn create_application(
        &self,
        _job: &JobId,
        _candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        Err(AtsError::Unsupported {
            operation: "creating candidates",
        })
    }

    /// The application on `job` of the candidate with `email`, if there is one.
    /// Screening asks before creating a candidate again after an attempt that may
    /// have created them (a crash between creating and recording). Optional: the
    /// default says unsupported, and screening then creates without looking.
    async fn find_application(
        &self,
        _job: &JobId,
        _email: &str,
    ) -> AtsResult<Option<ApplicationRef>> {
        Err(AtsError::Unsupported {
            operation: "finding candidates by e-mail",
        })
    }

    /// The fields a mapping can write in this ATS (properties with their types and
    /// options, form fields, tags, contact details…), for checking a mapping at start
    /// and for `setup` to list. The default: none, so a mapping naming this ATS fails
    /// its check unless the implementation lists what it offers.
    async fn mapping_targets(&self) -> AtsResult<Vec<MappableTarget>> {
        Ok(Vec::new())
    }

    /// The values `targets` hold now on `application`'s record, in the same order
    /// (`None`: empty). Read before protected targets are written, so a recruiter's
    /// value survives, and to skip writing what is already there. Only single-value
    /// targets are asked for (never tags, sources or links). Optional: the default
    /// says unsupported, and then no target of this ATS can be protected.
    async fn mapped_values(
        &self,
        _application: &ApplicationRef,
        _targets: &[Target],
    ) -> AtsResult<Vec<Option<MappedValue>>> {
        Err(AtsError::Unsupported {
            operation: "reading mapped fields",
        })
    }

    /// Write mapped values onto `application`'s record, converting each to its
    /// field's type ([`MappedValue::coerce`]). Called before the results note, after
    /// protected targets were read; list targets (tags, sources, links) add each
    /// item. The engine may repeat the call after a failure, so writing the same
    /// values again must be harmless. Optional: the default says unsupported.
    async fn write_mapped(
        &self,
        _application: &ApplicationRef,
        _fields: &[MappedField],
    ) -> AtsResult<()> {
        Err(AtsError::Unsupported {
            operation: "writing mapped fields",
        })
    }
}
