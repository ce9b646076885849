//! Jobs named in a rule follow their state at every reconciler pass, not only when a
//! job webhook arrives: closed or on hold stops inviting, deleted is recorded as
//! closed, reopened resumes.

use ats_bridge::engine::{Action, Ignored};
use ats_bridge::model::JobState;

use crate::support::world::{JobListed, VendorWorld, World};

/// The job's state as the engine recorded it.
async fn recorded<V: VendorWorld>(w: &World<V>) -> Option<JobState> {
    w.store
        .job_state(&World::<V>::name(), &V::JOB.into())
        .await
        .unwrap()
}

pub async fn a_named_job_on_hold_or_deleted_stops_inviting_at_the_next_pass_and_reopened_resumes<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    // Pass 1: on hold (SmartRecruiters) or closed (Lever). The trigger stage is not
    // even listed (the strict mock would refuse it).
    V::job_listed(&w.ats, JobListed::OnHold, 1).await;
    let report = w.engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.applications_seen, 0);
    assert_eq!(recorded(&w).await, Some(JobState::Closed));
    // A stage change meanwhile is not invited either.
    assert_eq!(
        w.on_stage_change().await,
        Action::Ignored(Ignored::JobClosed)
    );

    // Pass 2: deleted (not listed any more): recorded as closed.
    w.on_ats_event(ats_bridge::model::AtsEvent::JobStatusChanged {
        job: V::JOB.into(),
        state: JobState::Open,
    })
    .await;
    V::job_listed(&w.ats, JobListed::Gone, 1).await;
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 0, "{report:?}");
    assert_eq!(recorded(&w).await, Some(JobState::Closed));

    // Pass 3: open again: the stage is listed and the candidate invited, once.
    V::listed_at_trigger_stage(&w.ats, 1).await;
    w.one_invite_reading(u64::from(!V::LISTING_HAS_DETAILS))
        .await;
    let report = w.engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.invited, 1);
    assert_eq!(recorded(&w).await, Some(JobState::Open));
}
