//! The engine with the SmartRecruiters adapter, for what only SmartRecruiters does:
//! deletions and job states delivered by webhook, notes only administrators may list,
//! invites without phones, and screening (creating the candidate). Every shared
//! scenario runs in `engine_matrix::smartrecruiters`.
#![cfg(feature = "smartrecruiters")]

use std::sync::Arc;

use ats_bridge::engine::{Action, Ignored};
use ats_bridge::model::CandidateMatch;
use ats_bridge::smartrecruiters::SmartRecruitersAtsConfig;
use ats_bridge::store::{Lease, LedgerKey, MemoryStore, RowState, ScreeningClaim, ScreeningKey};
use client_core::webhook::SystemClock;
use serde_json::json;
use willo_client::WebhookEvent;
use willo_client::webhooks::Delivery;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

use crate::support::engine_setup::{config, count, participant_row, rows_in};
use crate::support::mock_server::{mount_exactly, ok, strict_server};
use crate::support::willo_mock::{INTERVIEW, PARTICIPANT, PHONE, participant, willo};
use crate::support::world::smartrecruiters::{
    CANDIDATE, JOB, SmartRecruitersWorld, adapter_with, fixture, note_body_for, signed, sr,
};
use crate::support::world::{JobListed, TO_REVIEW, VendorWorld, World};

type W = World<SmartRecruitersWorld>;

