//! Catching what webhooks missed: applications sitting at trigger stages, rows due
//! for a retry, and invited participants who never reported back.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::StreamExt as _;
use tokio::sync::Semaphore;

use super::Engine;
use super::action::{Action, EngineError};
use super::invite::InviteCause;
use super::sync::SyncCause;
use crate::model::{AtsName, InterviewKey, Job, JobId, JobState, StageId};
use crate::rules::JobSelector;
use crate::store::{LedgerRow, RowState};
use crate::{Ats, AtsError};

/// What one reconciler pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconcileReport {
    /// Applications found at trigger stages.
    pub applications_seen: u64,
    /// Invites sent (webhooks had missed them).
    pub invited: u64,
    /// Participants checked in Willo.
    pub participants_checked: u64,
    /// Results written back.
    pub written_back: u64,
    /// Listings that failed, as "ats/job/stage: error" (retried next pass).
    pub errors: Vec<String>,
}

impl ReconcileReport {
    fn count(&mut self, action: &Action) {
        match action {
            Action::Invited { .. } => self.invited += 1,
            Action::WroteBack { .. } | Action::Screened { .. } => self.written_back += 1,
            _ => {}
        }
    }

    /// One line at info saying what the pass did (counts and ids only), and a warning
    /// listing the listings that failed, if any.
    pub(crate) fn log_summary(&self, took: std::time::Duration) {
        tracing::info!(
            applications_seen = self.applications_seen,
            invited = self.invited,
            participants_checked = self.participants_checked,
            written_back = self.written_back,
            errors = self.errors.len(),
            took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "reconciler pass done"
        );
        if !self.errors.is_empty() {
            tracing::warn!(errors = ?self.errors, "reconciler pass had errors");
        }
    }

    /// Add what another part of the pass did.
    fn absorb(&mut self, other: ReconcileReport) {
        self.applications_seen += other.applications_seen;
        self.invited += other.invited;
        self.participants_checked += other.participants_checked;
        self.written_back += other.written_back;
        self.errors.extend(other.errors);
    }
}

/// (job, stage) listings of one ATS read at once in a pass. While one listing's last
/// invites finish, the next page is already being read and its invites take the free
/// slots, so the vendors never wait on the slowest invite of a page.
const LISTINGS_AT_ONCE: usize = 4;

impl Engine {
    /// One reconciler pass: for every trigger, list the applications at its stages
    /// (resuming from the stored cursor, at most
    /// [`EngineConfig::reconcile_pages_per_pass`](super::EngineConfig) pages) and
    /// feed them to the invite path; then check invited participants who have been
    /// quiet for long. Everything goes through the same claims as webhooks, so
    /// nothing already done is done again.
    ///
    /// The ATS connections are listed side by side (each has its own rate limits),
    /// and within one, up to four (job, stage) listings; the invites they find share
    /// [`EngineConfig::concurrency`](super::EngineConfig) slots.
    pub async fn reconcile(&self) -> Result<ReconcileReport, EngineError> {
        let slots = Semaphore::new(self.inner.config.concurrency.max(1));
        let passes = self
            .inner
            .sources
            .all_ats()
            .iter()
            .filter(|(_, ats)| ats.capabilities().polling)
            .map(|(name, ats)| self.reconcile_ats(name, ats, &slots));
        let mut report = ReconcileReport::default();
        for pass in futures::future::join_all(passes).await {
            report.absorb(pass?);
        }
        self.check_participants(&mut report).await?;
        Ok(report)
    }

    /// One ATS connection's part of a pass: every trigger (job, stage).
    async fn reconcile_ats(
        &self,
        name: &AtsName,
        ats: &Arc<dyn Ats>,
        slots: &Semaphore,
    ) -> Result<ReconcileReport, EngineError> {
        let mut report = ReconcileReport::default();
        let targets = self.reconcile_targets(name, ats, &mut report).await?;
        let mut listings = futures::stream::iter(targets)
            .map(|(job, stage, interview)| async move {
                self.reconcile_stage(ats, &job, &stage, &interview, slots)
                    .await
            })
            .buffer_unordered(LISTINGS_AT_ONCE);
        while let Some(listing) = listings.next().await {
            report.absorb(listing?);
        }
        Ok(report)
    }

