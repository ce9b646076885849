//! Participants (`/participants/`): candidates invited to one interview, with their
//! answers embedded, plus the identity-verification sub-resources.
//!
//! Confirmed (willo.md §5): `POST /participants/` invites, with the interview key in the
//! body as `interview` and the full name as `name` (required); `email` and `phone` are
//! documented. Creating a participant sends the invite email/SMS, so that call is never
//! replayed after a server error unless the caller guards it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use client_core::{Idempotency, Result};
use futures::TryStreamExt;

use crate::client::WilloClient;
use crate::ids::{InterviewKey, ParticipantKey};
use crate::lenient;
use crate::pagination::{ListParams, MAX_PAGE_SIZE};
use crate::resource::{Collection, delete_call, get_call, list_calls, write_calls};

/// Rate-limit class of `POST /participants/`, so invites can be paced more tightly
/// than reads: `WilloClient::default_limits().class(INVITE_CLASS, LimitSpec::default().per_second(1))`.
pub const INVITE_CLASS: &str = "participants.invite";

/// A participant as Willo returns it. Only `key`, `name`, `email`, `phone` and the
/// interview reference are modelled; stage, answers, scores and links are in `extra`
/// under names that are not confirmed (see [`crate::InterviewResults`] for a
/// best-effort reading).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Participant {
    /// Its key (32 hex).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<ParticipantKey>,
    /// The interview it belongs to (sent as a key or a nested object; either is read).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub interview: Option<InterviewKey>,
    /// Full name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    /// Phone number (E.164).
    #[serde(default, deserialize_with = "lenient::string")]
    pub phone: Option<String>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /participants/` ("Invite Participant").
///
/// `first_name`, `last_name`, `external_id` and `send_invite` have been sent by other
/// integrators but are not confirmed to be read by Willo; put them in `extra` if you
/// want to send them anyway (unknown fields are ignored, not refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InviteParticipant {
    /// Key of the interview to invite to.
    pub interview: InterviewKey,
    /// Full name (required by Willo).
    pub name: String,
    /// Email address the invite goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number for SMS invites, E.164 with the country code (`+447700900123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InviteParticipant {
    /// An invite to `interview` for `name`.
    pub fn new(interview: impl Into<InterviewKey>, name: impl Into<String>) -> Self {
        Self {
            interview: interview.into(),
            name: name.into(),
            email: None,
            phone: None,
            extra: Map::new(),
        }
    }

    /// Set the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Set the phone number (E.164).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    crate::resource::extra_field_setter!();
}

/// The body of a participant replace (`PUT`) or update (`PATCH`). Unset fields are not
/// sent. The field that moves a participant between stages is not confirmed: set it
/// through `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantInput {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ParticipantInput {
    /// A body that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the full name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Set the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Set the phone number (E.164).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    crate::resource::extra_field_setter!();
}

/// Filters for `GET /participants/`. Whether Willo honours the `interview` filter is
/// not confirmed (willo.md §2): callers that depend on it should also check
/// [`Participant::interview`] client-side, as [`WilloClient::send_interview`] does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFilter {
    params: ListParams,
}

impl ParticipantFilter {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Participants of one interview (`interview=<key>`).
    pub fn interview(mut self, key: &InterviewKey) -> Self {
        self.params = self.params.filter("interview", key.as_str());
        self
    }

    /// Free-text `search` (whether it matches emails is unconfirmed).
    pub fn search(mut self, term: impl Into<String>) -> Self {
        self.params = self.params.search(term);
        self
    }

    /// Items per page (clamped to 1..=30).
    pub fn page_size(mut self, size: u32) -> Self {
        self.params = self.params.page_size(size);
        self
    }
}

impl From<ParticipantFilter> for ListParams {
    fn from(filter: ParticipantFilter) -> Self {
        filter.params
    }
}

/// Calls on `/participants/`. Obtain with [`WilloClient::participants`].
#[derive(Debug, Clone, Copy)]
pub struct Participants<'a> {
    client: &'a WilloClient,
}

