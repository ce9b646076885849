//! Reading the testkit's conformance reports.

use ats_testkit::{Check, Outcome, Report};

/// The checks the suite skipped, in order.
pub fn skipped(report: &Report) -> Vec<Check> {
    report
        .findings()
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Skipped(_)))
        .map(|f| f.check)
        .collect()
}
