//! The admin HTTP API: connections managed at runtime over JSON, behind a bearer
//! token (feature `axum`). Documented in the crate README ("Connections").
//!
//! | Method and path | Does |
//! |---|---|
//! | `GET /admin/connections` | the live connections |
//! | `POST /admin/connections` | add one (`NewConnection` as JSON) → 201 |
//! | `GET /admin/connections/{id}` | one connection |
//! | `PUT /admin/connections/{id}` | replace its settings (`ConnectionConfig`) |
//! | `PUT /admin/connections/{id}/secrets` | replace its secrets (`ConnectionSecrets`) |
//! | `POST /admin/connections/{id}/pause` | pause (`{"reason": …}` optional) |
//! | `POST /admin/connections/{id}/resume` | resume |
//! | `DELETE /admin/connections/{id}?ledger=keep_ids\|erase&webhooks=keep\|unregister` | remove, erasing credentials, inbox and cursors; with `webhooks=unregister` (and a [`WebhookRegistrar`]) its webhooks are removed from its vendor accounts first, and if that fails the connection stays (502, with what was removed) |
//! | `GET /admin/connections/{id}/status` | state, reason, which secrets are stored (names and key ids only); with a [`Fleet`], its work too (`work`: rows per state, inbox backlog, last reconcile, errors, credential outages) |
//! | `GET /admin/fleet` | with a [`Fleet`]: every connection's work status and the totals ([`FleetStatus`](super::FleetStatus)) |
//! | `POST /admin/connections/{id}/oauth/{account}` | the consent URL to send the customer to |
//! | `POST /admin/connections/{id}/webhooks` | with a [`WebhookRegistrar`]: register its webhooks at `/webhooks/{id}/{source}` in its own vendor accounts and store their secrets; what was done per source ([`ConnectionWebhooks`](super::ConnectionWebhooks)) |
//! | `DELETE /admin/connections/{id}/webhooks` | with a [`WebhookRegistrar`]: remove its webhooks at `/webhooks/{id}/{source}` (any host) from its vendor accounts, no other connection's; what was removed per source ([`ConnectionUnregistered`]); a vendor refusing → 502 naming the source, with what was removed before |
//!
//! Answers never contain a secret. Errors are `{"error": code, "message": …}`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use client_core::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::oauth::{ConnectError, OAuthConnect};
use super::{
    ConnectionConfig, ConnectionError, ConnectionId, ConnectionManager, ConnectionSecrets,
    ConnectionUnregistered, Fleet, LedgerErasure, NewConnection, Removal, WebhookRegistrar,
    WebhookRegistrationError, WebhookUnregistrationError,
};
use crate::store::StoreError;

/// The admin API's settings; [`AdminApi::router`] mounts it.
#[derive(Debug, Clone)]
pub struct AdminApi {
    manager: ConnectionManager,
    token_digest: [u8; 32],
    oauth: Option<Arc<OAuthConnect>>,
    fleet: Option<Fleet>,
    registrar: Option<WebhookRegistrar>,
}

impl AdminApi {
    /// Manage `manager`'s connections for callers presenting `Authorization: Bearer
    /// <token>` (a long random value from the operator's secret store).
    pub fn new(manager: ConnectionManager, token: &SecretString) -> Self {
        Self {
            manager,
            token_digest: Sha256::digest(token.expose_secret().as_bytes()).into(),
            oauth: None,
            fleet: None,
            registrar: None,
        }
    }

    /// Serve `POST` and `DELETE /admin/connections/{id}/webhooks` with `registrar`,
    /// and `DELETE /admin/connections/{id}?webhooks=unregister`.
    pub fn webhooks(mut self, registrar: WebhookRegistrar) -> Self {
        self.registrar = Some(registrar);
        self
    }

    /// Show the work of `fleet`'s connections in their status, and serve
    /// `GET /admin/fleet`.
    pub fn fleet(mut self, fleet: Fleet) -> Self {
        self.fleet = Some(fleet);
        self
    }

    /// Serve consent URLs of this connect flow.
    pub fn oauth(mut self, oauth: Arc<OAuthConnect>) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// The routes, every one behind the bearer token.
    pub fn router(self) -> Router {
        let api = Arc::new(self);
        Router::new()
            .route("/admin/connections", get(list).post(add))
            .route(
                "/admin/connections/{id}",
                get(one).put(update).delete(remove),
            )
            .route("/admin/connections/{id}/secrets", put(replace_secrets))
            .route("/admin/connections/{id}/pause", post(pause))
            .route("/admin/connections/{id}/resume", post(resume))
            .route("/admin/connections/{id}/status", get(status))
            .route("/admin/connections/{id}/oauth/{account}", post(consent))
            .route(
                "/admin/connections/{id}/webhooks",
                post(register_webhooks).delete(unregister_webhooks),
            )
            .route("/admin/fleet", get(fleet_status))
            .route_layer(middleware::from_fn_with_state(api.clone(), authorise))
            .with_state(api)
    }

