//! Screenings: the intent is claimed like a ledger row, and its completion creates
//! the ledger row of the new application in the same transaction.

use super::{LEASE, lease};
use ats_bridge::model::{ApplicationRef, JobId, ParticipantKey};
use ats_bridge::store::{LedgerKey, RowState, ScreeningClaim, ScreeningKey, Store, StoreError};

fn screening(participant: &str) -> ScreeningKey {
    ScreeningKey::new("smartrecruiters", "screening-interview", participant)
}

fn created(candidate: &str) -> ApplicationRef {
    ApplicationRef {
        application: format!("{candidate}:job-s").into(),
        candidate: candidate.into(),
        job: "job-s".into(),
    }
}

/// The first claim records the intent (fresh); a live lease excludes others; a claim
/// after an unfinished attempt is not fresh; the completion creates the invited row.
pub async fn screenings(store: &dyn Store) {
    let key = screening("p-screen-1");
    let job = JobId::new("job-s");
    assert_eq!(store.screening(&key).await.unwrap(), None);

    let first = store
        .claim_screening(&key, &job, &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    let ScreeningClaim::Fresh(row) = first else {
        panic!("first claim: {first:?}")
    };
    assert_eq!((row.job.as_str(), row.created.as_ref()), ("job-s", None));
    assert_eq!(row.lease_owner.as_deref(), Some("w1"));
    let busy = store
        .claim_screening(&key, &job, &lease("w2", 1_001, LEASE))
        .await
        .unwrap();
    assert!(matches!(busy, ScreeningClaim::Busy(_)), "{busy:?}");

    // w1 fails for now; the next claim may find a candidate w1 created: not fresh.
    store
        .record_screening_failed(&key, "ATS timeout", row.fence, 1_500)
        .await
        .unwrap();
    let again = store
        .claim_screening(&key, &job, &lease("w2", 1_600, LEASE))
        .await
        .unwrap();
    let ScreeningClaim::Acquired(retry) = again else {
        panic!("after a failed attempt: {again:?}")
    };
    assert_eq!(retry.attempts, 1);
    assert_eq!(retry.last_error.as_deref(), Some("ATS timeout"));
    assert!(retry.fence > row.fence);

    // The old holder's results are refused; the new holder's land.
    let made = created("cand-screen-1");
    assert!(matches!(
        store.record_screened(&key, &made, row.fence, 1_700).await,
        Err(StoreError::Fenced(_))
    ));
    let ledger_row = store
        .record_screened(&key, &made, retry.fence, 1_700)
        .await
        .unwrap();
    assert_eq!(
        ledger_row.key,
        LedgerKey::new(
            "smartrecruiters",
            "cand-screen-1:job-s",
            "screening-interview"
        )
    );
    assert_eq!(ledger_row.state, RowState::Invited);
    assert_eq!(ledger_row.candidate.as_str(), "cand-screen-1");
    assert_eq!(
        ledger_row.participant,
        Some(ParticipantKey::new("p-screen-1"))
    );
    assert_eq!(
        store
            .find_by_participant(&ParticipantKey::new("p-screen-1"))
            .await
            .unwrap(),
        Some(ledger_row.clone())
    );

    // Done: every later claim answers with the created application.
    let done = store
        .claim_screening(&key, &job, &lease("w3", 90_000, LEASE))
        .await
        .unwrap();
    let ScreeningClaim::Created(done) = done else {
        panic!("after completion: {done:?}")
    };
    assert_eq!(done.created, Some(made));
    assert_eq!(done.lease_owner, None);

    // Another participant of the same interview is a screening of their own.
    let other = store
        .claim_screening(&screening("p-screen-2"), &job, &lease("w1", 90_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(other, ScreeningClaim::Fresh(_)), "{other:?}");
}
