//! Scoped queries: one connection's share of a store that serves many.
//!
//! A connection's ledger rows have ATS names `{id}/{account}` and its deliveries
//! sources `{id}/{source}`; the scoped methods read only the names that start with a
//! scope (`{id}/`), compared exactly, and answer what the unscoped method of the same
//! name would, restricted to those rows. The names below sit on every edge of that:
//! `acme-2/` (an id that `acme` is a prefix of), `acme0/` (the first text after every
//! `acme/…`), `Acme/` (case), and `acme` (no connection at all).

use std::collections::BTreeMap;

use ats_bridge::model::{CandidateId, ParticipantKey};
use ats_bridge::store::{
    InboxBacklog, InboxItem, LedgerKey, LedgerRow, NewDelivery, RowState, StatusReport, Store,
};

use super::{LEASE, held, invite, job, lease};

/// The rows of `rows` whose ATS name starts with `scope`, in their order.
fn keys_in(rows: &[LedgerRow], scope: &str) -> Vec<LedgerKey> {
    rows.iter()
        .filter(|row| row.key.ats.as_str().starts_with(scope))
        .map(|row| row.key.clone())
        .collect()
}

fn keys(rows: &[LedgerRow]) -> Vec<LedgerKey> {
    keys_in(rows, "")
}

fn ks(keys: &[&LedgerKey]) -> Vec<LedgerKey> {
    keys.iter().map(|key| (*key).clone()).collect()
}

/// How many of `rows` each connection has (the text before the first `/`).
fn per_scope(rows: &[LedgerRow]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for row in rows {
        if let Some((scope, _)) = row.key.ats.as_str().split_once('/') {
            *counts.entry(scope.to_owned()).or_default() += 1;
        }
    }
    counts
}

/// `report` restricted to the rows of `scope`, as `status_scoped` must answer it.
fn status_in(report: &StatusReport, scope: &str) -> StatusReport {
    let mut scoped = StatusReport::default();
    for ((ats, job), states) in &report.by_job {
        if ats.as_str().starts_with(scope) {
            for (state, n) in states {
                *scoped.by_state.entry(*state).or_default() += n;
            }
            scoped
                .by_job
                .insert((ats.clone(), job.clone()), states.clone());
        }
    }
    let in_scope = |row: &&LedgerRow| row.key.ats.as_str().starts_with(scope);
    scoped.failed = report.failed.iter().filter(in_scope).cloned().collect();
    scoped.warned = report.warned.iter().filter(in_scope).cloned().collect();
    scoped.waiting = report.waiting.iter().filter(in_scope).cloned().collect();
    scoped
}

/// Check that `rows_due_scoped` answers what `rows_due` does for `scope`'s rows, in
/// the same order, and that the per-connection counts are those of `rows_due`.
async fn assert_due_like_unscoped(store: &dyn Store, now_ms: i64) {
    let all = store.rows_due(now_ms, 10_000).await.unwrap();
    for scope in ["acme/", "acme-2/", "acme0/", "Acme/"] {
        let scoped = store.rows_due_scoped(scope, now_ms, 10_000).await.unwrap();
        assert_eq!(keys(&scoped), keys_in(&all, scope), "{scope} at {now_ms}");
    }
    let counts = store.rows_due_by_scope(now_ms).await.unwrap();
    assert_eq!(counts, per_scope(&all), "per connection at {now_ms}");
}

