//! Writes of the Interviews API (scheduling, changing, slots, attendance) and consent
//! requests: the exact requests sent and the answers read.

use crate::support;

use serde_json::json;
use smartrecruiters_client::{
    AttendeeStatus, CandidateId, ConsentRequests, Error, InterviewUpdate, Interviewer, JobId,
    NewInterview, NewTimeslot, UserId,
};
use support::{API_KEY, MountOnce, client, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header};

const INTERVIEWS: &str = "/interviews-api/v201904/interviews";

fn first_call() -> NewTimeslot {
    NewTimeslot::new("2026-12-07T10:00:00.000Z", "2026-12-07T10:30:00.000Z")
        .interviewer(Interviewer::new(UserId::from("u2")))
        .interview_type("Video")
        .title("First call")
        .place("https://meet.example/abc")
}

#[tokio::test]
async fn an_interview_is_scheduled_with_its_slots_and_read_back_with_ids() {
    let server = server().await;
    on("POST", INTERVIEWS)
        .and(header("x-smarttoken", API_KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "candidate": {"id": "c1"},
            "jobId": "j1",
            "organizerId": "u1",
            "timezone": "Europe/Warsaw",
            "timeslots": [{
                "startsOn": "2026-12-07T10:00:00.000Z",
                "endsOn": "2026-12-07T10:30:00.000Z",
                "interviewers": [{"id": "u2", "status": "pending"}],
                "interviewType": "Video",
                "title": "First call",
                "place": "https://meet.example/abc"
            }],
            "refUrl": "https://willo.example/i/abc",
            "source": "willo"
        })))
        .once(
            &server,
            json(
                201,
                json!({
                    "id": "i9", "candidate": {"id": "c1"}, "jobId": "j1", "organizerId": "u1",
                    "timezone": "Europe/Warsaw", "createdOn": "2026-12-05T09:00:00Z",
                    "timeslots": [{"id": "t9", "startsOn": "2026-12-07T10:00:00.000Z",
                                   "endsOn": "2026-12-07T10:30:00.000Z",
                                   "interviewers": [{"id": "u2", "status": "pending"}]}],
                    "futureField": true
                }),
            ),
        )
        .await;
    let interview = NewInterview::new(
        CandidateId::from("c1"),
        JobId::from("j1"),
        UserId::from("u1"),
        "Europe/Warsaw",
    )
    .timeslot(first_call())
    .ref_url("https://willo.example/i/abc")
    .source("willo");
    let created = client(&server)
        .interviews()
        .create(&interview)
        .await
        .unwrap();
    assert_eq!(created.id, "i9");
    assert_eq!(created.timeslots[0].id.as_deref(), Some("t9"));
    assert_eq!(created.extra["futureField"], json!(true));
}

