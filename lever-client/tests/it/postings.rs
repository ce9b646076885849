//! Postings writes: create and update (`perform_as` required), application questions,
//! applying on a candidate's behalf — from recorded sandbox exchanges.

use crate::support;

use lever_client::{
    NamedValue, NewApplication, PerformAs, PostingId, PostingInput, PostingState, UserId,
    WorkplaceType,
};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

const POSTING: &str = "75ff237f-c221-4c26-8b23-faf395f5ea1c";

fn performer() -> PerformAs {
    PerformAs(UserId::from(USER))
}

#[tokio::test]
async fn update_posts_only_the_changed_fields_and_is_retried() {
    let server = server().await;
    // The first attempt fails: a partial update is safe to repeat.
    as_key_user("POST", format!("/v1/postings/{POSTING}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({"text": "Nango Seed Posting 1 - Updated"})))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    as_key_user("POST", format!("/v1/postings/{POSTING}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({"text": "Nango Seed Posting 1 - Updated"})))
        .once(
            &server,
            json_response(200, "sandbox-posting-update-response.json"),
        )
        .await;
    let posting = client(&server)
        .postings()
        .update(
            &PostingId::from(POSTING),
            &performer(),
            &PostingInput::default().text("Nango Seed Posting 1 - Updated"),
        )
        .await
        .unwrap();
    assert_eq!(
        posting.text.as_deref(),
        Some("Nango Seed Posting 1 - Updated")
    );
    assert_eq!(posting.state, Some(PostingState::Draft));
    assert!(posting.extra.contains_key("screening"));
}

#[tokio::test]
async fn create_sends_the_posting_and_is_not_retried() {
    let server = server().await;
    as_key_user("POST", "/v1/postings")
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "text": "Infrastructure Engineer",
            "state": "published",
            "owner": USER,
            "categories": {"team": "Engineering", "location": "Remote"},
            "tags": ["infra"],
            "content": {"descriptionHtml": "<div>Run the platform.</div>"},
            "workplaceType": "remote"
        })))
        .once(&server, ResponseTemplate::new(500))
        .await;
    let err = client(&server)
        .postings()
        .create(
            &performer(),
            &PostingInput::new("Infrastructure Engineer")
                .state(PostingState::Published)
                .owner(UserId::from(USER))
                .category("team", "Engineering")
                .category("location", "Remote")
                .tags(vec!["infra".into()])
                .content(json!({"descriptionHtml": "<div>Run the platform.</div>"}))
                .workplace_type(WorkplaceType::Remote),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
}

#[tokio::test]
async fn apply_questions_and_apply() {
    let server = server().await;
    let questions_posting = "83196b64-568c-4010-a17a-0e8c203c8f65";
    as_key_user("GET", format!("/v1/postings/{questions_posting}/apply"))
        .once(
            &server,
            json_response(200, "sandbox-posting-apply-questions.json"),
        )
        .await;
    as_key_user("POST", format!("/v1/postings/{POSTING}/apply"))
        .and(QueryIs(vec![("send_confirmation_email", "false")]))
        .and(body_json(json!({
            "personalInformation": [
                {"name": "fullName", "value": "Test Apply"},
                {"name": "email", "value": "test-apply@nango.dev"}
            ]
        })))
        .once(
            &server,
            json_response(201, "sandbox-posting-apply-response.json"),
        )
        .await;
    let lever = client(&server);
    let questions = lever
        .postings()
        .apply_questions(&PostingId::from(questions_posting))
        .await
        .unwrap();
    assert_eq!(
        questions.custom_questions[0].text.as_deref(),
        Some("Education")
    );
    assert_eq!(questions.custom_questions[0].fields[1].kind, "university");
    assert_eq!(questions.personal_information[0].name, "fullName");
    assert_eq!(questions.personal_information[0].required, Some(true));
    assert_eq!(questions.urls[0].name, "LinkedIn");
    let applied = lever
        .postings()
        .apply(
            &PostingId::from(POSTING),
            &NewApplication::new(vec![
                NamedValue::new("fullName", "Test Apply"),
                NamedValue::new("email", "test-apply@nango.dev"),
            ])
            .send_confirmation_email(false),
        )
        .await
        .unwrap();
    assert_eq!(
        applied.application_id.as_str(),
        "5c77c84e-e124-4244-9c87-bad792976eed"
    );
}
