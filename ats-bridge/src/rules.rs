//! Which ATS stages send which Willo interview, which labels each step writes, and
//! where a Willo decision moves the application. Built in code or loaded from TOML or
//! JSON, and validated on load with errors that name the bad entry.
//!
//! ```
//! use ats_bridge::rules::{Decision, Rules};
//!
//! let rules = Rules::from_toml(r#"
//!     [[trigger]]
//!     ats = "lever"
//!     job = "*"                       # every posting
//!     stages = ["phone-screen"]
//!     interview = "1e2048a686804049b128f1357c559cbf"
//!
//!     [[auto_progress]]
//!     ats = "lever"
//!     decision = "accepted"
//!     move_to = "onsite"
//! "#)?;
//! let interview = rules.interview_for(&"lever".into(), &"posting-9".into(), &"phone-screen".into());
//! assert_eq!(interview.map(|k| k.as_str()), Some("1e2048a686804049b128f1357c559cbf"));
//! assert_eq!(rules.labels.invited, "Willo:Invited");
//! assert!(rules.move_on_decision(&"lever".into(), &"posting-9".into(), Decision::Accepted).is_some());
//! # Ok::<_, ats_bridge::rules::RulesError>(())
//! ```

mod conditions;
mod explain;
mod interview_tags;
mod matching;
mod scoped;
mod shadowing;

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use conditions::{JobConditions, TitlePattern};
pub use explain::JobRules;
pub use interview_tags::{
    InterviewDirectory, InterviewTagRule, TaggedInterview, interview_tag, interview_tag_colon,
    is_interview_tag,
};
pub use matching::{Choice, RuleRef};

use crate::model::{AtsName, InterviewKey, JobId, StageId};

/// Why rules could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The text is not valid TOML/JSON or does not have the rules' shape.
    #[error("cannot read the rules as {format}: {message}")]
    Parse {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// What the parser said (with line and column where it gives them).
        message: String,
    },
    /// One entry is wrong.
    #[error("{entry}: {reason}")]
    Invalid {
        /// Which entry (`trigger[2] (lever, job *)`, `labels.invited`…).
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Which jobs a rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum JobSelector {
    /// Every job of the ATS (written `"*"`).
    #[default]
    Any,
    /// One job.
    Job(JobId),
}

impl From<String> for JobSelector {
    fn from(text: String) -> Self {
        if text == "*" {
            JobSelector::Any
        } else {
            JobSelector::Job(JobId(text))
        }
    }
}

impl From<JobSelector> for String {
    fn from(selector: JobSelector) -> Self {
        match selector {
            JobSelector::Any => "*".to_owned(),
            JobSelector::Job(id) => id.0,
        }
    }
}

impl fmt::Display for JobSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobSelector::Any => f.write_str("*"),
            JobSelector::Job(id) => f.write_str(id.as_str()),
        }
    }
}

impl JobSelector {
    fn covers(&self, job: &JobId) -> bool {
        match self {
            JobSelector::Any => true,
            JobSelector::Job(id) => id == job,
        }
    }
}

/// "A candidate reaching one of `stages` on `job` in `ats` is sent `interview`", for
/// jobs meeting the `when` conditions (department, location, title…; see
/// [`JobConditions`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Trigger {
    /// The ATS connection ([`crate::Ats::name`]).
    pub ats: AtsName,
    /// The job (default: every job).
    #[serde(default)]
    pub job: JobSelector,
    /// Conditions on the job's attributes, all of which must hold (default: none).
    #[serde(default, skip_serializing_if = "JobConditions::is_empty")]
    pub when: JobConditions,
    /// The trigger stages (at least one).
    pub stages: Vec<StageId>,
    /// The Willo interview to send.
    pub interview: InterviewKey,
}

impl Trigger {
    /// Candidates reaching one of `stages` on `job` in `ats` are sent `interview`.
    pub fn new(
        ats: impl Into<AtsName>,
        job: JobSelector,
        stages: impl IntoIterator<Item = impl Into<StageId>>,
        interview: impl Into<InterviewKey>,
    ) -> Self {
        Self {
            ats: ats.into(),
            job,
            when: JobConditions::default(),
            stages: stages.into_iter().map(Into::into).collect(),
            interview: interview.into(),
        }
    }

