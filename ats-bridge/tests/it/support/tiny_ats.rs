//! A small in-memory ATS for engine tests: applications at stage `screen` of an open
//! and a closed job, write-backs recorded, outages injected on demand.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, Capabilities, Job,
    JobId, JobState, Stage, StageId, WriteBack, WriteBackReceipt,
};
use ats_bridge::{
    Ats, AtsError, AtsResult, AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookRejection,
    WebhookRequest, WebhookSource,
};

/// Applications at stage `screen` of `job-open` and `job-closed`, two per page.
#[derive(Debug, Default)]
pub struct TinyAts {
    pub written: Mutex<Vec<(ApplicationRef, WriteBack)>>,
    pub created: Mutex<Vec<ApplicationRef>>,
    /// Write-backs to refuse with a 503 before succeeding.
    pub failing_writes: AtomicU64,
    /// Milliseconds each write-back takes.
    pub write_delay_ms: AtomicU64,
    /// Whether applications are listed (only the reconciler test wants them).
    pub listing: AtomicBool,
}

pub fn app(n: u32, job: &str) -> ApplicationRef {
    ApplicationRef {
        application: format!("app-{n}").into(),
        candidate: format!("cand-{n}").into(),
        job: job.into(),
    }
}

pub fn unavailable() -> AtsError {
    let error = client_core::ApiError::new(
        client_core::StatusCode::SERVICE_UNAVAILABLE,
        "tiny-ats is down",
    );
    AtsError::Api(error.into_error())
}

#[async_trait]
impl Ats for TinyAts {
    fn name(&self) -> AtsName {
        "tiny".into()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        Ok(vec![
            Job::new("job-open", "Nurse", JobState::Open),
            Job::new("job-closed", "Porter", JobState::Closed),
        ])
    }

    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(vec![Stage::new("screen", "Screening")])
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        let n = application.candidate.as_str().trim_start_matches("cand-");
        Ok(CandidateDetails {
            name: format!("Candidate {n}"),
            email: Some(format!("candidate{n}@example.com")),
            phone: Some("+447700900123".into()),
        })
    }

    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        Some(self)
    }

    async fn applications_at_stage(
        &self,
        job: &JobId,
        _stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        if !self.listing.load(Ordering::SeqCst) {
            return Ok(ApplicationsPage::default());
        }
        let base = if job.as_str() == "job-open" { 0 } else { 100 };
        let all: Vec<u32> = (1..=5).map(|n| base + n).collect();
        let start: usize = cursor.map_or(0, |c| c.parse().unwrap());
        let end = (start + 2).min(all.len());
        let next = (end < all.len()).then(|| end.to_string());
        let apps = all[start..end]
            .iter()
            .map(|n| app(*n, job.as_str()))
            .collect();
        Ok(ApplicationsPage::new(apps, next))
    }

    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let delay = self.write_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        let failing = &self.failing_writes;
        if failing.load(Ordering::SeqCst) > 0 {
            failing.fetch_sub(1, Ordering::SeqCst);
            return Err(unavailable());
        }
        self.written
            .lock()
            .unwrap()
            .push((application.clone(), write.clone()));
        Ok(WriteBackReceipt::default())
    }

    async fn create_application(
        &self,
        job: &JobId,
        _candidate: &CandidateDetails,
    ) -> AtsResult<ApplicationRef> {
        let mut created = self.created.lock().unwrap();
        let made = app(500 + created.len() as u32, job.as_str());
        created.push(made.clone());
        Ok(made)
    }
}

impl TinyAts {
    pub fn notes(&self) -> usize {
        let written = self.written.lock().unwrap();
        written.iter().filter(|(_, w)| w.outcome.is_some()).count()
    }

    pub fn labels_added(&self) -> Vec<String> {
        let written = self.written.lock().unwrap();
        written
            .iter()
            .flat_map(|(_, w)| w.add_labels.clone())
            .collect()
    }
}

impl WebhookSource for TinyAts {
    /// Deliveries carry an `x-tiny` header; the body names them.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        if request.headers.get("x-tiny").is_none() {
            return Err(WebhookRejection::BadSignature);
        }
        Ok(VerifiedDelivery::new(
            String::from_utf8_lossy(request.body),
            StoredDelivery::new(request.body),
        ))
    }
}

#[async_trait]
impl AtsWebhooks for TinyAts {
    /// The body is an application number; `down` fails like an outage.
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let text = String::from_utf8_lossy(&delivery.body);
        if text == "down" {
            return Err(unavailable());
        }
        let n: u32 = text
            .parse()
            .map_err(|_| AtsError::Invalid("not a number".into()))?;
        Ok(vec![AtsEvent::StageChanged {
            application: app(n, "job-open"),
            stage: "screen".into(),
            details: None,
        }])
    }
}
