//! The webhook intake with the real adapters: what is stored, what is refused and why,
//! what each answer's status is, and that a refused delivery leaves the store as it was.
#![cfg(all(feature = "smartrecruiters", feature = "lever"))]

use crate::support::claims::lease;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use ats_bridge::intake::{
    DEFAULT_MAX_BODY_BYTES, Intake, IntakeBuilder, IntakeConfigError, IntakeOutcome,
    IntakeRejection, IntakeRequest, IntakeResponse,
};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::{
    ApplicationId, ApplicationRef, AtsEvent, CandidateDetails, CandidateId, JobId, StageId,
};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::store::{
    Fence, Inbox, InboxItem, Lease, MemoryStore, NewDelivery, StatusReport, Store, StoreError,
    StoreResult, Stores,
};
use ats_bridge::{Ats, WebhookRejection};
use ats_bridge::{StoredDelivery, WilloSource};
use client_core::StatusCode;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use client_core::webhook::FixedClock;
use futures::FutureExt as _;
use lever_client::webhooks::{Event, EventData, TestDelivery as LeverDelivery};
use lever_client::{LeverClient, OpportunityId};
use serde_json::{Value, json};
use smartrecruiters_client::webhooks::{HOOK_SECRET_HEADER, SIGNATURE_HEADER, TestDelivery};
use smartrecruiters_client::{SecretString, SmartRecruitersClient};
use tokio::sync::Notify;
use willo_client::webhooks::WebhookEvent;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SR_SECRET: &str = "sr-webhook-secret-0123456789";
const LEVER_TOKEN: &str = "lever-signature-token-0123456789abcdef0123456789";
const WILLO_TOKEN: &str = "willo-url-token-0123456789";
const PARTICIPANT: &str = "0123456789abcdef0123456789abcdef";
/// Lever's `triggeredAt` in these tests; the Lever adapter's clock is one second later.
const TRIGGERED_AT: u64 = 1_731_000_000_000;
/// The store's clock in these tests.
const NOW_MS: i64 = 1_731_000_001_000;
/// Nothing listens here; the adapters never call their API during intake.
const NO_API: &str = "http://127.0.0.1:9";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn smartrecruiters(api: &str) -> Arc<dyn Ats> {
    let client = SmartRecruitersClient::builder()
        .base_url(api)
        .api_key(SecretString::from("sr-api-key"))
        .build()
        .unwrap();
    let config = SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from(SR_SECRET));
    Arc::new(SmartRecruitersAts::new(client, config))
}

fn lever() -> Arc<dyn Ats> {
    let client = LeverClient::builder()
        .base_url(format!("{NO_API}/v1"))
        .api_key(SecretString::from("lever-api-key"))
        .build()
        .unwrap();
    let config = LeverAtsConfig::new("user-1")
        .signature_token(SecretString::from(LEVER_TOKEN))
        .clock(Arc::new(FixedClock::at_millis(TRIGGERED_AT + 1_000)));
    Arc::new(LeverAts::new(client, config))
}

/// An intake over `store` receiving SmartRecruiters (API at `sr_api`), Lever and
/// Willo, waking the returned `Notify`.
fn intake_with(
    store: impl Into<Stores>,
    sr_api: &str,
    configure: impl FnOnce(IntakeBuilder) -> IntakeBuilder,
) -> (Intake, Arc<Notify>) {
    let notify = Arc::new(Notify::new());
    let builder = Intake::builder(store)
        .ats(smartrecruiters(sr_api))
        .ats(lever())
        .willo_token(SecretString::from(WILLO_TOKEN))
        .notify(notify.clone())
        .clock(Arc::new(FixedClock::at_millis(NOW_MS as u64)));
    (configure(builder).build().unwrap(), notify)
}

fn intake(store: impl Into<Stores>) -> (Intake, Arc<Notify>) {
    intake_with(store, NO_API, |builder| builder)
}

/// A request as a web framework would hand it over.
#[derive(Debug, Clone)]
struct Delivery {
    source: &'static str,
    event: Option<&'static str>,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Delivery {
    fn request(&self) -> IntakeRequest<'_> {
        IntakeRequest::new(self.source, &self.headers, &self.body)
            .query(self.query.as_deref())
            .event(self.event)
    }

    fn content_type(mut self, value: &'static str) -> Self {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(value));
        self
    }
}

fn sr_signed(event: &str, body: &[u8], timestamp: u64, secret: &str) -> Delivery {
    let mut delivery = TestDelivery::new(event, body.to_vec(), timestamp);
    delivery.event_id = "evt-1".into();
    Delivery {
        source: "smartrecruiters",
        event: None,
        query: None,
        headers: delivery.sign(&SecretString::from(secret)).headers,
        body: body.to_vec(),
    }
}

fn sr_status_updated() -> Delivery {
    sr_signed(
        "application.status.updated",
        br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1"}"#,
        unix_now(),
        SR_SECRET,
    )
}

