//! The conformance suite every [`Store`] backend must pass.
//!
//! Run [`run_store_suite`] against a fresh, empty store; it panics on the first
//! difference from the documented semantics. Each part is also public, so a failing
//! backend can be debugged one part at a time. [`racing_claims`] and
//! [`racing_claims_of_one_person`] check that claims stay exclusive under concurrent
//! callers (each on a fresh store of its own).

use std::sync::Arc;

use ats_bridge::model::{ApplicationRef, AtsName, CandidateId, JobId, JobState, ParticipantKey};
use ats_bridge::store::{
    Claim, InboxItem, InviteClaim, Lease, LedgerKey, LedgerRow, NewDelivery, RowState,
    StatusReport, Store, StoreError,
};

const LEASE: i64 = 30_000;

fn key(application: &str) -> LedgerKey {
    LedgerKey::new("lever", application, "interview-1")
}

fn candidate(id: &str) -> CandidateId {
    CandidateId::new(id)
}

fn job() -> JobId {
    JobId::new("job-1")
}

fn invite(key: &LedgerKey, candidate: &CandidateId, job: &JobId) -> InviteClaim {
    InviteClaim::new(key.clone(), candidate.clone(), job.clone())
}

fn lease(worker: &str, now_ms: i64, lease_ms: i64) -> Lease {
    Lease::new(worker, now_ms, lease_ms)
}

/// Run every part of the suite against `store`, which must start empty.
pub async fn run_store_suite(store: &dyn Store) {
    claims_and_leases(store).await;
    fresh_claims_and_siblings(store).await;
    fresh_sync_claims(store).await;
    invites_and_participants(store).await;
    sync_outcomes(store).await;
    retries(store).await;
    failures_and_redrive(store).await;
    cancellation(store).await;
    inbox(store).await;
    inbox_pruning(store).await;
    deletion_erases_deliveries(store).await;
    inbox_events(store).await;
    cursors(store).await;
    job_states(store).await;
    screening_applications(store).await;
    status(store).await;
}

/// Claims create the row, leases exclude others until they expire, retry times are
/// honoured, and rows past pending are settled.
pub async fn claims_and_leases(store: &dyn Store) {
    let k = key("claims-1");
    let (c, j) = (candidate("cand-claims"), job());
    let first = store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    let Claim::Fresh(row) = first else {
        panic!("first claim: {first:?}")
    };
    assert_eq!(row.state, RowState::Pending);
    assert_eq!(row.lease_owner.as_deref(), Some("w1"));
    assert_eq!(row.lease_until_ms, Some(1_000 + LEASE));
    assert_eq!(
        (row.candidate.as_str(), row.job.as_str()),
        ("cand-claims", "job-1")
    );
    assert_eq!(row.created_at_ms, 1_000);

    let busy = store
        .claim_invite(&invite(&k, &c, &j), &lease("w2", 1_001, LEASE))
        .await
        .unwrap();
    assert!(
        matches!(busy, Claim::Busy(_)),
        "live lease must exclude: {busy:?}"
    );
    let busy = store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000 + LEASE - 1, LEASE))
        .await
        .unwrap();
    assert!(matches!(busy, Claim::Busy(_)), "the owner too: {busy:?}");

    // At the expiry instant the lease is dead: a crashed worker's row is taken over.
    let taken = store
        .claim_invite(&invite(&k, &c, &j), &lease("w2", 1_000 + LEASE, LEASE))
        .await
        .unwrap();
    let Claim::Acquired(row) = taken else {
        panic!("after expiry: {taken:?}")
    };
    assert_eq!(row.lease_owner.as_deref(), Some("w2"));
    assert_eq!(row.created_at_ms, 1_000, "claims never recreate the row");

    // A retry time in the future makes the row busy for everyone, then due.
    store
        .record_retry(&k, "timeout", 50_000, 40_000)
        .await
        .unwrap();
    let early = store
        .claim_invite(&invite(&k, &c, &j), &lease("w3", 49_999, LEASE))
        .await
        .unwrap();
    assert!(matches!(early, Claim::Busy(_)), "{early:?}");
    let due = store
        .claim_invite(&invite(&k, &c, &j), &lease("w3", 50_000, LEASE))
        .await
        .unwrap();
    assert!(due.is_acquired(), "{due:?}");

    store
        .record_invited(&k, &ParticipantKey::new("p-claims"), 50_001)
        .await
        .unwrap();
    let settled = store
        .claim_invite(&invite(&k, &c, &j), &lease("w4", 200_000, LEASE))
        .await
        .unwrap();
    let Claim::Settled(row) = settled else {
        panic!("invited row: {settled:?}")
    };
    assert_eq!(row.state, RowState::Invited);
}

