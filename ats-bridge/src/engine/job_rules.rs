//! Choosing the interview for a job: the jobs' attributes (cached per reconciler
//! pass, refreshed by job webhooks) and Willo's interview list (for interview tags,
//! refreshed on an interval and on demand), both replaced while the engine runs.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::Engine;
use super::action::EngineError;
use crate::Ats;
use crate::AtsError;
use crate::model::{AtsName, InterviewKey, Job, JobId, JobState, StageId};
use crate::rules::{Choice, InterviewDirectory};

/// What the engine knows of jobs and interviews between calls.
#[derive(Default)]
pub(super) struct JobRulesState {
    /// Jobs by connection and id, as last listed or read.
    jobs: RwLock<HashMap<AtsName, HashMap<JobId, Job>>>,
    /// Willo's interviews; `None` until first read.
    interviews: RwLock<Option<Arc<InterviewDirectory>>>,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind: still usable.
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
    /// Read Willo's interview list again, so interview tags select new and renamed
    /// interviews (and no longer deleted ones) without a restart. Returns how many
    /// interviews have a tag. [`Engine::run`] calls it every
    /// [`EngineConfig::interview_refresh`](super::EngineConfig::interview_refresh)
    /// when the rules have `[[interview_tags]]`.
    pub async fn refresh_interviews(&self) -> Result<usize, EngineError> {
        let directory = InterviewDirectory::fetch(&self.inner.willo).await?;
        let count = directory.interviews().len();
        *write(&self.inner.job_rules.interviews) = Some(Arc::new(directory));
        tracing::info!(interviews = count, "Willo interview list refreshed");
        Ok(count)
    }

    /// The Willo interviews interview tags are matched against now (empty until
    /// first read).
    pub fn interview_directory(&self) -> Arc<InterviewDirectory> {
        read(&self.inner.job_rules.interviews)
            .clone()
            .unwrap_or_default()
    }

    /// The interviews, read first if they never were (a failure is logged and
    /// leaves tags matching nothing until the next refresh).
    async fn interviews_for_tags(&self) -> Arc<InterviewDirectory> {
        let loaded = read(&self.inner.job_rules.interviews).clone();
        if let Some(directory) = loaded {
            return directory;
        }
        if let Err(error) = self.refresh_interviews().await {
            tracing::warn!(%error, "reading Willo's interviews for interview tags failed");
        }
        self.interview_directory()
    }

    /// Replace what is known of `ats`'s jobs with a fresh listing (a reconciler
    /// pass), so attributes changed in the ATS are seen.
    pub(super) fn remember_jobs(&self, ats: &AtsName, jobs: &[Job]) {
        let listed = jobs
            .iter()
            .map(|job| (job.id.clone(), job.clone()))
            .collect();
        write(&self.inner.job_rules.jobs).insert(ats.clone(), listed);
    }

    /// The job as last listed or read, if it was.
    pub(super) fn cached_job(&self, ats: &AtsName, job: &JobId) -> Option<Job> {
        read(&self.inner.job_rules.jobs)
            .get(ats)
            .and_then(|jobs| jobs.get(job))
            .cloned()
    }

    /// Forget one job (a job webhook said it changed): its attributes are read again
    /// when next needed.
    pub(super) fn forget_job(&self, ats: &AtsName, job: &JobId) {
        if let Some(jobs) = write(&self.inner.job_rules.jobs).get_mut(ats) {
            jobs.remove(job);
        }
    }

