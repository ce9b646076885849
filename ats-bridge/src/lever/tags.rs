//! Lever's tag conventions: `Willo:<interview title>-<account>` tags on postings say
//! which Willo interview a posting's candidates are sent.

use std::collections::HashMap;

use lever_client::Posting;

use crate::model::{InterviewKey, JobId};

/// The posting tag that selects a Willo interview: `Willo:<interview title>-<account>`,
/// for example `Willo:Nurse screening-Acme Care`. Tags are case-sensitive in Lever, so
/// the title and account are used as given.
///
/// There is no way to publish these tags to Lever ahead of use (no "sync interview
/// tags"): Lever has no call that creates a tag on its own; a tag exists once applied
/// to an opportunity or a posting (`addTags`, or `tags` on create), and `GET /tags`
/// lists only tags in use. Recruiters type the tag this function gives onto a posting,
/// and [`super::LeverAts::postings_for_interview_tags`] reads it back.
pub fn interview_tag(interview_title: &str, account: &str) -> String {
    format!("Willo:{interview_title}-{account}")
}

/// Which of `postings` carry which interview tag of `tags`, as (posting, interview)
/// pairs in posting order. A posting with several interview tags yields one pair per
/// tag, so rule validation can report the conflict.
pub(crate) fn map_postings(
    postings: &[Posting],
    tags: &[(InterviewKey, String)],
) -> Vec<(JobId, InterviewKey)> {
    let by_tag: HashMap<&str, &InterviewKey> =
        tags.iter().map(|(key, tag)| (tag.as_str(), key)).collect();
    postings
        .iter()
        .flat_map(|posting| {
            posting.tags.iter().filter_map(|tag| {
                by_tag
                    .get(tag.as_str())
                    .map(|key| (JobId::from(posting.id.as_str()), (*key).clone()))
            })
        })
        .collect()
}