fn stage_change() -> EventData {
    let mut data = EventData::default();
    data.opportunity_id = Some(OpportunityId::from("opp-1"));
    data.to_stage_id = Some("stage-2".into());
    data
}

fn lever_signed(token: &str, triggered_at: u64, data: EventData, key: &str) -> Delivery {
    let body = LeverDelivery::new(Event::CandidateStageChange, token, triggered_at)
        .data(data)
        .sign(&SecretString::from(key))
        .body;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Delivery {
        source: "lever",
        event: None,
        query: None,
        headers,
        body,
    }
}

fn lever_stage_change(token: &str) -> Delivery {
    lever_signed(token, TRIGGERED_AT, stage_change(), LEVER_TOKEN)
}

fn willo(event: Option<&'static str>, query: &str, body: Value) -> Delivery {
    Delivery {
        source: WilloSource::NAME,
        event,
        query: Some(query.to_owned()),
        headers: HeaderMap::new(),
        body: serde_json::to_vec(&body).unwrap(),
    }
}

fn willo_response() -> Delivery {
    willo(
        Some("new_response"),
        &format!("token={WILLO_TOKEN}"),
        json!({"participant": {"key": PARTICIPANT}}),
    )
}

async fn inbox(store: &dyn Store) -> Vec<InboxItem> {
    store
        .inbox_claim(&lease("probe", NOW_MS, 60_000), 100)
        .await
        .unwrap()
}

async fn assert_nothing_stored(store: &dyn Store) {
    assert_eq!(inbox(store).await, Vec::new());
    assert_eq!(store.status().await.unwrap(), StatusReport::default());
}

/// Whether the engine was woken since the last check (consumes the wake-up).
fn woken(notify: &Notify) -> bool {
    notify.notified().now_or_never().is_some()
}

fn rejection(response: &IntakeResponse) -> &IntakeRejection {
    match &response.outcome {
        IntakeOutcome::Rejected(rejection) => rejection,
        other => panic!("not rejected: {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_smartrecruiters_delivery_is_stored_once_and_resolves_later() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/candidates/c1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "c1", "firstName": "Ada", "lastName": "Lovelace",
            "primaryAssignment": {"job": {"id": "j1"}, "status": "INTERVIEW"}
        })))
        .expect(1)
        .mount(&api)
        .await;
    let store = Arc::new(MemoryStore::new());
    let (intake, notify) = intake_with(store.clone(), &api.uri(), |builder| builder);
    let delivery = sr_status_updated();

    let first = intake.handle(&delivery.request()).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(
        first.outcome,
        IntakeOutcome::Stored {
            dedupe_key: "evt-1".into()
        }
    );
    assert!(woken(&notify));

    let again = intake.handle(&delivery.request()).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(
        again.outcome,
        IntakeOutcome::Duplicate {
            dedupe_key: "evt-1".into()
        }
    );
    assert!(!woken(&notify), "a duplicate must not wake the engine");

    let items = inbox(store.as_ref()).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].source, "smartrecruiters");
    assert_eq!(items[0].dedupe_key, "evt-1");
    let events = smartrecruiters(&api.uri())
        .webhooks()
        .unwrap()
        .resolve(&StoredDelivery::from_inbox(&items[0]))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::StageChanged {
            application: ApplicationRef {
                application: ApplicationId::from("c1:j1"),
                candidate: CandidateId::from("c1"),
                job: JobId::from("j1"),
            },
            stage: StageId::from("INTERVIEW"),
            details: Some(CandidateDetails::new("Ada Lovelace")),
        }]
    );
}

#[tokio::test]
async fn events_the_bridge_ignores_are_still_acknowledged_and_stored() {
    // Refusing them would make SmartRecruiters retry and eventually suspend the
    // subscription; the engine resolves them to `Unknown` and moves on.
    let store = Arc::new(MemoryStore::new());
    let (intake, _) = intake(store.clone());
    let delivery = sr_signed(
        "offer.created",
        br#"{"offer_id":"o1"}"#,
        unix_now(),
        SR_SECRET,
    )
    .content_type("application/json; charset=utf-8");
    let response = intake.handle(&delivery.request()).await;
    assert_eq!(response.status, StatusCode::ACCEPTED);
    assert_eq!(inbox(store.as_ref()).await.len(), 1);
}

#[tokio::test]
async fn the_smartrecruiters_handshake_is_echoed_and_nothing_is_stored() {
    let store = Arc::new(MemoryStore::new());
    let (intake, notify) = intake(store.clone());
    let mut headers = HeaderMap::new();
    headers.insert(
        HOOK_SECRET_HEADER,
        HeaderValue::from_static("handshake-value-42"),
    );
    let response = intake
        .handle(&IntakeRequest::new("smartrecruiters", &headers, b""))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.outcome, IntakeOutcome::Handshake);
    assert_eq!(
        response.headers.get(HOOK_SECRET_HEADER).unwrap(),
        "handshake-value-42"
    );
    assert!(!format!("{response:?}").contains("handshake-value-42"));
    assert!(!woken(&notify));
    assert_nothing_stored(store.as_ref()).await;
}

