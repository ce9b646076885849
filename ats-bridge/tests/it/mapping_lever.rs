//! Field mapping on Lever, against a wiremock'd API: the AI summary goes into a
//! profile form (a new, complete form of the template, the recruiter's other answers
//! carried over) and a corrected e-mail from Willo is pushed to the contact.
#![cfg(feature = "lever")]

use std::sync::Arc;

use ats_bridge::mapping::{ConnectionMapping, FieldMapping, Source, Target};
use ats_bridge::store::{MemoryStore, RowState};
use serde_json::json;
use willo_client::WebhookEvent;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder};

use crate::support::engine_setup::{config, on_willo_news, rows_in};
use crate::support::mock_server::{mount_exactly, ok};
use crate::support::willo_mock::{PHONE, participant, willo_results};
use crate::support::world::lever::{CONTACT, LeverWorld, OPP, lever_write};
use crate::support::world::{VendorWorld, World};

type W = World<LeverWorld>;

const TEMPLATE: &str = "f9d41b08-372b-4c49-9974-7765174013cc";
const SUMMARY_FIELD: &str = "f-summary";
const NOTICE_FIELD: &str = "f-notice";

/// A request to `route` under `/v1`, whatever its query.
fn lever(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("/v1{route}")))
        .and(header(
            "authorization",
            crate::support::lever_mock::LEVER_BASIC,
        ))
}

#[tokio::test]
async fn the_ai_summary_goes_into_a_profile_form_and_a_corrected_email_to_the_contact() {
    let rules = W::rules().map(
        "lever",
        ConnectionMapping::new()
            .contact_updates(true)
            .field(FieldMapping::new(
                Source::ResultsSummary,
                Target::FormField {
                    template: TEMPLATE.into(),
                    field: SUMMARY_FIELD.into(),
                },
            )),
    );
    let w = W::with(Arc::new(MemoryStore::new()), rules, config()).await;
    w.invite().await;
    let mut answered = participant("Received");
    answered["email"] = json!("shane.new@example.com");
    willo_results(&w.willo, answered.clone(), 1).await;

    // The recruiter filled in the template's other field earlier.
    let earlier = json!({
        "id": "form-1", "type": "form", "baseTemplateId": TEMPLATE, "createdAt": 1,
        "fields": [
            {"id": NOTICE_FIELD, "type": "text", "text": "Notice period", "value": "4 weeks"},
            {"id": SUMMARY_FIELD, "type": "textarea", "text": "AI summary", "value": null}
        ]
    });
    let forms = ok(json!({"data": [earlier], "hasNext": false}));
    mount_exactly(
        &w.ats,
        2,
        lever("GET", &format!("/opportunities/{OPP}/forms")).respond_with(forms),
    )
    .await;
    let template = json!({"data": {"id": TEMPLATE, "text": "Willo", "fields": [
        {"id": NOTICE_FIELD, "type": "text", "text": "Notice period"},
        {"id": SUMMARY_FIELD, "type": "textarea", "text": "AI summary"}
    ]}});
    mount_exactly(
        &w.ats,
        1,
        lever("GET", &format!("/form_templates/{TEMPLATE}")).respond_with(ok(template)),
    )
    .await;
    let form = lever_write("POST", "/forms")
        .and(body_json(json!({
            "baseTemplateId": TEMPLATE,
            "fieldValues": [
                {"id": NOTICE_FIELD, "value": "4 weeks"},
                {"id": SUMMARY_FIELD, "value": "Why us?: Keen."}
            ]
        })))
        .respond_with(ok(json!({"data": {"id": "form-2"}})));
    mount_exactly(&w.ats, 1, form).await;
    // The contact is read (to compare, then to keep the other addresses) and updated.
    LeverWorld::candidate_read(&w.ats, PHONE, 2).await;
    let contact = lever("PUT", &format!("/contacts/{CONTACT}"))
        .and(body_json(
            json!({"emails": ["shane.new@example.com", "shane@exampleq3.com"]}),
        ))
        .respond_with(ok(json!({"data": {"id": CONTACT}})));
    mount_exactly(&w.ats, 1, contact).await;
    w.results_written_back(&answered).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, W::wrote_back("completed"));
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}