    /// Only for jobs meeting `conditions`.
    pub fn when(mut self, conditions: JobConditions) -> Self {
        self.when = conditions;
        self
    }

    /// How validation messages name this trigger: `trigger[2] (lever, job *)`, with
    /// its conditions when it has some.
    fn entry(&self, i: usize) -> String {
        if self.when.is_empty() {
            format!("trigger[{i}] ({}, job {})", self.ats, self.job)
        } else {
            format!(
                "trigger[{i}] ({}, job {}, when {})",
                self.ats, self.job, self.when
            )
        }
    }
}

/// A Willo decision on a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The hiring team accepted the candidate in Willo.
    Accepted,
    /// The hiring team rejected the candidate in Willo.
    Rejected,
}

/// "When Willo says `decision` for an application of `job` in `ats`, move it to
/// `move_to`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AutoProgress {
    /// The ATS connection.
    pub ats: AtsName,
    /// The job (default: every job).
    #[serde(default)]
    pub job: JobSelector,
    /// The Willo decision that triggers the move.
    pub decision: Decision,
    /// Where the application goes.
    pub move_to: StageId,
}

impl AutoProgress {
    /// When Willo says `decision` for an application of `job` in `ats`, move it to
    /// `move_to`.
    pub fn new(
        ats: impl Into<AtsName>,
        job: JobSelector,
        decision: Decision,
        move_to: impl Into<StageId>,
    ) -> Self {
        Self {
            ats: ats.into(),
            job,
            decision,
            move_to: move_to.into(),
        }
    }
}

/// The labels (tags) written at each step. Each step's label replaces the previous
/// one, so a record carries one `Willo:` label at a time. Start from
/// [`Labels::default`] and change the fields you need (a new step may add a label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Labels {
    /// After the invite is sent.
    pub invited: String,
    /// After the candidate answered.
    pub responded: String,
    /// After the team accepted the candidate in Willo.
    pub accepted: String,
    /// After the team rejected the candidate in Willo.
    pub rejected: String,
}

impl Default for Labels {
    /// The labels Willo's own Lever integration uses.
    fn default() -> Self {
        Self {
            invited: "Willo:Invited".into(),
            responded: "Willo:To Review".into(),
            accepted: "Willo:Accepted".into(),
            rejected: "Willo:Rejected".into(),
        }
    }
}

impl Labels {
    /// Every label of the lifecycle, to remove the previous one when writing the next.
    pub fn all(&self) -> [&str; 4] {
        [
            &self.invited,
            &self.responded,
            &self.accepted,
            &self.rejected,
        ]
    }

    /// The label for a Willo decision.
    pub fn for_decision(&self, decision: Decision) -> &str {
        match decision {
            Decision::Accepted => &self.accepted,
            Decision::Rejected => &self.rejected,
        }
    }
}

/// Which Willo stage names mean a decision. Willo publishes no list of its Kanban
/// stages (the names seen are "Accepted"/"Rejected", and "Accept"/"Reject" in
/// connector texts), so these are configurable; compared without case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct DecisionStages {
    /// Stage names meaning the candidate was accepted.
    pub accepted: Vec<String>,
    /// Stage names meaning the candidate was rejected.
    pub rejected: Vec<String>,
}

impl Default for DecisionStages {
    fn default() -> Self {
        Self {
            accepted: vec!["Accepted".into(), "Accept".into()],
            rejected: vec!["Rejected".into(), "Reject".into()],
        }
    }
}

impl DecisionStages {
    /// The decision a Willo stage name stands for, if any.
    pub fn decision_for(&self, stage: &str) -> Option<Decision> {
        let stage = stage.trim();
        let names = |list: &[String]| list.iter().any(|n| n.trim().eq_ignore_ascii_case(stage));
        if names(&self.accepted) {
            Some(Decision::Accepted)
        } else if names(&self.rejected) {
            Some(Decision::Rejected)
        } else {
            None
        }
    }
}

