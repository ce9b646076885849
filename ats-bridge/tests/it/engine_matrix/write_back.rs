//! Willo's news written back: the labels and stage first, the note last, each once,
//! whatever the repeats, failures and lost answers on the way.

use std::sync::Arc;

use ats_bridge::engine::Action;
use ats_bridge::rules::{Decision, JobSelector, Rules};
use ats_bridge::store::{MemoryStore, RowState, Store};
use serde_json::{Value, json};
use willo_client::WebhookEvent;
use wiremock::ResponseTemplate;

use crate::support::engine_setup::{config, count, on_willo_news, participant_row, rows_in};
use crate::support::mock_server::{CLIENT_ATTEMPTS, fail_first, mount_exactly};
use crate::support::willo_mock::{
    INTERVIEW, PARTICIPANT, inbox_willo_delivery, participant, willo_delivery, willo_results,
    willo_results_unavailable,
};
use crate::support::world::{ACCEPTED, INVITED, REJECTED, TO_REVIEW, VendorWorld, World};

/// The default rules, and moving the application to `stage` on `decision` in Willo.
fn deciding<V: VendorWorld>(decision: Decision, stage: &str) -> Rules {
    World::<V>::rules().progress(V::NAME, JobSelector::Job(V::JOB.into()), decision, stage)
}

/// Invite, then write the answer back on `store`, every request asserted.
pub async fn the_whole_flow_on<V: VendorWorld>(store: Arc<dyn Store>) {
    let w = World::<V>::with(store, World::<V>::rules(), config()).await;
    w.invite().await;
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    let row = participant_row(w.store.as_ref())
        .await
        .expect("the participant is linked to the row");
    assert_eq!(row.key, World::<V>::key());
    assert_eq!(row.candidate.as_str(), V::CANDIDATE);

    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, World::<V>::wrote_back("completed"));

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1, "one row in all");
    assert_eq!(
        status.by_job[&(World::<V>::name(), V::JOB.into())][&RowState::Synced],
        1
    );
    assert!(status.failed.is_empty());
}

pub async fn a_stage_change_invites_once_and_the_answer_is_written_back_once<V: VendorWorld>() {
    the_whole_flow_on::<V>(Arc::new(MemoryStore::new())).await;
}

pub async fn the_same_flow_on_the_sqlite_store<V: VendorWorld>() {
    the_whole_flow_on::<V>(crate::support::world::sqlite_store().await).await;
}

pub async fn late_and_repeated_willo_news_write_one_note_then_the_decision_moves_labels_and_stage<
    V: VendorWorld,
