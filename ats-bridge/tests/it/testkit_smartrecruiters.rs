//! The conformance suite against `SmartRecruitersAts` over a mock SmartRecruiters.
#![cfg(feature = "smartrecruiters")]

use crate::support;

use std::sync::{Arc, Mutex};

use ats_bridge::model::{ApplicationRef, StageId};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_testkit::{Check, Conformance, Delivery, Fixture, Report};
use serde_json::{Value, json};
use smartrecruiters_client::webhooks::TestDelivery;
use smartrecruiters_client::{RetryPolicy, SecretString};
use support::conformance::{assert_conforms, run_on_mock};
use support::mock_server::{answer_599_to_the_rest, now_secs, ok};
use support::smartrecruiters_mock::{WEBHOOK_SECRET, smartrecruiters_client};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const JOB: &str = "j1";
const CANDIDATE: &str = "c1";
const STATUS: &str = "INTERVIEW";
const SUB_STATUS: &str = "Video call";
/// The application id SmartRecruiters sends in `application.status.updated`.
const APPLICATION_ID: &str = "a1";

/// The candidate's tags: `GET` reads them, `PUT` replaces them, `POST` adds those
/// not there yet.
struct Tags {
    on_record: Arc<Mutex<Vec<String>>>,
}

impl Respond for Tags {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut on_record = self.on_record.lock().unwrap();
        let sent = || -> Vec<String> {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            serde_json::from_value(body["tags"].clone()).unwrap()
        };
        match request.method.as_str() {
            "PUT" => *on_record = sent(),
            "POST" => {
                for tag in sent() {
                    if !on_record.contains(&tag) {
                        on_record.push(tag);
                    }
                }
            }
            _ => return ok(json!({ "tags": *on_record })),
        }
        ResponseTemplate::new(204)
    }
}

/// The application's candidate properties (one `TEXT` property, `willo-link`): `GET`
/// reads them, `PUT` sets those sent.
#[derive(Default)]
struct Properties {
    values: Mutex<Vec<Value>>,
}

impl Respond for Properties {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut values = self.values.lock().unwrap();
        if request.method.as_str() == "PUT" {
            let sent: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
            for entry in sent {
                values.retain(|v| v["id"] != entry["id"]);
                values.push(json!({"id": entry["id"], "type": "TEXT", "value": entry["value"]}));
            }
            return ResponseTemplate::new(204);
        }
        ok(json!({ "content": *values }))
    }
}

