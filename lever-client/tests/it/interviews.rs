//! Interviews and panels, from recorded sandbox exchanges: the exact requests (with the
//! `perform_as` Lever requires) and the parsed answers.

use crate::support;

use futures::TryStreamExt;
use lever_client::{
    Error, FeedbackTemplateId, InterviewId, NewInterview, NewInterviewer, NewPanel, OpportunityId,
    PanelId, PerformAs, UserId,
};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

const INTERVIEWER: &str = "c4bc6266-375b-4d45-9b3b-ad527ba5f3ef";
const INTERVIEW: &str = "32b7bf78-4592-4a56-b313-3e31ed25ea00";
const PANEL: &str = "027d1217-72e7-4fbb-83fd-3022aa25d0c4";

fn performer() -> PerformAs {
    PerformAs(UserId::from(USER))
}

#[tokio::test]
async fn panels_create_with_interviews() {
    let server = server().await;
    as_key_user("POST", format!("/v1/opportunities/{OPP}/panels"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(fixture_json("sandbox-panel-create-request.json")))
        .once(
            &server,
            json_response(201, "sandbox-panel-create-response.json"),
        )
        .await;
    let panel = client(&server)
        .panels(&OpportunityId::from(OPP))
        .create(
            &performer(),
            &NewPanel::new(
                "America/Los_Angeles",
                vec![
                    NewInterview::new(
                        1783260000000,
                        60,
                        vec![NewInterviewer::new(UserId::from(INTERVIEWER))],
                    )
                    .subject("Technical Interview")
                    .note("Panel created via Nango dryrun"),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(panel.id.as_str(), "3bd7bf2d-6e8a-4e83-a76b-79a6c9b82be9");
    assert_eq!(panel.externally_managed, Some(true));
    assert_eq!(panel.end, Some(1783263600000));
    let interview = &panel.interviews[0];
    assert_eq!(interview.duration, Some(60));
    assert_eq!(interview.interviewers[0].id.as_str(), INTERVIEWER);
    assert_eq!(
        interview.interviewers[0].extra["responseStatus"],
        "needsAction"
    );
}

#[tokio::test]
async fn panels_list_get_update_delete() {
    let server = server().await;
    let recorded = fixture_json("sandbox-panel-create-response.json");
    let id = "3bd7bf2d-6e8a-4e83-a76b-79a6c9b82be9";
    let base = format!("/v1/opportunities/{OPP}/panels");
    as_key_user("GET", base.clone())
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("{base}/{id}"))
        .once(
            &server,
            json_response(200, "sandbox-panel-create-response.json"),
        )
        .await;
    as_key_user("PUT", format!("{base}/{id}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "timezone": "Europe/Paris",
            "note": "Moved",
            "externalUrl": "https://video.example.com/room/1",
            "interviews": [{
                "interviewers": [{"id": INTERVIEWER, "feedbackTemplate": "t1"}],
                "date": 1783270000000u64,
                "duration": 30,
                "location": "Room 1"
            }]
        })))
        .once(
            &server,
            json_response(200, "sandbox-panel-create-response.json"),
        )
        .await;
    as_key_user("DELETE", format!("{base}/{id}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let panels = lever.panels(&OpportunityId::from(OPP));
    let all: Vec<_> = panels.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let one = panels.get(&PanelId::from(id)).await.unwrap();
    assert_eq!(one.stage.unwrap().as_str(), "lead-reached-out");
    panels
        .update(
            &PanelId::from(id),
            &performer(),
            &NewPanel::new(
                "Europe/Paris",
                vec![
                    NewInterview::new(
                        1783270000000,
                        30,
                        vec![
                            NewInterviewer::new(UserId::from(INTERVIEWER))
                                .feedback_template(FeedbackTemplateId::from("t1")),
                        ],
                    )
                    .location("Room 1"),
                ],
            )
            .note("Moved")
            .external_url("https://video.example.com/room/1"),
        )
        .await
        .unwrap();
    panels
        .delete(&PanelId::from(id), &performer())
        .await
        .unwrap();
}

#[tokio::test]
async fn interviews_get_list_create_update_delete() {
    let server = server().await;
    let base = format!("/v1/opportunities/{OPP}/interviews");
    let recorded = fixture_json("sandbox-interview-get.json");
    as_key_user("GET", format!("{base}/{INTERVIEW}"))
        .once(&server, json_response(200, "sandbox-interview-get.json"))
        .await;
    as_key_user("GET", base.clone())
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    let body = json!({
        "panel": PANEL,
        "subject": "Nango Seed Interview 1 (updated)",
        "interviewers": [{"id": INTERVIEWER}],
        "date": 1783000000000u64,
        "duration": 45,
        "feedbackReminder": "daily"
    });
    as_key_user("POST", base.clone())
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(&body))
        .once(&server, json_response(201, "sandbox-interview-get.json"))
        .await;
    as_key_user("PUT", format!("{base}/{INTERVIEW}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(&body))
        .once(&server, json_response(200, "sandbox-interview-get.json"))
        .await;
    as_key_user("DELETE", format!("{base}/{INTERVIEW}"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let interviews = lever.interviews(&OpportunityId::from(OPP));
    let got = interviews.get(&InterviewId::from(INTERVIEW)).await.unwrap();
    assert_eq!(got.panel.as_ref().unwrap().as_str(), PANEL);
    assert_eq!(got.duration, Some(45));
    assert_eq!(
        got.postings[0].id().unwrap().as_str(),
        "75ff237f-c221-4c26-8b23-faf395f5ea1c"
    );
    assert!(got.extra.contains_key("gcalEventUrl"));
    let all: Vec<_> = interviews.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let new = NewInterview::new(
        1783000000000,
        45,
        vec![NewInterviewer::new(UserId::from(INTERVIEWER))],
    )
    .panel(PanelId::from(PANEL))
    .subject("Nango Seed Interview 1 (updated)")
    .feedback_reminder("daily");
    interviews.create(&performer(), &new).await.unwrap();
    interviews
        .update(&InterviewId::from(INTERVIEW), &performer(), &new)
        .await
        .unwrap();
    interviews
        .delete(&InterviewId::from(INTERVIEW), &performer())
        .await
        .unwrap();

    // Lever creates interviews only on a panel: refused before sending.
    let err = interviews
        .create(&performer(), &NewInterview::new(1, 30, vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}