/// One refused delivery: what is sent, the status and the reason expected.
struct Fault {
    name: &'static str,
    delivery: Delivery,
    status: StatusCode,
    reason: fn(&IntakeRejection) -> bool,
}

fn fault_corpus() -> Vec<Fault> {
    let now = unix_now();
    let app = br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1"}"#;
    let mut tampered = sr_status_updated();
    tampered.body = br#"{"job_id":"j1","candidate_id":"c2","application_id":"a1"}"#.to_vec();
    let mut unsigned = sr_status_updated();
    unsigned.headers.remove(SIGNATURE_HEADER);
    let oversized = format!(
        r#"{{"id":"c1","pad":"{}"}}"#,
        "x".repeat(DEFAULT_MAX_BODY_BYTES)
    );
    let mut unknown_source = sr_status_updated();
    unknown_source.source = "greenhouse";
    let mut lever_incomplete = stage_change();
    lever_incomplete.opportunity_id = None;
    let mut lever_not_json = lever_stage_change("t-1");
    lever_not_json.body = b"token=t-1&event=candidateStageChange".to_vec();
    let token = format!("token={WILLO_TOKEN}");

    vec![
        Fault {
            name: "SmartRecruiters body altered after signing",
            delivery: tampered,
            status: StatusCode::UNAUTHORIZED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::BadSignature),
        },
        Fault {
            name: "SmartRecruiters signed with another secret",
            delivery: sr_signed("application.status.updated", app, now, "not-our-secret"),
            status: StatusCode::UNAUTHORIZED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::BadSignature),
        },
        Fault {
            name: "SmartRecruiters without a signature",
            delivery: unsigned,
            status: StatusCode::BAD_REQUEST,
            reason: |r| {
                matches!(
                    r,
                    IntakeRejection::Webhook(WebhookRejection::MissingHeader(_))
                )
            },
        },
        Fault {
            name: "SmartRecruiters stale timestamp",
            delivery: sr_signed("application.status.updated", app, now - 3_600, SR_SECRET),
            status: StatusCode::FORBIDDEN,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::Stale),
        },
        Fault {
            name: "SmartRecruiters wrong content type",
            delivery: sr_status_updated().content_type("text/plain"),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            reason: |r| *r == IntakeRejection::UnsupportedContentType("text/plain".into()),
        },
        Fault {
            name: "SmartRecruiters oversized body",
            delivery: sr_signed("candidate.deleted", oversized.as_bytes(), now, SR_SECRET),
            status: StatusCode::PAYLOAD_TOO_LARGE,
            reason: |r| {
                *r == IntakeRejection::BodyTooLarge {
                    limit: DEFAULT_MAX_BODY_BYTES,
                }
            },
        },
        Fault {
            name: "SmartRecruiters invalid JSON",
            delivery: sr_signed("candidate.deleted", b"{\"id\": ", now, SR_SECRET),
            status: StatusCode::BAD_REQUEST,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::InvalidJson),
        },
        Fault {
            name: "SmartRecruiters application event without its candidate",
            delivery: sr_signed(
                "application.status.updated",
                br#"{"job_id":"j1"}"#,
                now,
                SR_SECRET,
            ),
            status: StatusCode::BAD_REQUEST,
            reason: |r| matches!(r, IntakeRejection::Webhook(WebhookRejection::Malformed(_))),
        },
        Fault {
            name: "unknown source",
            delivery: unknown_source,
            status: StatusCode::NOT_FOUND,
            reason: |r| *r == IntakeRejection::UnknownSource("greenhouse".into()),
        },
        Fault {
            name: "Lever signed with another token",
            delivery: lever_signed("t-1", TRIGGERED_AT, stage_change(), "not-our-token"),
            status: StatusCode::UNAUTHORIZED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::BadSignature),
        },
        Fault {
            name: "Lever stale triggeredAt",
            // Past Lever's two weeks of retries and re-runs (see `DEFAULT_MAX_AGE`).
            delivery: lever_signed(
                "t-1",
                TRIGGERED_AT - 16 * 24 * 3_600_000,
                stage_change(),
                LEVER_TOKEN,
            ),
            status: StatusCode::FORBIDDEN,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::Stale),
        },
        Fault {
            name: "Lever stage change without its opportunity",
            delivery: lever_signed("t-1", TRIGGERED_AT, lever_incomplete, LEVER_TOKEN),
            status: StatusCode::BAD_REQUEST,
            reason: |r| matches!(r, IntakeRejection::Webhook(WebhookRejection::Malformed(_))),
        },
        Fault {
            name: "Lever form body",
            delivery: lever_not_json,
            status: StatusCode::BAD_REQUEST,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::InvalidJson),
        },
        Fault {
            name: "Lever wrong content type",
            delivery: lever_stage_change("t-1").content_type("application/x-www-form-urlencoded"),
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            reason: |r| matches!(r, IntakeRejection::UnsupportedContentType(_)),
        },
        Fault {
            name: "Willo wrong token",
            delivery: willo(
                Some("new_response"),
                "token=guessed",
                json!({"participant_key": PARTICIPANT}),
            ),
            status: StatusCode::UNAUTHORIZED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::BadToken),
        },
        Fault {
            name: "Willo without a token",
            delivery: willo(
                None,
                "event=new_response",
                json!({"participant_key": PARTICIPANT}),
            ),
            status: StatusCode::UNAUTHORIZED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::BadToken),
        },
        Fault {
            name: "Willo unknown event",
            delivery: willo(
                Some("candidate_hired"),
                &token,
                json!({"participant_key": PARTICIPANT}),
            ),
            status: StatusCode::NOT_FOUND,
            reason: |r| {
                *r == IntakeRejection::Webhook(WebhookRejection::UnknownEvent(
                    "candidate_hired".into(),
                ))
            },
        },
        Fault {
            name: "Willo body without a participant",
            delivery: willo(Some("new_comment"), &token, json!({"comment": "great"})),
            status: StatusCode::ACCEPTED,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::Unmatched),
        },
        Fault {
            name: "Willo body not JSON",
            delivery: Delivery {
                body: b"participant=0123".to_vec(),
                ..willo_response()
            },
            status: StatusCode::BAD_REQUEST,
            reason: |r| *r == IntakeRejection::Webhook(WebhookRejection::InvalidJson),
        },
        Fault {
            name: "Willo body not an object",
            delivery: willo(Some("new_response"), &token, json!([PARTICIPANT])),
            status: StatusCode::BAD_REQUEST,
            reason: |r| matches!(r, IntakeRejection::Webhook(WebhookRejection::Malformed(_))),
        },
    ]
}

