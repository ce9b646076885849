//! Which rule each open job of an ATS matches, stage by stage: what `setup` prints
//! so a rules file can be checked against the jobs it is meant for.

use super::{Choice, InterviewDirectory, Rules};
use crate::model::{Job, JobState, StageId};
use crate::{Ats, AtsResult};

/// One open job and what the rules choose for it at each stage they name.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JobRules {
    /// The job, with the attributes the rules were matched against.
    pub job: Job,
    /// For each stage the ATS's rules name, what they choose.
    pub stages: Vec<(StageId, Choice)>,
}

impl Rules {
    /// Every open job of `ats` and what the rules choose for it at each stage they
    /// name; `interviews` for interview tags (see
    /// [`InterviewDirectory::fetch`]). Reads the jobs, and each job's details when a
    /// condition needs attributes the listing leaves out.
    pub async fn explain_jobs<A: Ats + ?Sized>(
        &self,
        ats: &A,
        interviews: &InterviewDirectory,
    ) -> AtsResult<Vec<JobRules>> {
        let name = ats.name();
        let stages = self.stages_of(&name);
        let mut explained = Vec::new();
        for listed in ats.jobs().await? {
            if listed.state != JobState::Open {
                continue;
            }
            let job = if listed.attributes.complete || !self.needs_job_details(&name) {
                listed
            } else {
                ats.job_details(&listed.id).await?
            };
            let choices = stages
                .iter()
                .map(|stage| {
                    (
                        (*stage).clone(),
                        self.choose(&name, &job, stage, interviews),
                    )
                })
                .collect();
            explained.push(JobRules {
                job,
                stages: choices,
            });
        }
        Ok(explained)
    }
}
