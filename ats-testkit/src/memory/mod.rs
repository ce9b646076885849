//! [`MemoryAts`]: an ATS kept in memory.

mod ats;
mod builder;
mod faults;
mod mapped;
mod webhooks;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ats_bridge::mapping::{MappedValue, Target};
use ats_bridge::model::{
    ApplicationRef, AtsName, CandidateDetails, Capabilities, Job, Stage, StageId, WriteBack,
};

pub use builder::MemoryAtsBuilder;
pub use faults::Misbehaviour;
pub use webhooks::SIGNATURE_HEADER;

use crate::Fixture;
use faults::Outages;

/// An ATS kept in memory, for tests of code that holds an `Arc<dyn Ats>` (an engine,
/// an intake, your own service) and for the conformance suite's own tests.
///
/// It keeps what a real ATS keeps — jobs, stages, applications at a stage, candidates,
/// labels, mapped fields (`tag`, `contact.email`, and the properties `willo-score`
/// (number), `willo-link` (text) and `willo-result` (single select: `Passed`,
/// `Failed`)) — and behaves as the [`Ats`](ats_bridge::Ats) contract asks: it pages (the
/// cursor is an offset), signs and verifies its webhooks (a JSON body
/// `{"id", "application", "stage"}` with HMAC-SHA256 of it in [`SIGNATURE_HEADER`]),
/// refuses what its capabilities leave out, answers `NotFound` for what it does not
/// hold. Tests change it while it runs ([`MemoryAts::add_application`],
/// [`MemoryAts::move_to`]), read what was written to it ([`MemoryAts::writes`],
/// [`MemoryAts::labels_of`], [`MemoryAts::created`]), inject outages
/// ([`MemoryAts::take_down`], [`MemoryAts::fail_write_backs`],
/// [`MemoryAts::delay_write_backs`]) or make it break one promise of the contract on
/// purpose ([`Misbehaviour`]).
///
/// Build one with [`MemoryAts::builder`]; every method takes `&self`, so share it in
/// an `Arc`. [`MemoryAts::delivery`] makes a signed webhook for it and
/// [`MemoryAts::fixture`] a conformance [`Fixture`].
pub struct MemoryAts {
    settings: Settings,
    state: Mutex<State>,
    outages: Outages,
}

/// What a [`MemoryAts`] is set up with and keeps unchanged: the builder fills it in.
#[derive(Debug)]
struct Settings {
    name: AtsName,
    capabilities: Capabilities,
    webhooks: bool,
    jobs: Vec<Job>,
    stages: Vec<Stage>,
    page_size: usize,
    secret: Vec<u8>,
    misbehaviours: Vec<Misbehaviour>,
}

/// What tests and write-backs change.
#[derive(Default)]
struct State {
    /// By application id, so listing is in a stable order.
    applications: BTreeMap<String, Record>,
    /// By candidate id: one person may hold several applications.
    candidates: BTreeMap<String, CandidateDetails>,
    writes: Vec<(ApplicationRef, WriteBack)>,
    created: Vec<ApplicationRef>,
}

struct Record {
    application: ApplicationRef,
    stage: StageId,
    labels: Vec<String>,
    /// Mapped values by target (tags go to `labels`).
    fields: BTreeMap<Target, MappedValue>,
}

impl MemoryAts {
    /// A builder with the defaults: named `memory`, every capability and webhooks,
    /// jobs `job-1` (open) and `job-2` (closed), stages `new` and `screen`, two
    /// applications per page, no applications yet.
    pub fn builder() -> MemoryAtsBuilder {
        MemoryAtsBuilder::new()
    }

    /// Adds (or replaces) an application at `stage`, held by the candidate
    /// `application.candidate` with these details.
    pub fn add_application(
        &self,
        application: ApplicationRef,
        stage: impl Into<StageId>,
        candidate: CandidateDetails,
    ) {
        self.state().insert(application, stage.into(), candidate);
    }

    /// Moves an application to `stage`, as a recruiter would (no webhook is sent: make
    /// one with [`MemoryAts::delivery`]). Returns whether the application exists.
    pub fn move_to(&self, application: &str, stage: impl Into<StageId>) -> bool {
        match self.state().applications.get_mut(application) {
            Some(record) => {
                record.stage = stage.into();
                true
            }
            None => false,
        }
    }

