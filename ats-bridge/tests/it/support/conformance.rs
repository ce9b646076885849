//! Running the testkit's conformance suite over a vendor mock, and reading its reports.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ats_bridge::Ats;
use ats_testkit::{Check, Conformance, Fixture, Outcome, Report};

/// The checks the suite skipped, in order.
pub fn skipped(report: &Report) -> Vec<Check> {
    report
        .findings()
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Skipped(_)))
        .map(|f| f.check)
        .collect()
}

/// Every check passed but `skipped`, which did not apply.
pub fn assert_conforms(report: &Report, skipped_checks: &[Check]) {
    report.assert_passed();
    assert_eq!(skipped(report), skipped_checks, "{report}");
}

/// The suite over `ats`, which answers from a mock keeping the candidate's labels in
/// `labels`; each call may take 5 s (a mock answers at once).
pub async fn run_on_mock(
    ats: Arc<dyn Ats>,
    fixture: Fixture,
    labels: Arc<Mutex<Vec<String>>>,
) -> Report {
    let fixture = fixture.labels_of(move |_| {
        let on_record = labels.lock().unwrap().clone();
        async move { on_record }
    });
    Conformance::new(ats, fixture)
        .call_timeout(Duration::from_secs(5))
        .run()
        .await
}