/// A claim is fresh only when it created the row and the candidate has no other
/// application for the interview; a sibling's invite in flight makes the row busy.
pub async fn fresh_claims_and_siblings(store: &dyn Store) {
    let (c, j) = (candidate("cand-fresh"), job());
    let (first, second) = (key("fresh-1"), key("fresh-2"));
    let claim = store
        .claim_invite(&invite(&first, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Fresh(_)), "{claim:?}");

    // The same person's other application waits while the first invite is in flight,
    // but its row exists (pending, unleased) so the retry loop comes back to it.
    let claim = store
        .claim_invite(&invite(&second, &c, &j), &lease("w2", 1_001, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Busy(_)), "{claim:?}");
    let waiting = store.row(&second).await.unwrap().expect("row kept");
    assert_eq!(waiting.state, RowState::Pending);
    assert_eq!(waiting.lease_owner, None);

    // Once the first is invited, the second is acquired, but not fresh: the person
    // may already be a Willo participant of this interview.
    store
        .record_invited(&first, &ParticipantKey::new("p-fresh"), 1_500)
        .await
        .unwrap();
    let claim = store
        .claim_invite(&invite(&second, &c, &j), &lease("w2", 1_600, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");

    // Another interview, or another ATS with the same candidate id: not siblings.
    let other_interview = LedgerKey::new("lever", "fresh-3", "interview-2");
    let other_ats = LedgerKey::new("smartrecruiters", "fresh-4", "interview-1");
    for k in [&other_interview, &other_ats] {
        let claim = store
            .claim_invite(&invite(k, &c, &j), &lease("w1", 1_700, LEASE))
            .await
            .unwrap();
        assert!(matches!(claim, Claim::Fresh(_)), "{k}: {claim:?}");
    }

    // A row taken over after its lease expired is not fresh.
    let claim = store
        .claim_invite(
            &invite(&other_interview, &c, &j),
            &lease("w2", 1_700 + LEASE, LEASE),
        )
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");

    // A sibling waiting for a retry (no live lease) does not block, but the row it
    // shares a person with is not fresh either.
    let c2 = candidate("cand-fresh-2");
    let (third, fourth) = (key("fresh-5"), key("fresh-6"));
    let claim = store
        .claim_invite(&invite(&third, &c2, &j), &lease("w1", 2_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Fresh(_)), "{claim:?}");
    store
        .record_retry(&third, "timeout", 9_000, 2_100)
        .await
        .unwrap();
    let claim = store
        .claim_invite(&invite(&fourth, &c2, &j), &lease("w2", 2_200, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");
}

/// A write-back claim is fresh only when nobody touched the row since its last
/// successful step: not after a failed attempt, a crashed worker or a redrive.
pub async fn fresh_sync_claims(store: &dyn Store) {
    let (c, j) = (candidate("cand-fresh-sync"), job());
    let k = key("fresh-sync-1");
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    store
        .record_invited(&k, &ParticipantKey::new("p-fresh-sync"), 1_100)
        .await
        .unwrap();
    let claim = store
        .claim_sync(&k, "completed", &lease("w1", 1_200, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Fresh(_)), "{claim:?}");

    // The worker crashed: its expired lease marks the row as touched.
    let claim = store
        .claim_sync(&k, "completed", &lease("w2", 1_200 + LEASE, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");
    store
        .record_retry(&k, "ats down", 100_000, 1_300 + LEASE)
        .await
        .unwrap();
    let claim = store
        .claim_sync(&k, "completed", &lease("w2", 100_000, LEASE))
        .await
        .unwrap();
    assert!(
        matches!(claim, Claim::Acquired(_)),
        "after a failure: {claim:?}"
    );
    store.record_synced(&k, "completed", 100_100).await.unwrap();

    // A success clears the slate: the next outcome's claim is fresh again.
    let claim = store
        .claim_sync(&k, "decision:accepted", &lease("w1", 100_200, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Fresh(_)), "{claim:?}");
    store.record_failed(&k, "refused", 100_300).await.unwrap();
    store.redrive(&k, 100_400).await.unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(
        row.last_error.as_deref(),
        Some("refused"),
        "a redrive keeps the error"
    );
    let claim = store
        .claim_sync(&k, "decision:accepted", &lease("w1", 100_500, LEASE))
        .await
        .unwrap();
    assert!(
        matches!(claim, Claim::Acquired(_)),
        "after a redrive: {claim:?}"
    );
}

/// `record_invited` only from pending; participants find their row.
pub async fn invites_and_participants(store: &dyn Store) {
    let k = key("invite-1");
    let (c, j) = (candidate("cand-invite"), job());
    let participant = ParticipantKey::new("p-invite");
    let missing = store
        .record_invited(&key("never-claimed"), &participant, 1)
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );

    assert!(
        store
            .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
            .await
            .unwrap()
            .is_acquired()
    );
    store.record_retry(&k, "boom", 1_500, 1_100).await.unwrap();
    store.record_invited(&k, &participant, 2_000).await.unwrap();
    let row = store
        .find_by_participant(&participant)
        .await
        .unwrap()
        .expect("row by participant");
    assert_eq!(row.key, k);
    assert_eq!(row.state, RowState::Invited);
    assert_eq!(row.participant.as_ref(), Some(&participant));
    assert_eq!(
        (row.attempts, row.last_error.as_deref()),
        (0, None),
        "success resets attempts"
    );
    assert_eq!(
        (row.lease_owner.as_deref(), row.lease_until_ms),
        (None, None)
    );
    assert_eq!(row.next_attempt_at_ms, None);
    assert_eq!(row.updated_at_ms, 2_000);
    assert_eq!(
        store.rows_by_participant(&participant).await.unwrap(),
        vec![row.clone()]
    );
    assert!(
        store
            .rows_by_participant(&ParticipantKey::new("p-unknown"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.row(&k).await.unwrap(),
        Some(row),
        "the same row by key"
    );
    assert_eq!(store.row(&key("never-seen")).await.unwrap(), None);

    let again = store.record_invited(&k, &participant, 3_000).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let unknown = store
        .find_by_participant(&ParticipantKey::new("p-unknown"))
        .await
        .unwrap();
    assert!(unknown.is_none());
}

/// Responses and outcome tags: each distinct outcome is written once.
pub async fn sync_outcomes(store: &dyn Store) {
    let k = key("sync-1");
    let (c, j) = (candidate("cand-sync"), job());
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    let early = store
        .claim_sync(&k, "completed", &lease("w1", 1_100, LEASE))
        .await;
    assert!(
        matches!(early, Err(StoreError::Conflict(_))),
        "pending row: {early:?}"
    );
    let early = store.mark_responded(&k, 1_100).await;
    assert!(
        matches!(early, Err(StoreError::Conflict(_))),
        "pending row: {early:?}"
    );

    store
        .record_invited(&k, &ParticipantKey::new("p-sync"), 2_000)
        .await
        .unwrap();
    store.mark_responded(&k, 3_000).await.unwrap();
    store.mark_responded(&k, 3_001).await.unwrap();
    let row = store
        .find_by_participant(&ParticipantKey::new("p-sync"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.state, row.updated_at_ms),
        (RowState::Responded, 3_000),
        "second mark is a no-op"
    );
    let due = store.rows_due(3_500, 1_000).await.unwrap();
    assert!(
        due.iter().any(|row| row.key == k),
        "a responded row awaits its write-back"
    );

    let claim = store
        .claim_sync(&k, "completed", &lease("w1", 4_000, LEASE))
        .await
        .unwrap();
    assert!(claim.is_acquired(), "{claim:?}");
    let busy = store
        .claim_sync(&k, "completed", &lease("w2", 4_001, LEASE))
        .await
        .unwrap();
    assert!(matches!(busy, Claim::Busy(_)), "{busy:?}");
    store.record_synced(&k, "completed", 5_000).await.unwrap();

    let same = store
        .claim_sync(&k, "completed", &lease("w2", 6_000, LEASE))
        .await
        .unwrap();
    let Claim::Settled(row) = same else {
        panic!("same tag: {same:?}")
    };
    assert_eq!(
        (row.state, row.synced_outcome.as_deref()),
        (RowState::Synced, Some("completed"))
    );
    assert_eq!(row.lease_owner, None);
    store.mark_responded(&k, 6_001).await.unwrap();

    let later = store
        .claim_sync(&k, "decision:accepted", &lease("w2", 7_000, LEASE))
        .await
        .unwrap();
    assert!(
        later.is_acquired(),
        "a new outcome is written once more: {later:?}"
    );
    store
        .record_synced(&k, "decision:accepted", 8_000)
        .await
        .unwrap();
    let again = store
        .claim_sync(&k, "decision:accepted", &lease("w3", 9_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(again, Claim::Settled(_)), "{again:?}");

    let missing = store
        .claim_sync(&key("sync-missing"), "completed", &lease("w1", 1, LEASE))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

/// Retryable errors count attempts and schedule the row; the retry loop finds it.
pub async fn retries(store: &dyn Store) {
    let base = 10_000_000;
    let k = key("retry-1");
    let (c, j) = (candidate("cand-retry"), job());
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", base, LEASE))
        .await
        .unwrap();
    store
        .record_retry(&k, "429 from Willo", base + 10_000, base + 1)
        .await
        .unwrap();
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", base + 10_000, LEASE))
        .await
        .unwrap();
    store
        .record_retry(&k, "503 from Willo", base + 30_000, base + 10_001)
        .await
        .unwrap();

    let due_keys = |rows: Vec<LedgerRow>| rows.into_iter().map(|row| row.key).collect::<Vec<_>>();
    let before = store.rows_due(base + 29_999, 100).await.unwrap();
    assert!(!due_keys(before).contains(&k), "not before its retry time");
    let due = store.rows_due(base + 30_000, 100).await.unwrap();
    let row = due
        .iter()
        .find(|row| row.key == k)
        .expect("due at its retry time")
        .clone();
    assert_eq!(row.state, RowState::Pending, "a retry keeps the state");
    assert_eq!(row.attempts, 2);
    assert_eq!(row.last_error.as_deref(), Some("503 from Willo"));
    assert_eq!(row.next_attempt_at_ms, Some(base + 30_000));
    assert_eq!(
        (row.lease_owner.as_deref(), row.lease_until_ms),
        (None, None)
    );

    // A leased row is not due; an invited row is due only when a retry is scheduled.
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", base + 30_000, LEASE))
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 30_001, 100).await.unwrap()).contains(&k));
    store
        .record_invited(&k, &ParticipantKey::new("p-retry"), base + 30_002)
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 40_000, 100).await.unwrap()).contains(&k));

    // Stale invites: invited rows with nothing scheduled, unchanged since the cut-off.
    let stale = due_keys(store.stale_invites(base + 30_003, 100).await.unwrap());
    assert!(stale.contains(&k), "{stale:?}");
    assert!(!due_keys(store.stale_invites(base + 30_002, 100).await.unwrap()).contains(&k));

    // A scheduled check makes the invited row due, and no longer stale.
    store
        .record_retry(&k, "no answer yet", base + 50_000, base + 40_000)
        .await
        .unwrap();
    assert!(due_keys(store.rows_due(base + 50_000, 100).await.unwrap()).contains(&k));
    assert_eq!(
        store.rows_due(base + 50_000, 1).await.unwrap().len(),
        1,
        "limit"
    );
    assert!(!due_keys(store.stale_invites(base + 60_000, 100).await.unwrap()).contains(&k));

    // The answer starts a new phase: the checks' attempts and schedule are cleared.
    store.mark_responded(&k, base + 45_000).await.unwrap();
    let responded = store
        .rows_due(base + 45_000, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.key == k)
        .expect("a responded row is due at once");
    assert_eq!(
        (
            responded.attempts,
            responded.next_attempt_at_ms,
            responded.last_error
        ),
        (0, None, None)
    );

    // A synced row is due only when a later outcome's write-back was rescheduled.
    store
        .claim_sync(&k, "completed", &lease("w1", base + 45_001, LEASE))
        .await
        .unwrap();
    store
        .record_synced(&k, "completed", base + 45_002)
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 90_000, 100).await.unwrap()).contains(&k));
    store
        .claim_sync(&k, "decision:accepted", &lease("w1", base + 46_000, LEASE))
        .await
        .unwrap();
    store
        .record_retry(&k, "ATS 503", base + 70_000, base + 46_001)
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 69_999, 100).await.unwrap()).contains(&k));
    assert!(due_keys(store.rows_due(base + 70_000, 100).await.unwrap()).contains(&k));
}