impl<'a> Participants<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/participants/")
    }

    list_calls!(Participant, "participants");
    get_call!(ParticipantKey => Participant, "participant");

    /// `GET /participants/{key}/` as raw JSON: everything Willo sent, for fields this
    /// crate does not model.
    pub async fn get_raw(&self, key: &ParticipantKey) -> Result<Value> {
        self.collection().get(key.as_str()).await
    }
    write_calls!(ParticipantKey, ParticipantInput => Participant, "participant");
    delete_call!(ParticipantKey, "participant");

    /// `POST /participants/`: invite a candidate, which makes Willo send the invite.
    ///
    /// Never replayed after a server error or timeout: the first attempt may have
    /// created the participant and sent an email. A 429 is still retried (the server did
    /// not act). Use [`Participants::invite_guarded`] when you have your own guard.
    pub async fn invite(&self, invite: &InviteParticipant) -> Result<Participant> {
        self.collection()
            .create_with(invite, Idempotency::ByMethod, INVITE_CLASS)
            .await
    }

    /// Like [`Participants::invite`], but retried after server errors too. Only use it
    /// when a repeat is harmless for you, for example because you check for an existing
    /// participant with the same email before every attempt yourself.
    pub async fn invite_guarded(&self, invite: &InviteParticipant) -> Result<Participant> {
        self.collection()
            .create_with(invite, Idempotency::Guarded, INVITE_CLASS)
            .await
    }

    /// `GET /participants/{key}/idv-info/`: identity-verification result and metadata.
    /// Field names are unknown, so the JSON is returned as is.
    pub async fn idv_info(&self, key: &ParticipantKey) -> Result<Value> {
        let collection = self.collection();
        collection
            .get_path(collection.sub_path(key.as_str(), "idv-info"))
            .await
    }

    /// `GET /participants/{key}/idv-media/`: identity document and selfie media.
    /// Field names are unknown, so the JSON is returned as is.
    pub async fn idv_media(&self, key: &ParticipantKey) -> Result<Value> {
        let collection = self.collection();
        collection
            .get_path(collection.sub_path(key.as_str(), "idv-media"))
            .await
    }

    /// The participant of `interview` whose email matches `email` (trimmed,
    /// case-insensitive), reading every page of `GET /participants/?interview=<key>`.
    ///
    /// Fail safe: the `interview` filter is unconfirmed (Willo may ignore it and list
    /// every participant of the account), so only a participant whose own `interview`
    /// reference names `interview` counts. One of another interview, or one listed
    /// without an interview reference, matches nobody: trusting it could take a
    /// same-email participant of another job for "already invited" and send no invite.
    /// The price, if Willo never returns the reference, is that this finds nobody and
    /// [`WilloClient::send_interview`] invites again (a warning without personal data
    /// is logged when a same-email participant was skipped for that reason).
    pub async fn find_by_email(
        &self,
        interview: &InterviewKey,
        email: &str,
    ) -> Result<Option<Participant>> {
        let wanted = normalise_email(email);
        // The largest page keeps the number of requests (and throttling) down; if Willo
        // ignores the filter, this reads every participant of the account.
        let filter = ParticipantFilter::new()
            .interview(interview)
            .page_size(MAX_PAGE_SIZE);
        let mut listed = self.list(filter);
        let mut unattributed = 0_usize;
        while let Some(participant) = listed.try_next().await? {
            let same_email = participant
                .email
                .as_deref()
                .is_some_and(|e| normalise_email(e) == wanted);
            if !same_email {
                continue;
            }
            match &participant.interview {
                Some(key) if key == interview => return Ok(Some(participant)),
                Some(_) => {}
                None => unattributed += 1,
            }
        }
        if unattributed > 0 {
            tracing::warn!(
                interview = %interview,
                unattributed,
                "participants with the wanted email carry no interview reference; \
                 not counted as invited to this interview"
            );
        }
        Ok(None)
    }
}

/// Emails compare trimmed and case-insensitively (Willo's own dedupe rule is unknown;
/// this is the conservative reading).
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