/// Ledger rows of two connections (and of names around them) interleaved: each
/// scoped read sees only its own, with the due, lease and stale conditions and the
/// order of the unscoped reads, which are unchanged.
pub async fn scoped_ledger(store: &dyn Store) {
    let t = 70_000_000;
    let key = |ats: &str, application: &str| LedgerKey::new(ats, application, "interview-1");
    let a1 = key("acme/lever", "sc-a1");
    let b1 = key("acme-2/lever", "sc-b1");
    let a2 = key("acme/smartrecruiters", "sc-a2");
    let none = key("acme", "sc-none");
    let b2 = key("acme-2/lever", "sc-b2");
    let after = key("acme0/lever", "sc-after");
    let upper = key("Acme/lever", "sc-upper");
    let a3 = key("acme/lever", "sc-a3");
    // Created interleaved, then each scheduled for a retry: due in `next` order.
    let rows = [
        (&a1, 3_000),
        (&b1, 1_500),
        (&a2, 1_000),
        (&none, 100),
        (&b2, 500),
        (&after, 100),
        (&upper, 100),
        (&a3, 2_000),
    ];
    for (i, (k, next)) in (0..).zip(rows) {
        let person = CandidateId::new(format!("cand-{}", k.application));
        let claim = store
            .claim_invite(&invite(k, &person, &job()), &lease("w1", t + i, LEASE))
            .await
            .unwrap();
        assert!(claim.is_acquired(), "{k}");
        let fence = Some(held(store, k).await);
        store
            .record_retry(k, "503", t + next, fence, t + 10 + i)
            .await
            .unwrap();
    }

    let acme = |now_ms: i64| store.rows_due_scoped("acme/", now_ms, 100);
    assert_eq!(keys(&acme(t + 5_000).await.unwrap()), ks(&[&a2, &a3, &a1]));
    assert_eq!(
        keys(&store.rows_due_scoped("acme/", t + 5_000, 2).await.unwrap()),
        ks(&[&a2, &a3]),
        "the limit applies to the connection's rows"
    );
    assert_eq!(
        keys(&acme(t + 1_200).await.unwrap()),
        ks(&[&a2]),
        "not before the retry"
    );
    assert_eq!(
        keys(
            &store
                .rows_due_scoped("acme-2/", t + 5_000, 100)
                .await
                .unwrap()
        ),
        ks(&[&b2, &b1])
    );
    assert_eq!(
        keys(
            &store
                .rows_due_scoped("Acme/", t + 5_000, 100)
                .await
                .unwrap()
        ),
        ks(&[&upper]),
        "case matters"
    );
    for exact in ["a_me/", "acme%", "ACME/"] {
        let rows = store.rows_due_scoped(exact, t + 5_000, 100).await.unwrap();
        assert!(
            rows.is_empty(),
            "{exact:?} is no pattern: {:?}",
            keys(&rows)
        );
    }
    let counts = store.rows_due_by_scope(t + 5_000).await.unwrap();
    assert_eq!(
        (
            counts.get("acme"),
            counts.get("acme-2"),
            counts.get("acme0")
        ),
        (Some(&3), Some(&2), Some(&1)),
        "the row of ATS `acme` (no `/`) belongs to no connection: {counts:?}"
    );
    assert_due_like_unscoped(store, t + 1_200).await;
    assert_due_like_unscoped(store, t + 5_000).await;

    // A live lease hides a row from its connection's due rows until it expires.
    store
        .claim_invite(
            &invite(&a2, &CandidateId::new("cand-sc-a2"), &job()),
            &lease("w2", t + 5_000, LEASE),
        )
        .await
        .unwrap();
    assert_eq!(keys(&acme(t + 5_001).await.unwrap()), ks(&[&a3, &a1]));
    assert_eq!(
        store
            .rows_due_by_scope(t + 5_001)
            .await
            .unwrap()
            .get("acme"),
        Some(&2)
    );
    assert_due_like_unscoped(store, t + 5_001).await;
    assert_eq!(
        keys(&acme(t + 5_000 + LEASE).await.unwrap()),
        ks(&[&a2, &a3, &a1])
    );
    assert_due_like_unscoped(store, t + 5_000 + LEASE).await;

    // Invited rows with nothing scheduled: stale per connection.
    let invited_at = t + 40_000;
    for (i, k) in (0..).zip([&a1, &b1, &after]) {
        let person = CandidateId::new(format!("cand-{}", k.application));
        store
            .claim_invite(&invite(k, &person, &job()), &lease("w1", invited_at, LEASE))
            .await
            .unwrap();
        let participant = ParticipantKey::new(format!("p-{}", k.application));
        let fence = held(store, k).await;
        store
            .record_invited(k, &participant, fence, invited_at + i)
            .await
            .unwrap();
    }
    let stale =
        |scope: &'static str, before_ms: i64| store.stale_invites_scoped(scope, before_ms, 100);
    assert_eq!(
        keys(&stale("acme/", invited_at + 10).await.unwrap()),
        ks(&[&a1])
    );
    assert_eq!(
        keys(&stale("acme-2/", invited_at + 10).await.unwrap()),
        ks(&[&b1])
    );
    assert!(stale("acme/", invited_at).await.unwrap().is_empty());
    let all = store.stale_invites(invited_at + 10, 10_000).await.unwrap();
    for scope in ["acme/", "acme-2/", "acme0/"] {
        let scoped = stale(scope, invited_at + 10).await.unwrap();
        assert_eq!(keys(&scoped), keys_in(&all, scope), "{scope}");
    }

    // Status: counts, failures and warnings of the connection's rows only.
    store
        .record_failed(&a3, "boom", None, invited_at + 20)
        .await
        .unwrap();
    store
        .record_failed(&b2, "boom", None, invited_at + 21)
        .await
        .unwrap();
    store
        .record_warning(&a1, Some("phone left out"), invited_at + 22)
        .await
        .unwrap();
    let report = store.status_scoped("acme/").await.unwrap();
    let expected = BTreeMap::from([
        (RowState::Pending, 1),
        (RowState::Invited, 1),
        (RowState::Failed, 1),
    ]);
    assert_eq!(report.by_state, expected);
    assert_eq!(keys(&report.failed), ks(&[&a3]));
    assert_eq!(keys(&report.warned), ks(&[&a1]));
    let all = store.status().await.unwrap();
    for scope in ["acme/", "acme-2/", "acme0/", "Acme/", "a_me/"] {
        let report = store.status_scoped(scope).await.unwrap();
        assert_eq!(report, status_in(&all, scope), "{scope}");
    }
}

