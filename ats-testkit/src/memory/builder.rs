//! How a [`MemoryAts`] starts: its name, what it supports, its catalogue and records.

use std::sync::Mutex;

use ats_bridge::model::{
    ApplicationRef, AtsName, CandidateDetails, Capabilities, Job, JobState, Stage, StageId,
};

use super::faults::{Misbehaviour, Outages};
use super::{MemoryAts, Settings, State};

/// The key deliveries are signed with unless [`MemoryAtsBuilder::webhook_secret`] sets
/// another.
const DEFAULT_SECRET: &[u8] = b"memory-ats-secret";

/// Sets up a [`MemoryAts`]; start from [`MemoryAts::builder`].
#[derive(Debug)]
pub struct MemoryAtsBuilder {
    settings: Settings,
    applications: Vec<(ApplicationRef, StageId, CandidateDetails)>,
}

impl MemoryAtsBuilder {
    pub(super) fn new() -> Self {
        Self {
            settings: Settings {
                name: "memory".into(),
                capabilities: Capabilities::all(),
                webhooks: true,
                jobs: vec![
                    Job::new("job-1", "Nurse", JobState::Open),
                    Job::new("job-2", "Porter", JobState::Closed),
                ],
                stages: vec![Stage::new("new", "New"), Stage::new("screen", "Screening")],
                page_size: 2,
                secret: DEFAULT_SECRET.to_vec(),
                misbehaviours: Vec::new(),
            },
            applications: Vec::new(),
        }
    }

    /// The name it reports (the rules' `ats`).
    pub fn name(mut self, name: impl Into<AtsName>) -> Self {
        self.settings.name = name.into();
        self
    }

    /// What it reports and honours; calls outside them answer `Unsupported`.
    pub fn capabilities(mut self, capabilities: Capabilities) -> Self {
        self.settings.capabilities = capabilities;
        self
    }

    /// The jobs it lists, in place of the defaults.
    pub fn jobs(mut self, jobs: impl IntoIterator<Item = Job>) -> Self {
        self.settings.jobs = jobs.into_iter().collect();
        self
    }

    /// The stages every job has, in place of the defaults.
    pub fn stages(mut self, stages: impl IntoIterator<Item = Stage>) -> Self {
        self.settings.stages = stages.into_iter().collect();
        self
    }

    /// Applications per page when listing (at least 1).
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.settings.page_size = page_size.max(1);
        self
    }

    /// Whether it sends webhooks (default true): `false` makes [`ats_bridge::Ats::webhooks`]
    /// none, as for a system that has none.
    pub fn webhooks(mut self, on: bool) -> Self {
        self.settings.webhooks = on;
        self
    }

    /// The key its webhook signatures use.
    pub fn webhook_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.settings.secret = secret.into();
        self
    }

    /// An application it starts with; see [`MemoryAts::add_application`].
    pub fn application(
        mut self,
        application: ApplicationRef,
        stage: impl Into<StageId>,
        candidate: CandidateDetails,
    ) -> Self {
        self.applications
            .push((application, stage.into(), candidate));
        self
    }

    /// Breaks one promise of the contract on purpose (for tests of code that must
    /// notice, such as the conformance suite).
    pub fn misbehave(mut self, misbehaviour: Misbehaviour) -> Self {
        self.settings.misbehaviours.push(misbehaviour);
        self
    }

    /// The ATS.
    pub fn build(self) -> MemoryAts {
        let mut state = State::default();
        for (application, stage, candidate) in self.applications {
            state.insert(application, stage, candidate);
        }
        MemoryAts {
            settings: self.settings,
            state: Mutex::new(state),
            outages: Outages::default(),
        }
    }
}
