//! What a conformance run found: one [`Finding`] per [`Check`].

use std::fmt;

/// One property of the [`ats_bridge::Ats`] contract the suite verifies.
///
/// Each check is reported on its own, so a single broken method shows up as the one
/// failing line of the report instead of hiding the checks after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// `name()` is non-empty, has no surrounding whitespace and never changes: it is
    /// part of every ledger key.
    NameStable,
    /// `capabilities()` answers, and every operation it reports as missing answers
    /// [`ats_bridge::AtsError::Unsupported`] instead of doing something else.
    CapabilitiesConsistent,
    /// `jobs()` lists the fixture job, each job once.
    JobsListed,
    /// `stages()` of the fixture job includes the trigger stage, each stage once.
    StagesIncludeTrigger,
    /// Paging `applications_at_stage` ends (no cursor repeats, within the page limit).
    PagingTerminates,
    /// No application is listed twice while paging.
    PagingListsEachApplicationOnce,
    /// Every listed application is on the job asked for (the rules match on it).
    PagingStaysOnJob,
    /// The fixture application is among the applications at the trigger stage.
    PagingFindsFixtureApplication,
    /// `candidate()` of the fixture application gives a non-empty name.
    CandidateHasName,
    /// Neither the candidate details nor the `Ats` itself print personal data in
    /// `Debug`.
    NoPersonalDataInDebug,
    /// `candidate()` of an application that does not exist is
    /// [`ats_bridge::AtsError::NotFound`] (or [`ats_bridge::AtsError::Invalid`]).
    UnknownApplicationNotFound,
    /// A genuine delivery verifies, and resolving its payload yields a stage change of
    /// the fixture application to the trigger stage; candidate details handed on with
    /// it are what `candidate()` reads.
    WebhookGenuineResolves,
    /// The same delivery verified twice (a vendor retry) has the same dedupe key and is
    /// not refused as [`ats_bridge::WebhookRejection::Replayed`]: the intake deduplicates on
    /// the key, and refusing would lose the retry of a delivery it failed to store.
    WebhookDedupeKeyStable,
    /// Deliveries about different applications have different dedupe keys (the
    /// intake stores one delivery per key, so a shared key drops events).
    WebhookDedupeKeyDistinct,
    /// Tampered variants of the genuine delivery are refused: those of
    /// [`super::default_tamperings`], or the fixture's own
    /// ([`super::Fixture::tamper_with`]).
    WebhookRejectsTampered,
    /// The genuine delivery cut short is refused.
    WebhookRejectsTruncated,
    /// An empty body is refused.
    WebhookRejectsEmptyBody,
    /// A body that is not UTF-8 is refused.
    WebhookRejectsNonUtf8,
    /// Random bytes are refused.
    WebhookRejectsRandomBytes,
    /// The genuine body without any header is refused.
    WebhookRejectsMissingHeaders,
    /// `create_application` creates an application on the fixture job.
    CreateApplication,
    /// Adding a label twice succeeds both times and leaves it on the record once.
    LabelsIdempotent,
    /// Removing a label twice succeeds both times and leaves it off the record.
    LabelsRemovable,
    /// Moving the fixture application to the stage it is already at succeeds, twice.
    StageMoveRepeatable,
    /// `mapping_targets` answers, each target once, select targets with options.
    MappingTargetsListed,
    /// A mapped text written twice succeeds and `mapped_values` reads it back.
    MappedWriteReadsBack,
    /// A mapped write to a target the ATS does not have fails.
    MappedUnknownTargetRefused,
}

impl Check {
    /// A short stable name, for reports and test output.
    pub fn name(self) -> &'static str {
        match self {
            Check::NameStable => "name_stable",
            Check::CapabilitiesConsistent => "capabilities_consistent",
            Check::JobsListed => "jobs_listed",
            Check::StagesIncludeTrigger => "stages_include_trigger",
            Check::PagingTerminates => "paging_terminates",
            Check::PagingListsEachApplicationOnce => "paging_lists_each_application_once",
            Check::PagingStaysOnJob => "paging_stays_on_job",
            Check::PagingFindsFixtureApplication => "paging_finds_fixture_application",
            Check::CandidateHasName => "candidate_has_name",
            Check::NoPersonalDataInDebug => "no_personal_data_in_debug",
            Check::UnknownApplicationNotFound => "unknown_application_not_found",
            Check::WebhookGenuineResolves => "webhook_genuine_resolves",
            Check::WebhookDedupeKeyStable => "webhook_dedupe_key_stable",
            Check::WebhookDedupeKeyDistinct => "webhook_dedupe_key_distinct",
            Check::WebhookRejectsTampered => "webhook_rejects_tampered",
            Check::WebhookRejectsTruncated => "webhook_rejects_truncated",
            Check::WebhookRejectsEmptyBody => "webhook_rejects_empty_body",
            Check::WebhookRejectsNonUtf8 => "webhook_rejects_non_utf8",
            Check::WebhookRejectsRandomBytes => "webhook_rejects_random_bytes",
            Check::WebhookRejectsMissingHeaders => "webhook_rejects_missing_headers",
            Check::CreateApplication => "create_application",
            Check::LabelsIdempotent => "labels_idempotent",
            Check::LabelsRemovable => "labels_removable",
            Check::StageMoveRepeatable => "stage_move_repeatable",
            Check::MappingTargetsListed => "mapping_targets_listed",
            Check::MappedWriteReadsBack => "mapped_write_reads_back",
            Check::MappedUnknownTargetRefused => "mapped_unknown_target_refused",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The implementation behaves as the contract says.
    Passed,
    /// It does not; the reason says what was expected and what happened (ids only,
    /// never personal data).
    Failed(String),
    /// Not run, because a capability is off or the fixture lacks what the check
    /// needs; the reason says which.
    Skipped(String),
}

impl Outcome {
    /// True for [`Outcome::Failed`].
    pub fn is_failed(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }
}

/// One line of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked.
    pub check: Check,
    /// How it went.
    pub outcome: Outcome,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Passed => write!(f, "pass {}", self.check),
            Outcome::Failed(reason) => write!(f, "FAIL {}: {reason}", self.check),
            Outcome::Skipped(reason) => write!(f, "skip {}: {reason}", self.check),
        }
    }
}

/// Every check of one run, in the order they ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    ats: String,
    findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn new(ats: String, findings: Vec<Finding>) -> Self {
        Self { ats, findings }
    }

    /// Every finding, in the order the checks ran.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// How `check` went; `None` if this run did not include it.
    pub fn outcome(&self, check: Check) -> Option<&Outcome> {
        self.findings
            .iter()
            .find(|finding| finding.check == check)
            .map(|finding| &finding.outcome)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.outcome.is_failed())
    }

    /// True when no check failed (skipped checks do not count against it).
    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }

    /// Panic with the whole report when a check failed, for use at the end of a
    /// `#[tokio::test]`.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "the Ats conformance suite failed\n{self}");
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |wanted: fn(&Outcome) -> bool| {
            self.findings.iter().filter(|f| wanted(&f.outcome)).count()
        };
        writeln!(
            f,
            "ats `{}`: {} passed, {} failed, {} skipped",
            self.ats,
            count(|o| matches!(o, Outcome::Passed)),
            count(Outcome::is_failed),
            count(|o| matches!(o, Outcome::Skipped(_))),
        )?;
        for finding in &self.findings {
            writeln!(f, "  {finding}")?;
        }
        Ok(())
    }
}