#[tokio::test]
async fn a_deletion_delivered_through_the_inbox_cancels_the_row_without_an_api_call() {
    let w = W::new().await;
    w.invite().await;
    let sr_seen = w.ats.received_requests().await.unwrap().len();
    // Willo is asked to delete the participant; SmartRecruiters is not asked anything.
    let erase = willo("DELETE", &format!("/participants/{PARTICIPANT}/"));
    mount_exactly(&w.willo, 1, erase.respond_with(ResponseTemplate::new(204))).await;
    let mut body = fixture("webhook-candidate-deleted.json");
    body["id"] = json!(CANDIDATE);
    let delivery = signed("candidate.deleted", "evt-deleted", &body);
    assert!(w.deliver(delivery, "evt-deleted").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(w.ats.received_requests().await.unwrap().len(), sr_seen);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    assert!(participant_row(w.store.as_ref()).await.is_none());
}

#[tokio::test]
async fn a_job_closed_through_the_inbox_stops_invites_and_reopening_resumes_them() {
    let w = W::new().await;
    let mut job = fixture("job.json");
    job["id"] = json!(JOB);
    let mut cancelled = job.clone();
    cancelled["status"] = json!("CANCELLED");
    job["status"] = json!("SOURCING");
    let job_read = || sr("GET", &format!("/jobs/{JOB}"));
    mount_exactly(&w.ats, 1, job_read().respond_with(ok(cancelled))).await;
    mount_exactly(&w.ats, 1, job_read().respond_with(ok(job))).await;
    let mut body = fixture("webhook-job-status-updated.json");
    body["id"] = json!(JOB);

    let closed = signed("job.status.updated", "evt-closed", &body);
    assert!(w.deliver(closed, "evt-closed").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    let action = w.on_stage_change().await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());

    let reopened = signed("job.status.updated", "evt-reopened", &body);
    assert!(w.deliver(reopened, "evt-reopened").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    w.invite().await;
}

/// Reading notes needs an administrator; without the right the retry shares the note
/// as it would without the check.
#[tokio::test]
async fn a_retry_that_may_not_read_notes_shares_the_note() {
    let forbidden = ResponseTemplate::new(403)
        .set_body_json(json!({"message": "Accessible only for administrators"}));
    crate::engine_matrix::a_failed_note_is_retried_with_the_listing::<SmartRecruitersWorld>(
        forbidden,
    )
    .await;
}

#[tokio::test]
async fn without_phones_a_listed_candidate_is_invited_from_the_search_alone() {
    let ats = strict_server().await;
    let adapter = adapter_with(
        &ats,
        SmartRecruitersAtsConfig::new().phones_in_invites(false),
    );
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SystemClock);
    let w = W::assemble(ats, Arc::new(adapter), store, W::rules(), config(), clock).await;
    let listed = json!({"id": CANDIDATE, "firstName": "Ada", "lastName": "Lovelace",
        "email": "ada@example.com"});
    let listing = sr("GET", "/candidates")
        .and(query_param("jobId", JOB))
        .and(query_param("status", "INTERVIEW"))
        .and(query_param("subStatus", "Video call"));
    let found = ok(json!({"totalFound": 1, "content": [listed]}));
    mount_exactly(&w.ats, 1, listing.respond_with(found)).await;
    SmartRecruitersWorld::job_listed(&w.ats, JobListed::Open, 1).await;
    SmartRecruitersWorld::candidate_read(&w.ats, PHONE, 0).await;
    let invite =
        json!({"interview": INTERVIEW, "name": "Ada Lovelace", "email": "ada@example.com"});
    let mut created = invite.clone();
    created["key"] = json!(PARTICIPANT);
    let invited = willo("POST", "/participants/")
        .and(body_json(invite))
        .respond_with(ResponseTemplate::new(201).set_body_json(created));
    mount_exactly(&w.willo, 1, invited).await;
    SmartRecruitersWorld::invited_label_added(&w.ats, 1).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.invited, 1, "{:?}", report.errors);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

const SCREENING_INTERVIEW: &str = "2f3159b797915150c239f2468d660dc0";
const SCREENED: &str = "6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f";
const NEW_CANDIDATE: &str = "c-created-by-screening";

/// The world whose rules also screen `SCREENING_INTERVIEW`'s participants into `JOB`.
async fn screening_world() -> W {
    let rules = W::rules().screen(SCREENING_INTERVIEW, "smartrecruiters", JOB);
    W::with(Arc::new(MemoryStore::new()), rules, config()).await
}

/// Willo's `new_response` whose `body` names the participant.
fn new_response(body: serde_json::Value) -> Delivery {
    let body = serde_json::to_vec(&body).unwrap();
    Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap()
}

#[tokio::test]
async fn a_screening_interview_creates_the_candidate_once_with_the_results() {
    let w = screening_world().await;
    let mut screened = participant("Received");
    screened["key"] = json!(SCREENED);
    screened["interview"] = json!(SCREENING_INTERVIEW);
    screened["name"] = json!("Grace Brewster Hopper");
    screened["email"] = json!("grace@example.com");
    screened["phone"] = json!("+15550100");
    // Read to find the interview, again for the results, once more for the repeat.
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 3, read.respond_with(ok(screened.clone()))).await;
    // Nobody with the e-mail yet.
    let look_up = sr("GET", "/candidates")
        .and(query_param("q", "\"grace@example.com\""))
        .respond_with(ok(json!({"totalFound": 0, "content": []})));
    mount_exactly(&w.ats, 1, look_up).await;
    let created = sr("POST", &format!("/jobs/{JOB}/candidates"))
        .and(body_json(json!({
            "firstName": "Grace Brewster", "lastName": "Hopper",
            "email": "grace@example.com", "phoneNumber": "+15550100"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": NEW_CANDIDATE, "firstName": "Grace Brewster", "lastName": "Hopper"
        })));
    mount_exactly(&w.ats, 1, created).await;
    let tags = format!("/candidates/{NEW_CANDIDATE}/tags");
    let no_tags = sr("GET", &tags).respond_with(ok(json!({"tags": []})));
    mount_exactly(&w.ats, 1, no_tags).await;
    let to_review = sr("PUT", &tags)
        .and(body_json(json!({"tags": [TO_REVIEW]})))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, to_review).await;
    let note = sr("POST", "/messages/shares")
        .and(body_json(note_body_for(NEW_CANDIDATE, SCREENED, &screened)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        );
    mount_exactly(&w.ats, 1, note).await;

    let delivery = new_response(json!({"participant": {"key": SCREENED}}));
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    // The row of the application created for them, keyed by its real ids.
    let screening_key = LedgerKey::new(
        W::name(),
        format!("{NEW_CANDIDATE}:{JOB}").as_str(),
        SCREENING_INTERVIEW,
    );
    assert_eq!(
        action,
        Action::Screened {
            key: screening_key.clone(),
            candidate: CandidateMatch::New,
        }
    );
    let again = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(again, Action::AlreadyDone { key: screening_key });
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);

    // The new candidate is deleted: their row is found by their real id, and the
    // participant they were screened as is erased in Willo.
    let erase = willo("DELETE", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 1, erase.respond_with(ResponseTemplate::new(204))).await;
    let deleted = ats_bridge::model::AtsEvent::CandidateDeleted {
        candidate: NEW_CANDIDATE.into(),
    };
    let action = w
        .engine
        .handle_ats_event(&W::name(), &deleted)
        .await
        .unwrap();
    assert!(
        matches!(
            action,
            Action::Cancelled {
                participants_erased: 1,
                ..
            }
        ),
        "{action:?}"
    );
}