    /// Whether `presented` is the token: compared as SHA-256 digests in constant time,
    /// so neither the content nor the length leaks through timing.
    fn accepts(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.token_digest).into()
    }
}

async fn authorise(State(api): State<Arc<AdminApi>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if presented.is_some_and(|token| api.accepts(token)) {
        return next.run(request).await;
    }
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "a valid bearer token is required",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

/// The answer for a failed call. Store failures are logged, not shown.
fn failure(failed: ConnectionError) -> Response {
    match &failed {
        ConnectionError::Invalid(message) => {
            error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
        }
        ConnectionError::Limits(invalid) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            &invalid.to_string(),
        ),
        ConnectionError::NotFound(_) | ConnectionError::Store(StoreError::NotFound(_)) => {
            error(StatusCode::NOT_FOUND, "not_found", &failed.to_string())
        }
        ConnectionError::Store(StoreError::Conflict(message)) => {
            error(StatusCode::CONFLICT, "conflict", message)
        }
        _ => {
            tracing::error!(target: "ats_bridge::connection", error = %failed, "admin API call failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the call failed; see the bridge's logs",
            )
        }
    }
}

/// The connection a path names, or the 404 to answer.
macro_rules! id_or_answer {
    ($text:expr) => {
        match ConnectionId::new($text.as_str()) {
            Ok(id) => id,
            Err(invalid) => {
                return error(StatusCode::NOT_FOUND, "not_found", &invalid.to_string());
            }
        }
    };
}

fn answer<T: serde::Serialize>(result: Result<T, ConnectionError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(failed) => failure(failed),
    }
}

async fn list(State(api): State<Arc<AdminApi>>) -> Response {
    answer(api.manager.list().await)
}

async fn add(State(api): State<Arc<AdminApi>>, Json(new): Json<NewConnection>) -> Response {
    match api.manager.add(new).await {
        Ok(record) => (StatusCode::CREATED, Json(record)).into_response(),
        Err(failed) => failure(failed),
    }
}

async fn one(State(api): State<Arc<AdminApi>>, Path(id): Path<String>) -> Response {
    let id = id_or_answer!(id);
    answer(api.manager.live(&id).await)
}

async fn update(
    State(api): State<Arc<AdminApi>>,
    Path(id): Path<String>,
    Json(config): Json<ConnectionConfig>,
) -> Response {
    let id = id_or_answer!(id);
    answer(api.manager.update(&id, config).await)
}

async fn replace_secrets(
    State(api): State<Arc<AdminApi>>,
    Path(id): Path<String>,
    Json(secrets): Json<ConnectionSecrets>,
) -> Response {
    let id = id_or_answer!(id);
    match api.manager.replace_secrets(&id, secrets).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(failed) => failure(failed),
    }
}

/// The optional body of a pause.
#[derive(Debug, Default, Deserialize)]
struct PauseBody {
    reason: Option<String>,
}

async fn pause(
    State(api): State<Arc<AdminApi>>,
    Path(id): Path<String>,
    body: Option<Json<PauseBody>>,
) -> Response {
    let id = id_or_answer!(id);
    let reason = body.and_then(|Json(body)| body.reason);
    let result = api.manager.pause(&id, reason.as_deref()).await;
    answer(result.and(api.manager.live(&id).await))
}

async fn resume(State(api): State<Arc<AdminApi>>, Path(id): Path<String>) -> Response {
    let id = id_or_answer!(id);
    let result = api.manager.resume(&id).await;
    answer(result.and(api.manager.live(&id).await))
}

/// The query of a removal.
#[derive(Debug, Default, Deserialize)]
struct RemoveQuery {
    #[serde(default)]
    ledger: LedgerErasure,
    #[serde(default)]
    webhooks: WebhooksOnRemoval,
}

/// What a removal does with the connection's webhooks at its vendors.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WebhooksOnRemoval {
    /// Leave them (the operator removes them, or already did).
    #[default]
    Keep,
    /// Remove them first; the connection stays if that fails.
    Unregister,
}

/// A removal's answer when the webhooks were removed first: the removal's counts,
/// and what was removed at the vendors.
#[derive(Debug, serde::Serialize)]
struct RemovedWithWebhooks {
    #[serde(flatten)]
    removal: Removal,
    webhooks: ConnectionUnregistered,
}

async fn remove(
    State(api): State<Arc<AdminApi>>,
    Path(id): Path<String>,
    Query(query): Query<RemoveQuery>,
) -> Response {
    let id = id_or_answer!(id);
    if query.webhooks == WebhooksOnRemoval::Keep {
        return answer(api.manager.remove(&id, query.ledger).await);
    }
    let Some(registrar) = &api.registrar else {
        return no_registrar();
    };
    // Its credentials are needed to reach its vendors: they go with the removal.
    let webhooks = match registrar.unregister(&id).await {
        Ok(webhooks) => webhooks,
        Err(failed) => {
            return unregistration_failure(failed, "; the connection was not removed");
        }
    };
    answer(
        api.manager
            .remove(&id, query.ledger)
            .await
            .map(|removal| RemovedWithWebhooks { removal, webhooks }),
    )
}

