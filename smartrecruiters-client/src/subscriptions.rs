//! The Webhooks API (`/webhooks-api/v201907`): subscriptions, their activation
//! handshake, signing secret keys and the callback log. Receiving deliveries is in
//! [`crate::webhooks`].

use std::fmt;

use client_core::pagination::{ItemStream, Page, Paginated, boxed_items_capped};
use client_core::{ExposeSecret, Result, SecretString, encode_segment};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::CursorPage;
use crate::ids::SubscriptionId;

/// Base path of the Webhooks API.
pub const WEBHOOKS_API: &str = "/webhooks-api/v201907";

client_core::open_enum!(
    /// A webhook event name: every name of SmartRecruiters' `EventName` list (the same
    /// ones [`crate::webhooks::WebhookEvent`] types); names added later go in `Other`.
    EventName {
        /// `job.created`.
        JobCreated = "job.created",
        /// `job.updated`.
        JobUpdated = "job.updated",
        /// `job.status.updated`.
        JobStatusUpdated = "job.status.updated",
        /// `job.hiring-team.updated`.
        JobHiringTeamUpdated = "job.hiring-team.updated",
        /// `job.ad.created`.
        JobAdCreated = "job.ad.created",
        /// `job.ad.updated`.
        JobAdUpdated = "job.ad.updated",
        /// `job.ad.postings.updated`.
        JobAdPostingsUpdated = "job.ad.postings.updated",
        /// `position.created`.
        PositionCreated = "position.created",
        /// `position.updated`.
        PositionUpdated = "position.updated",
        /// `position.deleted`.
        PositionDeleted = "position.deleted",
        /// `application.created`.
        ApplicationCreated = "application.created",
        /// `application.status.updated`.
        ApplicationStatusUpdated = "application.status.updated",
        /// `application.fields.updated`.
        ApplicationFieldsUpdated = "application.fields.updated",
        /// `application.onboarding-status.updated`.
        ApplicationOnboardingStatusUpdated = "application.onboarding-status.updated",
        /// `application.attachment.created`.
        ApplicationAttachmentCreated = "application.attachment.created",
        /// `application.source.updated`.
        ApplicationSourceUpdated = "application.source.updated",
        /// `candidate.created`.
        CandidateCreated = "candidate.created",
        /// `candidate.updated`.
        CandidateUpdated = "candidate.updated",
        /// `candidate.deleted`.
        CandidateDeleted = "candidate.deleted",
        /// `offer.created`.
        OfferCreated = "offer.created",
        /// `offer.updated`.
        OfferUpdated = "offer.updated",
        /// `offer.approval.created`.
        OfferApprovalCreated = "offer.approval.created",
        /// `offer.approval.approved`.
        OfferApprovalApproved = "offer.approval.approved",
        /// `offer.approval.rejected`.
        OfferApprovalRejected = "offer.approval.rejected",
        /// `offer.approval.abandoned`.
        OfferApprovalAbandoned = "offer.approval.abandoned",
        /// `offer.approval.step.approved`.
        OfferApprovalStepApproved = "offer.approval.step.approved",
        /// `offer.approval.step.rejected`.
        OfferApprovalStepRejected = "offer.approval.step.rejected",
        /// `offer.approver.skipped`.
        OfferApproverSkipped = "offer.approver.skipped",
        /// `offer.approver.delegated`.
        OfferApproverDelegated = "offer.approver.delegated",
        /// `offer.approval.comment.created`.
        OfferApprovalCommentCreated = "offer.approval.comment.created",
        /// `job.approval.created`.
        JobApprovalCreated = "job.approval.created",
        /// `job.approval.approved`.
        JobApprovalApproved = "job.approval.approved",
        /// `job.approval.rejected`.
        JobApprovalRejected = "job.approval.rejected",
        /// `job.approval.abandoned`.
        JobApprovalAbandoned = "job.approval.abandoned",
        /// `job.approval.step.approved`.
        JobApprovalStepApproved = "job.approval.step.approved",
        /// `job.approval.step.rejected`.
        JobApprovalStepRejected = "job.approval.step.rejected",
        /// `job.approver.skipped`.
        JobApproverSkipped = "job.approver.skipped",
        /// `job.approver.delegated`.
        JobApproverDelegated = "job.approver.delegated",
        /// `job.approval.comment.created`.
        JobApprovalCommentCreated = "job.approval.comment.created",
        /// `review.created`.
        ReviewCreated = "review.created",
        /// `review.updated`.
        ReviewUpdated = "review.updated",
        /// `review.deleted`.
        ReviewDeleted = "review.deleted",
        /// `application.screening-answers.created`.
        ApplicationScreeningAnswersCreated = "application.screening-answers.created",
        /// `application.screening-answers.updated`.
        ApplicationScreeningAnswersUpdated = "application.screening-answers.updated",
        /// `onboarding.process.started`.
        OnboardingProcessStarted = "onboarding.process.started",
        /// `onboarding.assignments.high-priority.completed`.
        OnboardingHighPriorityAssignmentsCompleted = "onboarding.assignments.high-priority.completed",
        /// `onboarding.assignments.completed`.
        OnboardingAssignmentsCompleted = "onboarding.assignments.completed",
    }
);

