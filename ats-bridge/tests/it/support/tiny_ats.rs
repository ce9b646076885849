//! The in-memory ATS as the engine tests set it up: named `tiny`, applications 1–9 on
//! `job-open` (and a closed `job-closed`), each at stage `new` until a test moves it
//! to the trigger stage `screen`; candidate `cand-N` is "Candidate N".

use ats_bridge::model::{ApplicationRef, CandidateDetails, Job, JobState};
use ats_testkit::MemoryAts;

/// Applications `app-1` … `app-9` exist.
pub const APPLICATIONS: u32 = 9;

pub fn tiny() -> MemoryAts {
    let mut builder = MemoryAts::builder().name("tiny").jobs([
        Job::new("job-open", "Nurse", JobState::Open),
        Job::new("job-closed", "Porter", JobState::Closed),
    ]);
    for n in 1..=APPLICATIONS {
        builder = builder.application(app(n, "job-open"), "new", candidate(n));
    }
    builder.build()
}

pub fn app(n: u32, job: &str) -> ApplicationRef {
    ApplicationRef {
        application: format!("app-{n}").into(),
        candidate: format!("cand-{n}").into(),
        job: job.into(),
    }
}

pub fn candidate(n: u32) -> CandidateDetails {
    CandidateDetails::new(format!("Candidate {n}"))
        .email(format!("candidate{n}@example.com"))
        .phone("+447700900123")
}

/// The stored payload of a delivery saying `app-N` moved to `screen`.
pub fn moved_to_screen(ats: &MemoryAts, n: u32) -> Vec<u8> {
    ats.delivery(&app(n, "job-open"), &"screen".into()).body
}

/// Write-backs that carried a note (an outcome).
pub fn notes(ats: &MemoryAts) -> usize {
    let writes = ats.writes();
    writes.iter().filter(|(_, w)| w.outcome.is_some()).count()
}

/// Every label added, in order.
pub fn labels_added(ats: &MemoryAts) -> Vec<String> {
    let writes = ats.writes();
    writes
        .iter()
        .flat_map(|(_, w)| w.add_labels.clone())
        .collect()
}