async fn status(State(api): State<Arc<AdminApi>>, Path(id): Path<String>) -> Response {
    let id = id_or_answer!(id);
    let record = match api.manager.live(&id).await {
        Ok(record) => record,
        Err(failed) => return failure(failed),
    };
    let secrets = match api.manager.store().connection_secrets(&id).await {
        Ok(secrets) => secrets,
        Err(failed) => return failure(failed.into()),
    };
    let stored: Vec<_> = secrets
        .iter()
        .map(|entry| {
            serde_json::json!({
                "name": entry.name,
                "key_id": entry.sealed.key_id,
                "expires_at_ms": entry.expires_at_ms,
            })
        })
        .collect();
    let work = match &api.fleet {
        Some(fleet) => match fleet.connection_status(&record).await {
            Ok(work) => Some(work),
            Err(failed) => return engine_failure(&failed),
        },
        None => None,
    };
    Json(serde_json::json!({
        "id": record.id,
        "state": record.state,
        "state_reason": record.state_reason,
        "updated_at_ms": record.updated_at_ms,
        "secrets": stored,
        "work": work,
    }))
    .into_response()
}

async fn fleet_status(State(api): State<Arc<AdminApi>>) -> Response {
    let Some(fleet) = &api.fleet else {
        return error(
            StatusCode::NOT_FOUND,
            "no_fleet",
            "this bridge runs no fleet",
        );
    };
    match fleet.status().await {
        Ok(status) => Json(status).into_response(),
        Err(failed) => engine_failure(&failed),
    }
}

/// The answer for a failed status read: logged, not shown.
fn engine_failure(failed: &crate::engine::EngineError) -> Response {
    tracing::error!(target: "ats_bridge::connection", error = %failed, "reading the fleet's status failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the call failed; see the bridge's logs",
    )
}

async fn consent(
    State(api): State<Arc<AdminApi>>,
    Path((id, account)): Path<(String, String)>,
) -> Response {
    let id = id_or_answer!(id);
    let Some(oauth) = &api.oauth else {
        return error(
            StatusCode::NOT_FOUND,
            "no_oauth",
            "no OAuth app is configured",
        );
    };
    match oauth.consent_url(&id, &account).await {
        Ok(url) => Json(serde_json::json!({"url": url.as_str()})).into_response(),
        Err(ConnectError::Connection(failed)) => failure(failed),
        Err(failed) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "oauth",
            &failed.to_string(),
        ),
    }
}

fn no_registrar() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no_registrar",
        "this bridge registers no webhooks (it has no public URL)",
    )
}

async fn register_webhooks(State(api): State<Arc<AdminApi>>, Path(id): Path<String>) -> Response {
    let id = id_or_answer!(id);
    let Some(registrar) = &api.registrar else {
        return no_registrar();
    };
    match registrar.register(&id).await {
        Ok(registered) => Json(registered).into_response(),
        Err(WebhookRegistrationError::Connection(failed)) => failure(failed),
        // The vendor's answer, never a secret: the caller can act on it (a key the
        // vendor refuses, webhooks not enabled in its settings).
        Err(failed @ WebhookRegistrationError::Vendor { .. }) => error(
            StatusCode::BAD_GATEWAY,
            "vendor_refused",
            &failed.to_string(),
        ),
        Err(failed) => error(
            StatusCode::BAD_GATEWAY,
            "activation_failed",
            &failed.to_string(),
        ),
    }
}

async fn unregister_webhooks(State(api): State<Arc<AdminApi>>, Path(id): Path<String>) -> Response {
    let id = id_or_answer!(id);
    let Some(registrar) = &api.registrar else {
        return no_registrar();
    };
    match registrar.unregister(&id).await {
        Ok(removed) => Json(removed).into_response(),
        Err(failed) => unregistration_failure(failed, ""),
    }
}

/// The answer for a failed unregistration: a vendor's refusal is a 502 naming the
/// source (never a secret), with what was removed before it; `then` says what was
/// not done because of it.
fn unregistration_failure(failed: WebhookUnregistrationError, then: &str) -> Response {
    match failed {
        WebhookUnregistrationError::Connection(failed) => failure(failed),
        WebhookUnregistrationError::Vendor { ref removed, .. } => (
            StatusCode::BAD_GATEWAY,
            Json(serde_json::json!({
                "error": "vendor_refused",
                "message": format!("{failed}{then}"),
                "removed": removed,
            })),
        )
            .into_response(),
    }
}
