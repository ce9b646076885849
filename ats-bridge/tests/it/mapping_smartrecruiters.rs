//! Field mapping on SmartRecruiters, against a wiremock'd API: a Willo score and the
//! review link land in two candidate properties, a recruiter's value in a protected
//! property survives, a mandatory target without data holds the whole write-back, and
//! the mapping is checked against the live property definitions.
#![cfg(feature = "smartrecruiters")]

use std::sync::Arc;

use ats_bridge::engine::{Action, Ignored};
use ats_bridge::mapping::{
    ConnectionMapping, CreateCandidates, FieldMapping, Source, Target, live_checks,
};
use ats_bridge::rules::Rules;
use ats_bridge::smartrecruiters::SmartRecruitersAtsConfig;
use ats_bridge::store::{MemoryStore, RowState};
use ats_bridge::verify::Outcome;
use serde_json::{Value, json};
use willo_client::WebhookEvent;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

use crate::support::clock::MovableClock;
use crate::support::engine_setup::{config, on_willo_news, participant_row, rows_in};
use crate::support::mock_server::{mount_exactly, ok, strict_server};
use crate::support::willo_mock::{participant, willo, willo_results};
use crate::support::world::smartrecruiters::{
    CANDIDATE, JOB, SmartRecruitersWorld, adapter_with, fixture, note_body_for, sr,
};
use crate::support::world::{ACCEPTED, INVITED, TO_REVIEW, VendorWorld, World};

type W = World<SmartRecruitersWorld>;

const REVIEW: &str = "https://app.willotalent.com/share/p-review";

fn properties_path() -> String {
    format!("/candidates/{CANDIDATE}/jobs/{JOB}/properties")
}

/// Score (mandatory) and review link into two properties; the Willo stage into a
/// property the recruiter may already have filled (protected).
fn rules() -> Rules {
    W::rules().map(
        "smartrecruiters",
        ConnectionMapping::new()
            .field(
                FieldMapping::new(Source::ResultsScore, Target::Property("willo-score".into()))
                    .mandatory(),
            )
            .field(FieldMapping::new(
                Source::ResultsReviewLink,
                Target::Property("willo-link".into()),
            ))
            .field(
                FieldMapping::new(
                    Source::ResultsStatus,
                    Target::Property("recruiter-verdict".into()),
                )
                .protected(),
            ),
    )
}

fn answered() -> Value {
    let mut answered = participant("Received");
    answered["share_url"] = json!(REVIEW);
    answered
}

async fn definition(w: &W, id: &str, kind: &str) {
    let read = sr("GET", &format!("/configuration/candidate-properties/{id}"));
    let body = json!({"id": id, "label": id, "type": kind});
    mount_exactly(&w.ats, 1, read.respond_with(ok(body))).await;
}

#[tokio::test]
async fn a_score_and_the_review_link_land_in_two_properties_and_a_recruiters_value_survives() {
    let w = W::with(Arc::new(MemoryStore::new()), rules(), config()).await;
    w.invite().await;
    let answered = answered();
    willo_results(&w.willo, answered.clone(), 1).await;
    // The recruiter already wrote a verdict; the review link property is empty.
    let current = json!({"content": [
        {"id": "recruiter-verdict", "type": "TEXT", "value": "Strong hire"},
        {"id": "willo-link", "type": "TEXT", "value": null}
    ]});
    let read = sr("GET", &properties_path()).respond_with(ok(current));
    mount_exactly(&w.ats, 1, read).await;
    definition(&w, "willo-score", "NUMBER").await;
    definition(&w, "willo-link", "TEXT").await;
    // Exactly the two properties: the protected verdict is not in the body.
    let written = sr("PUT", &properties_path())
        .and(body_json(json!([
            {"id": "willo-score", "value": 4.5},
            {"id": "willo-link", "value": REVIEW}
        ])))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, written).await;
    w.results_written_back(&answered).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, W::wrote_back("completed"));
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

