//! The conformance suite against the in-memory ATS: the correct one passes every
//! check, and each deliberately broken variant fails exactly the checks that catch
//! its fault, with a reason that names it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use ats_bridge::model::{ApplicationRef, CandidateDetails, Capabilities};
use ats_testkit::{Check, Conformance, MemoryAts, Misbehaviour, Outcome, Report};

const JOB: &str = "job-1";
const TRIGGER: &str = "screen";
/// Applications at the trigger stage, two per page.
const AT_TRIGGER: [&str; 5] = ["app-1", "app-2", "app-3", "app-4", "app-5"];

fn application(id: &str) -> ApplicationRef {
    ApplicationRef {
        application: id.into(),
        candidate: format!("cand-{id}").into(),
        job: JOB.into(),
    }
}

/// One job with five applications at the trigger stage, breaking `misbehaviours`.
fn memory_ats(capabilities: Capabilities, misbehaviours: &[Misbehaviour]) -> Arc<MemoryAts> {
    let mut builder = MemoryAts::builder()
        .capabilities(capabilities)
        // An ATS that supports nothing has no webhooks either.
        .webhooks(capabilities != Capabilities::none());
    for (n, app) in AT_TRIGGER.iter().enumerate() {
        let details =
            CandidateDetails::new(format!("Ada Lovelace {n}")).email(format!("ada{n}@example.com"));
        builder = builder.application(application(app), TRIGGER, details);
    }
    for misbehaviour in misbehaviours {
        builder = builder.misbehave(*misbehaviour);
    }
    Arc::new(builder.build())
}

/// Everything.
fn full() -> Capabilities {
    Capabilities::all()
}

/// The fixture for `ats`: app-3 (on the second page) at the trigger stage, signed
/// deliveries, labels read straight from memory.
fn fixture(ats: &Arc<MemoryAts>) -> ats_testkit::Fixture {
    ats.fixture(application("app-3"), TRIGGER)
        .new_candidate(CandidateDetails::new("Grace Hopper").email("grace@example.com"))
}

async fn run(capabilities: Capabilities, misbehaviours: &[Misbehaviour]) -> Report {
    let ats = memory_ats(capabilities, misbehaviours);
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
    let report = run(full(), &[]).await;
    report.assert_passed();
    assert_eq!(report.findings().len(), 27, "{report}");
    // Every capability is on, so nothing is left to refuse.
    assert_eq!(
        skipped(&report),
        BTreeSet::from(["capabilities_consistent"]),
        "{report}"
    );
}

