//! `interview_results`: `GET /participants/{key}/` read best-effort into the seed's
//! sync-record shape.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{DEFAULT_PARTICIPANT_PAGE_URL, ParticipantKey, Recognition};

#[tokio::test]
async fn results_are_read_from_the_participant() {
    let server = server().await;
    let body = json!({
        "key": PARTICIPANT,
        "name": "Jane Doe",
        "status": "completed",
        "completed_at": "2026-11-20T10:00:00Z",
        "score": 4,
        "share_url": "https://app.willotalent.com/share/abc",
        "responses": [
            {
                "question": {"key": "q1", "text": "Tell us about yourself"},
                "media_url": "https://cdn.example/1.mp4",
                "transcript": "I am a researcher.",
                "summary": "Experienced researcher.",
                "score": 5,
                "unknown": true
            },
            {"question": "Why Willo?", "video_url": "https://cdn.example/2.mp4"},
            "not even an object"
        ]
    });
    call("GET", &format!("/participants/{PARTICIPANT}/"))
        .once(&server, json(200, body.clone()))
        .await;
    let results = client(&server)
        .interview_results(&ParticipantKey::from(PARTICIPANT))
        .await
        .unwrap();
    assert_eq!(results.participant_key.as_str(), PARTICIPANT);
    assert_eq!(results.stage.as_deref(), Some("completed"));
    assert_eq!(
        results.completed_at.as_deref(),
        Some("2026-11-20T10:00:00Z")
    );
    assert_eq!(results.score, Some(4.0));
    assert_eq!(
        results.review_url.as_deref(),
        Some("https://app.willotalent.com/share/abc")
    );
    assert_eq!(results.responses.len(), 3);
    let first = &results.responses[0];
    assert_eq!(first.question.as_deref(), Some("Tell us about yourself"));
    assert_eq!(
        first.media_url.as_deref(),
        Some("https://cdn.example/1.mp4")
    );
    assert_eq!(first.transcript.as_deref(), Some("I am a researcher."));
    assert_eq!(first.summary.as_deref(), Some("Experienced researcher."));
    assert_eq!(first.score, Some(5.0));
    assert_eq!(first.raw["unknown"], true);
    assert_eq!(results.responses[1].question.as_deref(), Some("Why Willo?"));
    assert_eq!(
        results.responses[1].media_url.as_deref(),
        Some("https://cdn.example/2.mp4")
    );
    assert_eq!(results.responses[2].question, None);
    assert_eq!(results.recognition, Recognition::Recognised);
    assert_eq!(
        results.link(),
        Some("https://app.willotalent.com/share/abc")
    );
    assert_eq!(results.raw, body);
}

#[tokio::test]
async fn a_participant_without_answers_gives_empty_results() {
    let server = server().await;
    call("GET", &format!("/participants/{PARTICIPANT}/"))
        .once(&server, json(200, json!({"key": PARTICIPANT})))
        .await;
    let results = client(&server)
        .interview_results(&ParticipantKey::from(PARTICIPANT))
        .await
        .unwrap();
    assert!(results.responses.is_empty());
    assert_eq!(results.stage, None);
    assert_eq!(results.score, None);
    assert_eq!(
        results.recognition,
        Recognition::Unrecognised,
        "no answers field: nobody can say there are none"
    );
    assert_eq!(results.link(), Some(DEFAULT_PARTICIPANT_PAGE_URL));
}

#[tokio::test]
async fn unrecognised_answers_keep_the_raw_json_and_link_to_the_participant_page() {
    // Issue 15, item 7: answers under names the client does not know.
    let server = server().await;
    let body = json!({
        "key": PARTICIPANT,
        "interview": {"key": INTERVIEW},
        "stage": "To Review",
        "video_answers": [{"q": "Why us?", "clip": "https://cdn.example/1.mp4"}]
    });
    call("GET", &format!("/participants/{PARTICIPANT}/"))
        .once(&server, json(200, body.clone()))
        .await;
    let results = builder(&server)
        .participant_page_url("https://app.willotalent.com/interviews/{interview}/p/{participant}")
        .build()
        .unwrap()
        .interview_results(&ParticipantKey::from(PARTICIPANT))
        .await
        .unwrap();
    assert_eq!(results.recognition, Recognition::Unrecognised);
    assert!(results.responses.is_empty());
    assert_eq!(results.raw, body);
    let page = format!("https://app.willotalent.com/interviews/{INTERVIEW}/p/{PARTICIPANT}");
    assert_eq!(results.willo_url.as_deref(), Some(page.as_str()));
    assert_eq!(results.link(), Some(page.as_str()));
}
