//! Every example payload in fixtures/lever parses into its model, and
//! no file in that folder is left unchecked.

use crate::support;

use std::collections::BTreeSet;

use client_core::oauth::TokenResponse;
use lever_client::ArchiveReason;
use lever_client::Contact;
use lever_client::Counted;
use lever_client::ListPage;
use lever_client::Posting;
use lever_client::Stage;
use lever_client::User;
use lever_client::Webhook;
use lever_client::webhooks::Delivery;
use lever_client::{CreatedNote, Note};
use lever_client::{CreatedOpportunity, Opportunity};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use support::*;

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Recorded {
    #[allow(dead_code)]
    body: serde_json::Value,
}

fn parses<T: DeserializeOwned>(name: &str) {
    let text = fixture(name);
    serde_json::from_str::<T>(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// `files.composed.json` holds one answer of each of three endpoints.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FilesComposed {
    file: Data<lever_client::File>,
    resume: Data<lever_client::Resume>,
    upload: Data<lever_client::Upload>,
}

type Parser = fn(&str);

const TABLE: &[(&str, Parser)] = &[
    (
        "archive-reason-list.json",
        parses::<ListPage<ArchiveReason>>,
    ),
    (
        "sandbox-archive-reason-list.json",
        parses::<ListPage<ArchiveReason>>,
    ),
    ("contact.json", parses::<Data<Contact>>),
    ("sandbox-contact-get.json", parses::<Data<Contact>>),
    (
        "error.json",
        parses::<serde_json::Map<String, serde_json::Value>>,
    ),
    (
        "error-not-found-requisition-field.json",
        parses::<serde_json::Map<String, serde_json::Value>>,
    ),
    ("note.json", parses::<Data<Note>>),
    ("sandbox-note-get.json", parses::<Data<Note>>),
    ("note-create-request.json", parses::<serde_json::Value>),
    (
        "note-create-response-docs.json",
        parses::<Data<CreatedNote>>,
    ),
    (
        "sandbox-note-create-response.json",
        parses::<Data<CreatedNote>>,
    ),
    ("oauth-token-response.json", parses::<TokenResponse>),
    ("oauth-refresh-response.json", parses::<TokenResponse>),
    ("opportunity.json", parses::<Data<Opportunity>>),
    ("sandbox-opportunity-get.json", parses::<Data<Opportunity>>),
    (
        "opportunity-list-page.json",
        parses::<ListPage<Opportunity>>,
    ),
    (
        "sandbox-opportunity-list-page-truncated.json",
        parses::<ListPage<Opportunity>>,
    ),
    (
        "sandbox-opportunity-list-last-page-truncated.json",
        parses::<ListPage<Opportunity>>,
    ),
    (
        "sandbox-opportunities-deleted-empty.json",
        parses::<ListPage<Opportunity>>,
    ),
    (
        "sandbox-opportunity-create-request.json",
        parses::<Recorded>,
    ),
    (
        "sandbox-opportunity-create-response.json",
        parses::<CreatedOpportunity>,
    ),
    (
        "sandbox-opportunity-stage-update-request.json",
        parses::<Recorded>,
    ),
    (
        "sandbox-opportunity-stage-update-response.json",
        parses::<Data<Opportunity>>,
    ),
    (
        "sandbox-opportunity-add-tags-request.json",
        parses::<Recorded>,
    ),
    (
        "sandbox-opportunity-archive-response.json",
        parses::<Data<Opportunity>>,
    ),
    ("posting.json", parses::<Data<Posting>>),
    ("sandbox-posting-get.json", parses::<Data<Posting>>),
    ("stage.json", parses::<Data<Stage>>),
    ("stage-list.json", parses::<ListPage<Stage>>),
    ("sandbox-stage-list.json", parses::<ListPage<Stage>>),
    ("tag-list.json", parses::<ListPage<Counted>>),
    ("sandbox-tag-list.json", parses::<ListPage<Counted>>),
    ("source-list.json", parses::<ListPage<Counted>>),
    ("sandbox-source-list.json", parses::<ListPage<Counted>>),
    ("user.json", parses::<Data<User>>),
    ("user-list.json", parses::<ListPage<User>>),
    ("sandbox-user-get.json", parses::<Data<User>>),
    ("webhook-list.json", parses::<Data<Vec<Webhook>>>),
    ("sandbox-webhook-list.json", parses::<Data<Vec<Webhook>>>),
    (
        "sandbox-webhook-create-response.json",
        parses::<Data<Webhook>>,
    ),
    (
        "webhook-create-response-docs.json",
        parses::<Data<Data<Webhook>>>,
    ),
    ("webhook-create-request.json", parses::<serde_json::Value>),
    (
        "webhook-update-request.json",
        parses::<Data<Vec<serde_json::Value>>>,
    ),
    ("webhook-candidate-stage-change.json", parses::<Delivery>),
    (
        "webhook-test-request-candidate-hired.json",
        parses::<Delivery>,
    ),
    (
        "webhook-signature-test-vector.computed.json",
        parses::<serde_json::Value>,
    ),
    (
        "sandbox-application-get.json",
        parses::<Data<lever_client::Application>>,
    ),
    (
        "sandbox-feedback-create-response.json",
        parses::<Data<lever_client::Feedback>>,
    ),
    (
        "sandbox-feedback-template-create-request.json",
        parses::<serde_json::Map<String, serde_json::Value>>,
    ),
    (
        "sandbox-feedback-template-create-response.json",
        parses::<Data<lever_client::FeedbackTemplate>>,
    ),
    (
        "sandbox-interview-get.json",
        parses::<Data<lever_client::Interview>>,
    ),
    (
        "sandbox-panel-create-request.json",
        parses::<serde_json::Map<String, serde_json::Value>>,
    ),
    (
        "sandbox-panel-create-response.json",
        parses::<Data<lever_client::Panel>>,
    ),
    (
        "offer-list.composed.json",
        parses::<ListPage<lever_client::Offer>>,
    ),
    (
        "profile-form.composed.json",
        parses::<Data<lever_client::ProfileForm>>,
    ),
    ("files.composed.json", parses::<FilesComposed>),
    (
        "sandbox-requisition-create-request.json",
        parses::<serde_json::Map<String, serde_json::Value>>,
    ),
    (
        "sandbox-requisition-create-response.json",
        parses::<Data<lever_client::Requisition>>,
    ),
    (
        "sandbox-posting-apply-questions.json",
        parses::<Data<lever_client::ApplyQuestions>>,
    ),
    (
        "sandbox-posting-apply-response.json",
        parses::<Data<lever_client::Applied>>,
    ),
    (
        "sandbox-posting-update-response.json",
        parses::<Data<Posting>>,
    ),
    ("sandbox-user-create-response.json", parses::<Data<User>>),
    (
        "sandbox-user-deactivate-response.json",
        parses::<Data<User>>,
    ),
    (
        "audit-event-list.composed.json",
        parses::<ListPage<lever_client::AuditEvent>>,
    ),
];

#[test]
fn every_example_parses() {
    for (name, parse) in TABLE {
        parse(name);
    }
}

#[test]
fn no_example_is_left_out() {
    let dir = fixture_path("");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    let covered: BTreeSet<String> = TABLE.iter().map(|(n, _)| n.to_string()).collect();
    let missing: Vec<_> = on_disk.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "fixtures without a parse check: {missing:?}"
    );
}

