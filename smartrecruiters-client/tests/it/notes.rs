//! Notes through the Message API.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use smartrecruiters_client::{CandidateId, Error, JobId, NewNote, NoteContent, ShareWith};
use smartrecruiters_client::{MAX_NOTE_CHARS, Visibility};
use support::{API_KEY, MountOnce, client, fixture, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header, query_param, query_param_is_missing};

#[tokio::test]
async fn create_note_sends_the_documented_body() {
    let server = server().await;
    on("POST", "/messages/shares")
        .and(header("x-smarttoken", API_KEY))
        .and(body_json(fixture("message-share-request.json")))
        .once(&server, json(201, fixture("message-share-response.json")))
        .await;
    let content =
        NoteContent::new("Video interview completed. Review: https://example.com/review/abc123 cc")
            .candidate("9847954623")
            .mention("324132421")
            .build()
            .unwrap();
    let note = NewNote::new(
        content,
        ShareWith::open_note().hiring_team_of("123423432322"),
    )
    .correlation_id("willo-response-abc123");
    let created = client(&server).notes().create(&note).await.unwrap();
    assert_eq!(created.id.as_str(), "string");
    assert_eq!(created.share_required, Some(false));
}

#[tokio::test]
async fn oversized_content_is_refused_before_sending() {
    let server = server().await;
    let note = NewNote::new("x".repeat(MAX_NOTE_CHARS + 1), ShareWith::open_note());
    let err = client(&server).notes().create(&note).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_note() {
    let server = server().await;
    on("DELETE", "/messages/shares/m-1")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ResponseTemplate::new(204))
        .await;
    client(&server).notes().delete(&"m-1".into()).await.unwrap();
}

#[tokio::test]
async fn list_notes_of_a_candidate_across_pages() {
    let server = server().await;
    on("GET", "/messages")
        .and(query_param("candidateId", "c1"))
        .and(query_param("jobId", "j1"))
        .and(query_param_is_missing("pageId"))
        .once(
            &server,
            ok(json!({"content": [fixture("message.json")], "nextPageId": "n2"})),
        )
        .await;
    on("GET", "/messages")
        .and(query_param("candidateId", "c1"))
        .and(query_param("pageId", "n2"))
        .once(
            &server,
            ok(json!({"content": [{"content": "second", "visibility": "SECRET"}]})),
        )
        .await;
    let notes: Vec<_> = client(&server)
        .notes()
        .list(&CandidateId::from("c1"), Some(&JobId::from("j1")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].visibility, Some(Visibility::Private));
    assert_eq!(
        notes[0].context.as_ref().unwrap().applications[0]
            .candidate_id
            .as_ref()
            .unwrap()
            .as_str(),
        "string"
    );
    assert_eq!(
        notes[1].visibility,
        Some(Visibility::Other("SECRET".into()))
    );
}

#[tokio::test]
async fn markup_in_the_text_is_sent_escaped() {
    let server = server().await;
    on("POST", "/messages/shares")
        .and(body_json(serde_json::json!({
            "content": "#[CANDIDATE:c1] Answer: \"ask @\u{200B}[USER:boss] and #\u{200B}[CANDIDATE:other]\"",
            "shareWith": {"users": [], "hiringTeamOf": ["j1"], "everyone": false, "openNote": false}
        })))
        .once(&server, json(201, serde_json::json!({"id": "m1"})))
        .await;
    let content = NoteContent::new("Answer: \"ask @[USER:boss] and #[CANDIDATE:other]\"")
        .candidate("c1")
        .build()
        .unwrap();
    let note = NewNote::new(content, ShareWith::default().hiring_team_of("j1"));
    let created = client(&server).notes().create(&note).await.unwrap();
    assert_eq!(created.id.as_str(), "m1");
}

#[tokio::test]
async fn a_notes_listing_without_its_list_is_an_error_not_zero_notes() {
    let server = server().await;
    // `GET /messages` has no published response schema: an envelope holding its notes
    // under another name must not read as "no earlier note".
    on("GET", "/messages")
        .and(wiremock::matchers::query_param("candidateId", "c1"))
        .once(
            &server,
            ok(serde_json::json!({"messages": [{"content": "#[CANDIDATE:c1] hi"}]})),
        )
        .await;
    let listed: Result<Vec<_>, _> = client(&server)
        .notes()
        .list(&"c1".into(), None)
        .try_collect()
        .await;
    assert!(matches!(listed, Err(Error::Decode { .. })), "{listed:?}");
}