>() {
    let rules = deciding::<V>(Decision::Accepted, V::ONSITE_STAGE);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let key = World::<V>::key();
    w.invite().await;

    let answered = participant("Received");
    // stage_change, then new_response directly, then new_response twice through the
    // inbox: Willo is read each time, the ATS written once.
    willo_results(&w.willo, answered.clone(), 4).await;
    w.results_written_back(&answered).await;
    let first = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(first, World::<V>::wrote_back("completed"));
    let second = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(second, Action::AlreadyDone { key: key.clone() });
    for _ in 0..2 {
        inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
    }
    // Identical bodies are each kept (they may be news) and each cost one read.
    assert_eq!(w.engine.process_inbox().await.unwrap(), 2);

    // The hiring team accepts in Willo: labels and stage move, no second note.
    willo_results(&w.willo, participant("Accepted"), 2).await;
    V::labels_moved(&w.ats, TO_REVIEW, ACCEPTED, 1).await;
    V::stage_moved(&w.ats, V::ONSITE_STAGE, 1).await;
    let decided = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(decided, World::<V>::wrote_back("decision:accepted"));
    let again = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(again, Action::AlreadyDone { key });

    assert_eq!(V::notes_written(&w.ats).await, 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

pub async fn a_rejection_before_any_other_news_writes_the_note_with_the_rejected_label_and_stage<
    V: VendorWorld,
>() {
    let rules = deciding::<V>(Decision::Rejected, V::REJECTED_STAGE);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, config()).await;
    w.invite().await;
    let rejected = participant("Rejected");
    willo_results(&w.willo, rejected.clone(), 1).await;
    V::labels_moved(&w.ats, INVITED, REJECTED, 1).await;
    V::stage_moved(&w.ats, V::REJECTED_STAGE, 1).await;
    V::note_written(&w.ats, &rejected, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(action, World::<V>::wrote_back("decision:rejected"));
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

/// A results write-back of `answered` whose note the ATS refuses once (503): Willo is
/// read twice; the labels move on the first attempt (the note goes last) and the retry,
/// which may follow a half-done attempt, finds them moved, reads the notes (the caller
/// mounts that listing), finds none of this answer, and writes the note.
pub async fn note_refused_once_then_written<V: VendorWorld>(w: &World<V>, answered: &Value) {
    willo_results(&w.willo, answered.clone(), 2).await;
    V::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    V::labels_found(&w.ats, TO_REVIEW).await;
    // A note is not idempotent: the client does not repeat it; the engine does, once
    // the ATS is back.
    fail_first(&w.ats, 503, V::note_write(answered)).await;
    V::note_written(&w.ats, answered, 1).await;
}

/// [`note_refused_once_then_written`] with the notes listing answered `listing`.
pub async fn a_failed_note_is_retried_with_the_listing<V: VendorWorld>(listing: ResponseTemplate) {
    let w = World::<V>::new().await;
    w.invite().await;
    note_refused_once_then_written(&w, &participant("Received")).await;
    mount_exactly(&w.ats, 1, V::notes_listing().respond_with(listing)).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("writing the results back"), "{reason}");
    assert_eq!(rows_in(&w.engine, RowState::Responded).await, 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
}

pub async fn a_failed_note_is_retried_and_written_once<V: VendorWorld>() {
    let empty = ResponseTemplate::new(200).set_body_json(V::notes_page(vec![]));
    a_failed_note_is_retried_with_the_listing::<V>(empty).await;
}

pub async fn a_retried_write_back_is_done_even_when_willo_names_the_answers_differently<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    w.invite().await;
    // Willo's field names are unconfirmed: this record shows no answers the client
    // recognises, so only the `new_response` webhook says the candidate answered.
    let bare = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Received"});
    note_refused_once_then_written(&w, &bare).await;
    V::notes_listed(&w.ats, vec![], 1).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(rows_in(&w.engine, RowState::Responded).await, 1);

    // The row is known to be answered: its retry must write the results back.
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1, "{status:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "nothing left due");
}

pub async fn a_write_back_failing_before_the_note_is_retried_with_one_note<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    // The first attempt fails on the labels; the note, written last, waits for the
    // retry (a note written first would be written again by it). Label writes are
    // idempotent: the client retries them before giving up.
    let down = ResponseTemplate::new(503);
    V::labels_refused(&w.ats, TO_REVIEW, down, CLIENT_ATTEMPTS).await;
    V::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    // The retry may follow a half-done attempt: it looks for the note, then writes it.
    V::notes_listed(&w.ats, vec![], 1).await;
    V::note_written(&w.ats, &answered, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(
        V::notes_written(&w.ats).await,
        1,
        "the note is written once"
    );
}

/// The note was written but its answer was lost: the retry reads the application's
/// notes, finds the same results, and does not write them again.
pub async fn a_note_whose_answer_was_lost_is_found_and_not_written_again<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    V::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    let lost = V::note_write(&answered).respond_with(ResponseTemplate::new(502));
    mount_exactly(&w.ats, 1, lost).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    V::notes_listed(&w.ats, vec![V::listed_note(&answered)], 1).await;
    V::labels_found(&w.ats, TO_REVIEW).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(
        V::notes_written(&w.ats).await,
        1,
        "only the first, lost, attempt"
    );
}

pub async fn a_write_back_onto_a_deleted_record_fails_the_row_with_the_reason<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    willo_results(&w.willo, participant("Received"), 1).await;
    // The first step of the write-back, the labels, finds the record gone.
    let gone = ResponseTemplate::new(404)
        .set_body_json(json!({"code": "ResourceNotFound", "message": "not found"}));
    V::labels_refused(&w.ats, TO_REVIEW, gone, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains(&V::gone()), "{reason}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    assert_eq!(status.failed[0].failed_from, Some(RowState::Responded));
}

pub async fn a_decision_whose_write_failed_is_retried_without_a_note<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;
    let first = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(first, World::<V>::wrote_back("completed"));

    // Rejected in Willo while the ATS is down: retried later, labels only.
    willo_results(&w.willo, participant("Rejected"), 2).await;
    let down = ResponseTemplate::new(503);
    V::labels_refused(&w.ats, REJECTED, down, CLIENT_ATTEMPTS).await;
    V::labels_moved(&w.ats, TO_REVIEW, REJECTED, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    // The notes were never listed (`results_written_back` asserts it): the one note
    // was written for the answer, on a first attempt.
    assert_eq!(V::notes_written(&w.ats).await, 1);
}

pub async fn a_willo_delivery_that_cannot_be_read_yet_stays_in_the_inbox_until_it_can<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    w.invite().await;
    willo_results_unavailable(&w.willo, CLIENT_ATTEMPTS).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;

    inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    // Willo was down: the row is untouched and the delivery is kept for later.
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1, "taken again");
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "then done");
}

pub async fn two_replicas_receiving_the_same_answer_at_once_write_one_note<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    let other = w.replica();
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    w.results_written_back(&answered).await;

    let delivery = willo_delivery(WebhookEvent::NewResponse);
    let (a, b) = tokio::join!(
        w.engine.handle_willo_delivery(&delivery),
        other.handle_willo_delivery(&delivery)
    );
    let mut actions = [a.unwrap(), b.unwrap()];
    actions.sort_by_key(|a| matches!(a, Action::WroteBack { .. }));
    assert_eq!(actions[1], World::<V>::wrote_back("completed"));
    // The other replica finds the row leased, or already written if it was slower.
    let key = World::<V>::key();
    assert!(
        matches!(&actions[0], Action::Busy { key: k } | Action::AlreadyDone { key: k } if *k == key),
        "{actions:?}"
    );
    assert_eq!(V::notes_written(&w.ats).await, 1);
}
