//! Lever's tag conventions: `Willo:<interview title>-<account>` (or
//! `Willo:<interview title>:<account>`) tags on postings say which Willo interview a
//! posting's candidates are sent.
//!
//! There is no way to publish these tags to Lever ahead of use (no "sync interview
//! tags"): Lever has no call that creates a tag on its own; a tag exists once applied
//! to an opportunity or a posting (`addTags`, or `tags` on create, or typed onto the
//! posting in Lever's UI), and `GET /tags` lists only tags in use. Recruiters put the
//! tag [`interview_tag`] gives onto a posting, and the engine (with an
//! `[[interview_tags]]` rule) or [`super::LeverAts::postings_for_interview_tags`]
//! reads it back.

use lever_client::Posting;

pub use crate::rules::interview_tag;
use crate::rules::{InterviewDirectory, TaggedInterview};

use crate::model::{InterviewKey, JobId};

/// Which of `postings` carry which of the exact `tags` (`(interview, tag)`), as
/// (posting, interview) pairs in posting order, each pair once.
pub(crate) fn map_exact_tags(
    postings: &[Posting],
    tags: &[(InterviewKey, String)],
) -> Vec<(JobId, InterviewKey)> {
    let mut pairs: Vec<(JobId, InterviewKey)> = Vec::new();
    for posting in postings {
        for (key, tag) in tags {
            let pair = (JobId::from(posting.id.as_str()), key.clone());
            if posting.tags.iter().any(|t| t == tag) && !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    pairs
}

/// Which of `postings` carry which interview tag of `tags` (`(interview, title)`
/// pairs; either tag form), as (posting, interview) pairs in posting order. A
/// posting with tags of several interviews yields one pair per interview, so rule
/// validation can report the conflict.
pub(crate) fn map_postings(
    postings: &[Posting],
    interviews: &InterviewDirectory,
    account: &str,
) -> Vec<(JobId, InterviewKey)> {
    postings
        .iter()
        .flat_map(|posting| {
            let job = JobId::from(posting.id.as_str());
            let keys = match interviews.tagged(account, &posting.tags) {
                TaggedInterview::None => Vec::new(),
                TaggedInterview::One(key) => vec![key],
                TaggedInterview::Several(keys) => keys,
            };
            keys.into_iter().map(move |key| (job.clone(), key))
        })
        .collect()
}