client_core::open_enum!(
    /// State of a subscription: inactive until the handshake succeeded.
    SubscriptionStatus {
        /// Receiving deliveries.
        Active = "active",
        /// Created or suspended; call [`Subscriptions::activate`].
        Inactive = "inactive",
    }
);

client_core::open_enum!(
    /// Outcome of one callback.
    CallbackStatus {
        /// Acknowledged with 202 in time.
        Successful = "successful",
        /// Anything else.
        Failed = "failed",
    }
);

fn expose<S: Serializer>(secret: &SecretString, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

/// How SmartRecruiters authenticates itself when calling your callback URL.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
#[non_exhaustive]
pub enum CallbackAuthentication {
    /// HTTP Basic.
    Basic {
        /// Username.
        username: String,
        /// Password.
        #[serde(serialize_with = "expose")]
        password: SecretString,
    },
    /// A fixed header.
    Header {
        /// Header name.
        #[serde(rename = "headerName")]
        header_name: String,
        /// Header value.
        #[serde(rename = "headerValue", serialize_with = "expose")]
        header_value: SecretString,
    },
    /// SmartRecruiters fetches a client-credentials token from your token service and
    /// sends it with each callback.
    Oauth2 {
        /// Client id.
        #[serde(rename = "clientId")]
        client_id: String,
        /// Client secret.
        #[serde(rename = "clientSecret", serialize_with = "expose")]
        client_secret: SecretString,
        /// Your token endpoint.
        #[serde(rename = "tokenServiceUrl")]
        token_service_url: String,
    },
}

impl fmt::Debug for CallbackAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"[redacted]")
                .finish(),
            Self::Header { header_name, .. } => f
                .debug_struct("Header")
                .field("header_name", header_name)
                .field("header_value", &"[redacted]")
                .finish(),
            Self::Oauth2 {
                client_id,
                token_service_url,
                ..
            } => f
                .debug_struct("Oauth2")
                .field("client_id", client_id)
                .field("client_secret", &"[redacted]")
                .field("token_service_url", token_service_url)
                .finish(),
        }
    }
}

/// Body of `POST /subscriptions`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewSubscription {
    /// HTTPS URL with a valid certificate.
    pub callback_url: String,
    /// Events to receive.
    pub events: Vec<EventName>,
    /// Where failure alerts go (the schema's `alertingEmailAddress`; prose elsewhere
    /// says `alertEmailAddress`, which the server may also accept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerting_email_address: Option<String>,
    /// How SmartRecruiters authenticates to the callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_authentication: Option<CallbackAuthentication>,
}

impl NewSubscription {
    /// A subscription of `callback_url` to `events`.
    pub fn new(callback_url: impl Into<String>, events: Vec<EventName>) -> Self {
        Self {
            callback_url: callback_url.into(),
            events,
            alerting_email_address: None,
            callback_authentication: None,
        }
    }

    /// Alert this address on failures.
    pub fn alerting_email(mut self, email: impl Into<String>) -> Self {
        self.alerting_email_address = Some(email.into());
        self
    }

    /// Authenticate callbacks.
    pub fn authentication(mut self, auth: CallbackAuthentication) -> Self {
        self.callback_authentication = Some(auth);
        self
    }
}

/// A subscribed event with its payload version (opaque text: `v1`, `1.0.0`…).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribedEvent {
    /// Event name.
    #[serde(default)]
    pub name: Option<EventName>,
    /// Payload version.
    #[serde(default)]
    pub version: Option<String>,
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscription {
    /// Id.
    pub id: SubscriptionId,
    /// Callback URL.
    #[serde(default)]
    pub callback_url: Option<String>,
    /// Events.
    #[serde(default)]
    pub events: Vec<SubscribedEvent>,
    /// Status.
    #[serde(default)]
    pub status: Option<SubscriptionStatus>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A signing key (`{secretKey}`), for [`crate::webhooks::WebhookVerifier`].
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecretKey {
    /// The key.
    pub secret_key: SecretString,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// One logged callback.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallbackLogEntry {
    /// Outcome.
    #[serde(default)]
    pub status: Option<CallbackStatus>,
    /// When.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// `{url, body, headers}` of the request sent.
    #[serde(default)]
    pub request_details: Option<Value>,
}

/// Filters of the callback log (30 days kept).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallbackLogFilter {
    /// Page size.
    pub limit: Option<u32>,
    /// Only this outcome.
    pub callback_status: Option<CallbackStatus>,
    /// ISO-8601 lower bound (at most 30 days ago).
    pub after: Option<String>,
    /// ISO-8601 upper bound.
    pub before: Option<String>,
}

