//! Notes per event (`[notes]` in the rules, issue 17): each event's note written when
//! its setting is on, with its template's text exactly, and none when it is off.

use std::sync::Arc;

use ats_bridge::note::{NoteEvent, NoteSetting};
use ats_bridge::rules::Rules;
use ats_bridge::store::{MemoryStore, RowState};
use serde_json::json;
use willo_client::WebhookEvent;

use crate::support::engine_setup::{config, on_willo_news, participant_row, rows_in};
use crate::support::mock_server::{mount_exactly, ok};
use crate::support::willo_mock::{INTERVIEW, PARTICIPANT, participant, willo, willo_results};
use crate::support::world::{ACCEPTED, INVITED, TO_REVIEW, VendorWorld, World};

/// The default rules with `event`'s note set to `setting`.
fn with_note<V: VendorWorld>(event: NoteEvent, setting: NoteSetting) -> Rules {
    let mut rules = World::<V>::rules();
    rules.notes = rules.notes.clone().with(event, setting);
    rules.validate().expect("valid note settings");
    rules
}

async fn world<V: VendorWorld>(rules: Rules) -> World<V> {
    World::<V>::with(Arc::new(MemoryStore::new()), rules, config()).await
}

pub async fn an_invited_note_names_the_candidate_and_the_interview_when_switched_on<
    V: VendorWorld,
>() {
    let template = "Invited {{ candidate.first_name }} to {{ interview.name }} \
        ({{ record.interview_status }}, participant {{ participant.key }})";
    let w = world::<V>(with_note::<V>(
        NoteEvent::Invited,
        NoteSetting::on().template(template),
    ))
    .await;
    // The template shows the interview's name: one read of the interview.
    mount_exactly(
        &w.willo,
        1,
        willo("GET", &format!("/interviews/{INTERVIEW}/"))
            .respond_with(ok(json!({"key": INTERVIEW, "title": "Graduate engineers"}))),
    )
    .await;
    let first_name = V::INVITEE.name.split_whitespace().next().unwrap();
    V::text_note_written(
        &w.ats,
        &format!("Invited {first_name} to Graduate engineers (invited, participant {PARTICIPANT})"),
        1,
    )
    .await;
    // A first invite: nothing can be there yet, so no look for an earlier note.
    V::notes_listed(&w.ats, vec![], 0).await;
    w.invite().await;
}

pub async fn a_switched_off_results_note_is_not_written_and_the_labels_still_move<
    V: VendorWorld,
>() {
    let w = world::<V>(with_note::<V>(NoteEvent::Completed, NoteSetting::off())).await;
    w.invite().await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    V::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    V::note_written(&w.ats, &answered, 0).await;
    V::notes_listed(&w.ats, vec![], 0).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, World::<V>::wrote_back("completed"));
    assert_eq!(V::notes_written(&w.ats).await, 0);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

pub async fn a_decision_note_is_written_after_the_labels_when_switched_on<V: VendorWorld>() {
    let template = "Willo decision: {{ decision }} (score {{ results.score | score }}, \
        {{ results.responses | length }} answers)";
    let w = world::<V>(with_note::<V>(
        NoteEvent::Decision,
        NoteSetting::on().template(template),
    ))
    .await;
    w.invite().await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, World::<V>::wrote_back("completed"));

    willo_results(&w.willo, participant("Accepted"), 1).await;
    V::labels_moved(&w.ats, TO_REVIEW, ACCEPTED, 1).await;
    V::text_note_written(&w.ats, "Willo decision: accepted (score 4.5, 2 answers)", 1).await;
    // Nothing failed since the results were written: no look for an earlier copy.
    V::notes_listed(&w.ats, vec![], 0).await;
    let decided = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(decided, World::<V>::wrote_back("decision:accepted"));
    assert_eq!(
        V::notes_written(&w.ats).await,
        2,
        "the results, then the decision"
    );
}

pub async fn an_expired_invite_writes_its_note_when_switched_on_and_nothing_else<V: VendorWorld>() {
    let expired_note = NoteSetting::on().stages(["Expired"]);
    let w = world::<V>(with_note::<V>(NoteEvent::Expired, expired_note)).await;
    w.invite().await;
    let expired = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Expired"});
    willo_results(&w.willo, expired, 1).await;
    V::text_note_written(
        &w.ats,
        "Willo interview expired without an answer (Expired)",
        1,
    )
    .await;
    V::notes_listed(&w.ats, vec![], 0).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(action, World::<V>::wrote_back("closed:expired"));
    let row = participant_row(w.store.as_ref()).await.unwrap();
    assert_eq!(row.synced_outcome.as_deref(), Some("closed:expired"));
    assert_eq!(
        V::notes_written(&w.ats).await,
        1,
        "no label, no results note"
    );
}

pub async fn an_expired_stage_is_left_alone_while_its_note_is_off<V: VendorWorld>() {
    let w = world::<V>(World::<V>::rules()).await;
    w.invite().await;
    let expired = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Expired"});
    willo_results(&w.willo, expired, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert!(
        matches!(action, ats_bridge::engine::Action::NotAnswered { .. }),
        "{action:?}"
    );
    assert_eq!(V::notes_written(&w.ats).await, 0);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}