/// Permanent errors fail the row with a reason; a redrive puts it back.
pub async fn failures_and_redrive(store: &dyn Store) {
    let k = key("fail-1");
    let (c, j) = (candidate("cand-fail"), job());
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    store
        .record_invited(&k, &ParticipantKey::new("p-fail"), 1_100)
        .await
        .unwrap();
    store.record_retry(&k, "flaky", 1_150, 1_120).await.unwrap();
    store
        .claim_sync(&k, "completed", &lease("w1", 1_200, LEASE))
        .await
        .unwrap();
    store
        .record_failed(&k, "422: stage does not exist", 1_300)
        .await
        .unwrap();

    let row = store
        .find_by_participant(&ParticipantKey::new("p-fail"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, RowState::Failed);
    assert_eq!(row.failed_from, Some(RowState::Invited));
    assert_eq!(row.last_error.as_deref(), Some("422: stage does not exist"));
    assert_eq!(row.lease_owner, None);
    let settled = store
        .claim_sync(&k, "completed", &lease("w2", 2_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(settled, Claim::Settled(_)), "{settled:?}");
    let settled = store
        .claim_invite(&invite(&k, &c, &j), &lease("w2", 2_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(settled, Claim::Settled(_)), "{settled:?}");

    store.redrive(&k, 3_000).await.unwrap();
    let row = store
        .find_by_participant(&ParticipantKey::new("p-fail"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.state, row.failed_from), (RowState::Invited, None));
    assert_eq!((row.attempts, row.next_attempt_at_ms), (0, None));
    assert!(
        store
            .claim_sync(&k, "completed", &lease("w2", 3_001, LEASE))
            .await
            .unwrap()
            .is_acquired()
    );

    let again = store.redrive(&k, 4_000).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

/// Deleting a candidate cancels their unfinished rows and erases links and error text.
pub async fn cancellation(store: &dyn Store) {
    let c = candidate("cand-gone");
    let j = job();
    let (pending, invited, synced) = (key("gone-1"), key("gone-2"), key("gone-3"));
    let other = key("kept-1");
    store
        .claim_invite(&invite(&pending, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    store
        .record_retry(&pending, "vendor said: Jane Doe invalid", 9_000, 1_001)
        .await
        .unwrap();
    for (k, p) in [(&invited, "p-gone-2"), (&synced, "p-gone-3")] {
        store
            .claim_invite(&invite(k, &c, &j), &lease("w1", 1_000, LEASE))
            .await
            .unwrap();
        store
            .record_invited(k, &ParticipantKey::new(p), 1_100)
            .await
            .unwrap();
    }
    store
        .record_synced(&synced, "completed", 1_200)
        .await
        .unwrap();
    store
        .claim_invite(
            &invite(&other, &candidate("cand-kept"), &j),
            &lease("w1", 1_000, LEASE),
        )
        .await
        .unwrap();
    let elsewhere = LedgerKey::new("smartrecruiters", "gone-sr", "interview-1");
    store
        .claim_invite(&invite(&elsewhere, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();

    let changed = store
        .cancel_candidate(&AtsName::new("lever"), &c, 2_000)
        .await
        .unwrap();
    assert_eq!(changed, 2);
    assert_eq!(
        store
            .cancel_candidate(&AtsName::new("lever"), &c, 2_001)
            .await
            .unwrap(),
        0
    );

    let row = store
        .claim_invite(&invite(&pending, &c, &j), &lease("w2", 10_000, LEASE))
        .await
        .unwrap();
    let Claim::Settled(row) = row else {
        panic!("cancelled: {row:?}")
    };
    assert_eq!(row.state, RowState::Cancelled);
    assert_eq!(
        (row.last_error, row.next_attempt_at_ms, row.lease_owner),
        (None, None, None)
    );
    assert!(
        store
            .find_by_participant(&ParticipantKey::new("p-gone-2"))
            .await
            .unwrap()
            .is_none()
    );
    let kept = store
        .find_by_participant(&ParticipantKey::new("p-gone-3"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.state, kept.updated_at_ms),
        (RowState::Synced, 1_200),
        "synced rows untouched"
    );
    let retry = store.record_retry(&invited, "late", 20_000, 10_001).await;
    assert!(matches!(retry, Err(StoreError::Conflict(_))), "{retry:?}");

    for k in [&other, &elsewhere] {
        let claim = store
            .claim_invite(&invite(k, &c, &j), &lease("w1", 1_000, LEASE))
            .await
            .unwrap();
        assert_eq!(
            claim.row().state,
            RowState::Pending,
            "other candidates and ATSs untouched"
        );
    }
}

/// Webhook events are deduplicated, leased, retried and finished.
pub async fn inbox(store: &dyn Store) {
    assert!(
        store
            .inbox_insert(&NewDelivery::new("lever", "evt-1", b"{\"a\":1}"), 1_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .inbox_insert(&NewDelivery::new("lever", "evt-1", b"{\"a\":2}"), 1_001)
            .await
            .unwrap(),
        "duplicate"
    );
    assert!(
        store
            .inbox_insert(&NewDelivery::new("willo", "evt-1", b"{}"), 1_002)
            .await
            .unwrap(),
        "other source"
    );
    assert!(
        store
            .inbox_insert(
                &NewDelivery::new("lever", "evt-2", &[0, 159, 146, 150]),
                1_003
            )
            .await
            .unwrap()
    );

    let first = store
        .inbox_claim(&lease("w1", 2_000, LEASE), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(
        (first[0].source.as_str(), first[0].dedupe_key.as_str()),
        ("lever", "evt-1")
    );
    assert_eq!(first[0].payload, b"{\"a\":1}", "the first copy is kept");
    assert_eq!((first[1].source.as_str(), first[0].attempts), ("willo", 0));

    let rest = store
        .inbox_claim(&lease("w2", 2_001, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1, "leased items are not claimed again");
    assert_eq!(
        rest[0].payload,
        vec![0, 159, 146, 150],
        "payloads are bytes"
    );

    store.inbox_done(first[0].id, 2_100).await.unwrap();
    store
        .inbox_retry(first[1].id, "engine busy", 5_000)
        .await
        .unwrap();
    assert!(
        store
            .inbox_claim(&lease("w2", 4_999, LEASE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = store
        .inbox_claim(&lease("w2", 5_000, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!((retried[0].id, retried[0].attempts), (first[1].id, 1));

    // After the lease expires the unfinished item comes back; the finished one never.
    let expired = store
        .inbox_claim(&lease("w3", 2_001 + LEASE, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(
        expired.iter().map(|item| item.id).collect::<Vec<_>>(),
        vec![rest[0].id]
    );
    assert!(matches!(
        store.inbox_done(999_999, 1).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.inbox_retry(999_999, "x", 1).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Processed events older than the cut are deleted, unprocessed ones never; a pruned
/// event's delivery is new again and gets a new id.
pub async fn inbox_pruning(store: &dyn Store) {
    let fresh = |key: &'static str| async move {
        assert!(
            store
                .inbox_insert(&NewDelivery::new("prune", key, b"{}"), 10_000)
                .await
                .unwrap()
        );
    };
    fresh("old").await;
    fresh("recent").await;
    fresh("waiting").await;
    let items = store
        .inbox_claim(&lease("w1", 10_000, LEASE), 100)
        .await
        .unwrap();
    let id_of = |key: &str| items.iter().find(|i| i.dedupe_key == key).unwrap().id;
    store.inbox_done(id_of("old"), 20_000).await.unwrap();
    store.inbox_done(id_of("recent"), 40_000).await.unwrap();
    store
        .inbox_retry(id_of("waiting"), "busy", 10_001)
        .await
        .unwrap();

    // (Events processed by earlier parts of the suite go too.)
    assert!(store.inbox_prune(30_000).await.unwrap() >= 1);
    assert_eq!(store.inbox_prune(30_000).await.unwrap(), 0, "already gone");
    assert!(
        !store
            .inbox_insert(&NewDelivery::new("prune", "recent", b"{}"), 50_000)
            .await
            .unwrap(),
        "a kept event still deduplicates"
    );
    assert!(
        store
            .inbox_insert(&NewDelivery::new("prune", "old", b"{}"), 50_000)
            .await
            .unwrap(),
        "a pruned event's delivery is stored again"
    );
    let again = store
        .inbox_claim(&lease("w1", 60_000 + LEASE, LEASE), 100)
        .await
        .unwrap();
    let keys: Vec<&str> = again
        .iter()
        .filter(|i| i.source == "prune")
        .map(|i| i.dedupe_key.as_str())
        .collect();
    assert_eq!(
        keys,
        vec!["waiting", "old"],
        "unprocessed kept, oldest first"
    );
    let old_again = again.iter().find(|i| i.dedupe_key == "old").unwrap();
    assert!(old_again.id > id_of("waiting"), "ids are never reused");
}

/// A deleted candidate's Willo deliveries go with them, processed or waiting; one a
/// worker holds, one naming a participant another candidate shares, and one about
/// somebody else stay.
pub async fn deletion_erases_deliveries(store: &dyn Store) {
    const T: i64 = 1_000_000;
    const SOURCE: &str = "willo-erasure";
    const INVITED: &str = "e1a5ed0000000000000000000000000a";
    const SYNCED: &str = "e1a5ed0000000000000000000000000b";
    const SHARED: &str = "e1a5ed0000000000000000000000000c";
    const STRANGER: &str = "e1a5ed0000000000000000000000000d";
    let (gone, twin, j) = (candidate("cand-erased"), candidate("cand-twin"), job());
    let synced = key("erase-synced");
    let rows = [
        (key("erase-invited"), &gone, INVITED),
        (synced.clone(), &gone, SYNCED),
        (key("erase-shared"), &gone, SHARED),
        (key("erase-twin"), &twin, SHARED),
    ];
    for (k, c, participant) in &rows {
        store
            .claim_invite(&invite(k, c, &j), &lease("w1", T, LEASE))
            .await
            .unwrap();
        store
            .record_invited(k, &ParticipantKey::new(*participant), T + 1)
            .await
            .unwrap();
    }
    store
        .record_synced(&synced, "completed", T + 2)
        .await
        .unwrap();

    let deliver = |dedupe_key: &'static str, participant: &str| {
        let payload = format!(r#"{{"participant":"{participant}","email":"a@example.com"}}"#);
        async move {
            assert!(
                store
                    .inbox_insert(&NewDelivery::new(SOURCE, dedupe_key, payload.as_bytes()), T)
                    .await
                    .unwrap()
            );
        }
    };
    let ours = |items: Vec<InboxItem>| -> Vec<InboxItem> {
        items.into_iter().filter(|i| i.source == SOURCE).collect()
    };
    deliver("processed-invited", INVITED).await;
    deliver("shared", SHARED).await;
    deliver("stranger", STRANGER).await;
    for item in ours(
        store
            .inbox_claim(&lease("w1", T + 10, LEASE), 100)
            .await
            .unwrap(),
    ) {
        store.inbox_done(item.id, T + 11).await.unwrap();
    }
    deliver("held-invited", INVITED).await;
    let held = ours(
        store
            .inbox_claim(&lease("w2", T + 20, LEASE), 100)
            .await
            .unwrap(),
    );
    assert_eq!(held.len(), 1);
    deliver("waiting-synced", SYNCED).await;

    let changed = store
        .cancel_candidate(&AtsName::new("lever"), &gone, T + 30)
        .await
        .unwrap();
    assert_eq!(
        changed, 2,
        "the invited and shared rows; the synced row stays"
    );

    // A delivery stored again is new exactly when the first copy was erased.
    for (dedupe_key, erased) in [
        ("processed-invited", true),
        ("waiting-synced", true),
        ("held-invited", false),
        ("shared", false),
        ("stranger", false),
    ] {
        let new = store
            .inbox_insert(&NewDelivery::new(SOURCE, dedupe_key, b"{}"), T + 40)
            .await
            .unwrap();
        assert_eq!(new, erased, "{dedupe_key}");
    }
    store.inbox_done(held[0].id, T + 50).await.unwrap();
}

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

/// Counts per state and per job, and failed rows newest first. Runs on a store the
/// other parts have filled, so it checks differences it makes itself.
pub async fn status(store: &dyn Store) {
    let before = store.status().await.unwrap();
    let count = |report: &StatusReport, state| report.by_state.get(&state).copied().unwrap_or(0);
    let status_job = JobId::new("job-status");
    let c = candidate("cand-status");
    for (i, at) in [(1, 100_000), (2, 200_000), (3, 300_000)] {
        let k = key(&format!("status-{i}"));
        store
            .claim_invite(&invite(&k, &c, &status_job), &lease("w1", at, LEASE))
            .await
            .unwrap();
        if i > 1 {
            store
                .record_failed(&k, &format!("reason {i}"), at + 1)
                .await
                .unwrap();
        }
    }
    let after = store.status().await.unwrap();
    assert_eq!(
        count(&after, RowState::Pending),
        count(&before, RowState::Pending) + 1
    );
    assert_eq!(
        count(&after, RowState::Failed),
        count(&before, RowState::Failed) + 2
    );
    let per_job = &after.by_job[&(AtsName::new("lever"), status_job)];
    assert_eq!(per_job.get(&RowState::Pending), Some(&1));
    assert_eq!(per_job.get(&RowState::Failed), Some(&2));
    let total: u64 = after.by_state.values().sum();
    let total_by_job: u64 = after
        .by_job
        .values()
        .flat_map(|states| states.values())
        .sum();
    assert_eq!(total, total_by_job);
    let reasons: Vec<_> = after
        .failed
        .iter()
        .take(2)
        .map(|row| row.last_error.clone())
        .collect();
    assert_eq!(
        reasons,
        vec![Some("reason 3".to_owned()), Some("reason 2".to_owned())],
        "newest first"
    );
    assert!(after.failed.iter().all(|row| row.state == RowState::Failed));
}

/// A delivery's event name is kept in its own column, beside the raw body.
pub async fn inbox_events(store: &dyn Store) {
    let body = br#"{"participant_key": "p-events"}"#;
    let named = NewDelivery::new("willo", "evt-named", body).with_event(Some("new_response"));
    assert!(store.inbox_insert(&named, 10_000).await.unwrap());
    let unnamed = NewDelivery::new("willo", "evt-unnamed", b"{}");
    assert!(store.inbox_insert(&unnamed, 10_001).await.unwrap());
    let again = named.with_event(Some("stage_change"));
    assert!(
        !store.inbox_insert(&again, 10_002).await.unwrap(),
        "the dedupe key alone decides"
    );

    let items = store
        .inbox_claim(&lease("w-events", 10_100, LEASE), 10)
        .await
        .unwrap();
    let by_key = |key: &str| {
        items
            .iter()
            .find(|item| item.dedupe_key == key)
            .unwrap_or_else(|| panic!("{key} not claimed: {items:?}"))
    };
    let item = by_key("evt-named");
    assert_eq!(
        item.event.as_deref(),
        Some("new_response"),
        "the first copy's"
    );
    assert_eq!(item.payload, body.to_vec());
    assert_eq!(by_key("evt-unnamed").event, None);
    for item in &items {
        store.inbox_done(item.id, 10_200).await.unwrap();
    }
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

/// 8 tasks race `claim_invite` over 20 applications of one person to one interview:
/// while leases are live, only one of them is acquired (one invite at a time per
/// person), and every application keeps its row for later.
///
/// Against a fresh, empty store, on a multi-threaded runtime
/// (`#[tokio::test(flavor = "multi_thread")]`) so the tasks really run at the same
/// time.
pub async fn racing_claims_of_one_person(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let name = format!("w{worker}");
                let mut acquired = 0;
                for i in (0..20).map(|i| (i + worker * 3) % 20) {
                    let key = LedgerKey::new("lever", format!("app-{i}"), "interview-1");
                    let claim = store
                        .claim_invite(
                            &invite(
                                &key,
                                &CandidateId::new("one-person"),
                                &JobId::new(format!("job-{i}")),
                            ),
                            &lease(&name, 1_000, 60_000),
                        )
                        .await
                        .unwrap();
                    acquired += usize::from(claim.is_acquired());
                }
                acquired
            })
        })
        .collect();
    let mut acquired = 0;
    for task in tasks {
        acquired += task.await.unwrap();
    }
    assert_eq!(acquired, 1, "one application of the person in flight");
    let status = store.status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Pending), Some(&20));
}

/// 8 tasks race `claim_invite` over the same 50 keys: each key is acquired once.
///
/// Like [`racing_claims_of_one_person`], against a fresh, empty store, on a
/// multi-threaded runtime (`#[tokio::test(flavor = "multi_thread")]`) so the tasks
/// really run at the same time.
pub async fn racing_claims(store: Arc<dyn Store>) {
    let keys: Vec<LedgerKey> = (0..50)
        .map(|i| LedgerKey::new("lever", format!("app-{i}"), "interview-1"))
        .collect();
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let store = Arc::clone(&store);
            let mut keys = keys.clone();
            // Different orders, so workers collide on different keys at different times.
            keys.rotate_left(worker * 7);
            if worker % 2 == 1 {
                keys.reverse();
            }
            tokio::spawn(async move {
                let job = JobId::new("j");
                let name = format!("w{worker}");
                let mut acquired = Vec::new();
                for key in keys {
                    // One person per application here: see `racing_claims_of_one_person`.
                    let candidate = CandidateId::new(format!("c-{}", key.application));
                    let claim = store
                        .claim_invite(
                            &invite(&key, &candidate, &job),
                            &lease(&name, 1_000, 60_000),
                        )
                        .await
                        .unwrap();
                    if claim.is_acquired() {
                        assert_eq!(claim.row().lease_owner.as_deref(), Some(name.as_str()));
                        acquired.push(key);
                    }
                }
                acquired
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(
        all.len(),
        50,
        "each key acquired exactly once across workers"
    );
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 50);
    let status = store.status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Pending), Some(&50));
}
