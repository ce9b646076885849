//! Webhook subscriptions: `url` and `event` (one per webhook), interviews or all.

use super::*;

pub(super) async fn list_webhooks(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    whole_list(&shared, "/webhooks/", &params, |data| {
        data.webhooks.iter().map(webhook_json).collect()
    })
}

/// `POST /webhooks/`: `url` and `event` required, one event per webhook (willo.md §6).
pub(super) async fn create_webhook(
    State(shared): State<Arc<Shared>>,
    ObjectBody(body): ObjectBody,
) -> Response {
    let Some(url) = text(&body, "url") else {
        return field_error("url", "This field is required.");
    };
    if Url::parse(&url).is_err() {
        return field_error("url", "Enter a valid URL.");
    }
    let Some(event) = text(&body, "event") else {
        return field_error("event", "This field is required.");
    };
    let mut data = lock(&shared.data);
    let webhook = Webhook {
        key: data.generator.hex_key(),
        url,
        event,
        interviews: strings(body.get("interviews")),
        follow_all: body
            .get("follow_all_interviews")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let json = webhook_json(&webhook);
    data.webhooks.push(webhook);
    (StatusCode::CREATED, Json(json)).into_response()
}

pub(super) async fn update_webhook(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    ObjectBody(body): ObjectBody,
) -> Response {
    let mut data = lock(&shared.data);
    let Some(webhook) = data.webhooks.iter_mut().find(|w| w.key == key) else {
        return not_found();
    };
    if let Some(url) = text(&body, "url") {
        webhook.url = url;
    }
    if let Some(event) = text(&body, "event") {
        webhook.event = event;
    }
    if body.contains_key("interviews") {
        webhook.interviews = strings(body.get("interviews"));
    }
    if let Some(all) = body.get("follow_all_interviews").and_then(Value::as_bool) {
        webhook.follow_all = all;
    }
    Json(webhook_json(webhook)).into_response()
}

pub(super) async fn delete_webhook(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
) -> Response {
    let mut data = lock(&shared.data);
    let before = data.webhooks.len();
    data.webhooks.retain(|w| w.key != key);
    if data.webhooks.len() == before {
        return not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}
