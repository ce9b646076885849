//! The ledger's multi-step changes, written once over the few primitives a backend
//! supplies inside one atomic unit (a database transaction, or the memory store's
//! lock).
//!
//! Each flow reads what it needs, applies the pure transitions of the parent module
//! and writes back; the unit then commits as a whole or not at all, so a transition
//! never half-applies.

use super::super::{Claim, InviteClaim, Lease, LedgerKey, LedgerRow, StoreError, StoreResult};
use crate::model::{AtsName, CandidateId, ParticipantKey};

/// What a backend supplies for the ledger, all within one atomic unit.
pub(crate) trait LedgerTx: Send {
    /// Serialise invite claims for `key`'s interview and `candidate` until the unit
    /// ends. A backend whose unit already excludes every other writer (SQLite's write
    /// transaction, the memory store's lock) has nothing to do.
    async fn lock_person(&mut self, key: &LedgerKey, candidate: &CandidateId) -> StoreResult<()>;

    /// Insert `row` unless its key exists; whether it was inserted.
    async fn insert_if_absent(&mut self, row: &LedgerRow) -> StoreResult<bool>;

    /// The row at `key`, locked until the unit ends.
    async fn load_for_update(&mut self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>>;

    /// The rows of `candidate` for `key`'s interview under other applications.
    async fn siblings(
        &mut self,
        key: &LedgerKey,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>>;

    /// Every row of `candidate` in `ats`, locked until the unit ends (in key order,
    /// so concurrent cancellations cannot deadlock).
    async fn candidate_rows_for_update(
        &mut self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>>;

    /// Overwrite the existing row with `row`'s key.
    async fn save(&mut self, row: &LedgerRow) -> StoreResult<()>;

    /// Delete the inbox deliveries whose payload names `participant`, unless a row of
    /// someone other than (`ats`, `candidate`) has that participant or the delivery is
    /// leased at `now_ms` (see [`super::super::Ledger::cancel_candidate`]).
    async fn forget_deliveries(
        &mut self,
        participant: &ParticipantKey,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<()>;
}

/// [`super::super::Ledger::claim_invite`] inside `tx`.
pub(crate) async fn claim_invite(
    tx: &mut impl LedgerTx,
    invite: &InviteClaim,
    lease: &Lease,
) -> StoreResult<Claim> {
    let key = &invite.key;
    tx.lock_person(key, &invite.candidate).await?;
    let created = tx
        .insert_if_absent(&super::new_row(invite, lease.now_ms))
        .await?;
    let siblings = tx.siblings(key, &invite.candidate).await?;
    modify(tx, key, |row| {
        let decision = super::claim_invite(row, created, &siblings, lease);
        Ok(decision.into_claim(row.clone()))
    })
    .await
}

/// Load the row at `key` for update, apply `change`, and save the row if it changed;
/// nothing is written if `change` fails.
pub(crate) async fn modify<T>(
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

/// [`super::super::Ledger::cancel_candidate`] inside `tx`.
pub(crate) async fn cancel_candidate(
    tx: &mut impl LedgerTx,
    ats: &AtsName,
    candidate: &CandidateId,
    now_ms: i64,
) -> StoreResult<u64> {
    let rows = tx.candidate_rows_for_update(ats, candidate).await?;
    // Before the rows are cancelled: cancelling erases their participant links.
    for participant in super::participants(&rows) {
        tx.forget_deliveries(participant, ats, candidate, now_ms)
            .await?;
    }
    let mut changed = 0;
    for mut row in rows {
        if super::cancel(&mut row, now_ms) {
            tx.save(&row).await?;
            changed += 1;
        }
    }
    Ok(changed)
}