/// Pre-application screening: someone who completes `interview` in Willo without
/// being a candidate yet is created on `job` in `ats`, with the results attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Screening {
    /// The Willo interview used for screening.
    pub interview: InterviewKey,
    /// The ATS to create the candidate in.
    pub ats: AtsName,
    /// The job to create the candidate on.
    pub job: JobId,
}

impl Screening {
    /// Completing `interview` creates a candidate on `job` in `ats`.
    pub fn new(
        interview: impl Into<InterviewKey>,
        ats: impl Into<AtsName>,
        job: impl Into<JobId>,
    ) -> Self {
        Self {
            interview: interview.into(),
            ats: ats.into(),
            job: job.into(),
        }
    }
}

/// The whole rule set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rules {
    /// Stage → interview mappings (`[[trigger]]` in TOML).
    #[serde(default, rename = "trigger")]
    pub triggers: Vec<Trigger>,
    /// Labels per step (`[labels]`).
    #[serde(default)]
    pub labels: Labels,
    /// Moves on Willo decisions (`[[auto_progress]]`).
    #[serde(default)]
    pub auto_progress: Vec<AutoProgress>,
    /// Which Willo stages are decisions (`[decision_stages]`).
    #[serde(default)]
    pub decision_stages: DecisionStages,
    /// Interviews that create candidates (`[[screening]]`).
    #[serde(default)]
    pub screening: Vec<Screening>,
    /// Which events write a note and what each says (`[notes.<event>]`; see
    /// [`crate::note::NoteSettings`]).
    #[serde(default)]
    pub notes: crate::note::NoteSettings,
    /// Jobs labelled with a Willo interview's tag send that interview
    /// (`[[interview_tags]]`; tried before the triggers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interview_tags: Vec<InterviewTagRule>,
    /// What each ATS connection gets beyond the note and labels
    /// (`[mapping.<connection>]`; see [`crate::mapping`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub mapping: crate::mapping::Mappings,
}

impl Rules {
    /// No rules yet; add them with [`Rules::trigger`] and [`Rules::progress`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a trigger: candidates reaching `stages` on `job` in `ats` get `interview`.
    pub fn trigger(
        mut self,
        ats: impl Into<AtsName>,
        job: JobSelector,
        stages: impl IntoIterator<Item = impl Into<StageId>>,
        interview: impl Into<InterviewKey>,
    ) -> Self {
        self.triggers
            .push(Trigger::new(ats, job, stages, interview));
        self
    }

    /// Add an auto-progress rule.
    pub fn progress(
        mut self,
        ats: impl Into<AtsName>,
        job: JobSelector,
        decision: Decision,
        move_to: impl Into<StageId>,
    ) -> Self {
        self.auto_progress
            .push(AutoProgress::new(ats, job, decision, move_to));
        self
    }

    /// Add one trigger per `(job, interview)` pair at `stages`. This is how Lever's tag
    /// rules become ordinary rules: [`LeverAts::postings_for_interview_tags`] reads
    /// which postings carry which interview's tag, and each posting's opportunities
    /// inherit that interview. A posting tagged for two interviews fails validation.
    ///
    /// [`LeverAts::postings_for_interview_tags`]: crate::lever::LeverAts::postings_for_interview_tags
    pub fn triggers_for_jobs(
        mut self,
        ats: impl Into<AtsName>,
        stages: impl IntoIterator<Item = impl Into<StageId>>,
        pairs: impl IntoIterator<Item = (JobId, InterviewKey)>,
    ) -> Self {
        let ats = ats.into();
        let stages: Vec<StageId> = stages.into_iter().map(Into::into).collect();
        for (job, interview) in pairs {
            self.triggers.push(Trigger::new(
                ats.clone(),
                JobSelector::Job(job),
                stages.clone(),
                interview,
            ));
        }
        self
    }

    /// Add a trigger built with [`Trigger::new`] (and [`Trigger::when`]).
    pub fn with_trigger(mut self, trigger: Trigger) -> Self {
        self.triggers.push(trigger);
        self
    }

