//! Interview tags: a job labelled `Willo:<interview title>-<account>` (or
//! `Willo:<interview title>:<account>`) sends that Willo interview. The labels are
//! read from the ATS's jobs and the titles from Willo's interview list, both
//! refreshed while the engine runs, so tagging a posting or creating an interview
//! needs no restart.

use serde::{Deserialize, Serialize};

use crate::model::{AtsName, InterviewKey, StageId};

/// "Jobs of `ats` labelled with a Willo interview's tag for `account` send that
/// interview at `stages`" (`[[interview_tags]]` in TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InterviewTagRule {
    /// The ATS connection whose job labels are read (Lever: posting tags).
    pub ats: AtsName,
    /// The Willo account name in the tags (`Willo:<interview>-<account>`).
    pub account: String,
    /// The stages at which the tagged interview is sent (at least one).
    pub stages: Vec<StageId>,
}

impl InterviewTagRule {
    /// Jobs of `ats` tagged for one of `account`'s interviews send it at `stages`.
    pub fn new(
        ats: impl Into<AtsName>,
        account: impl Into<String>,
        stages: impl IntoIterator<Item = impl Into<StageId>>,
    ) -> Self {
        Self {
            ats: ats.into(),
            account: account.into(),
            stages: stages.into_iter().map(Into::into).collect(),
        }
    }
}

/// The tag that selects a Willo interview: `Willo:<interview title>-<account>`, as
/// Willo's own Lever integration names it (for example `Willo:Nurse screening-Acme
/// Care`). Used as given: Lever's tags are case-sensitive.
pub fn interview_tag(interview_title: &str, account: &str) -> String {
    format!("Willo:{interview_title}-{account}")
}

/// The variant Willo's documentation also shows: `Willo:<interview title>:<account>`.
/// Both select the interview.
pub fn interview_tag_colon(interview_title: &str, account: &str) -> String {
    format!("Willo:{interview_title}:{account}")
}

/// Whether `label` is `interview_title`'s tag for `account`, in either form.
pub fn is_interview_tag(label: &str, interview_title: &str, account: &str) -> bool {
    let label = label.trim();
    label == interview_tag(interview_title, account)
        || label == interview_tag_colon(interview_title, account)
}

/// The Willo interviews that exist, by key and title: what interview tags are
/// matched against. Built from Willo's interview list
/// ([`Engine::refresh_interviews`](crate::engine::Engine::refresh_interviews) keeps the
/// engine's current); a tag whose interview is gone (or was renamed) selects
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterviewDirectory {
    interviews: Vec<(InterviewKey, String)>,
}

/// Which interview a job's labels select under one tag rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaggedInterview {
    /// No label is an interview tag of the account.
    None,
    /// Exactly one interview.
    One(InterviewKey),
    /// Tags of several interviews: none is sent until a recruiter removes the
    /// extra tags (which one was meant cannot be told).
    Several(Vec<InterviewKey>),
}

impl InterviewDirectory {
    /// From `(key, title)` pairs; interviews without a title cannot be tagged and
    /// are left out.
    pub fn new(interviews: impl IntoIterator<Item = (InterviewKey, String)>) -> Self {
        Self {
            interviews: interviews
                .into_iter()
                .filter(|(_, title)| !title.trim().is_empty())
                .collect(),
        }
    }

    /// Every interview of the Willo account, all pages.
    pub async fn fetch(willo: &willo_client::WilloClient) -> Result<Self, client_core::Error> {
        use futures::TryStreamExt as _;
        let interviews: Vec<willo_client::Interview> = willo
            .interviews()
            .list(willo_client::ListParams::new())
            .try_collect()
            .await?;
        Ok(Self::new(interviews.into_iter().filter_map(|interview| {
            Some((interview.key?, interview.title?))
        })))
    }

    /// The interviews, by key and title.
    pub fn interviews(&self) -> &[(InterviewKey, String)] {
        &self.interviews
    }

    /// True when no interview is known (not loaded yet, or the account has none).
    pub fn is_empty(&self) -> bool {
        self.interviews.is_empty()
    }

    /// The tags to put on jobs for `account`, one per interview: `(interview,
    /// title, tag)`.
    pub fn tags(&self, account: &str) -> Vec<(InterviewKey, String, String)> {
        self.interviews
            .iter()
            .map(|(key, title)| (key.clone(), title.clone(), interview_tag(title, account)))
            .collect()
    }

    /// Which interview `labels` select for `account`.
    pub fn tagged(&self, account: &str, labels: &[String]) -> TaggedInterview {
        let mut found: Vec<InterviewKey> = Vec::new();
        for (key, title) in &self.interviews {
            if labels.iter().any(|l| is_interview_tag(l, title, account)) && !found.contains(key) {
                found.push(key.clone());
            }
        }
        match found.len() {
            0 => TaggedInterview::None,
            1 => TaggedInterview::One(found.remove(0)),
            _ => TaggedInterview::Several(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tag_forms_select_the_interview_and_two_interviews_select_none() {
        let directory = InterviewDirectory::new([
            (InterviewKey::from("k1"), "Nurse screening".to_owned()),
            (InterviewKey::from("k2"), "Kitchen".to_owned()),
            (InterviewKey::from("k3"), String::new()),
        ]);
        let labels = |tags: &[&str]| tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            directory.tagged("Acme", &labels(&["Willo:Nurse screening-Acme"])),
            TaggedInterview::One("k1".into())
        );
        assert_eq!(
            directory.tagged("Acme", &labels(&["Full-time", "Willo:Kitchen:Acme"])),
            TaggedInterview::One("k2".into())
        );
        assert_eq!(
            directory.tagged("Acme", &labels(&["Willo:Kitchen-Other"])),
            TaggedInterview::None
        );
        assert_eq!(
            directory.tagged(
                "Acme",
                &labels(&["Willo:Kitchen-Acme", "Willo:Nurse screening:Acme"])
            ),
            TaggedInterview::Several(vec!["k1".into(), "k2".into()])
        );
        assert_eq!(
            directory.tags("Acme").len(),
            2,
            "untitled interviews have no tag"
        );
    }
}
