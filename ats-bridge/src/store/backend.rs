//! For implementing a store backend: the ledger's rules, written once, over the few
//! primitives a backend supplies.
//!
//! A backend (a database, a key-value service) does not implement [`Ledger`]
//! itself. It implements:
//!
//! - [`LedgerTx`] for its atomic unit (a database transaction, a lock): load a row
//!   for update, insert one, save one, find a candidate's rows, forget deliveries;
//! - [`LedgerBackend`] for the store: [`LedgerBackend::transact`] runs one
//!   [`LedgerChange`] in a fresh unit (`change.apply(&mut tx)`, then commit), and
//!   the ledger's read queries.
//!
//! Every [`LedgerBackend`] is a [`Ledger`]: the claims and transitions, and what
//! they decide, come from here, so every backend has the same semantics. Add
//! [`Inbox`](super::Inbox) and [`ReconcilerState`](super::ReconcilerState) and the
//! backend is a [`Store`](super::Store); check it with the conformance suite in
//! `ats-testkit` (`ats_testkit::store::run_store_suite`).
//!
//! ```
//! use ats_bridge::model::{AtsName, CandidateId, ParticipantKey};
//! use ats_bridge::store::backend::{LedgerBackend, LedgerChange, LedgerTx};
//! use ats_bridge::store::{LedgerKey, LedgerRow, ScreeningKey, ScreeningRow, StatusReport, StoreResult};
//!
//! /// One transaction of a (made-up) database.
//! struct MyTx;
//!
//! impl LedgerTx for MyTx {
//!     async fn lock_person(&mut self, _: &LedgerKey, _: &CandidateId) -> StoreResult<()> {
//!         Ok(()) // The database serialises writers already.
//!     }
//!     // … `SELECT … FOR UPDATE`, `INSERT … ON CONFLICT DO NOTHING`, `UPDATE`, …
//! #   async fn insert_if_absent(&mut self, _: &LedgerRow) -> StoreResult<bool> { Ok(true) }
//! #   async fn load_for_update(&mut self, _: &LedgerKey) -> StoreResult<Option<LedgerRow>> { Ok(None) }
//! #   async fn siblings(&mut self, _: &LedgerKey, _: &CandidateId) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn candidate_rows_for_update(&mut self, _: &AtsName, _: &CandidateId) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn save(&mut self, _: &LedgerRow) -> StoreResult<()> { Ok(()) }
//! #   async fn forget_deliveries(&mut self, _: &ParticipantKey, _: &AtsName, _: &CandidateId, _: i64) -> StoreResult<()> { Ok(()) }
//! #   async fn insert_screening_if_absent(&mut self, _: &ScreeningRow) -> StoreResult<bool> { Ok(true) }
//! #   async fn load_screening_for_update(&mut self, _: &ScreeningKey) -> StoreResult<Option<ScreeningRow>> { Ok(None) }
//! #   async fn save_screening(&mut self, _: &ScreeningRow) -> StoreResult<()> { Ok(()) }
//! }
//!
//! #[derive(Debug)]
//! struct MyStore;
//!
//! impl LedgerBackend for MyStore {
//!     async fn transact<T: Send + 'static>(&self, change: LedgerChange<T>) -> StoreResult<T> {
//!         let mut tx = MyTx; // BEGIN
//!         let out = change.apply(&mut tx).await?;
//!         // COMMIT (dropping `tx` without it rolls back)
//!         Ok(out)
//!     }
//!     // … the read queries, `SELECT`s without locks.
//! #   async fn row(&self, _: &LedgerKey) -> StoreResult<Option<LedgerRow>> { Ok(None) }
//! #   async fn rows_by_participant(&self, _: &ParticipantKey) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn find_by_participant(&self, _: &ParticipantKey) -> StoreResult<Option<LedgerRow>> { Ok(None) }
//! #   async fn rows_of_candidate(&self, _: &AtsName, _: &CandidateId) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn rows_of_application(&self, _: &AtsName, _: &ats_bridge::model::ApplicationId) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn rows_due(&self, _: i64, _: usize) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn stale_invites(&self, _: i64, _: usize) -> StoreResult<Vec<LedgerRow>> { Ok(vec![]) }
//! #   async fn status(&self) -> StoreResult<StatusReport> { Ok(StatusReport::default()) }
//! #   async fn screening(&self, _: &ScreeningKey) -> StoreResult<Option<ScreeningRow>> { Ok(None) }
//! }
//!
//! // `MyStore` is a `Ledger` now.
//! fn ledger(store: MyStore) -> Box<dyn ats_bridge::store::Ledger> {
//!     Box::new(store)
//! }
//! # let _ = ledger(MyStore);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;