#[tokio::test]
async fn every_faulty_delivery_is_refused_with_its_reason_and_leaves_the_store_unchanged() {
    for fault in fault_corpus() {
        let store = Arc::new(MemoryStore::new());
        let (intake, notify) = intake(store.clone());
        let response = intake.handle(&fault.delivery.request()).await;
        assert_eq!(response.status, fault.status, "{}", fault.name);
        let reason = rejection(&response);
        assert!((fault.reason)(reason), "{}: {reason:?}", fault.name);
        assert!(!woken(&notify), "{}", fault.name);
        assert_nothing_stored(store.as_ref()).await;
    }
}

#[tokio::test]
async fn a_replayed_lever_token_is_a_duplicate_even_with_another_body() {
    let store = Arc::new(MemoryStore::new());
    let (intake, notify) = intake(store.clone());
    let original = lever_stage_change("delivery-token-1");
    let stored = intake.handle(&original.request()).await;
    assert_eq!(
        stored.outcome,
        IntakeOutcome::Stored {
            dedupe_key: "delivery-token-1".into()
        }
    );
    assert!(woken(&notify));

    // Lever signs only token + triggeredAt: a captured delivery with another
    // opportunity still verifies, and must be ignored.
    let mut data = stage_change();
    data.opportunity_id = Some(OpportunityId::from("opp-666"));
    let altered = lever_signed("delivery-token-1", TRIGGERED_AT, data, LEVER_TOKEN);
    let replayed = intake.handle(&altered.request()).await;
    assert_eq!(replayed.status, StatusCode::ACCEPTED);
    assert_eq!(
        replayed.outcome,
        IntakeOutcome::Duplicate {
            dedupe_key: "delivery-token-1".into()
        }
    );
    assert!(!woken(&notify));
    let items = inbox(store.as_ref()).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].payload, original.body);
}

#[tokio::test]
async fn a_delivery_without_a_content_type_is_judged_by_its_body() {
    let store = Arc::new(MemoryStore::new());
    let (intake, _) = intake(store.clone());
    let mut delivery = lever_stage_change("t-no-type");
    delivery.headers.remove(CONTENT_TYPE);
    let response = intake.handle(&delivery.request()).await;
    assert_eq!(response.status, StatusCode::ACCEPTED);
    assert_eq!(inbox(store.as_ref()).await.len(), 1);
}

