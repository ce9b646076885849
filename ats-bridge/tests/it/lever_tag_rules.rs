//! Lever tag rules built from the Willo interviews that exist: postings tagged
//! `Willo:<interview title>-<account>` send that interview, stale tags send nothing.
#![cfg(feature = "lever")]

use std::time::Duration;

use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::{InterviewKey, JobId};
use ats_bridge::rules::Rules;
use client_core::{RetryPolicy, SecretString};
use lever_client::LeverClient;
use serde_json::json;
use willo_client::WilloClient;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NURSE: &str = "1e2048a686804049b128f1357c559cbf";
const KITCHEN: &str = "2f3159b797915150c239f2468d660dc0";

#[tokio::test]
async fn postings_tagged_for_live_interviews_become_triggers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/integrations/v2/interviews/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": 3, "next": null, "previous": null,
            "results": [
                {"key": NURSE, "title": "Nurse screening"},
                {"key": KITCHEN, "title": "Kitchen"},
                {"key": "3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d", "title": ""}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/postings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "p1", "text": "Nurse", "state": "published", "tags": ["Willo:Nurse screening-Acme"]},
                {"id": "p2", "text": "Porter", "state": "published", "tags": ["Willo:Deleted interview-Acme"]},
                {"id": "p3", "text": "Chef", "state": "internal", "tags": ["Willo:Kitchen-Acme", "Full-time"]},
                {"id": "p4", "text": "Cook", "state": "published", "tags": ["Willo:Kitchen-Other account"]},
                {"id": "p5", "text": "Nurse", "state": "published", "tags": ["Willo:Nurse screening:Acme", "Willo:Nurse screening-Acme"]}
            ],
            "hasNext": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        jitter: false,
        ..RetryPolicy::default()
    };
    let willo = WilloClient::builder()
        .api_key(SecretString::from("k"))
        .base_url(format!("{}/api/integrations/v2", server.uri()))
        .retry_policy(retry.clone())
        .build()
        .unwrap();
    let lever = LeverAts::new(
        LeverClient::builder()
            .base_url(format!("{}/v1", server.uri()))
            .api_key(SecretString::from("lever-key"))
            .retry_policy(retry)
            .build()
            .unwrap(),
        LeverAtsConfig::new("user"),
    );

    let pairs = lever.interview_tag_rules(&willo, "Acme").await.unwrap();
    assert_eq!(
        pairs,
        vec![
            (JobId::from("p1"), InterviewKey::from(NURSE)),
            (JobId::from("p3"), InterviewKey::from(KITCHEN)),
            (JobId::from("p5"), InterviewKey::from(NURSE)),
        ],
        "a tag of a deleted interview or another account maps to nothing; the colon \
         form counts, and a posting with both forms maps once"
    );
    let rules = Rules::new().triggers_for_jobs("lever", ["phone-screen"], pairs);
    rules.validate().unwrap();
    let at = |posting: &str| {
        rules
            .interview_for(&"lever".into(), &posting.into(), &"phone-screen".into())
            .map(|k| k.as_str().to_owned())
    };
    assert_eq!(at("p1").as_deref(), Some(NURSE));
    assert_eq!(at("p2"), None);
    assert_eq!(at("p3").as_deref(), Some(KITCHEN));
    assert_eq!(at("p5").as_deref(), Some(NURSE));
}