    /// Work whose retry time has come: invites and write-backs that failed, and
    /// scheduled participant checks. Returns how many rows were taken. (A quiet
    /// participant's first check is made by [`Engine::reconcile`], which schedules
    /// the later ones here; [`Engine::run`] runs both.)
    pub async fn retry_due(&self) -> Result<usize, EngineError> {
        let config = &self.inner.config;
        let rows = self.rows_due(config.inbox_batch).await?;
        let taken = rows.len();
        futures::stream::iter(rows)
            .for_each_concurrent(config.concurrency, |row| {
                let engine = self.clone();
                async move {
                    let key = row.key.clone();
                    if let Err(error) = engine.retry_row(row).await {
                        tracing::warn!(row = %key, %error, "retry could not run");
                    }
                }
            })
            .await;
        Ok(taken)
    }

    async fn retry_row(&self, row: LedgerRow) -> Result<Action, EngineError> {
        match row.state {
            RowState::Pending => {
                let ats = self.ats(&row.key.ats)?.clone();
                let application = row.application();
                self.invite(&ats, &application, &row.key.interview, InviteCause::Rule)
                    .await
            }
            RowState::Invited => self.sync_row(row, SyncCause::Check).await,
            _ => self.sync_row(row, SyncCause::Retry).await,
        }
    }

    /// (job, stage, interview) for every open job a rule of `ats` covers. The jobs
    /// are listed at every pass (when `ats` has rules): each one's state is recorded,
    /// so a job named in a rule that was closed, put on hold or deleted (absent from
    /// the listing: recorded as closed) stops inviting now, not only when a webhook
    /// says so, and one reopened resumes. The listing also refreshes the attributes
    /// rules select jobs by. When it fails, jobs named by id are tried as their
    /// recorded state allows, and the error is reported.
    async fn reconcile_targets(
        &self,
        name: &AtsName,
        ats: &Arc<dyn Ats>,
        report: &mut ReconcileReport,
    ) -> Result<Vec<(JobId, StageId, InterviewKey)>, EngineError> {
        let rules = &self.inner.rules;
        let stages = rules.stages_of(name);
        if stages.is_empty() {
            return Ok(Vec::new());
        }
        let named: BTreeSet<JobId> = rules
            .triggers
            .iter()
            .filter(|t| &t.ats == name)
            .filter_map(|t| match &t.job {
                JobSelector::Job(job) => Some(job.clone()),
                JobSelector::Any => None,
            })
            .collect();
        let open = match ats.jobs().await {
            Ok(listed) => self.record_listed_jobs(name, &named, listed).await?,
            Err(error) => {
                report.errors.push(format!("{name}: listing jobs: {error}"));
                let mut still_open = Vec::new();
                for job in &named {
                    let state = self.inner.stores.state.job_state(name, job).await?;
                    if state != Some(JobState::Closed) {
                        let known = self.cached_job(name, job);
                        still_open.push(
                            known.unwrap_or_else(|| Job::new(job.clone(), "", JobState::Open)),
                        );
                    }
                }
                still_open
            }
        };
        let everything = rules
            .triggers
            .iter()
            .any(|t| &t.ats == name && t.job == JobSelector::Any)
            || rules.interview_tags.iter().any(|r| &r.ats == name);
        let covered: Vec<Job> = open
            .into_iter()
            .filter(|job| everything || named.contains(&job.id))
            .collect();
        let mut targets = Vec::new();
        if rules.uses_job_attributes(name) {
            let (jobs, interviews) = self.jobs_for_pass(ats, covered, &mut report.errors).await?;
            for job in &jobs {
                for stage in &stages {
                    if let Some(interview) = self.interview_of(name, job, stage, &interviews) {
                        targets.push((job.id.clone(), (*stage).clone(), interview));
                    }
                }
            }
        } else {
            for job in &covered {
                for stage in &stages {
                    if let Some(interview) = rules.interview_for(name, &job.id, stage) {
                        targets.push((job.id.clone(), (*stage).clone(), interview.clone()));
                    }
                }
            }
        }
        Ok(targets)
    }

