//! Feedback and feedback templates, from recorded sandbox exchanges.

use crate::support;

use futures::TryStreamExt;
use lever_client::{
    FeedbackId, FeedbackTemplateId, FeedbackUpdate, FieldValue, FormField, InterviewId,
    NewFeedback, NewTemplate, OpportunityId, PanelId, PerformAs, UserId,
};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

const TEMPLATE: &str = "1c0d54d3-1aeb-4989-b616-d0a6025444e8";
const FEEDBACK: &str = "e0863d1c-3256-46e2-a8eb-6069fb61268b";

fn feedback_path() -> String {
    format!("/v1/opportunities/{OPP}/feedback")
}

#[tokio::test]
async fn create_sends_the_template_and_required_perform_as() {
    let server = server().await;
    as_key_user("POST", feedback_path())
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({"baseTemplateId": TEMPLATE})))
        .once(
            &server,
            json_response(201, "sandbox-feedback-create-response.json"),
        )
        .await;
    let lever = client(&server);
    let created = lever
        .feedback(&OpportunityId::from(OPP))
        .create(
            &PerformAs(UserId::from(USER)),
            &NewFeedback::new(FeedbackTemplateId::from(TEMPLATE)),
        )
        .await
        .unwrap();
    assert_eq!(created.id.as_str(), FEEDBACK);
    assert_eq!(created.fields[0].kind, "score-system");
    assert_eq!(created.fields[0].options.len(), 4);
    assert_eq!(created.interview, None);
    assert_eq!(created.user.unwrap().id().unwrap().as_str(), USER);
}

#[tokio::test]
async fn create_with_answers_is_not_retried_after_a_server_error() {
    let server = server().await;
    as_key_user("POST", feedback_path())
        .and(body_json(json!({
            "baseTemplateId": TEMPLATE,
            "panel": "p1",
            "interview": "i1",
            "fieldValues": [{"id": "06085f68-9b42-44fc-aea4-d5f9b70c0561", "value": "4 - Strong Hire"}],
            "completedAt": 1782974327197u64
        })))
        .once(&server, ResponseTemplate::new(503))
        .await;
    let err = client(&server)
        .feedback(&OpportunityId::from(OPP))
        .create(
            &PerformAs(UserId::from(USER)),
            &NewFeedback::new(FeedbackTemplateId::from(TEMPLATE))
                .interview(PanelId::from("p1"), InterviewId::from("i1"))
                .answer(FieldValue::new(
                    "06085f68-9b42-44fc-aea4-d5f9b70c0561",
                    "4 - Strong Hire",
                ))
                .completed_at(1782974327197),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
}

#[tokio::test]
async fn list_get_update_and_delete() {
    let server = server().await;
    let recorded = fixture_json("sandbox-feedback-create-response.json");
    as_key_user("GET", feedback_path())
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("{}/{FEEDBACK}", feedback_path()))
        .once(
            &server,
            json_response(200, "sandbox-feedback-create-response.json"),
        )
        .await;
    as_key_user("PUT", format!("{}/{FEEDBACK}", feedback_path()))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "fieldValues": [{"id": "06085f68-9b42-44fc-aea4-d5f9b70c0561", "value": "3 - Hire"}]
        })))
        .once(
            &server,
            json_response(200, "sandbox-feedback-create-response.json"),
        )
        .await;
    as_key_user("DELETE", format!("{}/{FEEDBACK}", feedback_path()))
        .and(QueryIs(vec![("perform_as", USER)]))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let feedback = lever.feedback(&OpportunityId::from(OPP));
    let all: Vec<_> = feedback.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let one = feedback.get(&FeedbackId::from(FEEDBACK)).await.unwrap();
    assert_eq!(one.completed_at, Some(1782974327197));
    feedback
        .update(
            &FeedbackId::from(FEEDBACK),
            &PerformAs(UserId::from(USER)),
            &FeedbackUpdate::new(vec![FieldValue::new(
                "06085f68-9b42-44fc-aea4-d5f9b70c0561",
                "3 - Hire",
            )]),
        )
        .await
        .unwrap();
    feedback
        .delete(&FeedbackId::from(FEEDBACK))
        .perform_as(&UserId::from(USER))
        .await
        .unwrap();
}

#[tokio::test]
async fn templates_create_get_update_delete() {
    let server = server().await;
    let request = fixture_json("sandbox-feedback-template-create-request.json");
    as_key_user("POST", "/v1/feedback_templates")
        .and(QueryIs(vec![]))
        .and(body_json(&request))
        .once(
            &server,
            json_response(201, "sandbox-feedback-template-create-response.json"),
        )
        .await;
    let id = "f9d41b08-372b-4c49-9974-7765174013cc";
    as_key_user("GET", format!("/v1/feedback_templates/{id}"))
        .once(
            &server,
            json_response(200, "sandbox-feedback-template-create-response.json"),
        )
        .await;
    as_key_user("PUT", format!("/v1/feedback_templates/{id}"))
        .and(body_json(json!({
            "text": "Renamed",
            "instructions": "Be kind",
            "fields": [{"type": "text", "text": "Summary", "required": true}]
        })))
        .once(
            &server,
            json_response(200, "sandbox-feedback-template-create-response.json"),
        )
        .await;
    as_key_user("DELETE", format!("/v1/feedback_templates/{id}"))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let templates = lever.feedback_templates();
    let new = NewTemplate::new(
        "Nango Dryrun Feedback Template 3",
        vec![
            FormField::new(
                "multiple-select",
                "Which languages are you comfortable with?",
            )
            .description("Select one or more.")
            .required(false)
            .options(["javascript", "node"]),
            FormField::new("score-system", "Rating").required(true),
        ],
    );
    let created = templates.create(&new).await.unwrap();
    assert_eq!(created.fields.len(), 2);
    assert_eq!(
        created.fields[1].id.as_deref(),
        Some("d594d202-574a-471c-ae3b-d4aabd9bc275")
    );
    let got = templates.get(&FeedbackTemplateId::from(id)).await.unwrap();
    assert_eq!(
        got.text.as_deref(),
        Some("Nango Dryrun Feedback Template 3")
    );
    templates
        .update(
            &FeedbackTemplateId::from(id),
            &NewTemplate::new(
                "Renamed",
                vec![FormField::new("text", "Summary").required(true)],
            )
            .instructions("Be kind"),
        )
        .await
        .unwrap();
    templates
        .delete(&FeedbackTemplateId::from(id))
        .await
        .unwrap();
}