#[tokio::test]
async fn a_mandatory_target_without_data_holds_the_write_back_until_the_data_arrives() {
    let clock = Arc::new(MovableClock::default());
    let w = W::on_clock(
        Arc::new(MemoryStore::new()),
        rules(),
        config(),
        clock.clone(),
    )
    .await;
    w.invite().await;
    let sent_before = w.ats.received_requests().await.unwrap().len();
    let mut unscored = answered();
    unscored.as_object_mut().unwrap().remove("score");
    willo_results(&w.willo, unscored, 1).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let reason = "waiting for data: mandatory mapping.smartrecruiters.field[0] \
                  (results.score → property:willo-score) has no value: `results.score` is \
                  empty; the write-back is held until it can be filled";
    match &action {
        Action::Rescheduled {
            key, reason: why, ..
        } => {
            assert_eq!(key, &W::key());
            assert_eq!(why, reason);
        }
        other => panic!("expected the row to wait, got {other:?}"),
    }
    // Nothing was sent: no property, no label, no note.
    assert_eq!(w.ats.received_requests().await.unwrap().len(), sent_before);
    let row = participant_row(w.store.as_ref()).await.unwrap();
    assert_eq!(row.state, RowState::Responded);
    assert_eq!(row.last_error.as_deref(), Some(reason));

    // Willo's score arrives while the row waits: it is looked at once the wait is
    // over, and then everything is written.
    let answered = answered();
    willo_results(&w.willo, answered.clone(), 2).await;
    let early = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(early, Action::Busy { key: W::key() });
    clock.advance(std::time::Duration::from_secs(901));
    let read = sr("GET", &properties_path()).respond_with(ok(json!({})));
    mount_exactly(&w.ats, 1, read).await;
    definition(&w, "willo-score", "NUMBER").await;
    definition(&w, "willo-link", "TEXT").await;
    definition(&w, "recruiter-verdict", "TEXT").await;
    let written = sr("PUT", &properties_path())
        .and(body_json(json!([
            {"id": "willo-score", "value": 4.5},
            {"id": "willo-link", "value": REVIEW},
            {"id": "recruiter-verdict", "value": "Received"}
        ])))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, written).await;
    // The wait left a reason on the row, so the note looks for an earlier copy first.
    SmartRecruitersWorld::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    SmartRecruitersWorld::notes_listed(&w.ats, vec![], 1).await;
    SmartRecruitersWorld::note_written(&w.ats, &answered, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(action, W::wrote_back("completed"));
}