#[tokio::test]
async fn scheduling_is_not_repeated_after_a_server_error() {
    let server = server().await;
    on("POST", INTERVIEWS)
        .once(&server, ResponseTemplate::new(503))
        .await;
    let interview = NewInterview::new("c1".into(), "j1".into(), "u1".into(), "UTC");
    let err = client(&server)
        .interviews()
        .create(&interview)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn an_interview_update_sends_only_what_changes_and_is_retried() {
    let server = server().await;
    // A 503 first: a PATCH with the same values is safe to send again.
    on("PATCH", format!("{INTERVIEWS}/i9"))
        .and(body_json(
            json!({"location": "Office 2", "timezone": "Europe/London"}),
        ))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    on("PATCH", format!("{INTERVIEWS}/i9"))
        .and(body_json(
            json!({"location": "Office 2", "timezone": "Europe/London"}),
        ))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let update = InterviewUpdate::new()
        .location("Office 2")
        .timezone("Europe/London");
    client(&server)
        .interviews()
        .update("i9", &update)
        .await
        .unwrap();

    let empty = client(&server)
        .interviews()
        .update("i9", &InterviewUpdate::new())
        .await
        .unwrap_err();
    assert!(matches!(empty, Error::InvalidInput(_)), "{empty:?}");
}

#[tokio::test]
async fn slots_are_added_changed_and_removed() {
    let server = server().await;
    let slot_body = json!({
        "startsOn": "2026-12-07T10:00:00.000Z",
        "endsOn": "2026-12-07T10:30:00.000Z",
        "interviewers": [{"id": "u2", "status": "pending"}],
        "interviewType": "Video",
        "title": "First call",
        "place": "https://meet.example/abc"
    });
    on("POST", format!("{INTERVIEWS}/i9/timeslots"))
        .and(body_json(slot_body.clone()))
        .once(
            &server,
            json(
                201,
                json!({"id": "t2", "startsOn": "2026-12-07T10:00:00.000Z",
                              "endsOn": "2026-12-07T10:30:00.000Z", "interviewers": []}),
            ),
        )
        .await;
    on("PATCH", format!("{INTERVIEWS}/i9/timeslots/t2"))
        .and(body_json(slot_body))
        .once(&server, ResponseTemplate::new(204))
        .await;
    on("DELETE", format!("{INTERVIEWS}/i9/timeslots/t2"))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let sr = client(&server);
    let added = sr
        .interviews()
        .add_timeslot("i9", &first_call())
        .await
        .unwrap();
    assert_eq!(added.id.as_deref(), Some("t2"));
    sr.interviews()
        .update_timeslot("i9", "t2", &first_call())
        .await
        .unwrap();
    sr.interviews().delete_timeslot("i9", "t2").await.unwrap();
}

#[tokio::test]
async fn attendance_answers_are_put_in_lower_case() {
    let server = server().await;
    on("PUT", format!("{INTERVIEWS}/i9/candidate/status"))
        .and(body_json(json!({"status": "accepted"})))
        .once(&server, ResponseTemplate::new(204))
        .await;
    on(
        "PUT",
        format!("{INTERVIEWS}/i9/timeslots/t2/interviewers/u2/status"),
    )
    .and(body_json(json!({"status": "tentative"})))
    .once(&server, ResponseTemplate::new(204))
    .await;
    on(
        "PUT",
        format!("{INTERVIEWS}/i9/timeslots/t2/candidateStatus"),
    )
    .and(body_json(json!({"status": "declined"})))
    .once(&server, ResponseTemplate::new(204))
    .await;
    let sr = client(&server);
    sr.interviews()
        .set_candidate_status("i9", AttendeeStatus::Accepted)
        .await
        .unwrap();
    sr.interviews()
        .set_interviewer_status("i9", "t2", &UserId::from("u2"), AttendeeStatus::Tentative)
        .await
        .unwrap();
    sr.interviews()
        .set_timeslot_candidate_status("i9", "t2", AttendeeStatus::Declined)
        .await
        .unwrap();
}

#[tokio::test]
async fn consent_is_requested_for_several_candidates_and_each_result_read() {
    let server = server().await;
    on("POST", "/candidates/consent-requests")
        .and(header("x-smarttoken", API_KEY))
        .and(body_json(
            json!({"candidates": [{"id": "c1"}, {"id": "c2"}]}),
        ))
        .once(
            &server,
            ok(json!({"results": [
                {"status": 202, "body": {"location": "/candidates/c1/consents"}},
                {"status": 403, "body": {"message": "consent cannot be requested"}}
            ]})),
        )
        .await;
    let requests = ConsentRequests::new()
        .candidate(CandidateId::from("c1"))
        .candidate(CandidateId::from("c2"));
    let answer = client(&server)
        .candidates()
        .request_consent(&requests)
        .await
        .unwrap();
    let [scheduled, refused] = &answer.results[..] else {
        panic!("two results expected: {answer:?}");
    };
    assert!(scheduled.is_scheduled());
    assert_eq!(scheduled.location(), Some("/candidates/c1/consents"));
    assert!(!refused.is_scheduled());
    assert_eq!(refused.status, 403);
    assert_eq!(refused.location(), None);
}

#[tokio::test]
async fn a_consent_request_is_sent_once_and_never_empty() {
    let server = server().await;
    // A repeat would e-mail the candidates again: a 503 is not retried.
    on("POST", "/candidates/consent-requests")
        .once(&server, ResponseTemplate::new(503))
        .await;
    let sr = client(&server);
    let err = sr
        .candidates()
        .request_consent(&ConsentRequests::new().candidate("c1".into()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let empty = sr
        .candidates()
        .request_consent(&ConsentRequests::new())
        .await
        .unwrap_err();
    assert!(matches!(empty, Error::InvalidInput(_)), "{empty:?}");
}