#[test]
fn both_archive_shapes_are_understood() {
    let docs: Data<Opportunity> = serde_json::from_str(&fixture("opportunity.json")).unwrap();
    assert_eq!(docs.data.archived_state(), None);
    let real: Data<Opportunity> =
        serde_json::from_str(&fixture("sandbox-opportunity-archive-response.json")).unwrap();
    assert_eq!(
        real.data.archived_state().unwrap().archived_at,
        Some(1782973996415)
    );
    let legacy: Opportunity = serde_json::from_value(serde_json::json!({
        "id": "o1", "archivedAt": 5, "archiveReason": "r1"
    }))
    .unwrap();
    let state = legacy.archived_state().unwrap();
    assert_eq!(state.archived_at, Some(5));
    assert_eq!(state.reason.unwrap().as_str(), "r1");
}

#[test]
fn vendor_drift_never_fails_a_record() {
    let drifted: Opportunity = serde_json::from_value(serde_json::json!({
        "id": "o1",
        "origin": "partner-portal",
        "confidentiality": "top-secret",
        "followers": ["u1", {"id": "u2", "name": "Expanded"}, {"unexpected": true}],
        "phones": null,
        "brandNewField": {"x": 1}
    }))
    .unwrap();
    assert_eq!(
        drifted.origin,
        Some(lever_client::Origin::Other("partner-portal".into()))
    );
    assert_eq!(drifted.followers[0].id().unwrap().as_str(), "u1");
    assert_eq!(
        drifted.followers[1].object().unwrap().name.as_deref(),
        Some("Expanded")
    );
    assert!(matches!(
        drifted.followers[2],
        lever_client::Expandable::Raw(_)
    ));
    assert!(drifted.phones.is_empty());
    assert_eq!(drifted.extra["brandNewField"]["x"], 1);
}
