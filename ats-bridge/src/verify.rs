//! Verifying a connection before relying on it: are the credentials accepted, do
//! they carry the permissions the workflow needs (naming a missing one), do the
//! trigger stages and interviews the rules name exist, are the webhooks registered.
//! Each answer is a [`Check`] with a pass, a failure and its reason, or a skip and
//! why; a [`VerifyReport`] prints as a checklist.
//!
//! [`Ats::verify_connection`] runs the checks for one ATS connection (the provided method does
//! what works for any `Ats`; the SmartRecruiters and Lever adapters add their
//! clients' permission probes), [`willo`] those for the Willo account, and
//! [`crate::registration`]'s `verify_*` those for each vendor's webhooks.

use std::collections::BTreeSet;
use std::fmt;

use client_core::access::{Access, AccessReport};
use willo_client::WilloClient;

use crate::Ats;
use crate::model::{InterviewKey, JobId};
use crate::rules::{JobSelector, Rules};

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It holds.
    Pass,
    /// It does not, and why.
    Fail(String),
    /// It was not checked, and why.
    Skipped(String),
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// What was checked: `smartrecruiters`, `lever`, `willo`, or another ATS's name.
    pub subject: String,
    /// The check, as a short phrase (`credentials`, `scope stages:read:admin`…).
    pub what: String,
    /// The outcome.
    pub outcome: Outcome,
}

impl Check {
    /// A check that held.
    pub fn pass(subject: impl Into<String>, what: impl Into<String>) -> Self {
        Self::new(subject, what, Outcome::Pass)
    }

    /// A check that failed, with the reason.
    pub fn fail(
        subject: impl Into<String>,
        what: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(subject, what, Outcome::Fail(reason.into()))
    }

    /// A check that was not made, with the reason.
    pub fn skipped(
        subject: impl Into<String>,
        what: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(subject, what, Outcome::Skipped(reason.into()))
    }

    fn new(subject: impl Into<String>, what: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            subject: subject.into(),
            what: what.into(),
            outcome,
        }
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail(_))
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Pass => write!(f, "[ok]   {}: {}", self.subject, self.what),
            Outcome::Fail(reason) => {
                write!(f, "[FAIL] {}: {} — {reason}", self.subject, self.what)
            }
            Outcome::Skipped(reason) => {
                write!(f, "[skip] {}: {} — {reason}", self.subject, self.what)
            }
        }
    }
}

/// Every check of a verification, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyReport {
    /// The checks.
    pub checks: Vec<Check>,
}

impl VerifyReport {
    /// A report of `checks`.
    pub fn new(checks: Vec<Check>) -> Self {
        Self { checks }
    }

    /// Add checks.
    pub fn extend(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
    }

    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.failed())
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for check in &self.checks {
            writeln!(f, "{check}")?;
        }
        Ok(())
    }
}

/// A client's [`AccessReport`] as checks: the credentials first, then one line per
/// permission (a missing one named in its reason).
pub fn access_checks(subject: &str, report: &AccessReport) -> Vec<Check> {
    let mut checks = vec![if report.credentials_valid() {
        Check::pass(subject, "credentials accepted")
    } else {
        Check::fail(
            subject,
            "credentials accepted",
            "the API refused the credentials (401)",
        )
    }];
    for permission in &report.permissions {
        let what = format!("permission {}", permission.permission);
        checks.push(match &permission.access {
            Access::Granted => Check::pass(subject, what),
            Access::Missing => Check::fail(
                subject,
                what,
                format!(
                    "missing permission `{}` ({} was forbidden)",
                    permission.permission, permission.probe
                ),
            ),
            Access::CredentialsRefused => {
                Check::skipped(subject, what, "the credentials were refused")
            }
            Access::NotProbed(reason) => Check::skipped(subject, what, reason.clone()),
            Access::Failed(error) => Check::fail(
                subject,
                what,
                format!("{} failed: {error}", permission.probe),
            ),
            _ => Check::skipped(subject, what, "unknown outcome"),
        });
    }
    checks
}

