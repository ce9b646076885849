//! `/participants/`: list (filters, pages, resume), invite, get, replace, update,
//! delete, IDV info and media; DRF errors; no blind retry of invites.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use support::*;
use willo_client::{
    Error, InterviewKey, InviteParticipant, Participant, ParticipantFilter, ParticipantInput,
    ParticipantKey,
};
use wiremock::ResponseTemplate;
use wiremock::matchers::{query_param, query_param_is_missing};

fn participant(key: &str, email: &str) -> serde_json::Value {
    json!({"key": key, "name": "Jane Doe", "email": email, "interview": INTERVIEW})
}

/// The 201 a successful invite of Jane answers.
fn jane_created() -> wiremock::ResponseTemplate {
    json(201, participant(PARTICIPANT, "jane@example.com"))
}

#[tokio::test]
async fn list_sends_filters_and_tolerates_unknown_fields() {
    let server = server().await;
    lists_participants(INTERVIEW)
        .once(
            &server,
            listed(json!([{
                "key": PARTICIPANT,
                "name": "Jane Doe",
                "email": "jane@example.com",
                "interview": {"key": INTERVIEW, "title": "Researcher"},
                "stage": {"name": "To Review", "colour": "#fff"},
                "brand_new_field": [1, 2, 3],
                "phone": null
            }])),
        )
        .await;
    let client = client(&server);
    let page = client
        .participants()
        .page(
            ParticipantFilter::new()
                .interview(&InterviewKey::from(INTERVIEW))
                .page_size(500),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.total, Some(1));
    let p = &page.items[0];
    assert_eq!(p.key.as_ref().unwrap().as_str(), PARTICIPANT);
    assert_eq!(p.interview.as_ref().unwrap().as_str(), INTERVIEW);
    assert_eq!(p.phone, None);
    assert_eq!(p.extra["brand_new_field"], json!([1, 2, 3]));
    assert_eq!(p.extra["stage"]["name"], "To Review");
}

/// Mounts three pages chained by absolute `next` links.
async fn mount_three_pages(server: &wiremock::MockServer, page2_hits: u64, page3_hits: u64) {
    let link = |n: u32| {
        format!(
            "{}{ROOT}/participants/?page={n}&interview={INTERVIEW}",
            server.uri()
        )
    };
    call("GET", "/participants/")
        .and(query_param_is_missing("page"))
        .and(query_param("interview", INTERVIEW))
        .respond_with(json(
            200,
            page(
                json!([participant("a1", "a@x.io"), participant("a2", "b@x.io")]),
                Some(link(2)),
            ),
        ))
        .mount(server)
        .await;
    call("GET", "/participants/")
        .and(query_param("page", "2"))
        .and(query_param("interview", INTERVIEW))
        .respond_with(json(
            200,
            page(json!([participant("b1", "c@x.io")]), Some(link(3))),
        ))
        .expect(page2_hits)
        .mount(server)
        .await;
    call("GET", "/participants/")
        .and(query_param("page", "3"))
        .respond_with(listed(json!([participant("c1", "d@x.io")])))
        .expect(page3_hits)
        .mount(server)
        .await;
}

fn keys(items: &[Participant]) -> Vec<&str> {
    items
        .iter()
        .map(|p| p.key.as_ref().unwrap().as_str())
        .collect()
}

