//! The ATS as the chaos suite sees it: the testkit's [`MemoryAts`] behind a wrapper
//! that stops a call at a step boundary (to "kill" or pause the engine there), answers
//! 401 while its credentials are "revoked", and looks candidates up by e-mail
//! (screening's second attempt). Like the SmartRecruiters and Lever adapters, it looks
//! for an earlier copy of a results note unless the engine says the write-back is a
//! first attempt ([`WriteBack::first_attempt`]): a crash after the note and before the
//! ledger recorded it is the adapter's to absorb, and a first attempt that finds its
//! note already there is the engine's mistake, written again for the verdict to count.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, Capabilities,
    CreatedApplication, Job, JobId, Stage, StageId, WriteBack, WriteBackReceipt,
};
use ats_bridge::note::render_note;
use ats_bridge::{
    Ats, AtsError, AtsResult, AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookRejection,
    WebhookRequest, WebhookSource,
};
use ats_testkit::MemoryAts;
use tokio::sync::oneshot;

/// The longest note the stand-in keeps (SmartRecruiters' limit).
const NOTE_MAX_CHARS: usize = 10_000;

/// A step boundary inside the engine, named by the ATS call on either side of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Point {
    /// Invite: the row is claimed, the candidate not read yet.
    BeforeCandidateRead,
    /// Invite: the candidate is read, the Willo invite not sent yet.
    AfterCandidateRead,
    /// Invite: Willo has sent the invite, the ATS has no "invited" label yet.
    BeforeInvitedLabel,
    /// Invite: labelled, the ledger does not know the participant yet.
    AfterInvitedLabel,
    /// Write-back: the outcome is claimed, the record's labels not changed yet.
    BeforeLabels,
    /// Write-back: labels changed, the results note not written yet.
    AfterLabels,
    /// Write-back: the note is written, the ledger does not know yet.
    AfterNote,
    /// Screening: the screening is claimed, the candidate not created yet.
    BeforeCreate,
    /// Screening: the candidate is created, the ledger does not know yet.
    AfterCreate,
}

impl Point {
    /// Every boundary, in the order a candidate's life passes them.
    pub const ALL: [Point; 9] = [
        Point::BeforeCandidateRead,
        Point::AfterCandidateRead,
        Point::BeforeInvitedLabel,
        Point::AfterInvitedLabel,
        Point::BeforeLabels,
        Point::AfterLabels,
        Point::AfterNote,
        Point::BeforeCreate,
        Point::AfterCreate,
    ];
}

/// A call held at a boundary: `reached` fires when the engine gets there; dropping
/// `release` without sending keeps the call there for ever (a killed process),
/// sending lets it go on (a paused one resumed).
pub struct Held {
    /// Fires when the engine reaches the boundary, with the application the call is
    /// about (none for a candidate not created yet).
    pub reached: oneshot::Receiver<Option<ApplicationRef>>,
    /// Lets the held call carry on.
    pub release: oneshot::Sender<()>,
}

/// One armed stop: the first call to reach `point` is held.
struct Stop {
    point: Point,
    reached: oneshot::Sender<Option<ApplicationRef>>,
    release: oneshot::Receiver<()>,
}

/// What kind of write-back a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteKind {
    InvitedLabel,
    Changes,
    Note,
}

/// The wrapped ATS.
pub struct ChaosAts {
    inner: Arc<MemoryAts>,
    invited_label: String,
    refusing: AtomicBool,
    stops: Mutex<Vec<Stop>>,
    /// Applications created by screening, by lowercased e-mail (for look-ups).
    created: Mutex<BTreeMap<String, ApplicationRef>>,
    /// The notes' texts on each application, to find an earlier copy.
    notes: Mutex<BTreeMap<String, Vec<String>>>,
}