#[tokio::test]
async fn a_willo_delivery_keeps_the_event_its_url_names() {
    let store = Arc::new(MemoryStore::new());
    let (intake, notify) = intake_with(store.clone(), NO_API, |builder| {
        builder.willo_token(SecretString::from("rotated-token"))
    });
    let body = json!({"participant": {"key": PARTICIPANT}});
    let deliveries = [
        // The event in the path.
        willo_response(),
        // In the query, with the rotated token.
        willo(None, "token=rotated-token&event=stage_change", body.clone()),
        // Both: the path wins.
        willo(
            Some("new_score"),
            &format!("event=new_comment&token={WILLO_TOKEN}"),
            body,
        ),
        // Neither: kept without an event; the engine asks Willo about the participant.
        willo(
            None,
            &format!("token={WILLO_TOKEN}"),
            json!({"participant_key": PARTICIPANT}),
        ),
    ];
    for delivery in &deliveries {
        let response = intake.handle(&delivery.request()).await;
        assert_eq!(response.status, StatusCode::ACCEPTED, "{delivery:?}");
        assert!(woken(&notify));
    }
    let events: Vec<_> = inbox(store.as_ref())
        .await
        .iter()
        .map(|item| {
            assert_eq!(item.source, WilloSource::NAME);
            let delivery = WilloSource::new()
                .resolve(&StoredDelivery::from_inbox(item))
                .unwrap();
            assert_eq!(delivery.participant_key().unwrap().as_str(), PARTICIPANT);
            delivery.event
        })
        .collect();
    assert_eq!(
        events,
        [
            Some(WebhookEvent::NewResponse),
            Some(WebhookEvent::StageChange),
            Some(WebhookEvent::NewScore),
            None,
        ]
    );

    // An identical body again is stored again: with keys only, it may be news
    // (issue 15, item 5); the engine's ledger keeps its effects exactly-once.
    let again = intake.handle(&willo_response().request()).await;
    assert!(matches!(again.outcome, IntakeOutcome::Stored { .. }));
    assert_eq!(inbox(store.as_ref()).await.len(), 1, "a new item");
}

#[tokio::test]
async fn willo_is_an_unknown_source_without_a_token() {
    let store = Arc::new(MemoryStore::new());
    let intake = Intake::builder(store.clone()).build().unwrap();
    let response = intake.handle(&willo_response().request()).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rejection(&response),
        &IntakeRejection::UnknownSource("willo".into())
    );
    assert_nothing_stored(store.as_ref()).await;
}

#[tokio::test]
async fn an_ats_without_webhooks_is_an_unknown_source() {
    // Lever without a signature token could verify nothing: it offers no webhooks.
    let client = LeverClient::builder()
        .base_url(format!("{NO_API}/v1"))
        .api_key(SecretString::from("lever-api-key"))
        .build()
        .unwrap();
    let unsigned: Arc<dyn Ats> = Arc::new(LeverAts::new(client, LeverAtsConfig::new("user-1")));
    assert!(unsigned.webhooks().is_none());
    let store = Arc::new(MemoryStore::new());
    let intake = Intake::builder(store.clone())
        .ats(unsigned)
        .build()
        .unwrap();
    assert!(!intake.receives("lever"));
    let response = intake
        .handle(&lever_stage_change("token-1").request())
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rejection(&response),
        &IntakeRejection::UnknownSource("lever".into())
    );
    assert_nothing_stored(store.as_ref()).await;
}

#[tokio::test]
async fn only_a_source_with_a_handshake_answers_one() {
    let store = Arc::new(MemoryStore::new());
    let (intake, _) = intake(store.clone());
    let mut handshake = lever_stage_change("token-1");
    handshake
        .headers
        .insert("x-hook-secret", HeaderValue::from_static("echo-me"));
    // Lever has no activation handshake: the request is verified like any other
    // delivery (and this one is genuine), nothing is echoed.
    let response = intake.handle(&handshake.request()).await;
    assert!(response.headers.get("x-hook-secret").is_none());
    assert!(matches!(response.outcome, IntakeOutcome::Stored { .. }));
}

#[tokio::test]
async fn the_body_limit_is_configurable() {
    let store = Arc::new(MemoryStore::new());
    let (intake, _) = intake_with(store.clone(), NO_API, |builder| builder.max_body_bytes(40));
    let response = intake.handle(&sr_status_updated().request()).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        rejection(&response),
        &IntakeRejection::BodyTooLarge { limit: 40 }
    );
    assert_nothing_stored(store.as_ref()).await;
}

#[tokio::test]
async fn concurrent_copies_of_one_delivery_are_stored_once() {
    let store = Arc::new(MemoryStore::new());
    let (intake, _) = intake(store.clone());
    let delivery = sr_status_updated();
    let request = delivery.request();
    let (a, b) = tokio::join!(intake.handle(&request), intake.handle(&request));
    let mut outcomes = [a.outcome, b.outcome].map(|outcome| match outcome {
        IntakeOutcome::Stored { .. } => "stored",
        IntakeOutcome::Duplicate { .. } => "duplicate",
        other => panic!("{other:?}"),
    });
    outcomes.sort();
    assert_eq!(outcomes, ["duplicate", "stored"]);
    assert_eq!(inbox(store.as_ref()).await.len(), 1);
}

#[tokio::test]
async fn the_sqlite_store_keeps_each_delivery_once() {
    let store = Arc::new(ats_store_sql::SqliteStore::open_in_memory().await.unwrap());
    let (intake, _) = intake(store.clone());
    // (Willo's deliveries carry no id and are each kept: see the test above.)
    for delivery in [lever_stage_change("t-a"), sr_status_updated()] {
        let first = intake.handle(&delivery.request()).await;
        assert!(matches!(first.outcome, IntakeOutcome::Stored { .. }));
        let again = intake.handle(&delivery.request()).await;
        assert!(matches!(again.outcome, IntakeOutcome::Duplicate { .. }));
    }
    let sources: Vec<_> = inbox(store.as_ref())
        .await
        .into_iter()
        .map(|item| item.source)
        .collect();
    assert_eq!(sources, ["lever", "smartrecruiters"]);
}