use async_trait::async_trait;

use super::screening::{self, ScreeningClaim, ScreeningKey, ScreeningRow};
use super::{
    Claim, InviteClaim, Lease, Ledger, LedgerKey, LedgerRow, Recheck, StatusReport, StoreError,
    StoreResult, WrittenResults,
};
use super::{Fence, late, ledger};
use crate::model::{ApplicationId, ApplicationRef, AtsName, CandidateId, JobId, ParticipantKey};

/// What a backend supplies for the ledger, all within one atomic unit (a database
/// transaction, or a lock held from the first call to the last).
///
/// The unit commits as a whole or not at all: [`LedgerChange::apply`] reads what it
/// needs, applies the ledger's rules and writes back, and a failure leaves nothing
/// half-applied once the backend drops the unit without committing.
pub trait LedgerTx: Send {
    /// Serialise invite claims for `key`'s interview and `candidate` until the unit
    /// ends. A backend whose unit already excludes every other writer (SQLite's write
    /// transaction, the memory store's lock) has nothing to do; one where concurrent
    /// inserts stay invisible until commit needs a lock (PostgreSQL takes an advisory
    /// lock on the person).
    fn lock_person(
        &mut self,
        key: &LedgerKey,
        candidate: &CandidateId,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Insert `row` unless its key exists; whether it was inserted.
    fn insert_if_absent(
        &mut self,
        row: &LedgerRow,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// The row at `key`, locked until the unit ends.
    fn load_for_update(
        &mut self,
        key: &LedgerKey,
    ) -> impl Future<Output = StoreResult<Option<LedgerRow>>> + Send;

    /// The rows of `candidate` for `key`'s interview (same ATS) under other
    /// applications than `key`'s.
    fn siblings(
        &mut self,
        key: &LedgerKey,
        candidate: &CandidateId,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// Every row of `candidate` in `ats`, locked until the unit ends (in key order,
    /// so concurrent cancellations cannot deadlock).
    fn candidate_rows_for_update(
        &mut self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// Overwrite the existing row with `row`'s key.
    fn save(&mut self, row: &LedgerRow) -> impl Future<Output = StoreResult<()>> + Send;

    /// The time leases are granted and compared at (epoch ms). A backend shared by
    /// several machines returns its own clock (PostgreSQL: the server's), so a
    /// replica whose clock runs ahead cannot see a live lease as expired; the
    /// default is the caller's `caller_ms`, right where every writer shares one
    /// machine's clock (SQLite, the memory store).
    fn clock_ms(&mut self, caller_ms: i64) -> impl Future<Output = StoreResult<i64>> + Send {
        async move { Ok(caller_ms) }
    }

    /// Insert the screening `row` unless its key exists; whether it was inserted.
    fn insert_screening_if_absent(
        &mut self,
        row: &ScreeningRow,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// The screening at `key`, locked until the unit ends.
    fn load_screening_for_update(
        &mut self,
        key: &ScreeningKey,
    ) -> impl Future<Output = StoreResult<Option<ScreeningRow>>> + Send;

    /// Overwrite the existing screening with `row`'s key.
    fn save_screening(
        &mut self,
        row: &ScreeningRow,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Delete the inbox deliveries whose payload names `participant`, unless a row of
    /// someone other than (`ats`, `candidate`) has that participant or the delivery is
    /// leased at `now_ms` (see [`Ledger::cancel_candidate`]).
    fn forget_deliveries(
        &mut self,
        participant: &ParticipantKey,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}

/// A ledger backend: runs [`LedgerChange`]s in atomic units, and answers the
/// ledger's read queries. Every `LedgerBackend` is a [`Ledger`].
///
/// The reads mean what the [`Ledger`] methods of the same names document.
pub trait LedgerBackend: Send + Sync + fmt::Debug {
    /// Begin a unit, [`LedgerChange::apply`] `change` in it, and commit only if that
    /// succeeded. A backend whose units can outlive a cancelled caller (a database
    /// transaction holding locks) should run this on a task of its own.
    fn transact<T: Send + 'static>(
        &self,
        change: LedgerChange<T>,
    ) -> impl Future<Output = StoreResult<T>> + Send;

    /// [`Ledger::row`].
    fn row(&self, key: &LedgerKey) -> impl Future<Output = StoreResult<Option<LedgerRow>>> + Send;

    /// [`Ledger::rows_by_participant`].
    fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// [`Ledger::rows_of_candidate`].
    fn rows_of_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// [`Ledger::rows_of_application`].
    fn rows_of_application(
        &self,
        ats: &AtsName,
        application: &ApplicationId,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// [`Ledger::find_by_participant`].
    fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> impl Future<Output = StoreResult<Option<LedgerRow>>> + Send;

    /// [`Ledger::rows_due`].
    fn rows_due(
        &self,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// [`Ledger::stale_invites`].
    fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send;

    /// [`Ledger::status`]; [`StatusReport::from_rows`] builds it from every row where
    /// the backend has no aggregate queries.
    fn status(&self) -> impl Future<Output = StoreResult<StatusReport>> + Send;

    /// [`Ledger::screening`].
    fn screening(
        &self,
        key: &ScreeningKey,
    ) -> impl Future<Output = StoreResult<Option<ScreeningRow>>> + Send;

    /// [`Ledger::rows_due_scoped`]; a backend that serves one account may leave it
    /// out (it then answers [`StoreError::Unsupported`]), like the three below.
    fn rows_due_scoped(
        &self,
        scope: &str,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send {
        let _ = (scope, now_ms, limit);
        async { Err(StoreError::Unsupported("rows_due_scoped")) }
    }

    /// [`Ledger::rows_due_by_scope`].
    fn rows_due_by_scope(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = StoreResult<BTreeMap<String, u64>>> + Send {
        let _ = now_ms;
        async { Err(StoreError::Unsupported("rows_due_by_scope")) }
    }

    /// [`Ledger::stale_invites_scoped`].
    fn stale_invites_scoped(
        &self,
        scope: &str,
        invited_before_ms: i64,
        limit: usize,
    ) -> impl Future<Output = StoreResult<Vec<LedgerRow>>> + Send {
        let _ = (scope, invited_before_ms, limit);
        async { Err(StoreError::Unsupported("stale_invites_scoped")) }
    }

    /// [`Ledger::status_scoped`].
    fn status_scoped(&self, scope: &str) -> impl Future<Output = StoreResult<StatusReport>> + Send {
        let _ = scope;
        async { Err(StoreError::Unsupported("status_scoped")) }
    }
}

/// One change to the ledger, returning `T`: what a [`Ledger`] method asks a
/// [`LedgerBackend`] to do atomically. The backend only passes it to
/// [`LedgerChange::apply`]; it owns its arguments, so it can move to another task.
pub struct LedgerChange<T> {
    op: Op<T>,
}

/// A change to one row, returning `T`.
type RowChange<T> = Box<dyn FnOnce(&mut LedgerRow) -> StoreResult<T> + Send>;

enum Op<T> {
    ClaimInvite {
        invite: InviteClaim,
        lease: Lease,
        into: fn(Claim) -> T,
    },
    ClaimSync {
        key: LedgerKey,
        outcome_tag: String,
        lease: Lease,
        into: fn(Claim) -> T,
    },
    ClaimResultsUpdate {
        key: LedgerKey,
        fingerprint: String,
        lease: Lease,
        into: fn(Claim) -> T,
    },
    Modify {
        key: LedgerKey,
        change: RowChange<T>,
    },
    CancelCandidate {
        ats: AtsName,
        candidate: CandidateId,
        now_ms: i64,
        into: fn(u64) -> T,
    },
    ClaimScreening {
        key: ScreeningKey,
        job: JobId,
        lease: Lease,
        into: fn(ScreeningClaim) -> T,
    },
    ModifyScreening {
        key: ScreeningKey,
        change: ScreeningChange<T>,
    },
    Screened {
        key: ScreeningKey,
        created: ApplicationRef,
        fence: Fence,
        now_ms: i64,
        into: fn(LedgerRow) -> T,
    },
}

/// A change to one screening, returning `T`.
type ScreeningChange<T> = Box<dyn FnOnce(&mut ScreeningRow) -> StoreResult<T> + Send>;

impl<T> fmt::Debug for LedgerChange<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Op::ClaimInvite { invite, lease, .. } => f
                .debug_struct("ClaimInvite")
                .field("invite", invite)
                .field("lease", lease)
                .finish(),
            Op::ClaimSync {
                key,
                outcome_tag,
                lease,
                ..
            } => f
                .debug_struct("ClaimSync")
                .field("key", key)
                .field("outcome_tag", outcome_tag)
                .field("lease", lease)
                .finish(),
            Op::ClaimResultsUpdate {
                key,
                fingerprint,
                lease,
                ..
            } => f
                .debug_struct("ClaimResultsUpdate")
                .field("key", key)
                .field("fingerprint", fingerprint)
                .field("lease", lease)
                .finish(),
            Op::Modify { key, .. } => f.debug_struct("Modify").field("key", key).finish(),
            Op::CancelCandidate {
                ats,
                candidate,
                now_ms,
                ..
            } => f
                .debug_struct("CancelCandidate")
                .field("ats", ats)
                .field("candidate", candidate)
                .field("now_ms", now_ms)
                .finish(),
            Op::ClaimScreening {
                key, job, lease, ..
            } => f
                .debug_struct("ClaimScreening")
                .field("key", key)
                .field("job", job)
                .field("lease", lease)
                .finish(),
            Op::ModifyScreening { key, .. } => {
                f.debug_struct("ModifyScreening").field("key", key).finish()
            }
            Op::Screened {
                key,
                created,
                fence,
                ..
            } => f
                .debug_struct("Screened")
                .field("key", key)
                .field("created", created)
                .field("fence", fence)
                .finish(),
        }
    }
}

impl<T> LedgerChange<T> {
    /// Apply the change inside `tx`: read what it needs, apply the ledger's rules,
    /// write back. The caller commits `tx` if this succeeds, and must not if it fails.
    pub async fn apply(self, tx: &mut impl LedgerTx) -> StoreResult<T> {
        match self.op {
            Op::ClaimInvite {
                invite,
                lease,
                into,
            } => claim_invite(tx, &invite, lease).await.map(into),
            Op::ClaimSync {
                key,
                outcome_tag,
                lease,
                into,
            } => {
                let lease = at_backend_clock(tx, lease).await?;
                modify(tx, &key, |row| {
                    let decision = ledger::claim_sync(row, &outcome_tag, &lease)?;
                    Ok(decision.into_claim(row.clone()))
                })
                .await
                .map(into)
            }
            Op::ClaimResultsUpdate {
                key,
                fingerprint,
                lease,
                into,
            } => {
                let lease = at_backend_clock(tx, lease).await?;
                modify(tx, &key, |row| {
                    let decision = late::claim_results_update(row, &fingerprint, &lease)?;
                    Ok(decision.into_claim(row.clone()))
                })
                .await
                .map(into)
            }
            Op::Modify { key, change } => modify(tx, &key, change).await,
            Op::CancelCandidate {
                ats,
                candidate,
                now_ms,
                into,
            } => cancel_candidate(tx, &ats, &candidate, now_ms)
                .await
                .map(into),
            Op::ClaimScreening {
                key,
                job,
                lease,
                into,
            } => claim_screening(tx, key, job, lease).await.map(into),
            Op::ModifyScreening { key, change } => {
                let mut row = load_screening(tx, &key).await?;
                let out = change(&mut row)?;
                tx.save_screening(&row).await?;
                Ok(out)
            }
            Op::Screened {
                key,
                created,
                fence,
                now_ms,
                into,
            } => record_screened(tx, &key, &created, fence, now_ms)
                .await
                .map(into),
        }
    }

    fn modify(
        key: &LedgerKey,
        change: impl FnOnce(&mut LedgerRow) -> StoreResult<T> + Send + 'static,
    ) -> Self {
        let (key, change) = (key.clone(), Box::new(change));
        Self {
            op: Op::Modify { key, change },
        }
    }
}

/// `lease` at the backend's clock (see [`LedgerTx::clock_ms`]).
async fn at_backend_clock(tx: &mut impl LedgerTx, lease: Lease) -> StoreResult<Lease> {
    let now_ms = tx.clock_ms(lease.now_ms).await?;
    Ok(Lease { now_ms, ..lease })
}

/// [`Ledger::claim_invite`] inside `tx`.
async fn claim_invite(
    tx: &mut impl LedgerTx,
    invite: &InviteClaim,
    lease: Lease,
) -> StoreResult<Claim> {
    let lease = &at_backend_clock(tx, lease).await?;
    let key = &invite.key;
    tx.lock_person(key, &invite.candidate).await?;
    let created = tx
        .insert_if_absent(&ledger::new_row(invite, lease.now_ms))
        .await?;
    let siblings = tx.siblings(key, &invite.candidate).await?;
    modify(tx, key, |row| {
        let decision = ledger::claim_invite(row, created, &siblings, lease);
        Ok(decision.into_claim(row.clone()))
    })
    .await
}

/// Load the row at `key` for update, apply `change`, and save the row if it changed;
/// nothing is written if `change` fails.
async fn modify<T>(
    tx: &mut impl LedgerTx,
    key: &LedgerKey,
    change: impl FnOnce(&mut LedgerRow) -> StoreResult<T>,
) -> StoreResult<T> {
    let original = tx
        .load_for_update(key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("ledger row {key}")))?;
    let mut row = original.clone();
    let out = change(&mut row)?;
    if row != original {
        tx.save(&row).await?;
    }
    Ok(out)
}

/// [`Ledger::claim_screening`] inside `tx`.
async fn claim_screening(
    tx: &mut impl LedgerTx,
    key: ScreeningKey,
    job: JobId,
    lease: Lease,
) -> StoreResult<ScreeningClaim> {
    let lease = at_backend_clock(tx, lease).await?;
    let inserted = tx
        .insert_screening_if_absent(&ScreeningRow::new(key.clone(), job, lease.now_ms))
        .await?;
    let mut row = load_screening(tx, &key).await?;
    let claim = screening::claim(&mut row, inserted, &lease);
    tx.save_screening(&row).await?;
    Ok(claim)
}

/// [`Ledger::record_screened`] inside `tx`.
async fn record_screened(
    tx: &mut impl LedgerTx,
    key: &ScreeningKey,
    created: &ApplicationRef,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<LedgerRow> {
    let mut screening = load_screening(tx, key).await?;
    screening::record_created(&mut screening, created, fence, now_ms)?;
    tx.save_screening(&screening).await?;
    let row = ledger::screened_row(key, created, now_ms);
    tx.insert_if_absent(&row).await?;
    tx.load_for_update(&row.key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("ledger row {}", row.key)))
}

async fn load_screening(tx: &mut impl LedgerTx, key: &ScreeningKey) -> StoreResult<ScreeningRow> {
    tx.load_screening_for_update(key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("screening {key}")))
}

/// [`Ledger::cancel_candidate`] inside `tx`.
async fn cancel_candidate(
    tx: &mut impl LedgerTx,
    ats: &AtsName,
    candidate: &CandidateId,
    now_ms: i64,
) -> StoreResult<u64> {
    let rows = tx.candidate_rows_for_update(ats, candidate).await?;
    // Before the rows are cancelled: cancelling erases their participant links.
    for participant in ledger::participants(&rows) {
        tx.forget_deliveries(participant, ats, candidate, now_ms)
            .await?;
    }
    let mut changed = 0;
    for mut row in rows {
        if ledger::cancel(&mut row, now_ms) {
            tx.save(&row).await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// [`Ledger::record_retry`] or [`Ledger::record_parked`] (by `count`) on `backend`;
/// The tuple is (the next attempt's time, the caller's fence, now).
async fn reschedule<B: LedgerBackend>(
    backend: &B,
    key: &LedgerKey,
    error: &str,
    (next_attempt_at_ms, fence, now_ms): (i64, Option<Fence>, i64),
    count: ledger::Count,
) -> StoreResult<()> {
    let error = error.to_owned();
    backend
        .transact(LedgerChange::modify(key, move |row| {
            ledger::record_retry(row, &error, next_attempt_at_ms, fence, now_ms, count)
        }))
        .await
}

/// The ledger of every backend: its changes go through [`LedgerBackend::transact`],
/// its reads straight to the backend.
#[async_trait]
impl<B: LedgerBackend> Ledger for B {
    async fn claim_invite(&self, invite: &InviteClaim, lease: &Lease) -> StoreResult<Claim> {
        let (invite, lease) = (invite.clone(), lease.clone());
        let op = Op::ClaimInvite {
            invite,
            lease,
            into: |claim| claim,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn record_invited(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()> {
        let participant = participant.clone();
        self.transact(LedgerChange::modify(key, move |row| {
            ledger::record_invited(row, &participant, fence, now_ms)
        }))
        .await
    }

    async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
        LedgerBackend::row(self, key).await
    }

    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::rows_by_participant(self, participant).await
    }

    async fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Option<LedgerRow>> {
        LedgerBackend::find_by_participant(self, participant).await
    }

    async fn rows_of_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::rows_of_candidate(self, ats, candidate).await
    }

    async fn rows_of_application(
        &self,
        ats: &AtsName,
        application: &ApplicationId,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::rows_of_application(self, ats, application).await
    }

    async fn mark_responded(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.transact(LedgerChange::modify(key, move |row| {
            ledger::mark_responded(row, now_ms).map(drop)
        }))
        .await
    }

    async fn claim_sync(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        lease: &Lease,
    ) -> StoreResult<Claim> {
        let op = Op::ClaimSync {
            key: key.clone(),
            outcome_tag: outcome_tag.to_owned(),
            lease: lease.clone(),
            into: |claim| claim,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn record_synced(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()> {
        let outcome_tag = outcome_tag.to_owned();
        self.transact(LedgerChange::modify(key, move |row| {
            ledger::record_synced(row, &outcome_tag, fence, now_ms)
        }))
        .await
    }

    async fn claim_results_update(
        &self,
        key: &LedgerKey,
        fingerprint: &str,
        lease: &Lease,
    ) -> StoreResult<Claim> {
        let op = Op::ClaimResultsUpdate {
            key: key.clone(),
            fingerprint: fingerprint.to_owned(),
            lease: lease.clone(),
            into: |claim| claim,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn record_results_written(
        &self,
        key: &LedgerKey,
        written: &WrittenResults,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()> {
        let written = written.clone();
        self.transact(LedgerChange::modify(key, move |row| {
            late::record_results_written(row, &written, fence, now_ms)
        }))
        .await
    }

    async fn schedule_recheck(
        &self,
        key: &LedgerKey,
        recheck: Recheck,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.transact(LedgerChange::modify(key, move |row| {
            late::schedule_recheck(row, recheck, now_ms)
        }))
        .await
    }

    async fn record_warning(
        &self,
        key: &LedgerKey,
        warning: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let warning = warning.map(str::to_owned);
        self.transact(LedgerChange::modify(key, move |row| {
            late::record_warning(row, warning.as_deref(), now_ms);
            Ok(())
        }))
        .await
    }

    async fn record_retry(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let count = ledger::Count::Attempt;
        reschedule(self, key, error, (next_attempt_at_ms, fence, now_ms), count).await
    }

    async fn record_parked(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let count = ledger::Count::Parked;
        reschedule(self, key, error, (next_attempt_at_ms, fence, now_ms), count).await
    }

    async fn record_failed(
        &self,
        key: &LedgerKey,
        error: &str,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        self.transact(LedgerChange::modify(key, move |row| {
            ledger::record_failed(row, &error, fence, now_ms)
        }))
        .await
    }

    async fn redrive(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.transact(LedgerChange::modify(key, move |row| {
            ledger::redrive(row, now_ms)
        }))
        .await
    }

    async fn cancel_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let op = Op::CancelCandidate {
            ats: ats.clone(),
            candidate: candidate.clone(),
            now_ms,
            into: |changed| changed,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::rows_due(self, now_ms, limit).await
    }

    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::stale_invites(self, invited_before_ms, limit).await
    }

    async fn status(&self) -> StoreResult<StatusReport> {
        LedgerBackend::status(self).await
    }

    async fn rows_due_scoped(
        &self,
        scope: &str,
        now_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::rows_due_scoped(self, scope, now_ms, limit).await
    }

    async fn rows_due_by_scope(&self, now_ms: i64) -> StoreResult<BTreeMap<String, u64>> {
        LedgerBackend::rows_due_by_scope(self, now_ms).await
    }

    async fn stale_invites_scoped(
        &self,
        scope: &str,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        LedgerBackend::stale_invites_scoped(self, scope, invited_before_ms, limit).await
    }

    async fn status_scoped(&self, scope: &str) -> StoreResult<StatusReport> {
        LedgerBackend::status_scoped(self, scope).await
    }

    async fn claim_screening(
        &self,
        screening: &ScreeningKey,
        job: &JobId,
        lease: &Lease,
    ) -> StoreResult<ScreeningClaim> {
        let op = Op::ClaimScreening {
            key: screening.clone(),
            job: job.clone(),
            lease: lease.clone(),
            into: |claim| claim,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn record_screened(
        &self,
        screening: &ScreeningKey,
        created: &ApplicationRef,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<LedgerRow> {
        let op = Op::Screened {
            key: screening.clone(),
            created: created.clone(),
            fence,
            now_ms,
            into: |row| row,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn record_screening_failed(
        &self,
        screening: &ScreeningKey,
        error: &str,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        let change: ScreeningChange<()> =
            Box::new(move |row| screening::record_attempt_failed(row, &error, fence, now_ms));
        let op = Op::ModifyScreening {
            key: screening.clone(),
            change,
        };
        self.transact(LedgerChange { op }).await
    }

    async fn screening(&self, key: &ScreeningKey) -> StoreResult<Option<ScreeningRow>> {
        LedgerBackend::screening(self, key).await
    }
}
