//! `/interviews/`: list with filters (department, owner, search, ordering, page size
//! clamped to 1..=30), create, get, replace, update, delete.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use support::*;
use willo_client::{
    DepartmentKey, Interview, InterviewFilter, InterviewInput, InterviewKey, UserKey,
};
use wiremock::matchers::query_param;

#[tokio::test]
async fn list_with_every_filter_parses_the_documented_example() {
    let server = server().await;
    call("GET", "/interviews/")
        .and(query_param("department", "dept1"))
        .and(query_param("owner", "d62a87cd963f46a0b6d020947fd1dcf5"))
        .and(query_param("search", "researcher"))
        .and(query_param("ordering", "-title,key"))
        .and(query_param("page_size", "30"))
        .once(
            &server,
            json(200, fixture("interviews-list-response.partial.json")),
        )
        .await;
    let page = client(&server)
        .interviews()
        .page(
            InterviewFilter::new()
                .department(&DepartmentKey::from("dept1"))
                .owner(&UserKey::from("d62a87cd963f46a0b6d020947fd1dcf5"))
                .search("researcher")
                .ordering("-title,key")
                .page_size(1000),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.total, Some(1));
    assert_eq!(page.next, None);
    let interview = &page.items[0];
    assert_eq!(interview.key, Some(InterviewKey::from(INTERVIEW)));
    assert_eq!(interview.title.as_deref(), Some("Researcher"));
    let owner = interview.owner.as_ref().unwrap();
    assert_eq!(owner.email.as_deref(), Some("mariecurie@example.com"));
    assert_eq!(
        owner.full_name, None,
        "the truncated fixture has no full name"
    );
}

#[tokio::test]
async fn page_size_zero_is_clamped_to_one() {
    let server = server().await;
    call("GET", "/interviews/")
        .and(query_param("page_size", "1"))
        .once(
            &server,
            listed(json!([{"key": INTERVIEW, "owner": "u1", "questions": []}])),
        )
        .await;
    let all: Vec<Interview> = client(&server)
        .interviews()
        .list(InterviewFilter::new().page_size(0))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all[0].owner.as_ref().unwrap().key,
        Some(UserKey::from("u1"))
    );
    assert_eq!(all[0].extra["questions"], json!([]));
}

#[tokio::test]
async fn create_get_replace_update_delete() {
    let server = server().await;
    let item = format!("/interviews/{INTERVIEW}/");
    let body = json!({"key": INTERVIEW, "title": "Researcher", "department": {"key": "dept1"}});
    lifecycle(
        &server,
        "/interviews/",
        &item,
        &body,
        Sent {
            create: json!({"title": "Researcher", "department": "dept1"}),
            replace: json!({"title": "Senior Researcher", "department": "dept1"}),
            update: json!({"title": "Lab Lead"}),
        },
    )
    .await;
    let client = client(&server);
    let interviews = client.interviews();
    let input = InterviewInput::new()
        .title("Researcher")
        .department(DepartmentKey::from("dept1"));
    let created = interviews.create(&input).await.unwrap();
    assert_eq!(created.department, Some(DepartmentKey::from("dept1")));
    let key = InterviewKey::from(INTERVIEW);
    interviews.get(&key).await.unwrap();
    let whole = input.title("Senior Researcher");
    interviews.replace(&key, &whole).await.unwrap();
    let change = InterviewInput::new().title("Lab Lead");
    interviews.update(&key, &change).await.unwrap();
    interviews.delete(&key).await.unwrap();
}
