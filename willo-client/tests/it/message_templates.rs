//! `/message-templates/`: list, create, get, replace, update, delete; unknown kinds kept.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{ListParams, MessageKind, MessageTemplateInput, MessageTemplateKey};

const TPL: &str = "9a8b7c6d5e4f30211203f4e5d6c7b8a9";

#[tokio::test]
async fn list_keeps_unknown_kinds() {
    let server = server().await;
    call("GET", "/message-templates/")
        .once(
            &server,
            listed(json!([
                {"key": TPL, "name": "Invite", "type": "invite", "subject": "Hi"},
                {"key": "t2", "type": "sms_nudge"},
                {"key": "t3", "type": 7}
            ])),
        )
        .await;
    let page = client(&server)
        .message_templates()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].kind, Some(MessageKind::Invite));
    assert_eq!(page.items[0].extra["subject"], "Hi");
    assert_eq!(
        page.items[1].kind,
        Some(MessageKind::Other("sms_nudge".into()))
    );
    assert_eq!(page.items[2].kind, Some(MessageKind::Other("7".into())));
}

#[tokio::test]
async fn create_get_replace_update_delete() {
    let server = server().await;
    let item = format!("/message-templates/{TPL}/");
    let body = json!({"key": TPL, "name": "Reminder", "type": "reminder"});
    lifecycle(
        &server,
        "/message-templates/",
        &item,
        &body,
        Sent {
            create: json!({"name": "Reminder", "type": "reminder", "body": "Don't forget"}),
            replace: json!({"name": "Reminder 2", "type": "reminder"}),
            update: json!({"name": "Gentle reminder"}),
        },
    )
    .await;
    let client = client(&server);
    let templates = client.message_templates();
    let input = MessageTemplateInput::new()
        .name("Reminder")
        .kind(MessageKind::Reminder)
        .field("body", "Don't forget");
    let created = templates.create(&input).await.unwrap();
    assert_eq!(created.kind, Some(MessageKind::Reminder));
    let key = MessageTemplateKey::from(TPL);
    templates.get(&key).await.unwrap();
    let whole = MessageTemplateInput::new()
        .name("Reminder 2")
        .kind(MessageKind::Reminder);
    templates.replace(&key, &whole).await.unwrap();
    let change = MessageTemplateInput::new().name("Gentle reminder");
    templates.update(&key, &change).await.unwrap();
    templates.delete(&key).await.unwrap();
}
