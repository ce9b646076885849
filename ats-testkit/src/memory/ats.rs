//! The [`Ats`] contract, kept in memory (and broken where a [`Misbehaviour`] says so).

use async_trait::async_trait;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsName, CandidateDetails, CandidateMatch, Capabilities,
    CreatedApplication, Job, JobId, Stage, StageId, WriteBack, WriteBackReceipt,
};
use ats_bridge::{Ats, AtsError, AtsResult, AtsWebhooks};

use super::{MemoryAts, Misbehaviour};

impl MemoryAts {
    /// `NotFound` for an application it does not hold (or the panic a misbehaving
    /// implementation gives instead).
    pub(super) fn not_found(&self, application: &str) -> AtsError {
        assert!(
            !self.misbehaves(Misbehaviour::PanicsOnMissingApplication),
            "no application {application}"
        );
        AtsError::NotFound {
            what: format!("application {application}"),
        }
    }

    fn supported(&self, supported: bool, operation: &'static str) -> AtsResult<()> {
        let ignored = self.misbehaves(Misbehaviour::IgnoresCapabilities) && operation == "labels";
        if supported || ignored {
            Ok(())
        } else {
            Err(AtsError::Unsupported { operation })
        }
    }

    /// The details of the candidate holding `application`.
    fn details(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        let id = application.application.as_str();
        self.outages.check(id)?;
        let state = self.state();
        let candidate = state.candidates.get(application.candidate.as_str());
        candidate.cloned().ok_or_else(|| self.not_found(id))
    }
}

#[async_trait]
impl Ats for MemoryAts {
    fn name(&self) -> AtsName {
        self.settings.name.clone()
    }

    fn capabilities(&self) -> Capabilities {
        assert!(
            !self.misbehaves(Misbehaviour::PanicsInCapabilities),
            "no capabilities today"
        );
        self.settings.capabilities
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        if self.misbehaves(Misbehaviour::HangsListingJobs) {
            futures::future::pending::<()>().await;
        }
        Ok(self.settings.jobs.clone())
    }

    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(self.settings.stages.clone())
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        self.details(application)
    }

    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        self.settings.webhooks.then_some(self as &dyn AtsWebhooks)
    }

    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        self.supported(self.settings.capabilities.polling, "polling")?;
        // The cursor is the offset of the page's first application.
        let start: usize = match cursor {
            None => 0,
            Some(c) => c
                .parse()
                .map_err(|_| AtsError::Invalid(format!("cursor {c}")))?,
        };
        let at_stage: Vec<ApplicationRef> = self
            .state()
            .applications
            .values()
            .filter(|r| r.application.job == *job && r.stage == *stage)
            .map(|r| r.application.clone())
            .collect();
        let page = start / self.settings.page_size;
        let mut items: Vec<ApplicationRef> = at_stage
            .iter()
            .skip(start)
            .take(self.settings.page_size)
            .cloned()
            .collect();
        if self.misbehaves(Misbehaviour::ListsOnAnotherJob) && page == 1 {
            for item in &mut items {
                item.job = "job-2".into();
            }
        }
        let end = start + self.settings.page_size;
        let next = if self.misbehaves(Misbehaviour::RepeatsCursor) && page == 1 {
            Some(start.to_string())
        } else if self.misbehaves(Misbehaviour::EndlessPages) || end < at_stage.len() {
            Some(end.to_string())
        } else {
            None
        };
        Ok(ApplicationsPage::new(items, next))
    }

    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let id = application.application.as_str();
        self.outages.check(id)?;
        if !self.state().applications.contains_key(id) {
            return Err(self.not_found(id));
        }
        if write.outcome.is_some() {
            self.supported(self.settings.capabilities.notes, "notes")?;
        }
        if !write.add_labels.is_empty() || !write.remove_labels.is_empty() {
            self.supported(self.settings.capabilities.labels, "labels")?;
        }
        if write.move_to.is_some() {
            self.supported(self.settings.capabilities.stage_moves, "stage moves")?;
        }
        self.outages.before_write_back().await?;
        let duplicates = self.misbehaves(Misbehaviour::DuplicatesLabels);
        let mut state = self.state();
        let record = state
            .applications
            .get_mut(id)
            .ok_or_else(|| self.not_found(id))?;
        for label in &write.add_labels {
            if duplicates || !record.labels.contains(label) {
                record.labels.push(label.clone());
            }
        }
        record
            .labels
            .retain(|label| !write.remove_labels.contains(label));
        if let Some(stage) = &write.move_to {
            record.stage = stage.clone();
        }
        state.writes.push((application.clone(), write.clone()));
        Ok(WriteBackReceipt::default())
    }

    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        self.supported(
            self.settings.capabilities.create_candidates,
            "creating candidates",
        )?;
        let mut state = self.state();
        let id = format!("created-{}", state.created.len() + 1);
        let application = ApplicationRef {
            application: id.as_str().into(),
            candidate: format!("cand-{id}").into(),
            job: job.clone(),
        };
        state.insert(application.clone(), "new".into(), candidate.clone());
        state.created.push(application.clone());
        // Every creation makes a new person here: nothing is matched by e-mail.
        Ok(CreatedApplication::new(application).matched(CandidateMatch::New))
    }
}
