//! The ledger: claims, leases and every transition.

use super::{LEASE, candidate, held, invite, job, key, lease};
use ats_bridge::model::{AtsName, JobId, ParticipantKey};
use ats_bridge::store::{Claim, LedgerKey, LedgerRow, RowState, StatusReport, Store, StoreError};

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
        .record_retry(&k, "timeout", 50_000, Some(held(store, &k).await), 40_000)
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
        .record_invited(
            &k,
            &ParticipantKey::new("p-claims"),
            held(store, &k).await,
            50_001,
        )
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
        .record_invited(
            &first,
            &ParticipantKey::new("p-fresh"),
            held(store, &first).await,
            1_500,
        )
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
        .record_retry(
            &third,
            "timeout",
            9_000,
            Some(held(store, &third).await),
            2_100,
        )
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
        .record_invited(
            &k,
            &ParticipantKey::new("p-fresh-sync"),
            held(store, &k).await,
            1_100,
        )
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
        .record_retry(
            &k,
            "ats down",
            100_000,
            Some(held(store, &k).await),
            1_300 + LEASE,
        )
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
    store
        .record_synced(&k, "completed", held(store, &k).await, 100_100)
        .await
        .unwrap();

    // A success clears the slate: the next outcome's claim is fresh again.
    let claim = store
        .claim_sync(&k, "decision:accepted", &lease("w1", 100_200, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Fresh(_)), "{claim:?}");
    store
        .record_failed(&k, "refused", Some(held(store, &k).await), 100_300)
        .await
        .unwrap();
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
        .record_invited(
            &key("never-claimed"),
            &participant,
            held(store, &key("never-claimed")).await,
            1,
        )
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
    store
        .record_retry(&k, "boom", 1_500, Some(held(store, &k).await), 1_100)
        .await
        .unwrap();
    store
        .record_invited(&k, &participant, held(store, &k).await, 2_000)
        .await
        .unwrap();
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

    let again = store
        .record_invited(&k, &participant, held(store, &k).await, 3_000)
        .await;
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
        .record_invited(
            &k,
            &ParticipantKey::new("p-sync"),
            held(store, &k).await,
            2_000,
        )
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
    store
        .record_synced(&k, "completed", held(store, &k).await, 5_000)
        .await
        .unwrap();

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
        .record_synced(&k, "decision:accepted", held(store, &k).await, 8_000)
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
        .record_retry(
            &k,
            "429 from Willo",
            base + 10_000,
            Some(held(store, &k).await),
            base + 1,
        )
        .await
        .unwrap();
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", base + 10_000, LEASE))
        .await
        .unwrap();
    store
        .record_retry(
            &k,
            "503 from Willo",
            base + 30_000,
            Some(held(store, &k).await),
            base + 10_001,
        )
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
        .record_invited(
            &k,
            &ParticipantKey::new("p-retry"),
            held(store, &k).await,
            base + 30_002,
        )
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 40_000, 100).await.unwrap()).contains(&k));

    // Stale invites: invited rows with nothing scheduled, unchanged since the cut-off.
    let stale = due_keys(store.stale_invites(base + 30_003, 100).await.unwrap());
    assert!(stale.contains(&k), "{stale:?}");
    assert!(!due_keys(store.stale_invites(base + 30_002, 100).await.unwrap()).contains(&k));

    // A scheduled check makes the invited row due, and no longer stale.
    store
        .record_retry(
            &k,
            "no answer yet",
            base + 50_000,
            Some(held(store, &k).await),
            base + 40_000,
        )
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
        .record_synced(&k, "completed", held(store, &k).await, base + 45_002)
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(base + 90_000, 100).await.unwrap()).contains(&k));
    store
        .claim_sync(&k, "decision:accepted", &lease("w1", base + 46_000, LEASE))
        .await
        .unwrap();
    store
        .record_retry(
            &k,
            "ATS 503",
            base + 70_000,
            Some(held(store, &k).await),
            base + 46_001,
        )
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
        .record_invited(
            &k,
            &ParticipantKey::new("p-fail"),
            held(store, &k).await,
            1_100,
        )
        .await
        .unwrap();
    store
        .record_retry(&k, "flaky", 1_150, Some(held(store, &k).await), 1_120)
        .await
        .unwrap();
    store
        .claim_sync(&k, "completed", &lease("w1", 1_200, LEASE))
        .await
        .unwrap();
    store
        .record_failed(
            &k,
            "422: stage does not exist",
            Some(held(store, &k).await),
            1_300,
        )
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

