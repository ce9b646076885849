//! The conformance suite against an in-memory ATS: the correct one passes every
//! check, and each deliberately broken variant fails exactly the checks that catch
//! its fault, with a reason that names it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, Capabilities, Job,
    JobId, JobState, Stage, StageId, WriteBack, WriteBackReceipt,
};
use ats_bridge::{Ats, AtsError, AtsResult, VerifiedDelivery, WebhookRejection};
use ats_testkit::{Check, Conformance, Delivery, Fixture, Outcome, Report};
use client_core::header::{HeaderMap, HeaderValue};
use client_core::webhook::{constant_time_eq, hmac_sha256_hex};
use serde_json::{Value, json};

const SECRET: &[u8] = b"memory-ats-secret";
const SIGNATURE: &str = "x-memory-signature";
const JOB: &str = "job-1";
const TRIGGER: &str = "screen";
/// Applications at the trigger stage, two per page.
const AT_TRIGGER: [&str; 5] = ["app-1", "app-2", "app-3", "app-4", "app-5"];
const PAGE_SIZE: usize = 2;

/// What a variant does wrong (all off: the correct implementation).
#[derive(Debug, Clone, Copy, Default)]
struct Faults {
    /// Skips the signature check (still parses the body).
    accepts_any_signature: bool,
    /// Names the application differently in webhooks than when listing it.
    renames_in_webhooks: bool,
    /// Resolves every delivery to the stage before the one it names.
    resolves_to_previous_stage: bool,
    /// Lists the second page's applications on another job.
    lists_on_another_job: bool,
    /// `capabilities()` panics.
    panics_in_capabilities: bool,
    /// Every delivery gets the same dedupe key.
    constant_dedupe_key: bool,
    /// The second page points at itself.
    repeats_cursor: bool,
    /// Every page points at a new, empty next page.
    endless_pages: bool,
    /// Adds a label again when it is already there.
    duplicates_labels: bool,
    /// `str::from_utf8(body).unwrap()` on the body.
    panics_on_non_utf8: bool,
    /// `jobs()` never answers.
    hangs_listing_jobs: bool,
    /// Performs label write-backs although it reports labels as unsupported.
    ignores_capabilities: bool,
    /// `Debug` prints the records, names included.
    debug_prints_records: bool,
    /// A missing application is a panic instead of `NotFound`.
    panics_on_missing_application: bool,
    /// Hands on another candidate's details with a stage change.
    hands_on_wrong_details: bool,
}

/// An ATS kept in memory: one job, applications at the trigger stage, labels per
/// application, webhooks signed with HMAC-SHA256 of the body in a header.
struct MemoryAts {
    capabilities: Capabilities,
    faults: Faults,
    candidates: Mutex<BTreeMap<String, CandidateDetails>>,
    labels: Mutex<BTreeMap<String, Vec<String>>>,
    stages: Mutex<BTreeMap<String, String>>,
}

impl MemoryAts {
    fn new(capabilities: Capabilities, faults: Faults) -> Arc<Self> {
        let candidates = AT_TRIGGER
            .iter()
            .enumerate()
            .map(|(n, app)| {
                let details = CandidateDetails {
                    name: format!("Ada Lovelace {n}"),
                    email: Some(format!("ada{n}@example.com")),
                    phone: None,
                };
                (app.to_string(), details)
            })
            .collect();
        let stages = AT_TRIGGER
            .iter()
            .map(|app| (app.to_string(), TRIGGER.to_owned()))
            .collect();
        Arc::new(Self {
            capabilities,
            faults,
            candidates: Mutex::new(candidates),
            labels: Mutex::default(),
            stages: Mutex::new(stages),
        })
    }

    fn labels_of(&self, application: &str) -> Vec<String> {
        self.labels
            .lock()
            .unwrap()
            .get(application)
            .cloned()
            .unwrap_or_default()
    }

    fn unsupported(&self, supported: bool, operation: &'static str) -> AtsResult<()> {
        if supported || (self.faults.ignores_capabilities && operation == "labels") {
            Ok(())
        } else {
            Err(AtsError::Unsupported { operation })
        }
    }

