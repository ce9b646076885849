//! The conformance suite against `LeverAts` over a mock Lever: the adapter passes,
//! given forgeries of what Lever actually signs.
#![cfg(feature = "lever")]

use crate::support;

use std::sync::{Arc, Mutex};

use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::{ApplicationRef, StageId};
use ats_testkit::{Check, Conformance, Delivery, Fixture, Outcome, Report, Tampering};
use client_core::header::HeaderMap;
use client_core::{RetryPolicy, SecretString};
use lever_client::webhooks::{Event, EventData, TestDelivery};
use serde_json::{Value, json};
use support::conformance::{assert_conforms, run_on_mock};
use support::lever_mock::lever_client;
use support::mock_server::{answer_599_to_the_rest, now_millis, ok};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USER: &str = "df0adaa6-172c-4cd6-8520-49b203660fe1";
const OPP: &str = "250d8f03-738a-4bba-a671-8a3d73477145";
const CONTACT: &str = "7f23e772-f2cb-4ebb-b33f-54b872999992";
const POSTING: &str = "f2f01e16-27f8-4711-a728-7d49499795a0";
const STAGE: &str = "applicant-new";
const TOKEN: &str = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089";

fn example(name: &str) -> Value {
    support::mock_server::fixture("lever", name)
}

/// The fixture opportunity, applied to the fixture posting, at `STAGE`, carrying `tags`.
fn opportunity(tags: &[String]) -> Value {
    let mut opportunity = example("opportunity.json");
    opportunity["data"]["stage"] = json!(STAGE);
    opportunity["data"]["applications"] =
        json!([{"id": "app-1", "type": "posting", "posting": POSTING}]);
    opportunity["data"]["tags"] = json!(tags);
    opportunity
}

/// Lever's tag endpoints over a shared tag set: adding a tag already there keeps one.
struct Tags {
    on_record: Arc<Mutex<Vec<String>>>,
    add: bool,
}

impl Respond for Tags {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut on_record = self.on_record.lock().unwrap();
        for tag in body["tags"].as_array().unwrap() {
            let tag = tag.as_str().unwrap().to_owned();
            if !self.add {
                on_record.retain(|t| *t != tag);
            } else if !on_record.contains(&tag) {
                on_record.push(tag);
            }
        }
        ok(opportunity(&on_record))
    }
}

/// A mock Lever holding one posting, the sandbox stages, and the fixture opportunity
/// on the second page of the applicants at `STAGE`.
async fn lever_server(tags: &Arc<Mutex<Vec<String>>>) -> MockServer {
    let server = MockServer::start().await;
    let get = |p: String| Mock::given(method("GET")).and(path(format!("/v1{p}")));
    get("/postings".into())
        .respond_with(ok(json!({
            "data": [{"id": POSTING, "text": "Nurse", "state": "published", "tags": []}],
            "hasNext": false
        })))
        .mount(&server)
        .await;
    get("/stages".into())
        .respond_with(ok(example("sandbox-stage-list.json")))
        .mount(&server)
        .await;
    let at_stage = || {
        get("/opportunities".into())
            .and(query_param("posting_id", POSTING))
            .and(query_param("stage_id", STAGE))
            .and(query_param("archived", "false"))
    };
    at_stage()
        .and(query_param_is_missing("offset"))
        .respond_with(ok(json!({
            "data": [{"id": "o-1", "contact": "c-1"}],
            "hasNext": true,
            "next": "page-2"
        })))
        .mount(&server)
        .await;
    at_stage()
        .and(query_param("offset", "page-2"))
        .respond_with(ok(json!({
            "data": [{"id": OPP, "contact": CONTACT}],
            "hasNext": false
        })))
        .mount(&server)
        .await;
    get(format!("/opportunities/{OPP}"))
        .respond_with(ok(opportunity(&[])))
        .mount(&server)
        .await;
    get("/opportunities/testkit-missing-application".into())
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"code": "ResourceNotFound", "message": "gone"})),
        )
        .mount(&server)
        .await;
    for (suffix, add) in [("addTags", true), ("removeTags", false)] {
        Mock::given(method("POST"))
            .and(path(format!("/v1/opportunities/{OPP}/{suffix}")))
            .and(query_param("perform_as", USER))
            .respond_with(Tags {
                on_record: Arc::clone(tags),
                add,
            })
            .mount(&server)
            .await;
    }
    Mock::given(method("PUT"))
        .and(path(format!("/v1/opportunities/{OPP}/stage")))
        .and(query_param("perform_as", USER))
        .respond_with(ok(example(
            "sandbox-opportunity-stage-update-response.json",
        )))
        .mount(&server)
        .await;
    answer_599_to_the_rest(&server).await;
    server
}

fn lever(server: &MockServer) -> LeverAts {
    let retry = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    LeverAts::new(
        lever_client(server, retry),
        LeverAtsConfig::new(USER).signature_token(SecretString::from(TOKEN)),
    )
}