/// How [`BrokenInbox`] fails to insert into the inbox.
#[derive(Debug, Clone, Copy)]
enum Breakage {
    /// The backend reports an error.
    Fails,
    /// The backend never answers.
    Hangs,
}

/// An inbox that cannot take deliveries; the rest of the store is a working one.
#[derive(Debug)]
struct BrokenInbox {
    inner: MemoryStore,
    breakage: Breakage,
}

#[async_trait]
impl Inbox for BrokenInbox {
    async fn inbox_insert(&self, _: &NewDelivery<'_>, _now_ms: i64) -> StoreResult<bool> {
        match self.breakage {
            Breakage::Fails => Err(StoreError::Backend("disk I/O error".into())),
            Breakage::Hangs => std::future::pending().await,
        }
    }
    async fn inbox_claim(&self, lease: &Lease, limit: usize) -> StoreResult<Vec<InboxItem>> {
        self.inner.inbox_claim(lease, limit).await
    }
    async fn inbox_done(&self, id: i64, fence: Fence, now_ms: i64) -> StoreResult<()> {
        self.inner.inbox_done(id, fence, now_ms).await
    }
    async fn inbox_retry(
        &self,
        id: i64,
        fence: Fence,
        error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()> {
        self.inner
            .inbox_retry(id, fence, error, next_attempt_at_ms)
            .await
    }
    async fn inbox_park(
        &self,
        id: i64,
        fence: Fence,
        error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()> {
        self.inner
            .inbox_park(id, fence, error, next_attempt_at_ms)
            .await
    }
    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64> {
        self.inner.inbox_prune(processed_before_ms).await
    }

    async fn inbox_backlog(&self) -> StoreResult<ats_bridge::store::InboxBacklog> {
        self.inner.inbox_backlog().await
    }
}

// Paused time: the 3 s default store timeout elapses instantly once nothing else runs.
#[tokio::test(start_paused = true)]
async fn a_delivery_that_cannot_be_stored_is_answered_503_so_the_vendor_retries() {
    for breakage in [Breakage::Fails, Breakage::Hangs] {
        let broken = Arc::new(BrokenInbox {
            inner: MemoryStore::new(),
            breakage,
        });
        let stores = Stores::from(Arc::new(MemoryStore::new())).with_inbox(broken);
        let (intake, notify) = intake(stores);
        let response = intake.handle(&sr_status_updated().request()).await;
        assert_eq!(
            response.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{breakage:?}"
        );
        assert_eq!(rejection(&response), &IntakeRejection::StoreUnavailable);
        assert!(!woken(&notify));
    }
}

/// Requests beyond the cap are turned away at once with 503 and `Retry-After`, never
/// queued: a flood (or slow storage) must not pile up requests without bound.
#[tokio::test(start_paused = true)]
async fn requests_over_the_in_flight_cap_are_turned_away_with_retry_after() {
    let hanging = Arc::new(BrokenInbox {
        inner: MemoryStore::new(),
        breakage: Breakage::Hangs,
    });
    let stores = Stores::from(Arc::new(MemoryStore::new())).with_inbox(hanging);
    let (intake, _) = intake_with(stores, NO_API, |builder| builder.max_in_flight(1));
    let intake = Arc::new(intake);
    let delivery = sr_status_updated();
    let first = {
        let (intake, delivery) = (Arc::clone(&intake), delivery.clone());
        tokio::spawn(async move { intake.handle(&delivery.request()).await })
    };
    // Let the first request reach the (hanging) store and hold its place.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let second = intake.handle(&delivery.request()).await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(rejection(&second), &IntakeRejection::Overloaded);
    assert_eq!(second.headers.get("retry-after").unwrap(), "1");

    // The first gives up on the store (503 too, for its own reason) and frees its place.
    let first = first.await.unwrap();
    assert_eq!(rejection(&first), &IntakeRejection::StoreUnavailable);
    let third = intake.handle(&delivery.request()).await;
    assert_eq!(rejection(&third), &IntakeRejection::StoreUnavailable);
}

#[test]
fn two_sources_cannot_share_a_name() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let twice = Intake::builder(store.clone())
        .ats(lever())
        .ats(lever())
        .build();
    assert_eq!(
        twice.unwrap_err(),
        IntakeConfigError::DuplicateSource("lever".into())
    );

    let client = SmartRecruitersClient::builder()
        .api_key(SecretString::from("k"))
        .build()
        .unwrap();
    let named_willo = SmartRecruitersAts::new(
        client,
        SmartRecruitersAtsConfig::new().name(WilloSource::NAME),
    );
    let clash = Intake::builder(store.clone())
        .ats(Arc::new(named_willo))
        .build();
    assert_eq!(
        clash.unwrap_err(),
        IntakeConfigError::DuplicateSource("willo".into())
    );

    let empty = Intake::builder(store)
        .willo_token(SecretString::from(""))
        .build();
    assert_eq!(empty.unwrap_err(), IntakeConfigError::EmptyWilloToken);
}

#[test]
fn debug_output_hides_willo_tokens() {
    let (intake, _) = intake(Arc::new(MemoryStore::new()));
    let shown = format!("{intake:?}");
    assert!(!shown.contains(WILLO_TOKEN), "{shown}");
    assert!(shown.contains("lever") && shown.contains("smartrecruiters"));
}

/// The axum router over real HTTP on 127.0.0.1.
#[cfg(feature = "axum")]
mod router {
    use std::time::Duration;