    /// Add an interview tag rule: jobs of `ats` labelled
    /// `Willo:<interview title>-<account>` (or `…:<account>`) send that interview at
    /// `stages`.
    pub fn interview_tags(
        mut self,
        ats: impl Into<AtsName>,
        account: impl Into<String>,
        stages: impl IntoIterator<Item = impl Into<StageId>>,
    ) -> Self {
        self.interview_tags
            .push(InterviewTagRule::new(ats, account, stages));
        self
    }

    /// Add a screening rule: completing `interview` creates a candidate on `job`.
    pub fn screen(
        mut self,
        interview: impl Into<InterviewKey>,
        ats: impl Into<AtsName>,
        job: impl Into<JobId>,
    ) -> Self {
        self.screening.push(Screening::new(interview, ats, job));
        self
    }

    /// Replace the labels.
    pub fn labels(mut self, labels: Labels) -> Self {
        self.labels = labels;
        self
    }

    /// Replace the Willo stage names that mean a decision.
    pub fn decision_stages(mut self, stages: DecisionStages) -> Self {
        self.decision_stages = stages;
        self
    }

    /// Parse and validate TOML.
    pub fn from_toml(text: &str) -> Result<Self, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError::Parse {
            format: "TOML",
            message: e.to_string(),
        })?;
        rules.validated()
    }

    /// Parse and validate JSON.
    pub fn from_json(text: &str) -> Result<Self, RulesError> {
        let rules: Rules = serde_json::from_str(text).map_err(|e| RulesError::Parse {
            format: "JSON",
            message: e.to_string(),
        })?;
        rules.validated()
    }

    /// Check the rules; the first problem found is returned, naming its entry.
    pub fn validate(&self) -> Result<(), RulesError> {
        for (i, trigger) in self.triggers.iter().enumerate() {
            let invalid = |reason: &str| RulesError::Invalid {
                entry: trigger.entry(i),
                reason: reason.to_owned(),
            };
            if trigger.ats.as_str().trim().is_empty() {
                return Err(invalid("`ats` is empty"));
            }
            if trigger.job == JobSelector::Job(JobId::default()) {
                return Err(invalid("`job` is empty; use \"*\" for every job"));
            }
            if trigger.stages.is_empty() {
                return Err(invalid("needs at least one stage in `stages`"));
            }
            if trigger.stages.iter().any(|s| s.as_str().trim().is_empty()) {
                return Err(invalid("a stage in `stages` is empty"));
            }
            let key = trigger.interview.as_str();
            if key.is_empty() || key.chars().any(char::is_whitespace) {
                return Err(invalid("`interview` must be a Willo interview key"));
            }
            if let Some(blank) = trigger.when.blank() {
                return Err(invalid(&format!(
                    "{blank} is empty; leave it out to match any"
                )));
            }
        }
        self.check_shadowing()?;
        self.check_interview_tags()?;
        let labels = [
            ("labels.invited", &self.labels.invited),
            ("labels.responded", &self.labels.responded),
            ("labels.accepted", &self.labels.accepted),
            ("labels.rejected", &self.labels.rejected),
        ];
        for (i, (entry, label)) in labels.iter().enumerate() {
            if label.trim().is_empty() {
                return Err(RulesError::Invalid {
                    entry: (*entry).to_owned(),
                    reason: "is empty".into(),
                });
            }
            if let Some((other, _)) = labels[..i].iter().find(|(_, l)| l == label) {
                return Err(RulesError::Invalid {
                    entry: (*entry).to_owned(),
                    reason: format!("is the same label as {other}; each step needs its own"),
                });
            }
        }
        let mut moves: HashMap<(&AtsName, &JobSelector, Decision), usize> = HashMap::new();
        for (i, rule) in self.auto_progress.iter().enumerate() {
            let entry = format!("auto_progress[{i}] ({}, job {})", rule.ats, rule.job);
            if rule.move_to.as_str().trim().is_empty() {
                return Err(RulesError::Invalid {
                    entry,
                    reason: "`move_to` is empty".into(),
                });
            }
            if let Some(first) = moves.insert((&rule.ats, &rule.job, rule.decision), i) {
                return Err(RulesError::Invalid {
                    entry,
                    reason: format!("repeats auto_progress[{first}] for the same decision"),
                });
            }
        }
        let mut screened: HashMap<&InterviewKey, usize> = HashMap::new();
        for (i, rule) in self.screening.iter().enumerate() {
            let entry = format!("screening[{i}] (interview {})", rule.interview);
            let invalid = |reason: String| RulesError::Invalid {
                entry: entry.clone(),
                reason,
            };
            if rule.ats.as_str().trim().is_empty() || rule.job.as_str().trim().is_empty() {
                return Err(invalid("needs an `ats` and a `job`".into()));
            }
            if let Some(first) = screened.insert(&rule.interview, i) {
                return Err(invalid(format!(
                    "repeats the interview of screening[{first}]; one interview screens for one job"
                )));
            }
            if let Some(t) = self
                .triggers
                .iter()
                .position(|t| t.interview == rule.interview)
            {
                return Err(invalid(format!(
                    "trigger[{t}] sends this interview to existing candidates; a screening \
                     interview must be its own"
                )));
            }
        }
        self.notes
            .validate()
            .map_err(|(event, error)| RulesError::Invalid {
                entry: match error {
                    crate::note::NoteTemplateError::NoStages { .. } => {
                        format!("notes.{event}.stages")
                    }
                    _ => format!("notes.{event}.template"),
                },
                reason: error.to_string(),
            })?;
        crate::mapping::validate_all(&self.mapping)
    }

    fn check_interview_tags(&self) -> Result<(), RulesError> {
        let mut seen: HashMap<(&AtsName, &str, &StageId), usize> = HashMap::new();
        for (i, rule) in self.interview_tags.iter().enumerate() {
            let entry = format!(
                "interview_tags[{i}] ({}, account {})",
                rule.ats, rule.account
            );
            let invalid = |reason: String| RulesError::Invalid {
                entry: entry.clone(),
                reason,
            };
            if rule.ats.as_str().trim().is_empty() || rule.account.trim().is_empty() {
                return Err(invalid("needs an `ats` and an `account`".into()));
            }
            if rule.stages.is_empty() || rule.stages.iter().any(|s| s.as_str().trim().is_empty()) {
                return Err(invalid(
                    "needs at least one non-empty stage in `stages`".into(),
                ));
            }
            for stage in &rule.stages {
                if let Some(first) = seen.insert((&rule.ats, rule.account.trim(), stage), i) {
                    return Err(invalid(format!(
                        "stage `{stage}` repeats interview_tags[{first}]; it can never match"
                    )));
                }
            }
        }
        Ok(())
    }

    fn validated(self) -> Result<Self, RulesError> {
        self.validate()?;
        Ok(self)
    }

    /// The interview to send when an application of `job` in `ats` reaches `stage`,
    /// knowing the job by its id alone: a rule naming the job wins over a rule for
    /// every job, and rules with `when` conditions or interview tags never match
    /// (they need the job's attributes: use [`Rules::choose`]).
    pub fn interview_for(
        &self,
        ats: &AtsName,
        job: &JobId,
        stage: &StageId,
    ) -> Option<&InterviewKey> {
        let matching = || {
            self.triggers.iter().filter(|t| {
                &t.ats == ats && t.when.is_empty() && t.job.covers(job) && t.stages.contains(stage)
            })
        };
        matching()
            .find(|t| t.job != JobSelector::Any)
            .or_else(|| matching().next())
            .map(|t| &t.interview)
    }

    /// The screening rule for `interview`, if it is a screening interview.
    pub fn screening_for(&self, interview: &InterviewKey) -> Option<&Screening> {
        self.screening.iter().find(|s| &s.interview == interview)
    }

    /// Where to move an application of `job` in `ats` on `decision`, if anywhere: a rule
    /// naming the job wins over a rule for every job.
    pub fn move_on_decision(
        &self,
        ats: &AtsName,
        job: &JobId,
        decision: Decision,
    ) -> Option<&StageId> {
        let matching = || {
            self.auto_progress
                .iter()
                .filter(|r| &r.ats == ats && r.decision == decision && r.job.covers(job))
        };
        matching()
            .find(|r| r.job != JobSelector::Any)
            .or_else(|| matching().next())
            .map(|r| &r.move_to)
    }
}
