//! Notes: list, get, create (fields, perform_as, threaded reply), delete.

use crate::support;

use futures::TryStreamExt;
use lever_client::{Error, NoteId, OpportunityId, UserId};
use lever_client::{NewNote, NoteUpdate, NoteValue};
use serde_json::json;
use support::*;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

fn notes_path() -> String {
    format!("/v1/opportunities/{OPP}/notes")
}

#[tokio::test]
async fn list_and_get() {
    let server = server().await;
    let note = fixture_json("sandbox-note-get.json");
    as_key_user("GET", notes_path())
        .and(QueryIs(vec![]))
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [note["data"]], "hasNext": false})),
        )
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "{}/dafc52cc-2eba-4542-92ba-1f17685df17b",
            notes_path()
        )))
        .and(header("authorization", BASIC))
        .once(&server, json_response(200, "note.json"))
        .await;
    let lever = client(&server);
    let notes = lever.notes(&OpportunityId::from(OPP));
    let all: Vec<_> = notes.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].fields[0].value.as_deref(),
        Some("Test note for get-note dryrun")
    );
    let one = notes
        .get(&NoteId::from("dafc52cc-2eba-4542-92ba-1f17685df17b"))
        .await
        .unwrap();
    assert_eq!(one.fields.len(), 2);
    assert_eq!(one.fields[0].score, Some(3));
}

#[tokio::test]
async fn create_sends_every_field_perform_as_and_thread() {
    let server = server().await;
    as_key_user("POST", notes_path())
        .and(QueryIs(vec![
            ("perform_as", USER),
            ("note_id", "7f8004a4-e5db-466a-ae31-7a26346701ed"),
        ]))
        .and(body_json(json!({
            "value": "Strong yes from me",
            "secret": true,
            "score": 4,
            "notifyFollowers": true,
            "createdAt": 1782974189000u64
        })))
        .once(
            &server,
            json_response(201, "sandbox-note-create-response.json"),
        )
        .await;
    on("POST", notes_path())
        .and(QueryIs(vec![]))
        .and(body_json(
            json!({"value": "Hey @melissa please review this candidate!"}),
        ))
        .once(
            &server,
            json_response(201, "note-create-response-docs.json"),
        )
        .await;
    let lever = client(&server);
    let notes = lever.notes(&OpportunityId::from(OPP));
    let created = notes
        .create(
            &NewNote::new("Strong yes from me")
                .secret(true)
                .score(4)
                .notify_followers(true)
                .created_at(1782974189000)
                .reply_to(NoteId::from("7f8004a4-e5db-466a-ae31-7a26346701ed")),
        )
        .perform_as(&UserId::from(USER))
        .await
        .unwrap();
    assert_eq!(
        created.note_id.as_str(),
        "7f8004a4-e5db-466a-ae31-7a26346701ed"
    );
    assert_eq!(created.note.unwrap().fields.len(), 1);

    // The documented response carries only `noteId`.
    let request = fixture_json("note-create-request.json");
    let docs = notes
        .create(&NewNote::new(request["value"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(
        docs.note_id.as_str(),
        "915a6cef-4f91-4f3d-b8ff-a49e1eae2c30"
    );
    assert!(docs.note.is_none());

    let err = notes.create(&NewNote::new("x").score(5)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[tokio::test]
async fn delete_accepts_204() {
    let server = server().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{}/n1", notes_path())))
        .and(header("authorization", BASIC))
        .once(&server, ResponseTemplate::new(204))
        .await;
    client(&server)
        .notes(&OpportunityId::from(OPP))
        .delete(&NoteId::from("n1"))
        .await
        .unwrap();
}

/// Lever may add fields to a note's comments: they are kept.
#[tokio::test]
async fn note_comments_keep_unknown_fields() {
    let server = server().await;
    as_key_user("GET", format!("{}/n1", notes_path()))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"data": {
                "id": "n1",
                "text": "Note",
                "fields": [{"type": "note", "text": "Comment", "value": "Hi", "createdAt": 1, "user": USER, "score": null, "stage": "lead-new", "mentions": ["u2"]}]
            }})),
        )
        .await;
    let note = client(&server)
        .notes(&OpportunityId::from(OPP))
        .get(&NoteId::from("n1"))
        .await
        .unwrap();
    assert_eq!(note.fields[0].extra["mentions"], json!(["u2"]));
}

#[tokio::test]
async fn update_replaces_the_thread() {
    let server = server().await;
    as_key_user("PUT", format!("{}/n1", notes_path()))
        .and(QueryIs(vec![]))
        .and(body_json(json!({
            "values": [
                {"value": "First comment", "createdAt": 1782974189000u64},
                {"value": "Second comment"}
            ],
            "user": USER,
            "secret": false,
            "score": 3,
            "completedAt": 1782974199000u64
        })))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"data": {"noteId": "n1"}})),
        )
        .await;
    let notes_api = client(&server);
    let notes = notes_api.notes(&OpportunityId::from(OPP));
    let update = NoteUpdate::new(vec![
        NoteValue::new("First comment").created_at(1782974189000),
        NoteValue::new("Second comment"),
    ])
    .user(UserId::from(USER))
    .secret(false)
    .score(3)
    .completed_at(1782974199000);
    let updated = notes.update(&NoteId::from("n1"), &update).await.unwrap();
    assert_eq!(updated.note_id.as_str(), "n1");
    let err = notes
        .update(&NoteId::from("n1"), &NoteUpdate::new(vec![]).score(0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}
