//! The Webhooks API: subscriptions, the `X-Hook-Secret` activation handshake, secret keys, and the signed deliveries.

use super::*;

/// Send `event` about (candidate, job) to every active subscription that asked for
/// it: `{job_id, candidate_id, application_id}` with a `Link` to the application.
pub(super) fn emit(shared: &Shared, event: &str, candidate: &str, job: &str) {
    let application = {
        let data = lock(&shared.data);
        data.application(candidate, job).map(|a| a.id.clone())
    };
    let Some(application) = application else {
        return;
    };
    let body = json!({
        "job_id": job,
        "candidate_id": candidate,
        "application_id": application,
    });
    let link = format!(
        "<{}/candidates/{candidate}/jobs/{job}>; rel=self",
        shared.base_url
    );
    emit_body(shared, event, &body, Some(&link));
}

/// Send `event` with `body` to every active subscription that asked for it, signed
/// with each subscription's keys; `link` is absent for `*.deleted` events
/// (smartrecruiters.md §6.4).
pub(super) fn emit_body(shared: &Shared, event: &str, body: &Value, link: Option<&str>) {
    let body = serde_json::to_vec(body).unwrap_or_default();
    let deliveries: Vec<Outgoing> = {
        let mut data = lock(&shared.data);
        let targets: Vec<(String, Vec<SecretString>)> = data
            .subscriptions
            .iter()
            .filter(|s| s.active && s.events.iter().any(|e| e == event))
            .map(|s| (s.callback_url.clone(), s.secrets.clone()))
            .collect();
        targets
            .into_iter()
            .map(|(url, secrets)| {
                let mut delivery = TestDelivery::new(event, body.clone(), now_secs());
                if let Some(link) = link {
                    delivery = delivery.link(link);
                }
                delivery.event_id = data.generator.uuid();
                delivery.event_version = EVENT_VERSION.to_owned();
                Outgoing {
                    url,
                    headers: signed_headers(&delivery, &secrets),
                    body: delivery.body,
                }
            })
            .collect()
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
}

/// The delivery's headers, signed with every key; unsigned (no signature or
/// timestamp header) while the subscription has no key.
fn signed_headers(delivery: &TestDelivery, secrets: &[SecretString]) -> HeaderMap {
    let refs: Vec<&SecretString> = secrets.iter().collect();
    let mut headers = delivery.sign_with_all(&refs).headers;
    if secrets.is_empty() {
        headers.remove(SIGNATURE_HEADER);
        headers.remove(TIMESTAMP_HEADER);
    }
    headers
}

/// `POST …/subscriptions`: `callbackUrl` and `events` required → 201, inactive.
pub(super) async fn create_subscription(
    State(shared): State<Arc<Shared>>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let Some(callback_url) = text(&body, "callbackUrl").filter(|u| Url::parse(u).is_ok()) else {
        return error(StatusCode::BAD_REQUEST, "callbackUrl must be a URL");
    };
    let events = string_list(&body, "events");
    if events.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "events must name at least one event",
        );
    }
    let mut data = lock(&shared.data);
    if data.subscriptions.len() >= MAX_SUBSCRIPTIONS {
        return error(
            StatusCode::BAD_REQUEST,
            "A user can register up to 20 subscriptions",
        );
    }
    let subscription = Subscription {
        id: data.generator.uuid(),
        callback_url,
        events,
        active: false,
        secrets: Vec::new(),
    };
    let json = subscription_json(&subscription);
    data.subscriptions.push(subscription);
    (StatusCode::CREATED, Json(json)).into_response()
}

/// `GET …/subscriptions`: a JSON array (smartrecruiters.md §2).
pub(super) async fn list_subscriptions(State(shared): State<Arc<Shared>>) -> Response {
    let data = lock(&shared.data);
    let items: Vec<Value> = data.subscriptions.iter().map(subscription_json).collect();
    Json(Value::Array(items)).into_response()
}

pub(super) async fn get_subscription(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.subscriptions.iter().find(|s| s.id == id) {
        Some(s) => Json(subscription_json(s)).into_response(),
        None => not_found("Subscription"),
    }
}

pub(super) async fn delete_subscription(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let mut data = lock(&shared.data);
    let before = data.subscriptions.len();
    data.subscriptions.retain(|s| s.id != id);
    if data.subscriptions.len() == before {
        return not_found("Subscription");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `PUT …/activation`: POST `X-Hook-Secret` to the callback; an answer 200 echoing it
/// activates the subscription (204). Anything else leaves it inactive: 400 (the
/// sandbox's choice of code; smartrecruiters.md §6.3 documents only the success).
pub(super) async fn activate(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let (url, secret) = {
        let mut data = lock(&shared.data);
        let Some(url) = data
            .subscriptions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.callback_url.clone())
        else {
            return not_found("Subscription");
        };
        (url, data.generator.secret(16))
    };
    let answer = shared
        .deliverer
        .http()
        .post(&url)
        .header(HOOK_SECRET_HEADER, &secret)
        .timeout(shared.deliverer.timeout())
        .send()
        .await;
    let echoed = answer.as_ref().is_ok_and(|r| {
        r.status() == StatusCode::OK
            && r.headers()
                .get(HOOK_SECRET_HEADER)
                .is_some_and(|v| v.as_bytes() == secret.as_bytes())
    });
    if !echoed {
        return error(
            StatusCode::BAD_REQUEST,
            "The callback did not answer 200 echoing X-Hook-Secret",
        );
    }
    let mut data = lock(&shared.data);
    match data.subscriptions.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            s.active = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found("Subscription"),
    }
}

/// `POST …/secret-key`: a new signing key; older keys keep signing too (rotation).
pub(super) async fn generate_secret(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let mut data = lock(&shared.data);
    let key = data.generator.secret(16);
    let Some(subscription) = data.subscriptions.iter_mut().find(|s| s.id == id) else {
        return not_found("Subscription");
    };
    subscription.secrets.push(SecretString::from(key.clone()));
    (StatusCode::CREATED, Json(json!({ "secretKey": key }))).into_response()
}

/// `GET …/secret-key`: the latest key.
pub(super) async fn get_secret(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    use client_core::ExposeSecret as _;
    let data = lock(&shared.data);
    match data
        .subscriptions
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.secrets.last())
    {
        Some(key) => Json(json!({ "secretKey": key.expose_secret() })).into_response(),
        None => not_found("Secret key"),
    }
}