    use super::*;

    use ats_bridge::intake::router;
    use client_core::HttpClient;

    /// Serve `intake` on a free local port; the base URL.
    async fn serve(intake: Intake) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router(Arc::new(intake)))
                .await
                .unwrap();
        });
        format!("http://{address}")
    }

    fn http() -> HttpClient {
        HttpClient::builder().no_proxy().build().unwrap()
    }

    async fn post(url: &str, delivery: &Delivery) -> (StatusCode, HeaderMap, String) {
        let response = http()
            .post(url)
            .headers(delivery.headers.clone())
            .body(delivery.body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// A refusal's `(code, message)`.
    fn answer(text: &str) -> (String, String) {
        let body: Value = serde_json::from_str(text).unwrap();
        let field = |name: &str| body[name].as_str().unwrap().to_owned();
        (field("error"), field("message"))
    }

    fn pair(code: &str, message: &str) -> (String, String) {
        (code.to_owned(), message.to_owned())
    }

    #[tokio::test]
    async fn deliveries_are_answered_over_http_as_the_vendors_expect() {
        let store = Arc::new(MemoryStore::new());
        let (intake, notify) = intake(store.clone());
        let base = serve(intake).await;

        let (status, _, _) = post(
            &format!("{base}/webhooks/smartrecruiters"),
            &sr_status_updated(),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert!(woken(&notify));

        let (status, _, _) = post(
            &format!("{base}/webhooks/lever"),
            &lever_stage_change("t-http"),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);

        let willo_path = format!("{base}/webhooks/willo/new_response?token={WILLO_TOKEN}");
        let (status, _, _) = post(&willo_path, &willo_response()).await;
        assert_eq!(status, StatusCode::ACCEPTED);

        let willo_query = willo(None, "", json!({"participant_key": PARTICIPANT}));
        let url = format!("{base}/webhooks/willo?token={WILLO_TOKEN}&event=stage_change");
        let (status, _, _) = post(&url, &willo_query).await;
        assert_eq!(status, StatusCode::ACCEPTED);

        let items = inbox(store.as_ref()).await;
        let sources: Vec<_> = items.iter().map(|item| item.source.as_str()).collect();
        assert_eq!(sources, ["smartrecruiters", "lever", "willo", "willo"]);
        let events: Vec<_> = items[2..]
            .iter()
            .map(|item| {
                WilloSource::new()
                    .resolve(&StoredDelivery::from_inbox(item))
                    .unwrap()
                    .event
            })
            .collect();
        assert_eq!(
            events,
            [
                Some(WebhookEvent::NewResponse),
                Some(WebhookEvent::StageChange)
            ]
        );
    }

    /// POST `chunks` with chunked transfer encoding (no `Content-Length`, so the size
    /// is only known while reading) over a plain socket; the status code answered.
    async fn post_chunked(
        base: &str,
        path: &str,
        headers: &HeaderMap,
        chunks: Vec<Vec<u8>>,
    ) -> u16 {
        use std::io::{Read as _, Write as _};

        let address = base.trim_start_matches("http://").to_owned();
        let mut request = format!("POST {path} HTTP/1.1\r\nHost: {address}\r\n");
        for (name, value) in headers {
            request += &format!("{name}: {}\r\n", value.to_str().unwrap());
        }
        request += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        let mut bytes = request.into_bytes();
        for chunk in chunks {
            bytes.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
            bytes.extend(chunk);
            bytes.extend(b"\r\n");
        }
        bytes.extend(b"0\r\n\r\n");
        tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.write_all(&bytes).unwrap();
            let mut answer = Vec::new();
            let mut buffer = [0; 256];
            while !answer.windows(2).any(|w| w == b"\r\n") {
                let read = stream.read(&mut buffer).unwrap();
                assert!(read > 0, "connection closed without an answer");
                answer.extend_from_slice(&buffer[..read]);
            }
            // "HTTP/1.1 202 Accepted"
            let line = String::from_utf8_lossy(&answer).into_owned();
            line[9..12].parse().unwrap()
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_chunked_body_is_reassembled_and_refused_once_it_passes_the_limit() {
        let store = Arc::new(MemoryStore::new());
        let (intake, _) = intake_with(store.clone(), NO_API, |builder| builder.max_body_bytes(100));
        let base = serve(intake).await;

        let delivery = sr_status_updated();
        let (head, tail) = delivery.body.split_at(20);
        let status = post_chunked(
            &base,
            "/webhooks/smartrecruiters",
            &delivery.headers,
            vec![head.to_vec(), tail.to_vec()],
        )
        .await;
        // The signature covers the body: it verified, so the chunks were joined exactly.
        assert_eq!(status, 202);
        assert_eq!(inbox(store.as_ref()).await.len(), 1);

        let big = sr_signed("candidate.deleted", &[b' '; 120], unix_now(), SR_SECRET);
        let status = post_chunked(
            &base,
            "/webhooks/smartrecruiters",
            &big.headers,
            vec![vec![b' '; 60], vec![b' '; 60]],
        )
        .await;
        assert_eq!(status, 413);
        assert_nothing_stored(store.as_ref()).await;
    }

    #[tokio::test]
    async fn the_handshake_is_echoed_over_http() {
        let store = Arc::new(MemoryStore::new());
        let (intake, _) = intake(store.clone());
        let base = serve(intake).await;
        let mut headers = HeaderMap::new();
        headers.insert(HOOK_SECRET_HEADER, HeaderValue::from_static("hs-1"));
        let handshake = Delivery {
            source: "smartrecruiters",
            event: None,
            query: None,
            headers,
            body: Vec::new(),
        };
        let (status, headers, _) =
            post(&format!("{base}/webhooks/smartrecruiters"), &handshake).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers.get(HOOK_SECRET_HEADER).unwrap(), "hs-1");
        assert_nothing_stored(store.as_ref()).await;
    }

    #[tokio::test]
    async fn refusals_carry_their_status_and_reason() {
        let store = Arc::new(MemoryStore::new());
        let (intake, _) = intake_with(store.clone(), NO_API, |builder| builder.max_body_bytes(40));
        let base = serve(intake).await;

        let (status, _, text) = post(
            &format!("{base}/webhooks/smartrecruiters"),
            &sr_status_updated(),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            answer(&text),
            pair("body_too_large", "the body exceeds the limit of 40 bytes")
        );

        let small = sr_signed("candidate.deleted", br#"{"id":"c1"}"#, unix_now(), "forged");
        let (status, _, text) = post(&format!("{base}/webhooks/smartrecruiters"), &small).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer(&text), pair("bad_signature", "bad signature"));

        let (status, _, _) = post(&format!("{base}/webhooks/greenhouse"), &small).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let url = format!("{base}/webhooks/willo/new_response?token=guessed");
        let (status, _, text) = post(&url, &small).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer(&text),
            pair("bad_token", "missing or wrong URL token")
        );

        let get = http()
            .get(format!("{base}/webhooks/lever"))
            .send()
            .await
            .unwrap();
        assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_nothing_stored(store.as_ref()).await;
    }

    /// A sender that declares a body and trickles it is cut off at the deadline (408),
    /// not held for as long as it likes.
    #[tokio::test]
    async fn a_trickled_body_is_cut_off_at_the_deadline() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let store = Arc::new(MemoryStore::new());
        let (intake, _) = intake_with(store.clone(), NO_API, |builder| {
            builder.body_read_timeout(Duration::from_millis(200))
        });
        let base = serve(intake).await;
        let address = base.trim_start_matches("http://");
        let mut connection = tokio::net::TcpStream::connect(address).await.unwrap();
        let started = std::time::Instant::now();
        connection
            .write_all(
                b"POST /webhooks/smartrecruiters HTTP/1.1\r\nHost: bridge\r\n\
                  Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
            )
            .await
            .unwrap();
        let mut answer = vec![0; 512];
        let read = tokio::time::timeout(Duration::from_secs(5), connection.read(&mut answer))
            .await
            .expect("answered before the test's own patience ran out")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..read]);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("body_timeout"), "{answer}");
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_nothing_stored(store.as_ref()).await;
    }

    /// An unauthenticated sender must not get its input back (bandwidth) or into the
    /// log (log amplification): a refusal is a short JSON body with a stable code.
    #[tokio::test]
    async fn a_hostile_body_is_refused_without_echoing_it() {
        let store = Arc::new(MemoryStore::new());
        let (intake, _) = intake(store.clone());
        let base = serve(intake).await;
        // Valid JSON whose timestamp is a 900 kB string: a parser's message would
        // quote it.
        let filler = "A".repeat(900_000);
        let body = json!({"token": "t", "triggeredAt": filler, "event": "x"}).to_string();
        let hostile = Delivery {
            source: "lever",
            event: None,
            query: None,
            headers: HeaderMap::new(),
            body: body.into_bytes(),
        };
        let (status, _, text) = post(&format!("{base}/webhooks/lever"), &hostile).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(text.len() <= 300, "{} bytes answered", text.len());
        assert!(
            !text.contains("AAAAAAAA"),
            "the body is echoed: {text:.120}"
        );
        assert_eq!(answer(&text).0, "malformed");
        assert_nothing_stored(store.as_ref()).await;
    }
}