/// A mock SmartRecruiters with one job, one hiring process, and candidate c1 on the
/// second page of the candidates at `INTERVIEW/Video call`.
async fn server(tags: &Arc<Mutex<Vec<String>>>) -> MockServer {
    let server = MockServer::start().await;
    let api = |verb: &str, route: String| Mock::given(method(verb)).and(path(route));
    api("GET", "/jobs".into())
        .respond_with(ok(json!({
            "totalFound": 1,
            "content": [{"id": JOB, "title": "Barista", "status": "SOURCING"}]
        })))
        .mount(&server)
        .await;
    api("GET", "/configuration/hiring-processes".into())
        .respond_with(ok(json!({
            "totalFound": 1,
            "content": [{"id": "p1", "name": "Default", "active": true,
                         "subStatuses": {STATUS: [SUB_STATUS]}}]
        })))
        .mount(&server)
        .await;
    let at_stage = || {
        api("GET", "/candidates".into())
            .and(query_param("jobId", JOB))
            .and(query_param("status", STATUS))
            .and(query_param("subStatus", SUB_STATUS))
    };
    at_stage()
        .and(query_param_is_missing("pageId"))
        .respond_with(ok(json!({
            "totalFound": 2, "nextPageId": "n2", "content": [{"id": "c0"}]
        })))
        .mount(&server)
        .await;
    at_stage()
        .and(query_param("pageId", "n2"))
        .respond_with(ok(json!({"totalFound": 2, "content": [{"id": CANDIDATE}]})))
        .mount(&server)
        .await;
    api("GET", format!("/candidates/{CANDIDATE}"))
        .respond_with(ok(json!({
            "id": CANDIDATE, "firstName": "Ada", "lastName": "Lovelace",
            "email": "ada@example.com", "internal": false, "tags": []
        })))
        .mount(&server)
        .await;
    api("GET", "/candidates/testkit-missing-candidate".into())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
        .mount(&server)
        .await;
    api("GET", format!("/candidates/{CANDIDATE}/jobs/{JOB}"))
        .respond_with(ok(json!({"status": STATUS, "subStatus": SUB_STATUS})))
        .mount(&server)
        .await;
    Mock::given(path(format!("/candidates/{CANDIDATE}/tags")))
        .respond_with(Tags {
            on_record: Arc::clone(tags),
        })
        .mount(&server)
        .await;
    api("PUT", format!("/candidates/{CANDIDATE}/jobs/{JOB}/status"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let link = json!({"id": "willo-link", "label": "Willo review link", "type": "TEXT"});
    api("GET", "/configuration/candidate-properties".into())
        .respond_with(ok(json!({"totalFound": 1, "content": [link.clone()]})))
        .mount(&server)
        .await;
    api(
        "GET",
        "/configuration/candidate-properties/willo-link".into(),
    )
    .respond_with(ok(link))
    .mount(&server)
    .await;
    api(
        "GET",
        "/configuration/candidate-properties/testkit-no-such-target".into(),
    )
    .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
    .mount(&server)
    .await;
    Mock::given(path(format!(
        "/candidates/{CANDIDATE}/jobs/{JOB}/properties"
    )))
    .respond_with(Properties::default())
    .mount(&server)
    .await;
    answer_599_to_the_rest(&server).await;
    server
}

fn adapter(server: &MockServer) -> SmartRecruitersAts {
    let retry = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    SmartRecruitersAts::new(
        smartrecruiters_client(server, retry),
        SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from(WEBHOOK_SECRET)),
    )
}

/// `application.status.updated` as SmartRecruiters sends it: the ids in a snake_case
/// body (with the application's own id), signed headers, one event id per delivery.
fn signed(application: &ApplicationRef, stage: &StageId) -> Delivery {
    let body = json!({
        "job_id": application.job.as_str(),
        "candidate_id": application.candidate.as_str(),
        "application_id": APPLICATION_ID,
    });
    let mut delivery = TestDelivery::new(
        "application.status.updated",
        serde_json::to_vec(&body).unwrap(),
        now_secs(),
    );
    delivery.event_id = format!("event-{}-{stage}", application.application);
    let headers = delivery.sign(&SecretString::from(WEBHOOK_SECRET)).headers;
    Delivery::new(headers, delivery.body)
}

async fn run() -> Report {
    let tags = Arc::new(Mutex::new(vec!["Barista pool".to_owned()]));
    let server = server(&tags).await;
    // As the reconciler lists it: SmartRecruiters lists candidates, not applications.
    let listed = ApplicationRef {
        application: format!("{CANDIDATE}:{JOB}").as_str().into(),
        candidate: CANDIDATE.into(),
        job: JOB.into(),
    };
    let fixture = Fixture::new(JOB, format!("{STATUS}/{SUB_STATUS}"), listed).deliveries(signed);
    run_on_mock(Arc::new(adapter(&server)), fixture, tags).await
}

/// Webhooks and the reconciler name the application the same way (`candidate:job`),
/// so the ledger sees one application.
#[tokio::test]
async fn the_smartrecruiters_adapter_conforms() {
    let report = run().await;
    let skipped = [Check::CapabilitiesConsistent, Check::CreateApplication];
    assert_conforms(&report, &skipped);
}

/// The same suite against the sandbox's stateful SmartRecruiters: real HTTP, seeded
/// data, tags and status changes kept by the simulator.
mod on_the_sandbox {
    use ats_bridge::model::CandidateDetails;
    use ats_bridge::smartrecruiters::stage_id;
    use ats_sandbox::{Sandbox, SandboxConfig, Seed};

    use super::*;

    #[tokio::test]
    async fn the_smartrecruiters_adapter_conforms_on_the_sandbox() {
        let config = SandboxConfig::new()
            .seed(5)
            .data(Seed::new().candidates_per_job(7));
        let sandbox = Sandbox::start(config).await.unwrap();
        let simulator = sandbox.smartrecruiters().clone();
        let job = simulator.jobs()[0].id.clone();
        let candidate = simulator.candidates(&job)[4].clone();
        let (status, sub_status) = simulator.status(&candidate, &job).unwrap();
        let application = ApplicationRef {
            application: format!("{candidate}:{job}").as_str().into(),
            candidate: candidate.as_str().into(),
            job: job.as_str().into(),
        };
        let ats = SmartRecruitersAts::new(
            sandbox.smartrecruiters_client().unwrap(),
            SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from(WEBHOOK_SECRET)),
        );
        let stage = stage_id(&status, sub_status.as_deref());
        let records = simulator.clone();
        let fixture = Fixture::new(job.as_str(), stage, application)
            .deliveries(signed)
            .labels_of(move |app| {
                let tags = records.tags(app.candidate.as_str());
                async move { tags }
            })
            .new_candidate(
                CandidateDetails::new("Grace Brewster Hopper").email("grace@example.com"),
            );
        let report = Conformance::new(Arc::new(ats), fixture).run().await;
        assert_conforms(&report, &[Check::CapabilitiesConsistent]);
        assert_eq!(simulator.candidates(&job).len(), 8, "one candidate created");
        sandbox.shutdown().await;
    }
}