/// What any [`Ats`] can be checked for: its jobs can be listed (the credentials work)
/// and every trigger of `rules` for it names a job that exists and stages that job
/// has. The provided [`Ats::verify_connection`] runs this.
pub async fn ats_checks<A: Ats + ?Sized>(ats: &A, rules: &Rules) -> Vec<Check> {
    let name = ats.name();
    let subject = name.as_str();
    let jobs = match ats.jobs().await {
        Ok(jobs) => jobs,
        Err(error) => {
            return vec![Check::fail(
                subject,
                "jobs can be listed",
                error.to_string(),
            )];
        }
    };
    let mut checks = vec![Check::pass(subject, "jobs can be listed")];
    let triggers: Vec<_> = rules.triggers.iter().filter(|t| t.ats == name).collect();
    let tag_rules: Vec<_> = rules
        .interview_tags
        .iter()
        .filter(|r| r.ats == name)
        .collect();
    if triggers.is_empty() && tag_rules.is_empty() {
        checks.push(Check::skipped(
            subject,
            "trigger stages",
            "no trigger names this ATS",
        ));
    }
    for trigger in triggers {
        let job: Option<&JobId> = match &trigger.job {
            JobSelector::Job(id) => {
                if !jobs.iter().any(|j| &j.id == id) {
                    checks.push(Check::fail(
                        subject,
                        format!("job {id}"),
                        "not among the ATS's jobs",
                    ));
                    continue;
                }
                Some(id)
            }
            // The pipelines of both built-in ATSs are shared by every job.
            _ => jobs.first().map(|j| &j.id),
        };
        let Some(job) = job else {
            checks.push(Check::skipped(
                subject,
                "trigger stages",
                "the ATS has no job",
            ));
            continue;
        };
        let stages = match ats.stages(job).await {
            Ok(stages) => stages,
            Err(error) => {
                checks.push(Check::fail(
                    subject,
                    format!("stages of job {job}"),
                    error.to_string(),
                ));
                continue;
            }
        };
        for stage in &trigger.stages {
            let what = format!("trigger stage {stage} (job {job})");
            checks.push(if stages.iter().any(|s| &s.id == stage) {
                Check::pass(subject, what)
            } else {
                Check::fail(subject, what, "no such stage in the job's pipeline")
            });
        }
    }
    // Interview tags cover whichever job is tagged: their stages are checked against
    // the shared pipeline, as for `*` triggers.
    if let (false, Some(job)) = (tag_rules.is_empty(), jobs.first()) {
        match ats.stages(&job.id).await {
            Ok(stages) => {
                for stage in tag_rules.iter().flat_map(|r| &r.stages) {
                    let what = format!("interview tag stage {stage}");
                    checks.push(if stages.iter().any(|s| &s.id == stage) {
                        Check::pass(subject, what)
                    } else {
                        Check::fail(subject, what, "no such stage in the pipeline")
                    });
                }
            }
            Err(error) => checks.push(Check::fail(
                subject,
                format!("stages of job {}", job.id),
                error.to_string(),
            )),
        }
    }
    checks
}

/// The Willo account: the API key's access ([`WilloClient::check_access`]) and every
/// interview the rules' triggers send.
pub async fn willo(client: &WilloClient, rules: &Rules) -> Vec<Check> {
    const SUBJECT: &str = "willo";
    let mut checks = access_checks(SUBJECT, &client.check_access().await);
    let interviews: BTreeSet<&InterviewKey> = rules.triggers.iter().map(|t| &t.interview).collect();
    for key in interviews {
        let what = format!("interview {key}");
        checks.push(match client.interviews().get(key).await {
            Ok(_) => Check::pass(SUBJECT, what),
            Err(error) if error.is_not_found() => {
                Check::fail(SUBJECT, what, "no such interview in the account")
            }
            Err(error) => Check::fail(SUBJECT, what, error.to_string()),
        });
    }
    checks
}
