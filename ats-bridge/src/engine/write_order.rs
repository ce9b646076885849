//! The order of a write-back's steps, decided once for every ATS: the record's label
//! and stage changes first, the results note last.
//!
//! Labels and stage moves are safe to repeat; a note is not. Written last, a note is
//! never written again by a retry after an earlier step failed. A retry after the note
//! itself (its answer lost, a crash before the ledger recorded it) is what
//! [`WriteBack::first_attempt`] and the adapters' look for an earlier note are for.

use crate::model::{ApplicationRef, WriteBack, WriteBackReceipt};
use crate::{Ats, AtsResult};

/// Write `write` onto `application`'s record: its changes, then its note, each in a
/// call of its own so no adapter's internal order matters. `before_note` runs between
/// the two (only when there is a note); an `Err` from it skips the note and is
/// returned as `Ok(Err(..))`: the caller no longer holds the row, so the note is the
/// new holder's to write.
pub(super) async fn write_in_order<E>(
    ats: &dyn Ats,
    application: &ApplicationRef,
    write: &WriteBack,
    before_note: impl Future<Output = Result<(), E>>,
) -> AtsResult<Result<WriteBackReceipt, E>> {
    let changes = WriteBack {
        outcome: None,
        ..write.clone()
    };
    let changes_anything = !changes.add_labels.is_empty()
        || !changes.remove_labels.is_empty()
        || changes.move_to.is_some();
    let mut receipt = if changes_anything {
        ats.write_back(application, &changes).await?
    } else {
        WriteBackReceipt::default()
    };
    if let Some(outcome) = &write.outcome {
        if let Err(stop) = before_note.await {
            return Ok(Err(stop));
        }
        let note = WriteBack {
            outcome: Some(outcome.clone()),
            first_attempt: write.first_attempt,
            ..WriteBack::default()
        };
        receipt.note_id = ats.write_back(application, &note).await?.note_id;
    }
    Ok(Ok(receipt))
}
