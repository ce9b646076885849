//! The order of a write-back's steps, decided once for every ATS: the record's label
//! and stage changes first, the results note (or the late-results update) last.
//!
//! Labels and stage moves are safe to repeat; a note is not. Written last, a note is
//! never written again by a retry after an earlier step failed. A retry after the note
//! itself (its answer lost, a crash before the ledger recorded it) is what
//! [`WriteBack::first_attempt`] and the adapters' look for an earlier note are for.

use crate::model::{ApplicationRef, WriteBack, WriteBackReceipt};
use crate::note::{Note, NoteEvent};
use crate::{Ats, AtsResult};

/// Write `write`'s changes onto `application`'s record, then each of `notes`, then the
/// late-results update ([`WriteBack::update`]), each in a call of its own so no
/// adapter's internal order matters. Every call carries the structured record; the
/// results note also carries the results ([`WriteBack::outcome`]), for implementations
/// that render it themselves. `before_note` runs after the changes (only when a note or
/// an update follows); an `Err` from it skips the notes and is returned as
/// `Ok(Err(..))`: the caller no longer holds the row, so the notes are the new holder's
/// to write. The receipt's `note_id` is the results note's when one was written (late
/// results amend that one), else the last note's.
pub(super) async fn write_in_order<E>(
    ats: &dyn Ats,
    application: &ApplicationRef,
    write: &WriteBack,
    notes: &[Note],
    before_note: impl Future<Output = Result<(), E>>,
) -> AtsResult<Result<WriteBackReceipt, E>> {
    let changes = WriteBack {
        outcome: None,
        note: None,
        update: None,
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
    if (!notes.is_empty() || write.update.is_some())
        && let Err(stop) = before_note.await
    {
        return Ok(Err(stop));
    }
    let mut results_note = None;
    for note in notes {
        let is_results = note.event() == NoteEvent::Completed;
        let note_write = WriteBack {
            outcome: write.outcome.clone().filter(|_| is_results),
            note: Some(note.clone()),
            record: write.record.clone(),
            first_attempt: write.first_attempt,
            ..WriteBack::default()
        };
        let written = ats.write_back(application, &note_write).await?.note_id;
        if is_results {
            results_note = written.clone();
        }
        receipt.note_id = written;
    }
    if let Some(update) = &write.update {
        let note = WriteBack {
            update: Some(update.clone()),
            record: write.record.clone(),
            first_attempt: write.first_attempt,
            ..WriteBack::default()
        };
        receipt.note_id = ats.write_back(application, &note).await?.note_id;
    }
    if results_note.is_some() {
        receipt.note_id = results_note;
    }
    Ok(Ok(receipt))
}