    /// `job` with attributes enough for `ats`'s rules: from the cache, else read
    /// from the ATS (and cached). `None` when the ATS says it no longer exists,
    /// which is recorded as closed.
    async fn job_for_rules(
        &self,
        ats: &Arc<dyn Ats>,
        job: &JobId,
    ) -> Result<Option<Job>, EngineError> {
        let name = ats.name();
        let needs_details = self.inner.rules.needs_job_details(&name);
        let cached = self
            .cached_job(&name, job)
            .filter(|known| known.attributes.complete || !needs_details);
        if cached.is_some() {
            return Ok(cached);
        }
        match ats.job_details(job).await {
            Ok(read_now) => {
                write(&self.inner.job_rules.jobs)
                    .entry(name)
                    .or_default()
                    .insert(job.clone(), read_now.clone());
                Ok(Some(read_now))
            }
            Err(AtsError::NotFound { .. }) => {
                self.record_deleted_job(&name, job).await?;
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A job the ATS no longer has is recorded as closed: nothing more is sent for
    /// it (and it is open again if it comes back).
    pub(super) async fn record_deleted_job(
        &self,
        ats: &AtsName,
        job: &JobId,
    ) -> Result<(), EngineError> {
        tracing::info!(%ats, %job, "job not found in the ATS: recorded as closed");
        self.forget_job(ats, job);
        self.inner
            .stores
            .state
            .set_job_state(ats, job, &JobState::Closed, self.now_ms())
            .await?;
        Ok(())
    }

    /// The interview for an application of `job` reaching `stage`, as the rules
    /// say. Rules that look at no attribute need no ATS call; the others read the
    /// job's attributes (cached) and, for interview tags, Willo's interviews.
    pub(crate) async fn choose_interview(
        &self,
        ats: &Arc<dyn Ats>,
        job: &JobId,
        stage: &StageId,
    ) -> Result<Option<InterviewKey>, EngineError> {
        let name = ats.name();
        let rules = &self.inner.rules;
        if !rules.uses_job_attributes(&name) {
            return Ok(rules.interview_for(&name, job, stage).cloned());
        }
        let Some(known) = self.job_for_rules(ats, job).await? else {
            return Ok(None);
        };
        let interviews = if rules.interview_tags.iter().any(|r| r.ats == name) {
            self.interviews_for_tags().await
        } else {
            Arc::default()
        };
        Ok(self.interview_of(&name, &known, stage, &interviews))
    }

    /// What the rules choose for `job` at `stage`, logging tags that name several
    /// interviews (ids only).
    pub(super) fn interview_of(
        &self,
        ats: &AtsName,
        job: &Job,
        stage: &StageId,
        interviews: &InterviewDirectory,
    ) -> Option<InterviewKey> {
        match self.inner.rules.choose(ats, job, stage, interviews) {
            Choice::Send { interview, .. } => Some(interview),
            Choice::AmbiguousTags { rule, interviews } => {
                tracing::warn!(
                    %ats,
                    job = %job.id,
                    %rule,
                    interviews = ?interviews.iter().map(InterviewKey::as_str).collect::<Vec<_>>(),
                    "the job carries the tags of several interviews: none is sent"
                );
                None
            }
            Choice::NoRule => None,
        }
    }

    /// Jobs for a reconciler pass's matching, with details read for those whose
    /// listing left out attributes the rules need (a job that cannot be read is
    /// left out of this pass, its error in `errors`), and the interviews for tags.
    pub(super) async fn jobs_for_pass(
        &self,
        ats: &Arc<dyn Ats>,
        listed: Vec<Job>,
        errors: &mut Vec<String>,
    ) -> Result<(Vec<Job>, Arc<InterviewDirectory>), EngineError> {
        let name = ats.name();
        let rules = &self.inner.rules;
        let mut jobs = Vec::with_capacity(listed.len());
        for job in listed {
            if job.attributes.complete || !rules.needs_job_details(&name) {
                jobs.push(job);
                continue;
            }
            match self.job_for_rules(ats, &job.id).await {
                Ok(Some(read_now)) => jobs.push(read_now),
                Ok(None) => {}
                Err(EngineError::Ats(error)) => {
                    errors.push(format!("{name}/{}: reading the job: {error}", job.id));
                }
                Err(error) => return Err(error),
            }
        }
        let interviews = if rules.interview_tags.iter().any(|r| r.ats == name) {
            self.interviews_for_tags().await
        } else {
            Arc::default()
        };
        Ok((jobs, interviews))
    }
}
