//! Notes on candidate profiles, written through the Message API
//! (`POST /messages/shares`), with a content builder that places the
//! `#[CANDIDATE:id]` and `@[USER:id]` markup and keeps within the 10,000-character limit.

use client_core::pagination::{ItemStream, Page, Paginated, boxed_items_capped};
use client_core::{Error, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::CursorPage;
use crate::ids::{CandidateId, JobId, MessageId, UserId};

/// Longest note content SmartRecruiters accepts, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Appended where note text was shortened to fit.
pub const TRUNCATION_MARKER: &str = "…";

/// Who sees a note. Without a `#[CANDIDATE:id]` tag in the content a note is attached
/// to no candidate at all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShareWith {
    /// Users who receive it.
    #[serde(default)]
    pub users: Vec<UserId>,
    /// Jobs whose hiring teams receive it.
    #[serde(default)]
    pub hiring_team_of: Vec<JobId>,
    /// Everyone in the company (administrators only).
    #[serde(default)]
    pub everyone: bool,
    /// Visible to everyone with access to the tagged candidate.
    #[serde(default)]
    pub open_note: bool,
}

impl ShareWith {
    /// An open note: visible to everyone who can see the tagged candidate.
    pub fn open_note() -> Self {
        Self {
            open_note: true,
            ..Self::default()
        }
    }

    /// Also share with the hiring team of `job`.
    pub fn hiring_team_of(mut self, job: impl Into<JobId>) -> Self {
        self.hiring_team_of.push(job.into());
        self
    }

    /// Also share with `user`.
    pub fn user(mut self, user: impl Into<UserId>) -> Self {
        self.users.push(user.into());
        self
    }
}

/// Body of `POST /messages/shares`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewNote {
    /// The content (1–10,000 characters), built with [`NoteContent`].
    pub content: String,
    /// Appended to the note by SmartRecruiters; not tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Audience.
    pub share_with: ShareWith,
}

impl NewNote {
    /// A note with `content` (built with [`NoteContent`]) shared with `share_with`.
    pub fn new(content: impl Into<String>, share_with: ShareWith) -> Self {
        Self {
            content: content.into(),
            correlation_id: None,
            share_with,
        }
    }

    /// With a correlation id (appended to the note by SmartRecruiters; not tracked).
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }
}

/// Answer of `POST /messages/shares`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NoteCreated {
    /// The note id (for deletion).
    pub id: MessageId,
    /// Whether sharing still needs an action.
    #[serde(default)]
    pub share_required: Option<bool>,
}

client_core::open_enum!(
    /// Visibility of a note.
    Visibility {
        /// Only the author.
        Private = "PRIVATE",
        /// The mentioned users.
        Direct = "DIRECT",
        /// Everyone with access to the candidate.
        Open = "OPEN",
        /// Everyone in the company.
        Everyone = "EVERYONE",
    }
);

/// The application a note is linked to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NoteApplication {
    /// Candidate.
    #[serde(default)]
    pub candidate_id: Option<CandidateId>,
    /// Job.
    #[serde(default)]
    pub job_id: Option<JobId>,
}

/// Where a note is attached.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NoteContext {
    /// Applications.
    #[serde(default)]
    pub applications: Vec<NoteApplication>,
}

/// A note as listed by `GET /messages`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Note {
    /// Content with its markup.
    #[serde(default)]
    pub content: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Visibility.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    /// Author's user id.
    #[serde(default)]
    pub author_id: Option<UserId>,
    /// Linked applications.
    #[serde(default)]
    pub context: Option<NoteContext>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Builds note content: `#[CANDIDATE:id]` tags first, then the text, then
/// `@[USER:id]` mentions. The text is escaped with [`escape_note_markup`], so markup in
/// it (a transcript reading `@[USER:…]`) stays text: only the tags and mentions added
/// here are markup. Text that would push the content past [`MAX_NOTE_CHARS`] is
/// shortened on a character boundary, ending in [`TRUNCATION_MARKER`]; the tags and
/// mentions are never cut.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteContent {
    candidates: Vec<CandidateId>,
    mentions: Vec<UserId>,
    text: String,
}

