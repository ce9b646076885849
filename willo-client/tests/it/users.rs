//! `/users/`: list, invite, get, update, delete (no PUT); unknown roles kept.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{ListParams, UserInput, UserKey, UserRole};

const USER: &str = "d62a87cd963f46a0b6d020947fd1dcf5";

#[tokio::test]
async fn list_and_invite() {
    let server = server().await;
    call("GET", "/users/")
        .once(&server, listed(json!([
                    {"key": USER, "email": "mariecurie@example.com", "full_name": "Marie Curie", "role": "owner"},
                    {"key": "u2", "role": "Super Reviewer", "last_login": null}
                ]))).await;
    sends(
        "POST",
        "/users/",
        json!({"email": "pierre@example.com", "full_name": "Pierre Curie", "role": "standard"}),
    )
    .once(
        &server,
        json(201, json!({"key": "u3", "email": "pierre@example.com"})),
    )
    .await;
    let client = client(&server);
    let page = client.users().page(ListParams::new(), None).await.unwrap();
    assert_eq!(page.items[0].role, Some(UserRole::Owner));
    assert_eq!(page.items[0].full_name.as_deref(), Some("Marie Curie"));
    assert_eq!(
        page.items[1].role,
        Some(UserRole::Other("Super Reviewer".into()))
    );
    let invited = client
        .users()
        .invite(
            &UserInput::new()
                .email("pierre@example.com")
                .full_name("Pierre Curie")
                .role(UserRole::Standard),
        )
        .await
        .unwrap();
    assert_eq!(invited.key, Some(UserKey::from("u3")));
}

#[tokio::test]
async fn get_update_delete() {
    let server = server().await;
    let item = format!("/users/{USER}/");
    call("GET", &item)
        .once(&server, json(200, json!({"key": USER, "role": "admin"})))
        .await;
    sends("PATCH", &item, json!({"role": "admin"}))
        .once(&server, json(200, json!({"key": USER, "role": "admin"})))
        .await;
    deleted_once(&server, &item).await;
    let client = client(&server);
    let key = UserKey::from(USER);
    assert_eq!(
        client.users().get(&key).await.unwrap().role,
        Some(UserRole::Admin)
    );
    let change = UserInput::new().role(UserRole::Admin);
    client.users().update(&key, &change).await.unwrap();
    client.users().delete(&key).await.unwrap();
}
