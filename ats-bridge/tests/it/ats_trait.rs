//! The `Ats` trait as an integrator meets it: a small in-memory ATS, used through
//! `Arc<dyn Ats>` the way the engine holds it.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, Capabilities, Job,
    JobId, JobState, Stage, StageId, WriteBack, WriteBackReceipt,
};
use ats_bridge::{
    Ats, AtsError, AtsResult, AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookEventsError,
    WebhookRejection, WebhookRequest, WebhookSource,
};
use client_core::header::HeaderMap;

#[derive(Debug, Default)]
struct TinyAts {
    written: Mutex<Vec<(ApplicationRef, WriteBack)>>,
}

fn application(n: u32) -> ApplicationRef {
    ApplicationRef {
        application: format!("app-{n}").into(),
        candidate: format!("cand-{n}").into(),
        job: "job-1".into(),
    }
}

#[async_trait]
impl Ats for TinyAts {
    fn name(&self) -> AtsName {
        "tiny".into()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::none().with_labels(true).with_polling(true)
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        Ok(vec![Job::new("job-1", "Nurse", JobState::Open)])
    }

    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(vec![Stage::new("screen", "Screening")])
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        Err(AtsError::NotFound {
            what: format!("candidate {}", application.candidate),
        })
    }

    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        Some(self)
    }

    async fn applications_at_stage(
        &self,
        _job: &JobId,
        _stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        Ok(match cursor {
            None => ApplicationsPage::new(vec![application(1)], Some("2".into())),
            Some(_) => ApplicationsPage::new(vec![application(2)], None),
        })
    }

    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        self.written
            .lock()
            .unwrap()
            .push((application.clone(), write.clone()));
        Ok(WriteBackReceipt::default())
    }
}

impl WebhookSource for TinyAts {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        if request
            .headers
            .get("x-tiny-token")
            .is_none_or(|v| v != "ok")
        {
            return Err(WebhookRejection::BadSignature);
        }
        let n: u32 = std::str::from_utf8(request.body)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                WebhookRejection::Malformed("body is not an application number".into())
            })?;
        Ok(VerifiedDelivery::new(
            n.to_string(),
            StoredDelivery::new(n.to_string()),
        ))
    }
}

#[async_trait]
impl AtsWebhooks for TinyAts {
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let n: u32 = std::str::from_utf8(&delivery.body)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| AtsError::Invalid("not a stored delivery".into()))?;
        Ok(vec![AtsEvent::StageChanged {
            application: application(n),
            stage: "screen".into(),
            details: None,
        }])
    }
}

#[tokio::test]
async fn an_integrators_ats_works_through_a_trait_object() {
    let tiny = Arc::new(TinyAts::default());
    let ats: Arc<dyn Ats> = tiny.clone();
    assert_eq!(ats.name().as_str(), "tiny");
    assert!(ats.capabilities().labels && !ats.capabilities().notes);

    let mut headers = HeaderMap::new();
    headers.insert("x-tiny-token", "ok".parse().unwrap());
    let webhooks = ats.webhooks().expect("the ATS has webhooks");
    let events = webhooks
        .events(&WebhookRequest::new(&headers, b"7"))
        .await
        .unwrap();
    assert_eq!(
        events,
        [AtsEvent::StageChanged {
            application: application(7),
            stage: "screen".into(),
            details: None,
        }]
    );
    let refused = webhooks
        .events(&WebhookRequest::new(&HeaderMap::new(), b"7"))
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        WebhookEventsError::Rejected(WebhookRejection::BadSignature)
    ));

    let first = ats
        .applications_at_stage(&"job-1".into(), &"screen".into(), None)
        .await
        .unwrap();
    let next = ats
        .applications_at_stage(
            &"job-1".into(),
            &"screen".into(),
            first.next_cursor.as_deref(),
        )
        .await
        .unwrap();
    assert_eq!(next.applications, [application(2)]);
    assert_eq!(next.next_cursor, None);

    let write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    ats.write_back(&application(1), &write).await.unwrap();
    assert_eq!(tiny.written.lock().unwrap().len(), 1);

    let unsupported = ats
        .create_application(
            &"job-1".into(),
            &CandidateDetails {
                name: "Jane Doe".into(),
                email: None,
                phone: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(unsupported, AtsError::Unsupported { .. }));
    assert!(!unsupported.is_transient());
}
