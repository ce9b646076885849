//! The engine with the Lever adapter, for what only Lever does: screening creates an
//! opportunity (Lever dedupes the person by e-mail), and its postings' states come from
//! listing them. Every shared scenario runs in `engine_matrix::lever`.
#![cfg(feature = "lever")]

use std::sync::Arc;

use ats_bridge::engine::{Action, Ignored};
use ats_bridge::model::CandidateMatch;
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{LedgerKey, MemoryStore};
use serde_json::json;
use willo_client::WebhookEvent;
use willo_client::webhooks::Delivery;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::engine_setup::config;
use crate::support::lever_mock::QueryIs;
use crate::support::mock_server::{mount_exactly, ok};
use crate::support::willo_mock::{INTERVIEW, PARTICIPANT, participant, willo};
use crate::support::world::lever::{
    CONTACT, LeverWorld, OPP, POSTING, TRIGGER_STAGE, USER, fixture, lever_get,
};
use crate::support::world::{TO_REVIEW, VendorWorld, World};

type W = World<LeverWorld>;

const SCREENING: &str = "2f3159b797915150c239f2468d660dc0";

/// A walk-in whose e-mail Lever already knows: the screening creates one opportunity
/// on the posting as the configured user, Lever attaches it to the known contact
/// (`deduped`), the answer says so, and the results go onto that opportunity.
#[tokio::test]
async fn a_screening_creates_an_opportunity_lever_attaches_to_the_known_contact() {
    let rules = W::rules().screen(SCREENING, "lever", POSTING);
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    let mut screened = participant("Received");
    screened["interview"] = json!(SCREENING);
    screened["name"] = json!("Grace Hopper");
    screened["email"] = json!("grace@example.com");
    screened["phone"] = json!("+15550100");
    // Read to find the interview, then for the results.
    let read = willo("GET", &format!("/participants/{PARTICIPANT}/"));
    mount_exactly(&w.willo, 2, read.respond_with(ok(screened.clone()))).await;
    let nobody = ok(json!({"data": [], "hasNext": false}));
    let look_up = lever_get(
        "/opportunities",
        &[
            ("email", "grace@example.com"),
            ("posting_id", POSTING),
            ("archived", "false"),
        ],
    );
    mount_exactly(&w.ats, 1, look_up.respond_with(nobody)).await;
    let mut answer = fixture("sandbox-opportunity-create-response.json");
    answer["deduped"] = json!(true);
    answer["data"]["id"] = json!(OPP);
    answer["data"]["contact"] = json!(CONTACT);
    let create = Mock::given(method("POST"))
        .and(path("/v1/opportunities"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "name": "Grace Hopper",
            "phones": [{"value": "+15550100"}],
            "emails": ["grace@example.com"],
            "postings": [POSTING]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(answer));
    mount_exactly(&w.ats, 1, create).await;
    LeverWorld::labels_moved(&w.ats, "", TO_REVIEW, 1).await;
    LeverWorld::note_written(&w.ats, &screened, 1).await;

    let body = serde_json::to_vec(&json!({"participant": {"key": PARTICIPANT}})).unwrap();
    let delivery = Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap();
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(
        action,
        Action::Screened {
            key: LedgerKey::new(W::name(), OPP, SCREENING),
            candidate: CandidateMatch::ExistingCandidate,
        }
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