impl NoteContent {
    /// Content with `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Tag a candidate, so the note appears on their profile.
    pub fn candidate(mut self, id: impl Into<CandidateId>) -> Self {
        self.candidates.push(id.into());
        self
    }

    /// Mention (and e-mail) a user.
    pub fn mention(mut self, id: impl Into<UserId>) -> Self {
        self.mentions.push(id.into());
        self
    }

    /// The final content. Fails only when the markup alone exceeds the limit or
    /// an id contains `]`, which would break the markup.
    pub fn build(&self) -> Result<String> {
        let ids = self
            .candidates
            .iter()
            .map(CandidateId::as_str)
            .chain(self.mentions.iter().map(UserId::as_str));
        for id in ids {
            if id.is_empty() || id.contains([']', '[']) {
                return Err(Error::InvalidInput(format!(
                    "`{id}` cannot be used in note markup"
                )));
            }
        }
        let prefix: String = self
            .candidates
            .iter()
            .map(|id| format!("#[CANDIDATE:{id}] "))
            .collect();
        let suffix: String = self
            .mentions
            .iter()
            .map(|id| format!(" @[USER:{id}]"))
            .collect();
        let markup = prefix.chars().count() + suffix.chars().count();
        if markup > MAX_NOTE_CHARS {
            return Err(Error::InvalidInput(format!(
                "note tags and mentions alone take {markup} characters; the limit is {MAX_NOTE_CHARS}"
            )));
        }
        let text = truncate_text(
            &escape_note_markup(self.text.trim()),
            MAX_NOTE_CHARS - markup,
        );
        let content = format!("{prefix}{text}{suffix}");
        let content = content.trim().to_owned();
        if content.is_empty() {
            return Err(Error::InvalidInput("a note cannot be empty".into()));
        }
        Ok(content)
    }
}

/// Zero-width space: placed between `#`/`@` and `[`, it leaves the text reading the
/// same while SmartRecruiters no longer sees a tag or a mention there.
const MARKUP_BREAK: char = '\u{200B}';

/// `text` with every `#[` and `@[` broken by a zero-width space, so SmartRecruiters
/// reads no `#[CANDIDATE:…]` tag or `@[USER:…]` mention in it (text from elsewhere —
/// a transcript, a summary, an answer — must not tag candidates or e-mail users).
/// Escaping twice changes nothing, so already escaped text can be compared with a
/// note's content.
pub fn escape_note_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        escaped.push(c);
        if matches!(c, '#' | '@') && chars.peek() == Some(&'[') {
            escaped.push(MARKUP_BREAK);
        }
    }
    escaped
}

/// `text` if it has at most `budget` characters; else a prefix that, with the marker,
/// has at most `budget`, cut on a character boundary.
fn truncate_text(text: &str, budget: usize) -> String {
    if text.chars().count() <= budget {
        return text.to_owned();
    }
    let marker = TRUNCATION_MARKER.chars().count();
    let keep = budget.saturating_sub(marker);
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let kept = &text[..cut];
    if budget < marker {
        return String::new();
    }
    format!("{}{TRUNCATION_MARKER}", kept.trim_end())
}

/// Note calls. Obtain with [`SmartRecruitersClient::notes`].
#[derive(Debug, Clone, Copy)]
pub struct Notes<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