/// A row waiting for data (a write-back held for a mandatory mapped field) or for a
/// retry is made due at once by a redrive, its state and reason kept and no attempt
/// counted; a row a worker holds, or with nothing scheduled, is refused.
pub async fn redrive_of_waiting_rows(store: &dyn Store) {
    let due_keys = |rows: Vec<LedgerRow>| rows.into_iter().map(|row| row.key).collect::<Vec<_>>();
    let (k, c, j) = (key("wait-1"), candidate("cand-wait"), job());
    let reason = "waiting for data: mandatory mapping.lever.field[0] has no value";
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    store
        .record_invited(
            &k,
            &ParticipantKey::new("p-wait"),
            held(store, &k).await,
            1_100,
        )
        .await
        .unwrap();
    store.mark_responded(&k, 1_200).await.unwrap();
    store
        .claim_sync(&k, "completed", &lease("w1", 1_300, LEASE))
        .await
        .unwrap();
    // Held for the data, 15 minutes; a retry before made one attempt.
    store
        .record_retry(&k, "flaky", 1_350, Some(held(store, &k).await), 1_320)
        .await
        .unwrap();
    store
        .claim_sync(&k, "completed", &lease("w1", 1_400, LEASE))
        .await
        .unwrap();
    store
        .record_parked(&k, reason, 901_400, Some(held(store, &k).await), 1_401)
        .await
        .unwrap();
    assert!(!due_keys(store.rows_due(2_000, 100).await.unwrap()).contains(&k));
    // An operator reads why it waits, and until when, in the status.
    let waiting = store.status().await.unwrap().waiting;
    let listed = waiting.iter().find(|row| row.key == k);
    assert_eq!(
        listed.map(|row| (row.last_error.as_deref(), row.next_attempt_at_ms)),
        Some((Some(reason), Some(901_400))),
        "the status lists the waiting row with its reason: {waiting:?}"
    );
    let early = store
        .claim_sync(&k, "completed", &lease("w2", 2_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(early, Claim::Busy(_)), "{early:?}");

    store.redrive(&k, 2_000).await.unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.state, RowState::Responded, "the state is kept");
    assert_eq!(row.failed_from, None);
    assert_eq!((row.attempts, row.next_attempt_at_ms), (0, Some(2_000)));
    assert_eq!(row.last_error.as_deref(), Some(reason), "the reason stays");
    assert_eq!(row.lease_owner, None);
    assert!(due_keys(store.rows_due(2_000, 100).await.unwrap()).contains(&k));
    let claim = store
        .claim_sync(&k, "completed", &lease("w2", 2_001, LEASE))
        .await
        .unwrap();
    assert!(
        matches!(claim, Claim::Acquired(_)),
        "acquired, not fresh: the step was tried before: {claim:?}"
    );

    // Held by a worker: refused, the row untouched.
    let busy = store.redrive(&k, 2_002).await;
    assert!(matches!(busy, Err(StoreError::Fenced(_))), "{busy:?}");
    assert_eq!(
        store.row(&k).await.unwrap().unwrap().lease_owner.as_deref(),
        Some("w2")
    );

    // Written: nothing waits any more.
    store
        .record_synced(&k, "completed", held(store, &k).await, 2_100)
        .await
        .unwrap();
    let settled = store.redrive(&k, 2_200).await;
    assert!(
        matches!(settled, Err(StoreError::Conflict(_))),
        "{settled:?}"
    );
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.next_attempt_at_ms),
        (RowState::Synced, None)
    );
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
        .record_retry(
            &pending,
            "vendor said: Jane Doe invalid",
            9_000,
            Some(held(store, &pending).await),
            1_001,
        )
        .await
        .unwrap();
    for (k, p) in [(&invited, "p-gone-2"), (&synced, "p-gone-3")] {
        store
            .claim_invite(&invite(k, &c, &j), &lease("w1", 1_000, LEASE))
            .await
            .unwrap();
        store
            .record_invited(k, &ParticipantKey::new(p), held(store, k).await, 1_100)
            .await
            .unwrap();
    }
    store
        .record_synced(&synced, "completed", held(store, &synced).await, 1_200)
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
    let retry = store
        .record_retry(
            &invited,
            "late",
            20_000,
            Some(held(store, &invited).await),
            10_001,
        )
        .await;
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
                .record_failed(
                    &k,
                    &format!("reason {i}"),
                    Some(held(store, &k).await),
                    at + 1,
                )
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

/// Parked work (refused credentials) is rescheduled like a retry, but never counts an
/// attempt, for ledger rows and inbox deliveries alike.
pub async fn parking(store: &dyn Store) {
    let (k, c, j) = (key("park-1"), candidate("cand-park"), job());
    let claim = store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    let fence = Some(claim.row().fence);
    store
        .record_parked(&k, "credentials refused", 5_000, fence, 1_001)
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.attempts, 0, "parking counts no attempt");
    assert_eq!(row.next_attempt_at_ms, Some(5_000));
    assert_eq!(row.last_error.as_deref(), Some("credentials refused"));
    assert_eq!(row.lease_owner, None, "the lease is released");
    let early = store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 4_999, LEASE))
        .await
        .unwrap();
    assert!(matches!(early, Claim::Busy(_)), "{early:?}");

    assert!(
        store
            .inbox_insert(
                &ats_bridge::store::NewDelivery::new("park", "evt-park", b"{}"),
                1_000
            )
            .await
            .unwrap()
    );
    let items = store
        .inbox_claim(&lease("w1", 1_000, LEASE), 100)
        .await
        .unwrap();
    let item = items
        .iter()
        .find(|item| item.dedupe_key == "evt-park")
        .unwrap();
    store
        .inbox_park(item.id, item.fence, "credentials refused", 8_000)
        .await
        .unwrap();
    let none = store
        .inbox_claim(&lease("w2", 7_999, LEASE), 100)
        .await
        .unwrap();
    assert!(
        none.iter().all(|i| i.dedupe_key != "evt-park"),
        "not before its time"
    );
    let again = store
        .inbox_claim(&lease("w2", 8_000, LEASE), 100)
        .await
        .unwrap();
    let again = again.iter().find(|i| i.dedupe_key == "evt-park").unwrap();
    assert_eq!(again.attempts, 0, "parking counts no attempt");
    store
        .inbox_done(again.id, again.fence, 8_001)
        .await
        .unwrap();
}