impl std::fmt::Debug for ChaosAts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChaosAts")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl ChaosAts {
    /// Wrap `inner`; `invited_label` tells an invite's label from other writes.
    pub fn new(inner: Arc<MemoryAts>, invited_label: &str) -> Self {
        Self {
            inner,
            invited_label: invited_label.to_owned(),
            refusing: AtomicBool::new(false),
            stops: Mutex::new(Vec::new()),
            created: Mutex::new(BTreeMap::new()),
            notes: Mutex::new(BTreeMap::new()),
        }
    }

    /// The wrapped in-memory ATS (its records, writes and outages).
    pub fn memory(&self) -> &MemoryAts {
        &self.inner
    }

    /// While on, every call is answered 401 (the API key was revoked).
    pub fn refuse_credentials(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    /// Hold the first call that reaches `point`.
    pub fn stop_at(&self, point: Point) -> Held {
        let (reached_tx, reached) = oneshot::channel();
        let (release, release_rx) = oneshot::channel();
        lock(&self.stops).push(Stop {
            point,
            reached: reached_tx,
            release: release_rx,
        });
        Held { reached, release }
    }

    /// At `point`: if a stop is armed there, announce it and wait to be released
    /// (for ever when the release is dropped: the process was killed).
    async fn boundary(&self, point: Point, about: Option<&ApplicationRef>) {
        let stop = {
            let mut stops = lock(&self.stops);
            let at = stops.iter().position(|stop| stop.point == point);
            at.map(|at| stops.remove(at))
        };
        if let Some(stop) = stop {
            let _ = stop.reached.send(about.cloned());
            if stop.release.await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    fn refused(&self) -> AtsResult<()> {
        if self.refusing.load(Ordering::SeqCst) {
            let error = client_core::ApiError::new(
                client_core::StatusCode::UNAUTHORIZED,
                "the API key was revoked",
            );
            return Err(AtsError::Api(error.into_error()));
        }
        Ok(())
    }

    fn kind(&self, write: &WriteBack) -> WriteKind {
        if write.outcome.is_some() {
            WriteKind::Note
        } else if write.add_labels == [self.invited_label.clone()] && write.remove_labels.is_empty()
        {
            WriteKind::InvitedLabel
        } else {
            WriteKind::Changes
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl Ats for ChaosAts {
    fn name(&self) -> AtsName {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        self.refused()?;
        self.inner.jobs().await
    }

    async fn stages(&self, job: &JobId) -> AtsResult<Vec<Stage>> {
        self.refused()?;
        self.inner.stages(job).await
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        self.boundary(Point::BeforeCandidateRead, Some(application))
            .await;
        self.refused()?;
        let details = self.inner.candidate(application).await?;
        self.boundary(Point::AfterCandidateRead, Some(application))
            .await;
        Ok(details)
    }

    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        Some(self)
    }

    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        self.refused()?;
        self.inner.applications_at_stage(job, stage, cursor).await
    }

    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let kind = self.kind(write);
        match kind {
            WriteKind::InvitedLabel => {
                self.boundary(Point::BeforeInvitedLabel, Some(application))
                    .await
            }
            WriteKind::Changes => self.boundary(Point::BeforeLabels, Some(application)).await,
            WriteKind::Note => {}
        }
        self.refused()?;
        let note = write
            .outcome
            .as_ref()
            .map(|outcome| render_note(outcome, NOTE_MAX_CHARS));
        let id = application.application.to_string();
        if let Some(text) = &note
            && !write.first_attempt
            && lock(&self.notes)
                .get(&id)
                .is_some_and(|notes| notes.contains(text))
        {
            // The adapters' repeat check: the note is there already.
            self.boundary(Point::AfterNote, Some(application)).await;
            return Ok(WriteBackReceipt::default());
        }
        let receipt = self.inner.write_back(application, write).await?;
        if let Some(text) = note {
            lock(&self.notes).entry(id).or_default().push(text);
        }
        match kind {
            WriteKind::InvitedLabel => {
                self.boundary(Point::AfterInvitedLabel, Some(application))
                    .await
            }
            WriteKind::Changes => self.boundary(Point::AfterLabels, Some(application)).await,
            WriteKind::Note => self.boundary(Point::AfterNote, Some(application)).await,
        }
        Ok(receipt)
    }

    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        self.boundary(Point::BeforeCreate, None).await;
        self.refused()?;
        let created = self.inner.create_application(job, candidate).await?;
        if let Some(email) = &candidate.email {
            lock(&self.created).insert(email.to_lowercase(), created.application.clone());
        }
        self.boundary(Point::AfterCreate, Some(&created.application))
            .await;
        Ok(created)
    }

    async fn find_application(
        &self,
        job: &JobId,
        email: &str,
    ) -> AtsResult<Option<ApplicationRef>> {
        self.refused()?;
        let created = lock(&self.created);
        let found = created.get(&email.to_lowercase());
        Ok(found.filter(|found| found.job == *job).cloned())
    }
}

impl WebhookSource for ChaosAts {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        self.inner.verify(request)
    }
}

#[async_trait]
impl AtsWebhooks for ChaosAts {
    /// The memory ATS's events without the candidate's details, as most vendors'
    /// deliveries name the application only: the engine reads the candidate, so the
    /// invite has a boundary before the send.
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        self.refused()?;
        let events = self.inner.resolve(delivery).await?;
        Ok(events
            .into_iter()
            .map(|event| match event {
                AtsEvent::StageChanged {
                    application, stage, ..
                } => AtsEvent::StageChanged {
                    application,
                    stage,
                    details: None,
                },
                other => other,
            })
            .collect())
    }
}
