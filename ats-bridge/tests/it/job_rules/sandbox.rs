//! On the sandbox (real HTTP, stateful vendors): the interview chosen by title and by
//! Lever interview tag, and jobs put on hold or closed leaving the next pass, for
//! both ATSs.
#![cfg(all(feature = "smartrecruiters", feature = "lever"))]

use std::collections::BTreeSet;
use std::sync::Arc;

use ats_bridge::engine::Engine;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::JobState;
use ats_bridge::rules::{JobConditions, JobSelector, Rules, TitlePattern, Trigger};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig, stage_id};
use ats_bridge::store::{MemoryStore, Store};
use ats_sandbox::lever::STAGE_NEW_APPLICANT;
use ats_sandbox::{Sandbox, SandboxConfig, Seed};
use smartrecruiters_client::{ApplicationStatus, JobStatus};

use super::{dry_run, would_invite};

/// A dry-run engine over the sandbox's three APIs.
fn engine(sandbox: &Sandbox, store: Arc<dyn Store>, rules: Rules) -> Engine {
    let sr = SmartRecruitersAts::new(
        sandbox.smartrecruiters_client().unwrap(),
        SmartRecruitersAtsConfig::new(),
    );
    let lever = LeverAts::new(
        sandbox.lever_client().unwrap(),
        LeverAtsConfig::new(sandbox.lever().perform_as()),
    );
    Engine::builder(sandbox.willo_client().unwrap(), store)
        .ats(Arc::new(sr))
        .ats(Arc::new(lever))
        .rules(rules)
        .config(dry_run())
        .build()
        .unwrap()
}

/// Which interview each application would get, by job: (job, interview).
fn by_job(engine: &Engine, application_job: impl Fn(&str) -> String) -> BTreeSet<(String, String)> {
    would_invite(engine)
        .into_iter()
        .map(|(application, interview)| (application_job(&application), interview))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_and_tags_choose_the_interview_and_jobs_on_hold_leave_the_next_pass() {
    let config = SandboxConfig::new().data(Seed::new().candidates_per_job(1));
    let sandbox = Sandbox::start(config).await.unwrap();
    let interviews = sandbox.willo().interviews();
    let (first, second) = (interviews[0].key.clone(), interviews[1].key.clone());
    let sr_stage = stage_id(&ApplicationStatus::New, None);
    let first_job = JobConditions::new().title(TitlePattern::new(" 1$").unwrap());
    let rules = Rules::new()
        .with_trigger(
            Trigger::new(
                "smartrecruiters",
                JobSelector::Any,
                [sr_stage.clone()],
                first.clone(),
            )
            .when(first_job),
        )
        .trigger(
            "smartrecruiters",
            JobSelector::Any,
            [sr_stage],
            second.clone(),
        )
        .interview_tags("lever", "Sandbox", [STAGE_NEW_APPLICANT])
        .trigger(
            "lever",
            JobSelector::Any,
            [STAGE_NEW_APPLICANT],
            first.clone(),
        );
    let jobs = sandbox.smartrecruiters().jobs();
    let postings = sandbox.lever().postings();
    // Posting 2 tagged for the second interview, as a recruiter types it in Lever.
    let tag = format!("Willo:{}-Sandbox", interviews[1].title);
    sandbox
        .lever()
        .set_posting_tags(&postings[1].id, &[tag.as_str()])
        .unwrap();
    // SmartRecruiters applications are `candidate:job`; Lever's are opportunities.
    let job_of = |application: &str| match application.split_once(':') {
        Some((_, job)) => job.to_owned(),
        None => postings
            .iter()
            .find(|p| {
                sandbox
                    .lever()
                    .opportunities(&p.id)
                    .contains(&application.to_owned())
            })
            .map(|p| p.id.clone())
            .unwrap(),
    };
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let everything: BTreeSet<(String, String)> = [
        (jobs[0].id.clone(), first.to_string()),
        (jobs[1].id.clone(), second.to_string()),
        (postings[0].id.clone(), first.to_string()),
        (postings[1].id.clone(), second.to_string()),
    ]
    .into();

    let open = engine(&sandbox, store.clone(), rules.clone());
    let report = open.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(by_job(&open, job_of), everything);

    // Job 1 on hold, posting 2 closed: the next pass leaves them out.
    sandbox
        .smartrecruiters()
        .set_job_status(&jobs[0].id, JobStatus::OnHold)
        .unwrap();
    sandbox
        .lever()
        .set_posting_state(&postings[1].id, "closed")
        .unwrap();
    let held = engine(&sandbox, store.clone(), rules.clone());
    held.reconcile().await.unwrap();
    let expected: BTreeSet<_> = [
        (jobs[1].id.clone(), second.to_string()),
        (postings[0].id.clone(), first.to_string()),
    ]
    .into();
    assert_eq!(by_job(&held, job_of), expected);
    let state = store
        .job_state(&"smartrecruiters".into(), &jobs[0].id.as_str().into())
        .await
        .unwrap();
    assert_eq!(state, Some(JobState::Closed));

    // Reopened: everything is invited again.
    sandbox
        .smartrecruiters()
        .set_job_status(&jobs[0].id, JobStatus::Sourcing)
        .unwrap();
    sandbox
        .lever()
        .set_posting_state(&postings[1].id, "published")
        .unwrap();
    let reopened = engine(&sandbox, store, rules);
    reopened.reconcile().await.unwrap();
    assert_eq!(by_job(&reopened, job_of), everything);
    sandbox.shutdown().await;
}
