//! Lever: postings carry every attribute in the listing (categories, country,
//! workplace type, tags), and interview tags follow Willo's interview list as it
//! changes, without a restart.
#![cfg(feature = "lever")]

use std::sync::Arc;

use ats_bridge::rules::Rules;
use ats_bridge::store::MemoryStore;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::{INTERVIEW_A, INTERVIEW_B, dry_run, would_invite};
use crate::support::engine_setup::engine_over;
use crate::support::mock_server::{mount_exactly, ok, strict_server};
use crate::support::world::VendorWorld;
use crate::support::world::lever::{LeverWorld, lever_get};

const STAGE: &str = "phone-screen";
const KITCHEN: &str = "2f3159b797915150c239f2468d660dc0";
const PORTER: &str = "3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d";

fn rules() -> Rules {
    Rules::from_toml(&format!(
        r#"
        [[interview_tags]]
        ats = "lever"
        account = "Acme"
        stages = ["{STAGE}"]

        [[trigger]]
        ats = "lever"
        stages = ["{STAGE}"]
        interview = "{INTERVIEW_A}"
        [trigger.when]
        employment_type = "Full-time"
        remote = true
        custom = {{ team = "Care" }}

        [[trigger]]
        ats = "lever"
        stages = ["{STAGE}"]
        interview = "{INTERVIEW_B}"
        "#
    ))
    .unwrap()
}

fn posting(id: &str, tags: &[&str], commitment: &str, workplace: &str) -> Value {
    json!({
        "id": id, "text": "Nurse", "state": "published", "tags": tags,
        "categories": {"commitment": commitment, "team": "Care", "location": "Leeds", "level": null},
        "country": "GB", "workplaceType": workplace
    })
}

fn opportunity(id: &str) -> Value {
    json!({"id": id, "name": "Ada Lovelace", "emails": ["ada@example.com"], "contact": format!("contact-{id}")})
}

/// Willo's interview list, answered `times` times.
async fn interviews(willo: &wiremock::MockServer, list: Value, times: u64) {
    let listing = Mock::given(method("GET"))
        .and(path("/api/integrations/v2/interviews/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "count": list.as_array().map_or(0, Vec::len), "next": null, "previous": null,
            "results": list
        })));
    mount_exactly(willo, times, listing).await;
}

#[tokio::test]
async fn tags_select_their_interview_before_the_triggers_and_follow_willos_interviews() {
    let server = strict_server().await;
    mount_exactly(
        &server,
        3,
        lever_get("/postings", &[]).respond_with(ok(json!({
            "data": [
                posting("p-tag", &["Willo:Kitchen:Acme"], "Part-time", "onsite"),
                posting("p-remote", &[], "Full-time", "remote"),
                posting("p-onsite", &["Willo:Porter-Acme"], "Full-time", "onsite"),
                posting("p-two", &["Willo:Kitchen-Acme", "Willo:Porter-Acme"], "Part-time", "onsite")
            ],
            "hasNext": false
        }))),
    )
    .await;
    // Every posting is listed at the stage on each of the three passes, except the
    // one tagged for two interviews while both exist (pass 2): which one was meant
    // cannot be told, so nothing is sent for it.
    for (posting, passes) in [("p-tag", 3), ("p-remote", 3), ("p-onsite", 3), ("p-two", 2)] {
        mount_exactly(
            &server,
            passes,
            lever_get(
                "/opportunities",
                &[
                    ("posting_id", posting),
                    ("stage_id", STAGE),
                    ("archived", "false"),
                ],
            )
            .respond_with(ok(
                json!({"data": [opportunity(&format!("o-{posting}"))], "hasNext": false}),
            )),
        )
        .await;
    }
    let willo = strict_server().await;
    // Kitchen exists (an untitled interview has no tag); then Porter is created; then
    // Kitchen is deleted.
    let kitchen = json!({"key": KITCHEN, "title": "Kitchen"});
    let porter = json!({"key": PORTER, "title": "Porter"});
    interviews(
        &willo,
        json!([kitchen, {"key": INTERVIEW_A, "title": ""}]),
        1,
    )
    .await;
    interviews(&willo, json!([kitchen, porter]), 1).await;
    interviews(&willo, json!([porter]), 1).await;
    let engine = engine_over(
        &willo,
        Arc::new(MemoryStore::new()),
        LeverWorld::adapter(&server),
        rules(),
    )
    .config(dry_run())
    .build()
    .unwrap();

    let report = engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let first = would_invite(&engine);
    assert_eq!(
        first,
        [
            ("o-p-tag".to_owned(), KITCHEN.to_owned()),
            ("o-p-remote".to_owned(), INTERVIEW_A.to_owned()),
            ("o-p-onsite".to_owned(), INTERVIEW_B.to_owned()),
            ("o-p-two".to_owned(), KITCHEN.to_owned()),
        ]
        .into(),
        "the colon form selects Kitchen; Porter has no interview yet"
    );

    // Interviews changed in Willo: read again on demand (as on the interval), and
    // the next pass follows the tags with no restart.
    let new = |before: &std::collections::BTreeSet<(String, String)>| {
        let now = would_invite(&engine);
        let added: Vec<_> = now.difference(before).cloned().collect();
        (now, added)
    };
    assert_eq!(engine.refresh_interviews().await.unwrap(), 2);
    engine.reconcile().await.unwrap();
    let (second, added) = new(&first);
    assert_eq!(added, vec![("o-p-onsite".to_owned(), PORTER.to_owned())]);

    assert_eq!(engine.refresh_interviews().await.unwrap(), 1);
    engine.reconcile().await.unwrap();
    let (_, added) = new(&second);
    assert_eq!(
        added,
        vec![
            ("o-p-tag".to_owned(), INTERVIEW_B.to_owned()),
            ("o-p-two".to_owned(), PORTER.to_owned()),
        ],
        "Kitchen's tags select nothing any more: the triggers decide, or Porter's tag"
    );
}