    fn known(&self, application: &str) -> AtsResult<()> {
        if self.stages.lock().unwrap().contains_key(application) {
            return Ok(());
        }
        assert!(
            !self.faults.panics_on_missing_application,
            "no application {application}"
        );
        Err(AtsError::NotFound {
            what: format!("application {application}"),
        })
    }
}

impl fmt::Debug for MemoryAts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("MemoryAts");
        debug.field("capabilities", &self.capabilities);
        if self.faults.debug_prints_records {
            let names: Vec<String> = self
                .candidates
                .lock()
                .unwrap()
                .values()
                .map(|c| c.name.clone())
                .collect();
            debug.field("names", &names);
        }
        debug.finish_non_exhaustive()
    }
}

fn application(id: &str) -> ApplicationRef {
    ApplicationRef {
        application: id.into(),
        candidate: format!("cand-{id}").into(),
        job: JOB.into(),
    }
}

/// A delivery signed the way `MemoryAts` expects.
fn signed(application: &ApplicationRef, stage: &StageId) -> Delivery {
    let body = json!({
        "id": format!("delivery-{}-{stage}", application.application),
        "application": application.application.as_str(),
        "stage": stage.as_str(),
    })
    .to_string();
    let mut headers = HeaderMap::new();
    let signature = hmac_sha256_hex(SECRET, body.as_bytes());
    headers.insert(SIGNATURE, HeaderValue::from_str(&signature).unwrap());
    Delivery::new(headers, body)
}

fn field<'a>(delivery: &'a Value, name: &str) -> Option<&'a str> {
    delivery.get(name)?.as_str()
}

#[async_trait]
impl Ats for MemoryAts {
    fn name(&self) -> AtsName {
        "memory".into()
    }