    /// Record the state of every listed job, and closed for each job named in a rule
    /// that the listing no longer has (deleted); remember the listing for the rules.
    /// Returns the open jobs.
    async fn record_listed_jobs(
        &self,
        name: &AtsName,
        named: &BTreeSet<JobId>,
        listed: Vec<Job>,
    ) -> Result<Vec<Job>, EngineError> {
        let state = &self.inner.stores.state;
        for job in &listed {
            state
                .set_job_state(name, &job.id, &job.state, self.now_ms())
                .await?;
        }
        for job in named {
            if !listed.iter().any(|l| &l.id == job) {
                self.record_deleted_job(name, job).await?;
            }
        }
        self.remember_jobs(name, &listed);
        Ok(listed
            .into_iter()
            .filter(|job| job.state == JobState::Open)
            .collect())
    }

    /// Read up to a pass's worth of pages at one (job, stage) and invite what is new,
    /// each invite holding one of the pass's `slots`.
    async fn reconcile_stage(
        &self,
        ats: &Arc<dyn Ats>,
        job: &JobId,
        stage: &StageId,
        interview: &InterviewKey,
        slots: &Semaphore,
    ) -> Result<ReconcileReport, EngineError> {
        let mut report = ReconcileReport::default();
        let store = &self.inner.stores.state;
        let cursor_name = self.cursor_name(format!("reconcile/{}/{job}/{stage}", ats.name()));
        let mut cursor = store
            .cursor_get(&cursor_name)
            .await?
            .filter(|c| !c.is_empty());
        for _ in 0..self.inner.config.reconcile_pages_per_pass.max(1) {
            let page = match ats
                .applications_at_stage(job, stage, cursor.as_deref())
                .await
            {
                Ok(page) => page,
                Err(error) => {
                    if matches!(&error, AtsError::Api(client_core::Error::InvalidCursor(_))) {
                        // The saved position expired: start over next pass.
                        store.cursor_set(&cursor_name, "", self.now_ms()).await?;
                    }
                    report
                        .errors
                        .push(format!("{}/{job}/{stage}: {error}", ats.name()));
                    return Ok(report);
                }
            };
            report.applications_seen += page.applications.len() as u64;
            let (next_cursor, mut details) = (page.next_cursor, page.details);
            let listed = page.applications.into_iter().map(|application| {
                let known = details.remove(&application.application);
                (application, known)
            });
            let actions: Vec<Result<Action, EngineError>> = futures::stream::iter(listed)
                .map(|(application, known)| async move {
                    // The pass never closes its semaphore, so this always waits
                    // for a slot.
                    let _slot = slots.acquire().await.ok();
                    self.invite_knowing(ats, &application, interview, InviteCause::Rule, known)
                        .await
                })
                .buffer_unordered(self.inner.config.concurrency.max(1))
                .collect()
                .await;
            for action in actions {
                report.count(&action?);
            }
            cursor = next_cursor;
            store
                .cursor_set(&cursor_name, cursor.as_deref().unwrap_or(""), self.now_ms())
                .await?;
            if cursor.is_none() {
                break;
            }
        }
        Ok(report)
    }

    /// Check invited participants quiet for longer than the configured time (once
    /// each; further checks are scheduled as retries and bounded in number).
    async fn check_participants(&self, report: &mut ReconcileReport) -> Result<(), EngineError> {
        let checks = self.inner.config.participant_checks;
        let before = self
            .now_ms()
            .saturating_sub(super::failure::millis(checks.after));
        let rows = self.stale_invites(before, checks.per_pass).await?;
        report.participants_checked += rows.len() as u64;
        let actions: Vec<Result<Action, EngineError>> = futures::stream::iter(rows)
            .map(|row| {
                let engine = self.clone();
                async move { engine.sync_row(row, SyncCause::Check).await }
            })
            .buffer_unordered(self.inner.config.concurrency)
            .collect()
            .await;
        for action in actions {
            match action {
                Ok(action) => report.count(&action),
                Err(error) => report.errors.push(format!("participant check: {error}")),
            }
        }
        Ok(())
    }
}