#[tokio::test]
async fn streams_three_pages_following_next_links() {
    let server = server().await;
    mount_three_pages(&server, 1, 1).await;
    let client = client(&server);
    let all: Vec<Participant> = client
        .participants()
        .list(ParticipantFilter::new().interview(&InterviewKey::from(INTERVIEW)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(keys(&all), ["a1", "a2", "b1", "c1"]);
}

#[tokio::test]
async fn resumes_from_a_saved_cursor() {
    let server = server().await;
    mount_three_pages(&server, 1, 1).await;
    let client = client(&server);
    let filter = ParticipantFilter::new().interview(&InterviewKey::from(INTERVIEW));
    // Handle the first page, save its cursor, stop.
    let first = client.participants().page(filter, None).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let saved = serde_json::to_string(&first.next.clone().unwrap()).unwrap();
    // Later: resume from the stored cursor; page 1 is not fetched again, and the
    // filters travel inside the cursor.
    let mut cursor = Some(serde_json::from_str(&saved).unwrap());
    let mut rest = Vec::new();
    while let Some(at) = cursor.take() {
        let page = client
            .participants()
            .page(ParticipantFilter::new(), Some(at))
            .await
            .unwrap();
        rest.extend(page.items);
        cursor = page.next;
    }
    assert_eq!(keys(&rest), ["b1", "c1"]);
}

#[tokio::test]
async fn invite_posts_the_confirmed_fields() {
    let server = server().await;
    sends("POST", "/participants/", phoned_invite())
        .once(&server, jane_created())
        .await;
    let created = client(&server)
        .participants()
        .invite(
            &InviteParticipant::new(INTERVIEW, "Jane Doe")
                .email("jane@example.com")
                .phone("+447700900123"),
        )
        .await
        .unwrap();
    assert_eq!(created.key, Some(ParticipantKey::from(PARTICIPANT)));
}

#[tokio::test]
async fn drf_field_errors_become_api_errors_naming_the_field() {
    let server = server().await;
    let body = fixture("participant-invite-400-name-required.json");
    call("POST", "/participants/")
        .once(&server, json(400, body))
        .await;
    let err = client(&server)
        .participants()
        .invite(&InviteParticipant::new(INTERVIEW, ""))
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.status.as_u16(), 400);
    let field = api.field("name").expect("the name field is reported");
    assert_eq!(field.messages, ["This field is required."]);
    assert!(err.to_string().contains("name: This field is required."));
}

#[tokio::test]
async fn invite_is_not_retried_after_a_server_error() {
    let server = server().await;
    call("POST", "/participants/")
        .once(&server, ResponseTemplate::new(500))
        .await;
    let err = client(&server)
        .participants()
        .invite(&InviteParticipant::new(INTERVIEW, "Jane Doe"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn a_guarded_invite_is_retried_after_a_server_error() {
    let server = server().await;
    call("POST", "/participants/")
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    call("POST", "/participants/")
        .once(&server, jane_created())
        .await;
    let created = client(&server)
        .participants()
        .invite_guarded(&InviteParticipant::new(INTERVIEW, "Jane Doe"))
        .await
        .unwrap();
    assert!(created.key.is_some());
}

#[tokio::test]
async fn get_replace_update_delete() {
    let server = server().await;
    let item = format!("/participants/{PARTICIPANT}/");
    call("GET", &item)
        .once(
            &server,
            json(200, participant(PARTICIPANT, "jane@example.com")),
        )
        .await;
    sends(
        "PUT",
        &item,
        json!({"name": "Jane Q. Doe", "email": "jane@example.com"}),
    )
    .once(
        &server,
        json(200, participant(PARTICIPANT, "jane@example.com")),
    )
    .await;
    sends("PATCH", &item, json!({"stage": "accepted"}))
        .once(
            &server,
            json(200, participant(PARTICIPANT, "jane@example.com")),
        )
        .await;
    deleted_once(&server, &item).await;
    let client = client(&server);
    let participants = client.participants();
    let key = ParticipantKey::from(PARTICIPANT);
    let got = participants.get(&key).await.unwrap();
    assert_eq!(got.email.as_deref(), Some("jane@example.com"));
    participants
        .replace(
            &key,
            &ParticipantInput::new()
                .name("Jane Q. Doe")
                .email("jane@example.com"),
        )
        .await
        .unwrap();
    let stage = ParticipantInput::new().field("stage", "accepted");
    participants.update(&key, &stage).await.unwrap();
    participants.delete(&key).await.unwrap();
}

#[tokio::test]
async fn idv_info_and_media() {
    let server = server().await;
    call("GET", &format!("/participants/{PARTICIPANT}/idv-info/"))
        .once(
            &server,
            json(200, json!({"result": "pass", "country": "GB"})),
        )
        .await;
    call("GET", &format!("/participants/{PARTICIPANT}/idv-media/"))
        .once(
            &server,
            json(200, json!({"selfie": "https://cdn.example/s.jpg"})),
        )
        .await;
    let client = client(&server);
    let key = ParticipantKey::from(PARTICIPANT);
    let info = client.participants().idv_info(&key).await.unwrap();
    assert_eq!(info["result"], "pass");
    let media = client.participants().idv_media(&key).await.unwrap();
    assert_eq!(media["selfie"], "https://cdn.example/s.jpg");
}

#[tokio::test]
async fn keys_from_input_cannot_escape_their_path_segment() {
    let server = server().await;
    call("GET", "/participants/..%2Fusers%3Fx/")
        .once(&server, json(200, json!({})))
        .await;
    client(&server)
        .participants()
        .get(&ParticipantKey::from("../users?x"))
        .await
        .unwrap();
}

#[tokio::test]
async fn invites_can_be_paced_separately_from_reads() {
    use std::time::{Duration, Instant};
    use willo_client::{INVITE_CLASS, LimitSpec, RateLimits};

    let server = server().await;
    call("POST", "/participants/")
        .respond_with(json(201, json!({"key": PARTICIPANT})))
        .expect(3)
        .mount(&server)
        .await;
    call("GET", &format!("/participants/{PARTICIPANT}/"))
        .respond_with(json(200, json!({"key": PARTICIPANT})))
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server)
        .limits(RateLimits::unlimited().class(INVITE_CLASS, LimitSpec::default().per_second(4)))
        .build()
        .unwrap();
    let reads = Instant::now();
    for _ in 0..3 {
        client
            .participants()
            .get(&ParticipantKey::from(PARTICIPANT))
            .await
            .unwrap();
    }
    assert!(
        reads.elapsed() < Duration::from_millis(400),
        "reads are not paced"
    );
    let invites = Instant::now();
    for _ in 0..3 {
        client
            .participants()
            .invite(&InviteParticipant::new(INTERVIEW, "Jane Doe"))
            .await
            .unwrap();
    }
    // 4 per second: the third invite waits two 250 ms intervals.
    assert!(
        invites.elapsed() >= Duration::from_millis(450),
        "{:?}",
        invites.elapsed()
    );
}
