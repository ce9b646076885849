//! Which rule sends which interview for a job at a stage: interview tags first, then
//! the triggers naming the job by id, then the other triggers, each group in file
//! order; the first match wins.

use std::fmt;

use super::interview_tags::{InterviewDirectory, TaggedInterview};
use super::{JobSelector, Rules, Trigger};
use crate::model::{AtsName, InterviewKey, Job, StageId};

/// A rule, by its place in the rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleRef {
    /// `trigger[i]`.
    Trigger(usize),
    /// `interview_tags[i]`.
    InterviewTags(usize),
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleRef::Trigger(i) => write!(f, "trigger[{i}]"),
            RuleRef::InterviewTags(i) => write!(f, "interview_tags[{i}]"),
        }
    }
}

/// What the rules say for a job at a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `rule` sends `interview`.
    Send {
        /// The rule that matched first.
        rule: RuleRef,
        /// The interview it sends.
        interview: InterviewKey,
    },
    /// The job carries the tags of several interviews under `rule`: nothing is sent
    /// (and no later rule is tried) until the extra tags are removed.
    AmbiguousTags {
        /// The interview tag rule.
        rule: RuleRef,
        /// The interviews tagged.
        interviews: Vec<InterviewKey>,
    },
    /// No rule covers the job at this stage.
    NoRule,
}

impl Choice {
    /// The interview to send, if one is.
    pub fn interview(&self) -> Option<&InterviewKey> {
        match self {
            Choice::Send { interview, .. } => Some(interview),
            _ => None,
        }
    }
}

impl Rules {
    /// The triggers of `ats` in the order they are tried: those naming a job by id
    /// first (the most specific choice, as before selectors existed), then the
    /// others, each group in file order.
    pub(crate) fn triggers_in_order<'a>(
        &'a self,
        ats: &'a AtsName,
    ) -> impl Iterator<Item = (usize, &'a Trigger)> + 'a {
        let of_ats = move |named: bool| {
            self.triggers.iter().enumerate().filter(move |(_, t)| {
                &t.ats == ats && matches!(t.job, JobSelector::Job(_)) == named
            })
        };
        of_ats(true).chain(of_ats(false))
    }

    /// The interview for an application of `job` in `ats` reaching `stage`, and the
    /// rule that chose it. `interviews` are the Willo interviews interview tags are
    /// matched against (empty: tag rules match nothing). The job's attributes must
    /// be complete enough for the conditions (see
    /// [`JobConditions::needs_details`](super::JobConditions::needs_details)).
    pub fn choose(
        &self,
        ats: &AtsName,
        job: &Job,
        stage: &StageId,
        interviews: &InterviewDirectory,
    ) -> Choice {
        for (i, rule) in self.interview_tags.iter().enumerate() {
            if &rule.ats != ats || !rule.stages.contains(stage) {
                continue;
            }
            match interviews.tagged(&rule.account, &job.attributes.labels) {
                TaggedInterview::None => {}
                TaggedInterview::One(interview) => {
                    return Choice::Send {
                        rule: RuleRef::InterviewTags(i),
                        interview,
                    };
                }
                TaggedInterview::Several(interviews) => {
                    return Choice::AmbiguousTags {
                        rule: RuleRef::InterviewTags(i),
                        interviews,
                    };
                }
            }
        }
        self.triggers_in_order(ats)
            .find(|(_, t)| t.stages.contains(stage) && t.job.covers(&job.id) && t.when.matches(job))
            .map_or(Choice::NoRule, |(i, t)| Choice::Send {
                rule: RuleRef::Trigger(i),
                interview: t.interview.clone(),
            })
    }

    /// True when a rule of `ats` looks at job attributes (conditions or interview
    /// tags): the engine then reads the jobs' attributes before choosing.
    pub fn uses_job_attributes(&self, ats: &AtsName) -> bool {
        self.interview_tags.iter().any(|r| &r.ats == ats)
            || self
                .triggers
                .iter()
                .any(|t| &t.ats == ats && !t.when.is_empty())
    }

    /// True when a trigger of `ats` has a condition job listings may not answer
    /// (see [`JobConditions::needs_details`](super::JobConditions::needs_details)).
    pub fn needs_job_details(&self, ats: &AtsName) -> bool {
        self.triggers
            .iter()
            .any(|t| &t.ats == ats && t.when.needs_details())
    }

    /// Every stage a rule of `ats` names (triggers and interview tags).
    pub fn stages_of(&self, ats: &AtsName) -> std::collections::BTreeSet<&StageId> {
        let triggers = self
            .triggers
            .iter()
            .filter(|t| &t.ats == ats)
            .flat_map(|t| &t.stages);
        let tags = self
            .interview_tags
            .iter()
            .filter(|r| &r.ats == ats)
            .flat_map(|r| &r.stages);
        triggers.chain(tags).collect()
    }
}