/// An operator who fixed the data a held write-back waits for (the score, given in
/// Willo) redrives the row: it goes out at the next retry pass, not 15 minutes later.
#[tokio::test]
async fn an_operator_redrives_a_row_waiting_for_a_mandatory_value_once_the_data_is_fixed() {
    let clock = Arc::new(MovableClock::default());
    let w = W::on_clock(
        Arc::new(MemoryStore::new()),
        rules(),
        config(),
        clock.clone(),
    )
    .await;
    w.invite().await;
    let mut unscored = answered();
    unscored.as_object_mut().unwrap().remove("score");
    willo_results(&w.willo, unscored, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "waiting 15 minutes");

    // The reviewer scores the answers in Willo; the operator redrives the row.
    let answered = answered();
    willo_results(&w.willo, answered.clone(), 1).await;
    w.engine.redrive(&W::key()).await.unwrap();
    let row = participant_row(w.store.as_ref()).await.unwrap();
    assert_eq!(row.state, RowState::Responded);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("waiting for data")
    );

    let read = sr("GET", &properties_path()).respond_with(ok(json!({})));
    mount_exactly(&w.ats, 1, read).await;
    definition(&w, "willo-score", "NUMBER").await;
    definition(&w, "willo-link", "TEXT").await;
    definition(&w, "recruiter-verdict", "TEXT").await;
    let written = sr("PUT", &properties_path())
        .and(body_json(json!([
            {"id": "willo-score", "value": 4.5},
            {"id": "willo-link", "value": REVIEW},
            {"id": "recruiter-verdict", "value": "Received"}
        ])))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, written).await;
    SmartRecruitersWorld::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    SmartRecruitersWorld::notes_listed(&w.ats, vec![], 1).await;
    SmartRecruitersWorld::note_written(&w.ats, &answered, 1).await;
    // The clock has not moved: the redrive made the row due now.
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);

    // Written: nothing is left to redrive.
    let again = w.engine.redrive(&W::key()).await;
    assert!(
        matches!(
            again,
            Err(ats_bridge::engine::EngineError::Store(
                ats_bridge::store::StoreError::Conflict(_)
            ))
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_mapping_is_checked_against_the_live_property_definitions() {
    let ats = strict_server().await;
    let adapter = adapter_with(&ats, SmartRecruitersAtsConfig::new());
    let definitions = json!({"content": [
        {"id": "willo-score", "label": "Willo score", "type": "NUMBER"},
        {"id": "willo-result", "label": "Willo result", "type": "SINGLE_SELECT"}
    ]});
    let listing = sr("GET", "/configuration/candidate-properties").respond_with(ok(definitions));
    mount_exactly(&ats, 3, listing).await;
    let options =
        json!({"content": [{"id": "r-1", "label": "Passed"}, {"id": "r-2", "label": "Failed"}]});
    let values = sr(
        "GET",
        "/configuration/candidate-properties/willo-result/values",
    )
    .respond_with(ok(options));
    mount_exactly(&ats, 3, values).await;
    let check = |mapping: ConnectionMapping| {
        let rules = Rules::new().map("smartrecruiters", mapping);
        let adapter = &adapter;
        async move { live_checks(adapter, &rules).await }
    };

    let good = check(
        ConnectionMapping::new()
            .field(FieldMapping::new(
                Source::ResultsScore,
                Target::Property("willo-score".into()),
            ))
            .field(
                FieldMapping::new(
                    Source::ResultsDecision,
                    Target::Property("willo-result".into()),
                )
                .translate("accepted", "Passed")
                .translate("rejected", "Failed"),
            ),
    )
    .await;
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].outcome, Outcome::Pass, "{good:?}");

    let missing = check(ConnectionMapping::new().field(FieldMapping::new(
        Source::ResultsScore,
        Target::Property("no-such-property".into()),
    )))
    .await;
    assert_eq!(
        missing[0].outcome,
        Outcome::Fail(
            "mapping.smartrecruiters.field[0] (results.score → property:no-such-property): \
             `property:no-such-property` does not exist in this ATS (`setup` lists the targets \
             it has)"
                .into()
        )
    );

    let wrong = check(
        ConnectionMapping::new()
            .field(FieldMapping::new(
                Source::ResultsSummary,
                Target::Property("willo-score".into()),
            ))
            .field(
                FieldMapping::new(
                    Source::ResultsDecision,
                    Target::Property("willo-result".into()),
                )
                .translate("accepted", "Hired"),
            ),
    )
    .await;
    assert_eq!(
        wrong[0].outcome,
        Outcome::Fail(
            "mapping.smartrecruiters.field[0] (results.summary → property:willo-score): \
             `property:willo-score` takes Number values; `results.summary` gives Text"
                .into()
        )
    );
}

const SCREENING_INTERVIEW: &str = "2f3159b797915150c239f2468d660dc0";
const SCREENED: &str = "6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f";
const NEW_CANDIDATE: &str = "c-created-on-acceptance";

fn screened(stage: &str) -> Value {
    let mut screened = participant(stage);
    screened["key"] = json!(SCREENED);
    screened["interview"] = json!(SCREENING_INTERVIEW);
    screened["name"] = json!("Grace Hopper");
    screened["email"] = json!("grace@example.com");
    screened
}

fn screening_news() -> willo_client::webhooks::Delivery {
    let body = serde_json::to_vec(&json!({"participant": {"key": SCREENED}})).unwrap();
    willo_client::webhooks::Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap()
}

