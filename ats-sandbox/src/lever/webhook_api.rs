//! Webhooks management: create (with a signature token), list, update, delete.

use super::*;

fn origins(body: &Value) -> Option<Vec<String>> {
    string_array(body.pointer("/configuration/conditions/origins"))
}

/// `GET /webhooks` → `{data: […]}` without `hasNext`, tokens not shown.
pub(super) async fn list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    let items: Vec<Value> = lock(&shared.data)
        .webhooks
        .iter()
        .map(|w| webhook_json(w, false))
        .collect();
    data(json!(items))
}

/// `POST /webhooks` `{url, event, configuration?}` → 201 with the signature token.
pub(super) async fn create_webhook(
    State(shared): State<Arc<Shared>>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "url and event are required");
    };
    let url = body.get("url").and_then(Value::as_str).unwrap_or_default();
    if Url::parse(url).is_err() {
        return error(StatusCode::BAD_REQUEST, "url must be a URL");
    }
    let event = body
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !EVENTS.contains(&event) {
        return error(
            StatusCode::BAD_REQUEST,
            "event is not a Lever webhook event",
        );
    }
    let mut data = lock(&shared.data);
    let now = now_millis();
    let webhook = Webhook {
        id: data.generator.uuid(),
        event: event.to_owned(),
        url: url.to_owned(),
        origins: origins(&body).unwrap_or_default(),
        token: SecretString::from(data.generator.secret(24)),
        created_at: now,
        updated_at: now,
    };
    let json = webhook_json(&webhook, true);
    data.webhooks.push(webhook);
    (StatusCode::CREATED, Json(json!({ "data": json }))).into_response()
}

/// `PUT /webhooks` `{data: [{id, url?, event?, configuration?}]}` → the updated ones.
pub(super) async fn update_webhooks(
    State(shared): State<Arc<Shared>>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(updates) = body
        .as_ref()
        .and_then(|Json(b)| b.get("data"))
        .and_then(Value::as_array)
        .cloned()
    else {
        return error(StatusCode::BAD_REQUEST, "data must be a list of updates");
    };
    let mut data = lock(&shared.data);
    let ids: Vec<&str> = updates
        .iter()
        .map(|u| u.get("id").and_then(Value::as_str).unwrap_or_default())
        .collect();
    if let Some(missing) = ids
        .iter()
        .find(|id| !data.webhooks.iter().any(|w| w.id == **id))
    {
        return not_found("webhooks", missing);
    }
    let now = now_millis();
    let mut updated = Vec::new();
    for (update, id) in updates.iter().zip(ids) {
        let Some(webhook) = data.webhooks.iter_mut().find(|w| w.id == id) else {
            continue;
        };
        if let Some(url) = update.get("url").and_then(Value::as_str) {
            webhook.url = url.to_owned();
        }
        if let Some(event) = update.get("event").and_then(Value::as_str) {
            webhook.event = event.to_owned();
        }
        if let Some(origins) = origins(update) {
            webhook.origins = origins;
        }
        webhook.updated_at = now;
        updated.push(webhook_json(webhook, false));
    }
    self::data(json!(updated))
}

pub(super) async fn delete_webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let mut data = lock(&shared.data);
    let before = data.webhooks.len();
    data.webhooks.retain(|w| w.id != id);
    if data.webhooks.len() == before {
        return not_found("webhooks", &id);
    }
    StatusCode::NO_CONTENT.into_response()
}