    fn capabilities(&self) -> Capabilities {
        assert!(!self.faults.panics_in_capabilities, "no capabilities today");
        self.capabilities
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        if self.faults.hangs_listing_jobs {
            futures::future::pending::<()>().await;
        }
        Ok(vec![
            Job::new(JOB, "Nurse", JobState::Open),
            Job::new("job-2", "Porter", JobState::Closed),
        ])
    }

    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(vec![
            Stage::new("new", "New"),
            Stage::new(TRIGGER, "Screening"),
        ])
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        let id = application.application.as_str();
        self.known(id)?;
        Ok(self.candidates.lock().unwrap()[id].clone())
    }

    fn verify_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedDelivery, WebhookRejection> {
        if self.faults.panics_on_non_utf8 {
            std::str::from_utf8(body).unwrap();
        }
        if !self.faults.accepts_any_signature {
            let signature = headers
                .get(SIGNATURE)
                .ok_or_else(|| WebhookRejection::MissingHeader(SIGNATURE.into()))?;
            let expected = hmac_sha256_hex(SECRET, body);
            if !constant_time_eq(signature.as_bytes(), expected.as_bytes()) {
                return Err(WebhookRejection::BadSignature);
            }
        }
        let delivery: Value = serde_json::from_slice(body)
            .map_err(|_| WebhookRejection::Malformed("not JSON".into()))?;
        let id =
            field(&delivery, "id").ok_or_else(|| WebhookRejection::Malformed("no `id`".into()))?;
        let dedupe_key = if self.faults.constant_dedupe_key {
            "stage-change"
        } else {
            id
        };
        Ok(VerifiedDelivery {
            dedupe_key: dedupe_key.to_owned(),
            payload: body.to_vec(),
        })
    }

    async fn resolve_webhook(&self, payload: &[u8]) -> AtsResult<Vec<AtsEvent>> {
        let delivery: Value = serde_json::from_slice(payload)
            .map_err(|_| AtsError::Invalid("not a stored delivery".into()))?;
        let (Some(app), Some(stage)) = (field(&delivery, "application"), field(&delivery, "stage"))
        else {
            return Ok(vec![AtsEvent::Unknown {
                name: "without application".into(),
            }]);
        };
        self.known(app)?;
        let stage = if self.faults.resolves_to_previous_stage {
            "new"
        } else {
            stage
        };
        let mut moved = application(app);
        if self.faults.renames_in_webhooks {
            moved.application = format!("{app}-by-webhook").into();
        }
        // The record is at hand: its person goes with the event, as an invite needs it.
        let person = if self.faults.hands_on_wrong_details {
            AT_TRIGGER.iter().find(|other| **other != app).unwrap()
        } else {
            app
        };
        let details = self.candidates.lock().unwrap()[person].clone();
        Ok(vec![AtsEvent::StageChanged {
            application: moved,
            stage: stage.into(),
            details: Some(details),
        }])
    }

    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        self.unsupported(self.capabilities.polling, "polling")?;
        let page: usize = match cursor {
            None => 0,
            Some(c) => c
                .strip_prefix("page-")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| AtsError::Invalid(format!("cursor {c}")))?,
        };
        let at_stage: Vec<ApplicationRef> = self
            .stages
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, at)| job.as_str() == JOB && at.as_str() == stage.as_str())
            .map(|(app, _)| application(app))
            .collect();
        let listed_job = if self.faults.lists_on_another_job && page == 1 {
            "job-2"
        } else {
            JOB
        };
        let items: Vec<ApplicationRef> = at_stage
            .iter()
            .skip(page * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|app| ApplicationRef {
                job: listed_job.into(),
                ..app.clone()
            })
            .collect();
        let last = (page + 1) * PAGE_SIZE >= at_stage.len();
        let next = if self.faults.repeats_cursor && page == 1 {
            Some("page-1".to_owned())
        } else if self.faults.endless_pages || !last {
            Some(format!("page-{}", page + 1))
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
        self.known(id)?;
        if write.outcome.is_some() {
            self.unsupported(self.capabilities.notes, "notes")?;
        }
        if !write.add_labels.is_empty() || !write.remove_labels.is_empty() {
            self.unsupported(self.capabilities.labels, "labels")?;
        }
        if write.move_to.is_some() {
            self.unsupported(self.capabilities.stage_moves, "stage moves")?;
        }
        let mut labels = self.labels.lock().unwrap();
        let on_record = labels.entry(id.to_owned()).or_default();
        for label in &write.add_labels {
            if self.faults.duplicates_labels || !on_record.contains(label) {
                on_record.push(label.clone());
            }
        }
        on_record.retain(|label| !write.remove_labels.contains(label));
        if let Some(stage) = &write.move_to {
            self.stages
                .lock()
                .unwrap()
                .insert(id.to_owned(), stage.to_string());
        }
        Ok(WriteBackReceipt::default())
    }

    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<ApplicationRef> {
        self.unsupported(self.capabilities.create_candidates, "creating candidates")?;
        let id = format!("app-{}", self.stages.lock().unwrap().len() + 1);
        self.stages.lock().unwrap().insert(id.clone(), "new".into());
        self.candidates
            .lock()
            .unwrap()
            .insert(id.clone(), candidate.clone());
        Ok(ApplicationRef {
            application: id.as_str().into(),
            candidate: format!("cand-{id}").into(),
            job: job.clone(),
        })
    }
}

/// Everything but attachments, which the trait has no operation for.
fn full() -> Capabilities {
    Capabilities::all().with_attachments(false)
}

/// The fixture for `ats`: app-3 (on the second page) at the trigger stage, signed
/// deliveries, labels read straight from memory.
fn fixture(ats: &Arc<MemoryAts>) -> Fixture {
    let memory = Arc::clone(ats);
    Fixture::new(JOB, TRIGGER, application("app-3"))
        .deliveries(signed)
        .labels_of(move |app| {
            let labels = memory.labels_of(app.application.as_str());
            async move { labels }
        })
        .new_candidate(CandidateDetails {
            name: "Grace Hopper".into(),
            email: Some("grace@example.com".into()),
            phone: None,
        })
}

async fn run(capabilities: Capabilities, faults: Faults) -> Report {
    let ats = MemoryAts::new(capabilities, faults);
    Conformance::new(ats.clone(), fixture(&ats))
        .max_pages(20)
        .call_timeout(Duration::from_millis(200))
        .run()
        .await
}

fn failed(report: &Report) -> BTreeSet<&'static str> {
    report.failures().map(|f| f.check.name()).collect()
}

fn skipped(report: &Report) -> BTreeSet<&'static str> {
    report
        .findings()
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Skipped(_)))
        .map(|f| f.check.name())
        .collect()
}

fn reason(report: &Report, check: Check) -> String {
    match report.outcome(check) {
        Some(Outcome::Failed(reason)) => reason.clone(),
        other => panic!("{check} did not fail: {other:?}\n{report}"),
    }
}