impl CallbackLogFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only this outcome.
    pub fn callback_status(mut self, callback_status: CallbackStatus) -> Self {
        self.callback_status = Some(callback_status);
        self
    }

    /// ISO-8601 lower bound (at most 30 days ago).
    pub fn after(mut self, after: impl Into<String>) -> Self {
        self.after = Some(after.into());
        self
    }

    /// ISO-8601 upper bound.
    pub fn before(mut self, before: impl Into<String>) -> Self {
        self.before = Some(before.into());
        self
    }
}

/// Webhooks API calls. Obtain with [`SmartRecruitersClient::subscriptions`].
#[derive(Debug, Clone, Copy)]
pub struct Subscriptions<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

fn subscription_path(id: &SubscriptionId) -> String {
    format!(
        "{WEBHOOKS_API}/subscriptions/{}",
        encode_segment(id.as_str())
    )
}

/// A stream over a bare-array endpoint paged with `page_id` (cursor from `Link`).
fn array_stream<T>(
    client: &SmartRecruitersClient,
    path: String,
    query: std::result::Result<Vec<(String, String)>, String>,
) -> ItemStream<'static, T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let transport = client.transport.clone();
    boxed_items_capped(
        transport.max_pages(),
        None,
        move |cursor: Option<String>| {
            let transport = transport.clone();
            let path = path.clone();
            let query = query.clone();
            async move { array_page(&transport, path, query, cursor).await }
        },
    )
}

/// One page of a bare-array endpoint.
async fn array_page<T: serde::de::DeserializeOwned>(
    transport: &client_core::Transport,
    path: String,
    query: std::result::Result<Vec<(String, String)>, String>,
    cursor: Option<String>,
) -> Result<CursorPage<T>> {
    let raw = transport
        .get(path)
        .query_pairs(query.map_err(client_core::Error::InvalidInput)?)
        .query_opt("page_id", cursor)
        .send_raw()
        .await?;
    CursorPage::from_response(&raw)
}

/// `limit` as query pairs.
fn limit_query(limit: Option<u32>) -> std::result::Result<Vec<(String, String)>, String> {
    Ok(limit
        .map(|l| vec![("limit".to_owned(), l.to_string())])
        .unwrap_or_default())
}

impl Subscriptions<'_> {
    /// `POST /subscriptions`: the new subscription is inactive until
    /// [`Subscriptions::activate`] succeeds.
    pub async fn create(&self, subscription: &NewSubscription) -> Result<Subscription> {
        self.client
            .transport
            .post(format!("{WEBHOOKS_API}/subscriptions"))
            .json(subscription)
            .send()
            .await
    }

    /// `GET /subscriptions`: every subscription, following `Link` pages.
    pub fn list(&self, limit: Option<u32>) -> ItemStream<'static, Subscription> {
        array_stream(
            self.client,
            format!("{WEBHOOKS_API}/subscriptions"),
            limit_query(limit),
        )
    }

    /// One page of `GET /subscriptions` (`limit` per page): the first (`cursor` `None`)
    /// or the one a saved `page_id` (a previous page's `next`) points at.
    pub async fn page(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Result<Page<Subscription, String>> {
        let path = format!("{WEBHOOKS_API}/subscriptions");
        Ok(
            array_page(&self.client.transport, path, limit_query(limit), cursor)
                .await?
                .into_page(),
        )
    }

    /// `GET /subscriptions/{id}`.
    pub async fn get(&self, id: &SubscriptionId) -> Result<Subscription> {
        self.client
            .transport
            .get(subscription_path(id))
            .send()
            .await
    }

    /// `DELETE /subscriptions/{id}`.
    pub async fn delete(&self, id: &SubscriptionId) -> Result<()> {
        self.client
            .transport
            .delete(subscription_path(id))
            .send_empty()
            .await
    }

    /// `PUT /subscriptions/{id}/activation`: SmartRecruiters calls the callback with
    /// `X-Hook-Secret` (answer with [`crate::webhooks::handshake_response`] within
    /// 20 s) and answers 204 when that worked.
    pub async fn activate(&self, id: &SubscriptionId) -> Result<()> {
        self.client
            .transport
            .put(format!("{}/activation", subscription_path(id)))
            .send_empty()
            .await
    }

    /// `POST /subscriptions/{id}/secret-key`: a new signing key. The previous one stays
    /// valid for 24 h, so verify with both meanwhile.
    pub async fn generate_secret_key(&self, id: &SubscriptionId) -> Result<SecretKey> {
        self.client
            .transport
            .post(format!("{}/secret-key", subscription_path(id)))
            .send()
            .await
    }

    /// `GET /subscriptions/{id}/secret-key`: the latest signing key.
    pub async fn secret_key(&self, id: &SubscriptionId) -> Result<SecretKey> {
        self.client
            .transport
            .get(format!("{}/secret-key", subscription_path(id)))
            .send()
            .await
    }

    /// `GET /subscriptions/{id}/callbacks-log`.
    pub fn callbacks_log(
        &self,
        id: &SubscriptionId,
        filter: &CallbackLogFilter,
    ) -> ItemStream<'static, CallbackLogEntry> {
        array_stream(
            self.client,
            format!("{}/callbacks-log", subscription_path(id)),
            crate::common::query_or_message(filter),
        )
    }
}