#[tokio::test]
async fn screening_on_a_positive_decision_waits_for_the_acceptance_then_creates_once() {
    let mapping = ConnectionMapping::new().create_candidates(CreateCandidates::OnPositiveDecision);
    let rules = W::rules()
        .screen(SCREENING_INTERVIEW, "smartrecruiters", JOB)
        .map("smartrecruiters", mapping);
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let read = || willo("GET", &format!("/participants/{SCREENED}/"));

    // Completed, not decided: nothing is created, nothing is sent to SmartRecruiters.
    mount_exactly(&w.willo, 1, read().respond_with(ok(screened("Received")))).await;
    let held = w
        .engine
        .handle_willo_delivery(&screening_news())
        .await
        .unwrap();
    assert_eq!(held, Action::Ignored(Ignored::ScreeningHeld));
    assert!(w.ats.received_requests().await.unwrap().is_empty());
    w.willo.reset().await;

    // Accepted in Willo: the candidate is created, with the accepted label and the note.
    let accepted = screened("Accepted");
    mount_exactly(&w.willo, 2, read().respond_with(ok(accepted.clone()))).await;
    // Nobody with the e-mail yet.
    let look_up = sr("GET", "/candidates")
        .and(wiremock::matchers::query_param(
            "q",
            "\"grace@example.com\"",
        ))
        .respond_with(ok(json!({"totalFound": 0, "content": []})));
    mount_exactly(&w.ats, 1, look_up).await;
    let created = sr("POST", &format!("/jobs/{JOB}/candidates"))
        .and(body_json(json!({
            "firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": NEW_CANDIDATE, "firstName": "Grace", "lastName": "Hopper"
        })));
    mount_exactly(&w.ats, 1, created).await;
    let tags = format!("/candidates/{NEW_CANDIDATE}/tags");
    mount_exactly(
        &w.ats,
        1,
        sr("GET", &tags).respond_with(ok(json!({"tags": []}))),
    )
    .await;
    let labelled = sr("PUT", &tags)
        .and(body_json(json!({"tags": [ACCEPTED]})))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, labelled).await;
    let note = sr("POST", "/messages/shares")
        .and(body_json(note_body_for(NEW_CANDIDATE, SCREENED, &accepted)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        );
    mount_exactly(&w.ats, 1, note).await;
    let action = w
        .engine
        .handle_willo_delivery(&screening_news())
        .await
        .unwrap();
    assert!(matches!(action, Action::Screened { .. }), "{action:?}");
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

#[tokio::test]
async fn screening_set_to_never_with_notes_only_to_linked_records_creates_and_writes_nothing() {
    let mapping = ConnectionMapping::new()
        .create_candidates(CreateCandidates::Never)
        .notes_only_to_linked(true);
    let rules = W::rules()
        .screen(SCREENING_INTERVIEW, "smartrecruiters", JOB)
        .map("smartrecruiters", mapping);
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 1, read.respond_with(ok(screened("Accepted")))).await;
    let held = w
        .engine
        .handle_willo_delivery(&screening_news())
        .await
        .unwrap();
    assert_eq!(held, Action::Ignored(Ignored::ScreeningHeld));
    assert!(w.ats.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}

#[tokio::test]
async fn a_screening_candidate_without_a_mandatory_value_is_not_pushed() {
    let mapping = ConnectionMapping::new().field(
        FieldMapping::new(Source::ResultsScore, Target::Property("willo-score".into())).mandatory(),
    );
    let rules = W::rules()
        .screen(SCREENING_INTERVIEW, "smartrecruiters", JOB)
        .map("smartrecruiters", mapping);
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let mut unscored = screened("Received");
    unscored.as_object_mut().unwrap().remove("score");
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 1, read.respond_with(ok(unscored))).await;
    let held = w
        .engine
        .handle_willo_delivery(&screening_news())
        .await
        .unwrap();
    assert_eq!(held, Action::Ignored(Ignored::ScreeningHeld));
    assert!(w.ats.received_requests().await.unwrap().is_empty());
}