#[tokio::test]
async fn a_correct_implementation_passes_every_check() {
    let report = run(full(), Faults::default()).await;
    report.assert_passed();
    assert_eq!(report.findings().len(), 24, "{report}");
    // Every capability is on, so nothing is left to refuse.
    assert_eq!(
        skipped(&report),
        BTreeSet::from(["capabilities_consistent"]),
        "{report}"
    );
}

#[tokio::test]
async fn with_capabilities_off_the_refusals_are_checked_and_the_rest_skipped() {
    let report = run(Capabilities::none(), Faults::default()).await;
    report.assert_passed();
    assert_eq!(
        report.outcome(Check::CapabilitiesConsistent),
        Some(&Outcome::Passed)
    );
    assert_eq!(
        report.outcome(Check::LabelsIdempotent),
        Some(&Outcome::Skipped("capability `labels` is off".into()))
    );
    for check in [
        Check::NameStable,
        Check::JobsListed,
        Check::StagesIncludeTrigger,
        Check::CandidateHasName,
        Check::NoPersonalDataInDebug,
        Check::UnknownApplicationNotFound,
    ] {
        assert_eq!(report.outcome(check), Some(&Outcome::Passed), "{report}");
    }
    assert_eq!(skipped(&report).len(), 17, "{report}");
}

#[tokio::test]
async fn a_verifier_that_ignores_the_signature_fails_the_forgery_checks() {
    let faults = Faults {
        accepts_any_signature: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from([
            "webhook_rejects_missing_headers",
            "webhook_rejects_tampered"
        ]),
        "{report}"
    );
    let tampered = reason(&report, Check::WebhookRejectsTampered);
    assert!(
        tampered.contains("one body byte changed was accepted")
            && tampered.contains("a space appended to the body was accepted")
            && tampered.contains("every header value changed was accepted"),
        "{tampered}"
    );
}

#[tokio::test]
async fn a_delivery_resolved_to_the_wrong_stage_fails_and_shows_what_came_out() {
    let faults = Faults {
        resolves_to_previous_stage: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_genuine_resolves"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::WebhookGenuineResolves),
        "resolve_webhook() gave [StageChanged { application: ApplicationRef { application: \
         ApplicationId(\"app-3\"), candidate: CandidateId(\"cand-app-3\"), job: JobId(\"job-1\") }, \
         stage: StageId(\"new\"), details: Some(CandidateDetails { name: \"[personal data]\", \
         email: Some(\"[personal data]\"), phone: None }) }], not a stage change of application `app-3` on job `job-1` \
         to `screen`"
    );
}

#[tokio::test]
async fn details_handed_on_that_differ_from_the_candidate_fail_without_showing_them() {
    let faults = Faults {
        hands_on_wrong_details: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_genuine_resolves"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::WebhookGenuineResolves),
        "resolve_webhook() handed on candidate details that differ from what candidate() \
         reads; the invite would use them instead"
    );
    assert!(!report.to_string().contains("Ada"), "{report}");
}

#[tokio::test]
async fn applications_listed_on_another_job_are_reported() {
    let faults = Faults {
        lists_on_another_job: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["paging_stays_on_job"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::PagingStaysOnJob),
        "listing job `job-1` gave application `app-3` on job `job-2`"
    );
}

#[tokio::test]
async fn one_application_under_two_ids_is_named_in_the_failure() {
    let faults = Faults {
        renames_in_webhooks: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_genuine_resolves"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::WebhookGenuineResolves),
        "resolve_webhook() names application `app-3` as `app-3-by-webhook`: the engine's \
         ledger, keyed on the application id, would see two applications"
    );
}