fn ids(items: &[InboxItem]) -> Vec<i64> {
    items.iter().map(|item| item.id).collect()
}

/// Deliveries of two connections (and of sources around them) interleaved: each
/// scoped claim takes only its own, oldest first, under the unscoped claim's due and
/// lease conditions; the counts of claimable deliveries and the backlogs are per
/// connection. Every delivery this part adds is processed when it ends.
pub async fn scoped_inbox(store: &dyn Store) {
    let t = 80_000_000;
    let before = store.inbox_backlog().await.unwrap();
    let sources = [
        "acme/lever",
        "acme-2/lever",
        "acme/willo",
        "acme",
        "acme0/lever",
        "acme-2/willo",
        "acme/lever",
    ];
    for (i, source) in (0..).zip(sources) {
        let dedupe_key = format!("scoped-{i}");
        let delivery = NewDelivery::new(source, &dedupe_key, b"{}");
        assert!(store.inbox_insert(&delivery, t + i).await.unwrap());
    }
    let backlog = store.inbox_backlog().await.unwrap();
    assert_eq!(
        backlog.pending,
        before.pending + 7,
        "the unscoped backlog counts all"
    );
    assert_eq!(
        store.inbox_backlog_scoped("acme/").await.unwrap(),
        InboxBacklog::new(3, Some(t))
    );
    assert_eq!(
        store.inbox_backlog_scoped("acme-2/").await.unwrap(),
        InboxBacklog::new(2, Some(t + 1))
    );
    assert_eq!(
        store.inbox_backlog_scoped("a_me/").await.unwrap(),
        InboxBacklog::new(0, None)
    );

    let ready = store.inbox_ready_by_scope(t + 10).await.unwrap();
    assert_eq!(
        (ready.get("acme"), ready.get("acme-2"), ready.get("acme0")),
        (Some(&3), Some(&2), Some(&1)),
        "the delivery from `acme` (no `/`) belongs to no connection: {ready:?}"
    );

    let claim = |scope: &'static str, now_ms: i64, limit: usize| async move {
        let lease = lease("w1", now_ms, LEASE);
        store.inbox_claim_scoped(scope, &lease, limit).await
    };
    let first = claim("acme/", t + 10, 2).await.unwrap();
    assert_eq!(
        first
            .iter()
            .map(|item| item.source.as_str())
            .collect::<Vec<_>>(),
        ["acme/lever", "acme/willo"],
        "oldest first, up to the limit"
    );
    let rest = claim("acme/", t + 10, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(
        (rest[0].source.as_str(), rest[0].dedupe_key.as_str()),
        ("acme/lever", "scoped-6")
    );
    assert!(
        claim("acme/", t + 11, 10).await.unwrap().is_empty(),
        "leased"
    );
    for exact in ["a_me/", "acme%", "ACME/"] {
        assert!(
            claim(exact, t + 11, 10).await.unwrap().is_empty(),
            "{exact:?}"
        );
    }
    let ready = store.inbox_ready_by_scope(t + 11).await.unwrap();
    assert_eq!(ready.get("acme").copied().unwrap_or(0), 0, "{ready:?}");
    assert_eq!(
        ready.get("acme-2"),
        Some(&2),
        "another connection's are untouched"
    );
    assert_eq!(
        store.inbox_backlog_scoped("acme/").await.unwrap(),
        InboxBacklog::new(3, Some(t)),
        "leased deliveries are still pending"
    );

    // Settle one, retry one later: the backlog and the claimable count follow.
    let (one, retried, last) = (&first[0], &first[1], &rest[0]);
    store.inbox_done(one.id, one.fence, t + 12).await.unwrap();
    store
        .inbox_retry(retried.id, retried.fence, "503", t + 1_000)
        .await
        .unwrap();
    assert_eq!(
        store.inbox_backlog_scoped("acme/").await.unwrap(),
        InboxBacklog::new(2, Some(t + 2))
    );
    let at = |now_ms: i64| async move {
        let ready = store.inbox_ready_by_scope(now_ms).await.unwrap();
        ready.get("acme").copied().unwrap_or(0)
    };
    assert_eq!(at(t + 500).await, 0, "one not due, one leased");
    assert_eq!(at(t + 1_000).await, 1, "due at its retry time");
    assert_eq!(at(t + 10 + LEASE).await, 2, "and the lease expired");
    let again = claim("acme/", t + 10 + LEASE, 10).await.unwrap();
    assert_eq!(ids(&again), [retried.id, last.id]);
    for item in &again {
        store
            .inbox_done(item.id, item.fence, t + 20 + LEASE)
            .await
            .unwrap();
    }
    assert_eq!(
        store.inbox_backlog_scoped("acme/").await.unwrap(),
        InboxBacklog::new(0, None)
    );

    // The scope is any prefix: `acme` (no `/`) takes every source above that is left,
    // and nothing of the sources before this part.
    let others = claim("acme-2/", t + 30 + LEASE, 10).await.unwrap();
    assert_eq!(others.len(), 2);
    let left = claim("acme", t + 30 + LEASE, 10).await.unwrap();
    assert_eq!(
        left.iter()
            .map(|item| item.source.as_str())
            .collect::<Vec<_>>(),
        ["acme", "acme0/lever"]
    );
    for item in others.iter().chain(&left) {
        store
            .inbox_done(item.id, item.fence, t + 40 + LEASE)
            .await
            .unwrap();
    }
    assert_eq!(store.inbox_backlog().await.unwrap(), before);
}