    /// The stage an application is at.
    pub fn stage_of(&self, application: &str) -> Option<StageId> {
        let state = self.state();
        state.applications.get(application).map(|r| r.stage.clone())
    }

    /// The labels on an application's record, in the order they were added.
    pub fn labels_of(&self, application: &str) -> Vec<String> {
        let state = self.state();
        let record = state.applications.get(application);
        record.map(|r| r.labels.clone()).unwrap_or_default()
    }

    /// The mapped value `target` holds on an application's record.
    pub fn mapped_of(&self, application: &str, target: &Target) -> Option<MappedValue> {
        let state = self.state();
        let record = state.applications.get(application)?;
        record.fields.get(target).cloned()
    }

    /// Put `value` into `target` on an application's record, as a recruiter would in
    /// the ATS. Returns false when there is no such application.
    pub fn set_mapped(&self, application: &str, target: Target, value: MappedValue) -> bool {
        let mut state = self.state();
        let Some(record) = state.applications.get_mut(application) else {
            return false;
        };
        record.fields.insert(target, value);
        true
    }

    /// Every write-back that succeeded, in order.
    pub fn writes(&self) -> Vec<(ApplicationRef, WriteBack)> {
        self.state().writes.clone()
    }

    /// The applications [`create_application`](ats_bridge::Ats::create_application)
    /// made, in order.
    pub fn created(&self) -> Vec<ApplicationRef> {
        self.state().created.clone()
    }

    /// Every call about `application` (reading its candidate, resolving a delivery
    /// about it, writing back to it) fails like an outage (a 503) from now on.
    pub fn take_down(&self, application: &str) {
        self.outages.take_down(application);
    }

    /// The next `count` write-backs fail like an outage (a 503) before they change
    /// anything.
    pub fn fail_write_backs(&self, count: u64) {
        self.outages.fail_write_backs(count);
    }

    /// Each write-back waits this long before it changes anything (zero: none).
    pub fn delay_write_backs(&self, delay: Duration) {
        self.outages.delay_write_backs(delay);
    }

    /// A conformance [`Fixture`] for this ATS: `application` at the trigger stage
    /// `trigger_stage` of its job, deliveries signed by [`MemoryAts::delivery`], labels
    /// read from memory.
    pub fn fixture(self: &Arc<Self>, application: ApplicationRef, trigger_stage: &str) -> Fixture {
        let signer = Arc::clone(self);
        let reader = Arc::clone(self);
        Fixture::new(application.job.clone(), trigger_stage, application)
            .deliveries(move |application, stage| signer.delivery(application, stage))
            .labels_of(move |application| {
                let labels = reader.labels_of(application.application.as_str());
                async move { labels }
            })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already; the data is
        // still what it was, so later reads need not fail too.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn misbehaves(&self, misbehaviour: Misbehaviour) -> bool {
        self.settings.misbehaviours.contains(&misbehaviour)
    }
}

impl State {
    fn insert(&mut self, application: ApplicationRef, stage: StageId, candidate: CandidateDetails) {
        self.candidates
            .insert(application.candidate.to_string(), candidate);
        let id = application.application.to_string();
        let record = Record {
            application,
            stage,
            labels: Vec::new(),
            fields: BTreeMap::new(),
        };
        self.applications.insert(id, record);
    }
}

/// Ids and counts only: the records hold names, emails and phones (unless
/// [`Misbehaviour::DebugPrintsRecords`] says otherwise).
impl fmt::Debug for MemoryAts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        let mut debug = f.debug_struct("MemoryAts");
        debug
            .field("name", &self.settings.name)
            .field("capabilities", &self.settings.capabilities)
            .field("applications", &state.applications.len());
        if self.misbehaves(Misbehaviour::DebugPrintsRecords) {
            let names: Vec<&str> = state.candidates.values().map(|c| c.name.as_str()).collect();
            debug.field("names", &names);
        }
        debug.finish_non_exhaustive()
    }
}
