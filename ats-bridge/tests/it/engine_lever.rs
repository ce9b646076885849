//! The engine with the Lever adapter, for what only Lever does: it cannot create
//! candidates, and its postings' states come from listing them. Every shared scenario
//! runs in `engine_matrix::lever`.
#![cfg(feature = "lever")]

use std::sync::Arc;

use ats_bridge::engine::{Action, EngineError, Ignored};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::MemoryStore;
use serde_json::json;

use crate::support::engine_setup::{config, engine_over};
use crate::support::mock_server::{mount_exactly, ok};
use crate::support::willo_mock::INTERVIEW;
use crate::support::world::World;
use crate::support::world::lever::{LeverWorld, POSTING, TRIGGER_STAGE, lever_get};

type W = World<LeverWorld>;

#[tokio::test]
async fn screening_into_lever_is_refused_when_the_engine_is_built() {
    let w = W::new().await;
    let screening = W::rules().screen("2f3159b797915150c239f2468d660dc0", "lever", POSTING);
    let error = engine_over(&w.willo, w.store.clone(), w.adapter.clone(), screening)
        .config(config())
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, EngineError::Config(text) if text.contains("cannot create candidates")),
        "{error}"
    );
}

#[tokio::test]
async fn job_states_seen_by_the_reconciler_stop_invites_on_closed_postings() {
    let rules = Rules::new().trigger("lever", JobSelector::Any, [TRIGGER_STAGE], INTERVIEW);
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let postings = json!({
        "data": [
            {"id": POSTING, "text": "Nurse", "state": "closed", "tags": []},
            {"id": "open-posting", "text": "Porter", "state": "published", "tags": []}
        ],
        "hasNext": false
    });
    mount_exactly(
        &w.ats,
        1,
        lever_get("/postings", &[]).respond_with(ok(postings)),
    )
    .await;
    let open_stage = lever_get(
        "/opportunities",
        &[
            ("posting_id", "open-posting"),
            ("stage_id", TRIGGER_STAGE),
            ("archived", "false"),
        ],
    );
    let nobody = ok(json!({"data": [], "hasNext": false}));
    mount_exactly(&w.ats, 1, open_stage.respond_with(nobody)).await;
    let report = w.engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.applications_seen, 0);

    let action = w.on_stage_change().await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn late_results_become_a_follow_up_note_when_lever_refuses_the_amendment() {
    use ats_bridge::late_results::{ResultsChange, ResultsUpdate, render_follow_up_note};
    use ats_bridge::lever::NOTE_MAX_CHARS;
    use ats_bridge::model::{InterviewOutcome, ParticipantKey, WriteBack};
    use wiremock::ResponseTemplate;
    use wiremock::matchers::{body_json, method, path};

    use crate::support::world::VendorWorld;
    use crate::support::world::lever::{OPP, fixture, lever_write};

    let w = W::new().await;
    let results = InterviewOutcome::from_participant_json(
        ParticipantKey::from("p"),
        json!({"responses": [{"question": "Why us?", "transcript": "Your beans."}]}),
    );
    let update = ResultsUpdate::new(results, vec![ResultsChange::Transcript(0)]).amending("note-1");
    // Lever's FAQ says notes cannot be edited: a refusal is not the end of it.
    mount_exactly(
        &w.ats,
        1,
        wiremock::Mock::given(method("PUT"))
            .and(path(format!("/v1/opportunities/{OPP}/notes/note-1")))
            .respond_with(ResponseTemplate::new(405)),
    )
    .await;
    // Not a first attempt: the notes are read for an earlier copy of the follow-up.
    LeverWorld::notes_listed(&w.ats, vec![], 1).await;
    let text = render_follow_up_note(&update, NOTE_MAX_CHARS);
    assert!(
        text.starts_with("Updated Willo results: transcript added"),
        "{text}"
    );
    mount_exactly(
        &w.ats,
        1,
        lever_write("POST", "/notes")
            .and(body_json(json!({ "value": text })))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(fixture("note-create-response-docs.json")),
            ),
    )
    .await;
    let receipt = w
        .adapter
        .write_back(&W::application(), &WriteBack::update(update))
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some(LeverWorld::WRITTEN_NOTE));
}
