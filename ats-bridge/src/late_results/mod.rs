//! Results that arrive late: transcripts, AI summaries, reviewers' scores and comments
//! produced after the results note was written.
//!
//! The engine keeps a [`ResultsFingerprint`] of what each row's write-back put in the
//! ATS (one short hash per part, in the ledger). When Willo's news (a `new_score` or
//! `new_comment` webhook, a scheduled late-results check) shows results whose
//! fingerprint differs, it writes the difference once, as a [`ResultsUpdate`]: an ATS
//! that can edit notes amends the results note, the others add one follow-up note
//! ([`render_follow_up_note`]), never the whole note again. A team's
//! `[notes.results_updated]` template replaces both: the engine renders it with
//! [`ResultsUpdate::vars`] and writes it as a note of its own.

mod fingerprint;
mod follow_up_note;

pub use fingerprint::{FingerprintParts, ResultsChange, ResultsFingerprint};
pub use follow_up_note::{FOLLOW_UP_HEADING, render_amended_note, render_follow_up_note};

use crate::model::InterviewOutcome;

/// Late results to bring to the ATS: what changed since the last write-back, and the
/// results as they are now. Sent to [`crate::Ats::write_back`] in
/// [`WriteBack::update`](crate::model::WriteBack::update).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResultsUpdate {
    /// The results now.
    pub results: InterviewOutcome,
    /// What is new or changed since the last write-back (indexes into `results`).
    pub changes: Vec<ResultsChange>,
    /// The id of the results note written first, as the ATS returned it. An ATS that
    /// can edit notes replaces that note with the results re-rendered instead of
    /// adding a follow-up; `None` when the id is not known.
    pub amend_note_id: Option<String>,
}

impl ResultsUpdate {
    /// An update of `results` with `changes`.
    pub fn new(results: InterviewOutcome, changes: Vec<ResultsChange>) -> Self {
        Self {
            results,
            changes,
            amend_note_id: None,
        }
    }

    /// Amend the note with this id where the ATS can.
    pub fn amending(mut self, note_id: impl Into<String>) -> Self {
        self.amend_note_id = Some(note_id.into());
        self
    }
}