impl Notes<'_> {
    /// `POST /messages/shares`. Content longer than 10,000 characters is refused here,
    /// before sending: build it with [`NoteContent`].
    pub async fn create(&self, note: &NewNote) -> Result<NoteCreated> {
        let chars = note.content.chars().count();
        if chars == 0 || chars > MAX_NOTE_CHARS {
            return Err(Error::InvalidInput(format!(
                "note content must have 1 to {MAX_NOTE_CHARS} characters, not {chars}"
            )));
        }
        self.client
            .transport
            .post("/messages/shares")
            .json(note)
            .send()
            .await
    }

    /// `DELETE /messages/shares/{id}`.
    pub async fn delete(&self, id: &MessageId) -> Result<()> {
        self.client
            .transport
            .delete(format!("/messages/shares/{}", encode_segment(id.as_str())))
            .send_empty()
            .await
    }

    /// `GET /messages?candidateId=…[&jobId=…]`: notes on a candidate, page by page
    /// (administrators only).
    pub fn list(&self, candidate: &CandidateId, job: Option<&JobId>) -> ItemStream<'static, Note> {
        let transport = self.client.transport.clone();
        let candidate = candidate.clone();
        let job = job.cloned();
        boxed_items_capped(
            transport.max_pages(),
            None,
            move |cursor: Option<String>| {
                let transport = transport.clone();
                let candidate = candidate.clone();
                let job = job.clone();
                async move { notes_page(&transport, &candidate, job.as_ref(), cursor).await }
            },
        )
    }

    /// One page of a candidate's notes: the first (`cursor` `None`) or the one a saved
    /// `pageId` (a previous page's `next`) points at.
    pub async fn page(
        &self,
        candidate: &CandidateId,
        job: Option<&JobId>,
        cursor: Option<String>,
    ) -> Result<Page<Note, String>> {
        Ok(notes_page(&self.client.transport, candidate, job, cursor)
            .await?
            .into_page())
    }
}

/// One page of `GET /messages` for a candidate (and job).
async fn notes_page(
    transport: &client_core::Transport,
    candidate: &CandidateId,
    job: Option<&JobId>,
    cursor: Option<String>,
) -> Result<CursorPage<Note>> {
    let raw = transport
        .get("/messages")
        .query("candidateId", candidate)
        .query_opt("jobId", job)
        .query_opt("pageId", cursor)
        .send_raw()
        .await?;
    CursorPage::from_response(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_placed_and_short_text_kept() {
        let content = NoteContent::new("Interview done.")
            .candidate("c1")
            .mention("u1")
            .build()
            .unwrap();
        assert_eq!(content, "#[CANDIDATE:c1] Interview done. @[USER:u1]");
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary_with_tags_intact() {
        let text = "é".repeat(20_000);
        let content = NoteContent::new(text)
            .candidate("cand-1")
            .mention("user-1")
            .build()
            .unwrap();
        assert_eq!(content.chars().count(), MAX_NOTE_CHARS);
        assert!(content.starts_with("#[CANDIDATE:cand-1] é"));
        assert!(content.ends_with("é… @[USER:user-1]"));
    }

    #[test]
    fn markup_inside_the_text_is_escaped_and_only_added_markup_remains() {
        let content = NoteContent::new(
            "Said: ping @[USER:u9] about #[CANDIDATE:c9]; email a@b.c, list #1 [x]",
        )
        .candidate("c1")
        .mention("u1")
        .build()
        .unwrap();
        assert_eq!(
            content,
            "#[CANDIDATE:c1] Said: ping @\u{200B}[USER:u9] about #\u{200B}[CANDIDATE:c9]; \
             email a@b.c, list #1 [x] @[USER:u1]"
        );
        assert_eq!(content.matches("#[").count(), 1);
        assert_eq!(content.matches("@[").count(), 1);
        let once = escape_note_markup("#[CANDIDATE:x] @[USER:y] ##[ @@[");
        assert_eq!(escape_note_markup(&once), once, "escaping twice is a no-op");
        assert!(!once.contains("#[") && !once.contains("@["));
    }

    #[test]
    fn escaping_counts_towards_the_limit() {
        let text = "@[".repeat(MAX_NOTE_CHARS);
        let content = NoteContent::new(text).build().unwrap();
        assert_eq!(content.chars().count(), MAX_NOTE_CHARS);
        assert!(!content.contains("@["));
    }

    #[test]
    fn oversized_markup_and_bad_ids_are_refused() {
        let mut builder = NoteContent::new("x");
        for i in 0..700 {
            builder = builder.candidate(format!("candidate-{i}"));
        }
        assert!(matches!(builder.build(), Err(Error::InvalidInput(_))));
        assert!(NoteContent::new("x").candidate("a]b").build().is_err());
    }
}