#[tokio::test]
async fn without_capabilities_nothing_else_can_be_judged() {
    let faults = Faults {
        panics_in_capabilities: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(report.findings().len(), 1, "{report}");
    assert_eq!(
        reason(&report, Check::CapabilitiesConsistent),
        "capabilities() panicked: no capabilities today"
    );
}

#[tokio::test]
async fn one_dedupe_key_for_every_delivery_fails_distinctness() {
    let faults = Faults {
        constant_dedupe_key: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_dedupe_key_distinct"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::WebhookDedupeKeyDistinct),
        "deliveries about applications `app-3` and `testkit-missing-application` share \
         the dedupe key `stage-change`"
    );
}

#[tokio::test]
async fn a_cursor_that_comes_back_fails_termination_only() {
    let faults = Faults {
        repeats_cursor: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["paging_terminates"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::PagingTerminates),
        "page 2 gave cursor `page-1` again: paging would never end"
    );
}

#[tokio::test]
async fn paging_that_never_ends_is_cut_at_the_page_limit() {
    let faults = Faults {
        endless_pages: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["paging_terminates"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::PagingTerminates),
        "still a next cursor after 20 pages (the limit)"
    );
}

#[tokio::test]
async fn labels_added_again_on_a_repeat_fail_idempotence() {
    let faults = Faults {
        duplicates_labels: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["labels_idempotent"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::LabelsIdempotent),
        "after adding `Willo:Testkit` twice the record holds it 2 times"
    );
    // Removal still cleans the record up.
    assert_eq!(
        report.outcome(Check::LabelsRemovable),
        Some(&Outcome::Passed)
    );
}

#[tokio::test]
async fn a_verifier_that_panics_on_bad_bytes_is_a_failure_not_a_crash() {
    let faults = Faults {
        panics_on_non_utf8: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_rejects_non_utf8", "webhook_rejects_random_bytes"]),
        "{report}"
    );
    let non_utf8 = reason(&report, Check::WebhookRejectsNonUtf8);
    assert!(
        non_utf8.starts_with(
            "a body that is not UTF-8: verify_webhook() panicked: called `Result::unwrap()`"
        ),
        "{non_utf8}"
    );
}

#[tokio::test]
async fn a_call_that_never_answers_times_out() {
    let faults = Faults {
        hangs_listing_jobs: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(failed(&report), BTreeSet::from(["jobs_listed"]), "{report}");
    assert_eq!(
        reason(&report, Check::JobsListed),
        "jobs() did not answer within 200ms"
    );
}

#[tokio::test]
async fn doing_what_the_capabilities_deny_is_inconsistent() {
    let faults = Faults {
        ignores_capabilities: true,
        ..Faults::default()
    };
    let report = run(full().with_labels(false), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["capabilities_consistent"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::CapabilitiesConsistent),
        "write_back with a label (labels off) succeeded instead of answering Unsupported"
    );
}

#[tokio::test]
async fn personal_data_in_debug_is_reported_without_repeating_it() {
    let faults = Faults {
        debug_prints_records: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["no_personal_data_in_debug"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::NoPersonalDataInDebug),
        "Debug of the Ats shows the candidate's personal data"
    );
    assert!(!report.to_string().contains("Ada"), "{report}");
}

#[tokio::test]
async fn a_panic_on_a_missing_application_fails_the_not_found_check() {
    let faults = Faults {
        panics_on_missing_application: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["unknown_application_not_found"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::UnknownApplicationNotFound),
        "candidate() of the missing application `testkit-missing-application` panicked: \
         no application testkit-missing-application"
    );
}

#[tokio::test]
async fn webhooks_reported_without_a_fixture_delivery_fail_and_say_why() {
    let ats = MemoryAts::new(full(), Faults::default());
    let fixture = Fixture::new(JOB, TRIGGER, application("app-3"));
    let report = Conformance::new(ats, fixture).run().await;
    assert_eq!(
        reason(&report, Check::WebhookGenuineResolves),
        "capabilities report webhooks but the fixture gives no signed delivery \
         (Fixture::deliveries)"
    );
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_genuine_resolves"]),
        "{report}"
    );
    // Garbage is still refused with no genuine delivery to borrow headers from.
    assert_eq!(
        report.outcome(Check::WebhookRejectsRandomBytes),
        Some(&Outcome::Passed)
    );
}

#[tokio::test]
async fn a_failed_report_panics_with_every_line() {
    let faults = Faults {
        duplicates_labels: true,
        ..Faults::default()
    };
    let report = run(full(), faults).await;
    let panic = std::panic::catch_unwind(|| report.assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("ats `memory`: 22 passed, 1 failed, 1 skipped"),
        "{message}"
    );
    assert!(
        message.contains("  FAIL labels_idempotent: after adding `Willo:Testkit` twice"),
        "{message}"
    );
    assert!(message.contains("  pass paging_terminates\n"), "{message}");
}