#[tokio::test]
async fn with_capabilities_off_the_refusals_are_checked_and_the_rest_skipped() {
    let report = run(Capabilities::none(), &[]).await;
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

/// One test per fault whose whole story is told by its report: with every capability
/// on, exactly the `fails` checks fail, and `check` gives exactly `reason`. None of
/// these reports may repeat the candidate's name (personal data).
macro_rules! fault_fails_exactly {
    ($($name:ident: $fault:ident fails [$($failed:literal),+] with $check:ident: $reason:expr;)+) => {$(
        #[tokio::test]
        async fn $name() {
            let report = run(full(), &[Misbehaviour::$fault]).await;
            assert_eq!(failed(&report), BTreeSet::from([$($failed),+]), "{report}");
            assert_eq!(reason(&report, Check::$check), $reason);
            assert!(!report.to_string().contains("Ada"), "{report}");
        }
    )+};
}

fault_fails_exactly! {
    a_delivery_resolved_to_the_wrong_stage_fails_and_shows_what_came_out:
        ResolvesToPreviousStage fails ["webhook_genuine_resolves"] with WebhookGenuineResolves:
        "resolve() gave [StageChanged { application: ApplicationRef { application: \
        ApplicationId(\"app-3\"), candidate: CandidateId(\"cand-app-3\"), job: JobId(\"job-1\") }, \
        stage: StageId(\"new\"), details: Some(CandidateDetails { name: \"[personal data]\", \
        email: Some(\"[personal data]\"), phone: None }) }], not a stage change of application `app-3` on job `job-1` \
        to `screen`";

    details_handed_on_that_differ_from_the_candidate_fail_without_showing_them:
        HandsOnWrongDetails fails ["webhook_genuine_resolves"] with WebhookGenuineResolves:
        "resolve() handed on candidate details that differ from what candidate() \
        reads; the invite would use them instead";

    applications_listed_on_another_job_are_reported:
        ListsOnAnotherJob fails ["paging_stays_on_job"] with PagingStaysOnJob:
        "listing job `job-1` gave application `app-3` on job `job-2`";

    one_application_under_two_ids_is_named_in_the_failure:
        RenamesInWebhooks fails ["webhook_genuine_resolves"] with WebhookGenuineResolves:
        "resolve() names application `app-3` as `app-3-by-webhook`: the engine's \
        ledger, keyed on the application id, would see two applications";

    one_dedupe_key_for_every_delivery_fails_distinctness:
        ConstantDedupeKey fails ["webhook_dedupe_key_distinct"] with WebhookDedupeKeyDistinct:
        "deliveries about applications `app-3` and `testkit-missing-application` share \
        the dedupe key `stage-change`";

    a_cursor_that_comes_back_fails_termination_only:
        RepeatsCursor fails ["paging_terminates"] with PagingTerminates:
        "page 2 gave cursor `2` again: paging would never end";

    paging_that_never_ends_is_cut_at_the_page_limit:
        EndlessPages fails ["paging_terminates"] with PagingTerminates:
        "still a next cursor after 20 pages (the limit)";

    a_call_that_never_answers_times_out:
        HangsListingJobs fails ["jobs_listed"] with JobsListed:
        "jobs() did not answer within 200ms";

    personal_data_in_debug_is_reported_without_repeating_it:
        DebugPrintsRecords fails ["no_personal_data_in_debug"] with NoPersonalDataInDebug:
        "Debug of the Ats shows the candidate's personal data";

    a_panic_on_a_missing_application_fails_the_not_found_check:
        PanicsOnMissingApplication fails ["unknown_application_not_found"] with UnknownApplicationNotFound:
        "candidate() of the missing application `testkit-missing-application` panicked: \
        no application testkit-missing-application";
}

#[tokio::test]
async fn a_verifier_that_ignores_the_signature_fails_the_forgery_checks() {
    let faults = [Misbehaviour::AcceptsAnySignature];
    let report = run(full(), &faults).await;
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
async fn without_capabilities_nothing_else_can_be_judged() {
    let faults = [Misbehaviour::PanicsInCapabilities];
    let report = run(full(), &faults).await;
    assert_eq!(report.findings().len(), 1, "{report}");
    assert_eq!(
        reason(&report, Check::CapabilitiesConsistent),
        "capabilities() panicked: no capabilities today"
    );
}

#[tokio::test]
async fn labels_added_again_on_a_repeat_fail_idempotence() {
    let faults = [Misbehaviour::DuplicatesLabels];
    let report = run(full(), &faults).await;
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
    let faults = [Misbehaviour::PanicsOnNonUtf8];
    let report = run(full(), &faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["webhook_rejects_non_utf8", "webhook_rejects_random_bytes"]),
        "{report}"
    );
    let non_utf8 = reason(&report, Check::WebhookRejectsNonUtf8);
    assert!(
        non_utf8
            .starts_with("a body that is not UTF-8: verify() panicked: called `Result::unwrap()`"),
        "{non_utf8}"
    );
}

#[tokio::test]
async fn doing_what_the_capabilities_deny_is_inconsistent() {
    let faults = [Misbehaviour::IgnoresCapabilities];
    let report = run(full().with_labels(false), &faults).await;
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
async fn webhooks_reported_without_a_fixture_delivery_fail_and_say_why() {
    let ats = memory_ats(full(), &[]);
    let fixture = ats_testkit::Fixture::new(JOB, TRIGGER, application("app-3"));
    let report = Conformance::new(ats, fixture).run().await;
    assert_eq!(
        reason(&report, Check::WebhookGenuineResolves),
        "webhooks() is some but the fixture gives no signed delivery \
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
    let faults = [Misbehaviour::DuplicatesLabels];
    let report = run(full(), &faults).await;
    let panic = std::panic::catch_unwind(|| report.assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("ats `memory`: 25 passed, 1 failed, 1 skipped"),
        "{message}"
    );
    assert!(
        message.contains("  FAIL labels_idempotent: after adding `Willo:Testkit` twice"),
        "{message}"
    );
    assert!(message.contains("  pass paging_terminates\n"), "{message}");
}

#[tokio::test]
async fn mapped_values_read_back_empty_fail_the_mapped_write_check() {
    let faults = [Misbehaviour::ForgetsMappedValues];
    let report = run(full(), &faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["mapped_write_reads_back"]),
        "{report}"
    );
    assert_eq!(
        reason(&report, Check::MappedWriteReadsBack),
        "after writing `property:willo-link`, mapped_values() reads it as empty"
    );
}

#[tokio::test]
async fn a_mapped_write_to_a_missing_target_must_not_vanish() {
    let faults = [Misbehaviour::DropsUnknownTargets];
    let report = run(full(), &faults).await;
    assert_eq!(
        failed(&report),
        BTreeSet::from(["mapped_unknown_target_refused"]),
        "{report}"
    );
}
