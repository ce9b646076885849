//! Profile forms, profile form templates and offers.

use crate::support;

use futures::TryStreamExt;
use lever_client::{
    FieldValue, FormField, FormId, FormTemplateId, NewProfileForm, NewTemplate, OfferDocumentKind,
    OfferId, OfferStatus, OpportunityId, UserId,
};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header};

#[tokio::test]
async fn profile_forms_create_with_optional_perform_as_list_and_get() {
    let server = server().await;
    let base = format!("/v1/opportunities/{OPP}/forms");
    let form = "2f1e9a3b-5c4d-4e6f-8a7b-9c0d1e2f3a4b";
    as_key_user("POST", base.clone())
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "baseTemplateId": "f9d41b08-372b-4c49-9974-7765174013cc",
            "fieldValues": [{"id": "22f7c00b-de3a-41b8-942b-05c7453327a1", "value": "4 weeks"}],
            "secret": false
        })))
        .once(&server, json_response(201, "profile-form.composed.json"))
        .await;
    let recorded = fixture_json("profile-form.composed.json");
    as_key_user("GET", base.clone())
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("{base}/{form}"))
        .once(&server, json_response(200, "profile-form.composed.json"))
        .await;
    let lever = client(&server);
    let forms = lever.forms(&OpportunityId::from(OPP));
    let created = forms
        .create(
            &NewProfileForm::new(
                FormTemplateId::from("f9d41b08-372b-4c49-9974-7765174013cc"),
                vec![FieldValue::new(
                    "22f7c00b-de3a-41b8-942b-05c7453327a1",
                    "4 weeks",
                )],
            )
            .secret(false),
        )
        .perform_as(&UserId::from(USER))
        .await
        .unwrap();
    assert_eq!(created.fields[0].value, json!("4 weeks"));
    let all: Vec<_> = forms.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let one = forms.get(&FormId::from(form)).await.unwrap();
    assert_eq!(one.kind.as_deref(), Some("form"));
}

/// Profile form templates have the feedback templates' shape and calls, at
/// `/form_templates`.
#[tokio::test]
async fn form_templates_use_their_own_path() {
    let server = server().await;
    let id = "f9d41b08-372b-4c49-9974-7765174013cc";
    as_key_user("POST", "/v1/form_templates")
        .and(body_json(json!({
            "text": "Candidate details",
            "fields": [{"type": "text", "text": "Notice period"}]
        })))
        .once(
            &server,
            json_response(201, "sandbox-feedback-template-create-response.json"),
        )
        .await;
    as_key_user("GET", "/v1/form_templates")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"data": [], "hasNext": false})),
        )
        .await;
    as_key_user("DELETE", format!("/v1/form_templates/{id}"))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let templates = lever.form_templates();
    let created = templates
        .create(&NewTemplate::new(
            "Candidate details",
            vec![FormField::new("text", "Notice period")],
        ))
        .await
        .unwrap();
    assert_eq!(created.id.as_str(), id);
    let all: Vec<_> = templates.list().try_collect().await.unwrap();
    assert!(all.is_empty());
    templates.delete(&FormTemplateId::from(id)).await.unwrap();
}

#[tokio::test]
async fn offers_list_and_download_a_document() {
    let server = server().await;
    let offer = "9e6b3f2c-1d7a-4a55-8a0e-3f4c1b2d6e71";
    as_key_user("GET", format!("/v1/opportunities/{OPP}/offers"))
        .once(&server, json_response(200, "offer-list.composed.json"))
        .await;
    as_key_user(
        "GET",
        format!("/v1/opportunities/{OPP}/offers/{offer}/download"),
    )
    .and(QueryIs(vec![("status", "signed")]))
    .and(header("accept", "*/*"))
    .once(
        &server,
        ResponseTemplate::new(200)
            .insert_header(
                "content-disposition",
                "attachment; filename=\"offer-signed.pdf\"",
            )
            .set_body_raw(b"%PDF-1.4 offer".to_vec(), "application/pdf"),
    )
    .await;
    let lever = client(&server);
    let offers = lever.offers(&OpportunityId::from(OPP));
    let all: Vec<_> = offers.list().try_collect().await.unwrap();
    assert_eq!(all[0].status, Some(OfferStatus::Signed));
    assert_eq!(
        all[0].fields[0].identifier.as_deref(),
        Some("salary_amount")
    );
    assert_eq!(all[0].fields[0].value, json!(120000));
    assert_eq!(
        all[0]
            .signed_document
            .as_ref()
            .unwrap()
            .file_name
            .as_deref(),
        Some("offer-signed.pdf")
    );
    assert!(all[0].extra.contains_key("approvedAt"));
    let file = offers
        .download(&OfferId::from(offer), OfferDocumentKind::Signed)
        .await
        .unwrap();
    assert_eq!(file.bytes.as_ref(), b"%PDF-1.4 offer");
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(file.file_name.as_deref(), Some("offer-signed.pdf"));
}
