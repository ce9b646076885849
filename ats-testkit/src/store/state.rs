//! The reconciler's state: cursors and job states.

use ats_bridge::model::{AtsName, JobId, JobState};
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

/// The ledger's history starts at the first call and stays; a restart moves it.
pub async fn history_start(store: &dyn Store) {
    assert_eq!(store.history_start(5_000).await.unwrap(), 5_000);
    assert_eq!(
        store.history_start(9_000).await.unwrap(),
        5_000,
        "kept, not moved by later calls"
    );
    store.restart_history(20_000).await.unwrap();
    assert_eq!(store.history_start(30_000).await.unwrap(), 20_000);
}
