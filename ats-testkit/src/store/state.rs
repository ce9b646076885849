//! The reconciler's state: cursors, job states, screening applications.

use super::key;
use ats_bridge::model::{ApplicationRef, AtsName, JobId, JobState};
use ats_bridge::store::Store;

/// Reconciler cursors are saved and overwritten.
pub async fn cursors(store: &dyn Store) {
    assert_eq!(store.cursor_get("lever:stage-1").await.unwrap(), None);
    store
        .cursor_set("lever:stage-1", "offset-1", 1)
        .await
        .unwrap();
    store
        .cursor_set("lever:stage-1", "offset-2", 2)
        .await
        .unwrap();
    store.cursor_set("sr:job-1", "page-9", 3).await.unwrap();
    assert_eq!(
        store.cursor_get("lever:stage-1").await.unwrap().as_deref(),
        Some("offset-2")
    );
    assert_eq!(
        store.cursor_get("sr:job-1").await.unwrap().as_deref(),
        Some("page-9")
    );
}

/// Job states are kept per (ATS, job), the last one reported winning.
pub async fn job_states(store: &dyn Store) {
    let (lever, sr) = (AtsName::new("lever"), AtsName::new("smartrecruiters"));
    let job = JobId::new("job-states-1");
    assert_eq!(store.job_state(&lever, &job).await.unwrap(), None);
    store
        .set_job_state(&lever, &job, &JobState::Open, 1)
        .await
        .unwrap();
    store
        .set_job_state(&lever, &job, &JobState::Closed, 2)
        .await
        .unwrap();
    let other = JobState::Other("ON_HOLD".into());
    store.set_job_state(&sr, &job, &other, 3).await.unwrap();
    assert_eq!(
        store.job_state(&lever, &job).await.unwrap(),
        Some(JobState::Closed)
    );
    assert_eq!(store.job_state(&sr, &job).await.unwrap(), Some(other));
    assert_eq!(
        store
            .job_state(&lever, &JobId::new("job-states-2"))
            .await
            .unwrap(),
        None
    );
    // Job states are not cursors.
    assert_eq!(store.cursor_get("job-states-1").await.unwrap(), None);
}

/// The application created for a screening row is kept per ledger key.
pub async fn screening_applications(store: &dyn Store) {
    let (first, second) = (key("screening-1"), key("screening-2"));
    assert_eq!(store.screening_application(&first).await.unwrap(), None);
    let created = ApplicationRef {
        application: "app-created-1".into(),
        candidate: "cand-created-1".into(),
        job: "job-created-1".into(),
    };
    store
        .set_screening_application(&first, &created, 1)
        .await
        .unwrap();
    assert_eq!(
        store.screening_application(&first).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.screening_application(&second).await.unwrap(), None);
    let replaced = ApplicationRef {
        application: "app-created-2".into(),
        ..created
    };
    store
        .set_screening_application(&first, &replaced, 2)
        .await
        .unwrap();
    assert_eq!(
        store.screening_application(&first).await.unwrap(),
        Some(replaced)
    );
}
