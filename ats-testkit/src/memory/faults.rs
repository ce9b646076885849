//! What can go wrong with a [`MemoryAts`](super::MemoryAts): outages a test injects
//! while it runs, and promises of the contract it breaks on purpose.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ats_bridge::AtsError;

/// One promise of the [`Ats`](ats_bridge::Ats) contract the in-memory ATS breaks,
/// each the way a real implementation might by mistake. The conformance suite's own
/// tests use them to show that each is caught; tests of your tooling can too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Misbehaviour {
    /// Skips the signature check (still parses the body).
    AcceptsAnySignature,
    /// Names the application differently in webhooks than when listing it.
    RenamesInWebhooks,
    /// Resolves every delivery to the stage `new` instead of the one it names.
    ResolvesToPreviousStage,
    /// Lists the second page's applications on another job (`job-2`).
    ListsOnAnotherJob,
    /// `capabilities()` panics.
    PanicsInCapabilities,
    /// Every delivery gets the same dedupe key.
    ConstantDedupeKey,
    /// The second page points at itself.
    RepeatsCursor,
    /// Every page points at a next page, empty past the end.
    EndlessPages,
    /// Adds a label again when it is already there.
    DuplicatesLabels,
    /// Unwraps the body as UTF-8 before verifying it.
    PanicsOnNonUtf8,
    /// `jobs()` never answers.
    HangsListingJobs,
    /// Performs label write-backs although its capabilities leave labels out.
    IgnoresCapabilities,
    /// `Debug` prints the candidates' names.
    DebugPrintsRecords,
    /// A missing application is a panic instead of `NotFound`.
    PanicsOnMissingApplication,
    /// Hands on another candidate's details with a stage change.
    HandsOnWrongDetails,
    /// Reads every mapped field back as empty (so a protected value would be
    /// overwritten).
    ForgetsMappedValues,
    /// Accepts a mapped write to a target it does not have, silently dropping it.
    DropsUnknownTargets,
}

/// Outages a test switches on while the ATS runs (hence atomics and locks, not
/// builder settings).
#[derive(Debug, Default)]
pub(super) struct Outages {
    down: Mutex<BTreeSet<String>>,
    failing_write_backs: AtomicU64,
    write_back_delay_ms: AtomicU64,
}

impl Outages {
    pub fn take_down(&self, application: &str) {
        self.down().insert(application.to_owned());
    }

    pub fn fail_write_backs(&self, count: u64) {
        self.failing_write_backs.store(count, Ordering::SeqCst);
    }

    pub fn delay_write_backs(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.write_back_delay_ms.store(millis, Ordering::SeqCst);
    }

    /// An outage error when `application` was taken down.
    pub fn check(&self, application: &str) -> Result<(), AtsError> {
        if self.down().contains(application) {
            return Err(unavailable());
        }
        Ok(())
    }

    /// Waits out the write-back delay, then fails if a failure is still owed.
    pub async fn before_write_back(&self) -> Result<(), AtsError> {
        let delay = self.write_back_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let owed = self
            .failing_write_backs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        match owed {
            Ok(_) => Err(unavailable()),
            Err(_) => Ok(()),
        }
    }

    fn down(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.down
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What an ATS that is down answers: a 503, which the engine retries.
fn unavailable() -> AtsError {
    let error = client_core::ApiError::new(
        client_core::StatusCode::SERVICE_UNAVAILABLE,
        "the in-memory ATS is down",
    );
    AtsError::Api(error.into_error())
}