/// A worker crashed after creating the screening candidate and before recording it:
/// the next attempt finds the intent unfinished, looks the candidate up by e-mail,
/// and adopts them instead of creating a second candidate.
#[tokio::test]
async fn a_screening_retried_after_a_crash_finds_the_candidate_instead_of_creating_another() {
    let w = screening_world().await;
    let mut screened = participant("Received");
    screened["key"] = json!(SCREENED);
    screened["interview"] = json!(SCREENING_INTERVIEW);
    screened["name"] = json!("Grace Brewster Hopper");
    screened["email"] = json!("grace@example.com");
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 2, read.respond_with(ok(screened.clone()))).await;
    // The crashed attempt: its intent claimed (and the candidate created) long ago.
    let screening = ScreeningKey::new(W::name(), SCREENING_INTERVIEW, SCREENED);
    let crashed = Lease::new("crashed-worker", 1_000, 60_000);
    let claim = w
        .store
        .claim_screening(&screening, &JOB.into(), &crashed)
        .await
        .unwrap();
    assert!(matches!(claim, ScreeningClaim::Fresh(_)), "{claim:?}");

    let listed = json!({
        "id": NEW_CANDIDATE, "firstName": "Grace Brewster", "lastName": "Hopper",
        "email": "grace@example.com", "primaryAssignment": {"job": {"id": JOB}, "status": "NEW"}
    });
    let look_up = sr("GET", "/candidates")
        .and(query_param("q", "\"grace@example.com\""))
        .respond_with(ok(json!({"totalFound": 1, "content": [listed]})));
    mount_exactly(&w.ats, 1, look_up).await;
    let create = sr("POST", &format!("/jobs/{JOB}/candidates"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "a-second-one"})));
    mount_exactly(&w.ats, 0, create).await;
    let tags = format!("/candidates/{NEW_CANDIDATE}/tags");
    mount_exactly(
        &w.ats,
        1,
        sr("GET", &tags).respond_with(ok(json!({"tags": []}))),
    )
    .await;
    let to_review = sr("PUT", &tags)
        .and(body_json(json!({"tags": [TO_REVIEW]})))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, to_review).await;
    let note = sr("POST", "/messages/shares")
        .and(body_json(note_body_for(NEW_CANDIDATE, SCREENED, &screened)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        );
    mount_exactly(&w.ats, 1, note).await;

    let delivery = new_response(json!({"participant": {"key": SCREENED}}));
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    let key = LedgerKey::new(
        W::name(),
        format!("{NEW_CANDIDATE}:{JOB}").as_str(),
        SCREENING_INTERVIEW,
    );
    // Whether that earlier attempt found Grace new is not known any more.
    assert_eq!(
        action,
        Action::Screened {
            key,
            candidate: CandidateMatch::Unknown
        }
    );
    let done = w.store.screening(&screening).await.unwrap().unwrap();
    assert_eq!(
        done.created.map(|c| c.candidate.to_string()),
        Some(NEW_CANDIDATE.to_owned())
    );
}

/// Grace applied to another job before: the screening adds an application to her
/// profile (sent with her own names) instead of making a second Grace, and says so.
#[tokio::test]
async fn a_screened_person_already_known_by_email_gets_the_application_not_a_new_profile() {
    let w = screening_world().await;
    let mut screened = participant("Received");
    screened["key"] = json!(SCREENED);
    screened["interview"] = json!(SCREENING_INTERVIEW);
    screened["name"] = json!("Grace Hopper");
    screened["email"] = json!("GRACE@example.com");
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 2, read.respond_with(ok(screened.clone()))).await;
    let known = json!({
        "id": "c-grace", "firstName": "Grace Brewster", "lastName": "Hopper",
        "email": "grace@example.com",
        "primaryAssignment": {"job": {"id": "another-job"}, "status": "REJECTED"}
    });
    let look_up = sr("GET", "/candidates")
        .and(query_param("q", "\"GRACE@example.com\""))
        .respond_with(ok(json!({"totalFound": 1, "content": [known]})));
    mount_exactly(&w.ats, 1, look_up).await;
    let added = sr("POST", &format!("/jobs/{JOB}/candidates"))
        .and(body_json(json!({
            "firstName": "Grace Brewster", "lastName": "Hopper", "email": "grace@example.com"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "c-grace"})));
    mount_exactly(&w.ats, 1, added).await;
    let tags = "/candidates/c-grace/tags";
    mount_exactly(
        &w.ats,
        1,
        sr("GET", tags).respond_with(ok(json!({"tags": ["Imported"]}))),
    )
    .await;
    let to_review = sr("PUT", tags)
        .and(body_json(json!({"tags": ["Imported", TO_REVIEW]})))
        .respond_with(ResponseTemplate::new(204));
    mount_exactly(&w.ats, 1, to_review).await;
    let note = sr("POST", "/messages/shares")
        .and(body_json(note_body_for("c-grace", SCREENED, &screened)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        );
    mount_exactly(&w.ats, 1, note).await;

    let delivery = new_response(json!({"participant": {"key": SCREENED}}));
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(
        action,
        Action::Screened {
            key: LedgerKey::new(
                W::name(),
                format!("c-grace:{JOB}").as_str(),
                SCREENING_INTERVIEW
            ),
            candidate: CandidateMatch::ExistingCandidate,
        }
    );
}

#[tokio::test]
async fn a_participant_of_another_interview_is_not_screened() {
    let w = screening_world().await;
    let mut stranger = participant("Received");
    stranger["key"] = json!(SCREENED);
    stranger["interview"] = json!("ffffffffffffffffffffffffffffffff");
    let read = willo("GET", &format!("/participants/{SCREENED}/"));
    mount_exactly(&w.willo, 1, read.respond_with(ok(stranger))).await;
    let delivery = new_response(json!({"participant_key": SCREENED}));
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    assert!(w.ats.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}
