//! Notes on an opportunity: list, get, create (threaded replies with `note_id`), delete.

use client_core::pagination::{ItemStream, Page};
use client_core::{Error, Method, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Call, Expandable, Listing, data, null_default};
use crate::ids::{NoteId, OpportunityId, StageId, UserId};
use crate::users::User;

/// A note: a thread of comments (`fields`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Note {
    /// The note id.
    pub id: NoteId,
    /// Always `"Note"` so far.
    #[serde(default)]
    pub text: Option<String>,
    /// The comments, first one first.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<NoteField>,
    /// Who started the thread (`None` when created without `perform_as`).
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// Visible only to users with access to the postings and those mentioned.
    #[serde(default)]
    pub secret: Option<bool>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Completed (ms).
    #[serde(default)]
    pub completed_at: Option<u64>,
    /// Deleted (ms).
    #[serde(default)]
    pub deleted_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One comment in a note thread.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NoteField {
    /// `note`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `Comment`.
    #[serde(default)]
    pub text: Option<String>,
    /// The comment text.
    #[serde(default)]
    pub value: Option<String>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Author.
    #[serde(default)]
    pub user: Option<UserId>,
    /// Score 1–4 (Strong No … Strong Yes).
    #[serde(default)]
    pub score: Option<u8>,
    /// Stage the opportunity was in.
    #[serde(default)]
    pub stage: Option<StageId>,
    /// Fields this crate does not model yet (Lever may add fields at any time).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A new note (or a reply in an existing thread with [`NewNote::reply_to`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewNote {
    /// The text; `@username` mentions notify those users.
    pub value: String,
    /// Secret note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<bool>,
    /// Score 1 (Strong No) to 4 (Strong Yes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Notify the opportunity's followers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_followers: Option<bool>,
    /// Backdate (ms, in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Add the comment to this existing note (query `note_id`).
    #[serde(skip)]
    pub note_id: Option<NoteId>,
}

impl NewNote {
    /// A note with `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            secret: None,
            score: None,
            notify_followers: None,
            created_at: None,
            note_id: None,
        }
    }

    /// Make it secret.
    pub fn secret(mut self, secret: bool) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Score 1–4.
    pub fn score(mut self, score: u8) -> Self {
        self.score = Some(score);
        self
    }

    /// Notify followers.
    pub fn notify_followers(mut self, notify: bool) -> Self {
        self.notify_followers = Some(notify);
        self
    }

    /// Backdate.
    pub fn created_at(mut self, millis: u64) -> Self {
        self.created_at = Some(millis);
        self
    }

    /// Reply in the thread of `note`.
    pub fn reply_to(mut self, note: NoteId) -> Self {
        self.note_id = Some(note);
        self
    }
}

/// A replacement of a note created through the API (`PUT …/notes/:note`): Lever
/// replaces the whole thread with `values`, so send every comment to keep.
///
/// The body follows Lever's reference (`values`, `user`, `secret`, `createdAt`,
/// `completedAt`, `score`); it is not in the recorded sandbox exchanges, and Lever's FAQ
/// still says notes cannot be edited, so treat the call as uncertain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NoteUpdate {
    /// The comments of the thread, first one first.
    pub values: Vec<NoteValue>,
    /// The author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// Secret note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<bool>,
    /// Score 1–4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Created (ms, in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Completed (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
}

/// One comment of a [`NoteUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NoteValue {
    /// The comment text.
    pub value: String,
    /// When it was written (ms); Lever keeps the original time when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
}

impl NoteValue {
    /// A comment with `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            created_at: None,
        }
    }

    /// Dated `millis`.
    pub fn created_at(mut self, millis: u64) -> Self {
        self.created_at = Some(millis);
        self
    }
}

impl NoteUpdate {
    /// A thread of these comments.
    pub fn new(values: Vec<NoteValue>) -> Self {
        Self {
            values,
            user: None,
            secret: None,
            score: None,
            created_at: None,
            completed_at: None,
        }
    }

    /// Author.
    pub fn user(mut self, user: UserId) -> Self {
        self.user = Some(user);
        self
    }

    /// Secret or not.
    pub fn secret(mut self, secret: bool) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Score 1–4.
    pub fn score(mut self, score: u8) -> Self {
        self.score = Some(score);
        self
    }

    /// Created (ms).
    pub fn created_at(mut self, millis: u64) -> Self {
        self.created_at = Some(millis);
        self
    }

    /// Completed (ms).
    pub fn completed_at(mut self, millis: u64) -> Self {
        self.completed_at = Some(millis);
        self
    }
}

/// The answer to a create or an update. Lever's docs show only `noteId`; real
/// create responses also carry the full note, available as `note` when present.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedNote {
    /// The note id (of the thread, for a reply).
    pub note_id: NoteId,
    /// The note, when Lever returned it.
    #[serde(flatten)]
    pub note: Option<Note>,
}

/// Notes of one opportunity. Obtain with [`crate::LeverClient::notes`].
#[derive(Debug, Clone)]
pub struct Notes<'a> {
    client: &'a LeverClient,
    base: String,
}

impl<'a> Notes<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            client,
            base: format!(
                "/opportunities/{}/notes",
                encode_segment(opportunity.as_str())
            ),
        }
    }

    fn note_path(&self, note: &NoteId) -> String {
        format!("{}/{}", self.base, encode_segment(note.as_str()))
    }

    /// Every note.
    pub fn list(&self) -> ItemStream<'static, Note> {
        Listing::new(self.client.transport(), self.base.clone()).items()
    }

    /// One page of notes: the first (`cursor` `None`) or the one a saved offset token
    /// (a previous page's `next`) points at.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Note, String>> {
        Listing::new(self.client.transport(), self.base.clone())
            .page(cursor)
            .await
    }

    /// One note.
    pub async fn get(&self, note: &NoteId) -> Result<Note> {
        data(
            self.client
                .transport()
                .get(self.note_path(note))
                .send_raw()
                .await?,
        )
    }

    /// Create a note or a threaded reply (`perform_as` optional; without it the note
    /// has no author). Scores outside 1–4 are refused before sending.
    pub fn create(&self, note: &NewNote) -> Call<'a, CreatedNote> {
        let mut call = Call::new(
            self.client.transport(),
            Method::POST,
            self.base.clone(),
            data,
        );
        if let Err(e) = check_score(note.score) {
            return call.fail(e);
        }
        if let Some(thread) = &note.note_id {
            call = call.query("note_id", thread);
        }
        call.json(note)
    }

    /// Replace a note created through the API (scope `notes:write:admin`). A replacement
    /// is safe to repeat, so it is retried like any `PUT`. Scores outside 1–4 are refused
    /// before sending.
    pub async fn update(&self, note: &NoteId, update: &NoteUpdate) -> Result<CreatedNote> {
        check_score(update.score)?;
        data(
            self.client
                .transport()
                .put(self.note_path(note))
                .json(update)
                .send_raw()
                .await?,
        )
    }

    /// Delete a note (only notes created through the API can be deleted).
    pub async fn delete(&self, note: &NoteId) -> Result<()> {
        self.client
            .transport()
            .delete(self.note_path(note))
            .send_empty()
            .await
    }
}

/// Lever's scores run from 1 (Strong No) to 4 (Strong Yes).
fn check_score(score: Option<u8>) -> Result<()> {
    match score.filter(|s| !(1..=4).contains(s)) {
        Some(score) => Err(Error::InvalidInput(format!(
            "a note score must be 1 to 4, not {score}"
        ))),
        None => Ok(()),
    }
}