/// A stage change signed as Lever signs it now; one token per application and stage,
/// as Lever keeps the token across retries of a delivery.
fn signed(application: &ApplicationRef, stage: &StageId) -> Delivery {
    let data: EventData = serde_json::from_value(json!({
        "opportunityId": application.application.as_str(),
        "contactId": application.candidate.as_str(),
        "toStageId": stage.as_str(),
    }))
    .unwrap();
    let token = format!("token-{}-{stage}", application.application);
    let body = TestDelivery::new(Event::CandidateStageChange, &token, now_millis())
        .data(data)
        .sign(&SecretString::from(TOKEN))
        .body;
    Delivery::new(HeaderMap::new(), body)
}

/// Lever signs `token` + `triggeredAt`: forge each of those and the signature.
fn forge_signed_fields(genuine: &Delivery) -> Vec<Tampering> {
    let body: Value = serde_json::from_slice(&genuine.body).unwrap();
    let forged = |how: &str, field: &str, value: Value| {
        let mut body = body.clone();
        body[field] = value;
        Tampering::new(
            how,
            Delivery::new(HeaderMap::new(), serde_json::to_vec(&body).unwrap()),
        )
    };
    let triggered_at = body["triggeredAt"].as_u64().unwrap();
    vec![
        forged("another token", "token", json!("token-forged")),
        forged("another time", "triggeredAt", json!(triggered_at - 1)),
        forged("another signature", "signature", json!("0".repeat(64))),
    ]
}

async fn run(fixture: impl FnOnce(Fixture) -> Fixture) -> Report {
    let tags = Arc::new(Mutex::new(Vec::new()));
    let server = lever_server(&tags).await;
    let application = ApplicationRef {
        application: OPP.into(),
        candidate: CONTACT.into(),
        job: POSTING.into(),
    };
    let base = Fixture::new(POSTING, STAGE, application).deliveries(signed);
    run_on_mock(Arc::new(lever(&server)), fixture(base), tags).await
}

/// Nothing to refuse (every capability is on), no headers to strip (Lever signs in the
/// body), and, over the mock, no opportunity to create (the sandbox run opts in).
const NOT_FOR_LEVER: [Check; 3] = [
    Check::CapabilitiesConsistent,
    Check::WebhookRejectsMissingHeaders,
    Check::CreateApplication,
];

#[tokio::test]
async fn the_lever_adapter_conforms() {
    let report = run(|fixture| fixture.tamper_with(forge_signed_fields)).await;
    assert_conforms(&report, &NOT_FOR_LEVER);
}

#[tokio::test]
async fn lever_leaves_the_body_data_unsigned_so_default_forgeries_get_through() {
    let report = run(|fixture| fixture).await;
    let Some(Outcome::Failed(reason)) = report.outcome(Check::WebhookRejectsTampered) else {
        panic!("{report}")
    };
    assert!(
        reason.contains("a space appended to the body was accepted"),
        "{reason}"
    );
    assert_eq!(report.failures().count(), 1, "{report}");
}

/// The same suite against the sandbox's stateful Lever: real HTTP, seeded data, tags
/// and stage moves kept by the simulator.
mod on_the_sandbox {
    use ats_bridge::model::CandidateDetails;
    use ats_sandbox::{Sandbox, SandboxConfig, Seed};

    use super::*;

    #[tokio::test]
    async fn the_lever_adapter_conforms_on_the_sandbox() {
        let config = SandboxConfig::new()
            .seed(3)
            .data(Seed::new().candidates_per_job(7));
        let sandbox = Sandbox::start(config).await.unwrap();
        let simulator = sandbox.lever().clone();
        let posting = simulator.postings()[0].id.clone();
        let opportunity = simulator.opportunities(&posting)[4].clone();
        let application = ApplicationRef {
            application: opportunity.as_str().into(),
            candidate: simulator.contact(&opportunity).unwrap().into(),
            job: posting.as_str().into(),
        };
        let stage = simulator.stage(&opportunity).unwrap();
        let lever = LeverAts::new(
            sandbox.lever_client().unwrap(),
            LeverAtsConfig::new(simulator.perform_as()).signature_token(SecretString::from(TOKEN)),
        );
        let fixture = Fixture::new(posting.as_str(), stage.as_str(), application)
            .deliveries(signed)
            .tamper_with(forge_signed_fields)
            .labels_of(move |app| {
                let tags = simulator.tags(app.application.as_str());
                async move { tags }
            })
            .new_candidate(
                CandidateDetails::new("Grace Brewster Hopper").email("grace@example.com"),
            );
        let report = Conformance::new(Arc::new(lever), fixture).run().await;
        // The sandbox can take a new opportunity: creating one is checked too.
        assert_conforms(&report, &NOT_FOR_LEVER[..2]);
        let opportunities = sandbox.lever().opportunities(&posting);
        assert_eq!(opportunities.len(), 8, "one opportunity created");
        sandbox.shutdown().await;
    }
}
