//! `ats-testkit`: conformance suites for your own implementation of
//! [`ats_bridge::Ats`], and [`MemoryAts`], an in-memory `Ats` for tests.
//!
//! The engine relies on more than the trait's signatures: it calls only what
//! [`Ats::capabilities`] reports, verifies deliveries at the intake and resolves the
//! stored payload later (possibly in another process), pages until `next_cursor` is
//! `None`, and may repeat a write-back after a failure. [`Conformance`] checks each
//! of those promises against a test system you describe with a [`Fixture`], and
//! returns a [`Report`] with one line per [`Check`]: passed, failed with a reason, or
//! skipped because a capability is off. A failing or panicking method fails its own
//! checks; the others still run. Every call is bounded by a timeout, and paging by a
//! page limit, so a broken implementation cannot hang the suite.
//!
//! What the checks write: the fixture label is added twice and removed twice, the
//! fixture application is moved to the stage it is already at, and (only when you opt
//! in with [`Fixture::new_candidate`]) one application is created. Operations your
//! implementation reports as unsupported are called once each, and must answer
//! [`AtsError::Unsupported`](ats_bridge::AtsError::Unsupported) without doing anything.
//!
//! The suite run against [`MemoryAts`] (for your own `Ats`, pass it and a fixture
//! naming data in your test system; `examples/examples/custom_ats.rs` in the
//! repository implements a whole ATS and passes):
//!
//! ```
//! use std::sync::Arc;
//!
//! use ats_bridge::model::{ApplicationRef, CandidateDetails};
//! use ats_testkit::{Conformance, MemoryAts};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let applicant = ApplicationRef {
//!     application: "app-1".into(),
//!     candidate: "cand-1".into(),
//!     job: "job-1".into(),
//! };
//! let person = CandidateDetails::new("Ada Lovelace");
//! let ats = Arc::new(MemoryAts::builder().application(applicant.clone(), "screen", person).build());
//!
//! // In your tests: `#[tokio::test] async fn conforms() { … }`.
//! let fixture = ats.fixture(applicant, "screen");
//! let report = Conformance::new(ats, fixture).run().await;
//! report.assert_passed();
//! # });
//! ```
//!
//! For webhooks, give [`Fixture::deliveries`] a function that signs a delivery the
//! way your vendor does; for label checks that look at the record itself, give
//! [`Fixture::labels_of`].
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod checks;
mod fixture;
mod memory;
mod report;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

pub use fixture::{DEFAULT_LABEL, Delivery, Fixture, Tampering, default_tamperings};
pub use memory::{MemoryAts, MemoryAtsBuilder, Misbehaviour, SIGNATURE_HEADER};
pub use report::{Check, Finding, Outcome, Report};

use ats_bridge::Ats;
use checks::{
    Ctx, Verdict, call_sync, candidate, catalogue, identity, mapping, paging, webhooks, write_back,
};

/// The suite, set up for one implementation and its fixture.
#[derive(Debug, Clone)]
pub struct Conformance {
    ats: Arc<dyn Ats>,
    fixture: Fixture,
    max_pages: usize,
    call_timeout: Duration,
}

impl Conformance {
    /// Check `ats` against what `fixture` says is in its test system.
    pub fn new(ats: Arc<dyn Ats>, fixture: Fixture) -> Self {
        Self {
            ats,
            fixture,
            max_pages: 1_000,
            call_timeout: Duration::from_secs(30),
        }
    }

    /// Fail paging after this many pages (default 1,000): more means the cursor never
    /// ends, or the test system is too big for a test.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// Fail a call that takes longer than this (default 30 s).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Run every check, in order, and report each. Needs a Tokio runtime with timers
    /// for the call timeout (`#[tokio::test]` has them).
    pub async fn run(&self) -> Report {
        let ats = &*self.ats;
        let name = call_sync("name()", || ats.name().to_string())
            .unwrap_or_else(|panicked| format!("({panicked})"));
        let capabilities = match call_sync("capabilities()", || ats.capabilities()) {
            Ok(capabilities) => capabilities,
            // Without capabilities no check knows what to expect.
            Err(panicked) => {
                return Report::new(
                    name,
                    vec![Finding {
                        check: Check::CapabilitiesConsistent,
                        outcome: Outcome::Failed(panicked),
                    }],
                );
            }
        };
        let ctx = Ctx {
            ats,
            fixture: &self.fixture,
            capabilities,
            call_timeout: self.call_timeout,
            max_pages: self.max_pages,
        };
        let mut findings = Vec::new();
        let mut record = |check: Check, verdict: Verdict| {
            findings.push(Finding {
                check,
                outcome: verdict.unwrap_or_else(Outcome::Failed),
            });
        };

        record(Check::NameStable, identity::name_stable(&ctx));
        record(
            Check::CapabilitiesConsistent,
            identity::capabilities_consistent(&ctx).await,
        );
        record(Check::JobsListed, catalogue::jobs_listed(&ctx).await);
        record(
            Check::StagesIncludeTrigger,
            catalogue::stages_include_trigger(&ctx).await,
        );

        let walk = paging::walk(&ctx).await;
        record(Check::PagingTerminates, paging::terminates(&ctx, &walk));
        record(
            Check::PagingListsEachApplicationOnce,
            paging::lists_each_application_once(&ctx, &walk),
        );
        record(Check::PagingStaysOnJob, paging::stays_on_job(&ctx, &walk));
        record(
            Check::PagingFindsFixtureApplication,
            paging::finds_fixture_application(&ctx, &walk),
        );

        let details = candidate::fetch(&ctx).await;
        record(Check::CandidateHasName, candidate::has_name(&details));
        record(
            Check::NoPersonalDataInDebug,
            candidate::no_personal_data_in_debug(&ctx, &details),
        );
        record(
            Check::UnknownApplicationNotFound,
            candidate::unknown_application_not_found(&ctx).await,
        );

        let genuine = webhooks::genuine(&ctx);
        record(
            Check::WebhookGenuineResolves,
            webhooks::genuine_resolves(&ctx, &genuine).await,
        );
        record(
            Check::WebhookDedupeKeyStable,
            webhooks::dedupe_key_stable(&ctx, &genuine),
        );
        record(
            Check::WebhookDedupeKeyDistinct,
            webhooks::dedupe_key_distinct(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsTampered,
            webhooks::rejects_tampered(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsTruncated,
            webhooks::rejects_truncated(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsEmptyBody,
            webhooks::rejects_empty_body(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsNonUtf8,
            webhooks::rejects_non_utf8(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsRandomBytes,
            webhooks::rejects_random_bytes(&ctx, &genuine),
        );
        record(
            Check::WebhookRejectsMissingHeaders,
            webhooks::rejects_missing_headers(&ctx, &genuine),
        );

        record(
            Check::CreateApplication,
            identity::create_application(&ctx).await,
        );
        record(
            Check::LabelsIdempotent,
            write_back::labels_idempotent(&ctx).await,
        );
        record(
            Check::LabelsRemovable,
            write_back::labels_removable(&ctx).await,
        );
        record(
            Check::StageMoveRepeatable,
            write_back::stage_move_repeatable(&ctx).await,
        );
        record(
            Check::MappingTargetsListed,
            mapping::targets_listed(&ctx).await,
        );
        record(
            Check::MappedWriteReadsBack,
            mapping::write_reads_back(&ctx).await,
        );
        record(
            Check::MappedUnknownTargetRefused,
            mapping::unknown_target_refused(&ctx).await,
        );
        Report::new(name, findings)
    }
}

/// The crate README's example, compiled as a doc test so it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
