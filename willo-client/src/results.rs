//! The seed guide's "retrieve responses" step: a participant's answers, read
//! best-effort from `GET /participants/{key}/`.
//!
//! Responses are embedded on the participant, but none of their field names is
//! confirmed (willo.md §5, §9). [`InterviewResults::from_participant_json`] tries the
//! plausible names listed on each constant below, in order, and always keeps the raw
//! JSON so nothing is lost when Willo names a field differently.

use client_core::Result;
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::ParticipantKey;
use crate::probe;

/// Participant fields tried for the stage/status, in order (string, or an object's
/// `name`/`title`/`label`/…).
/// Stage-like names come before `status` and `state`, which may describe something
/// else (the invitation, the account).
pub const STAGE_FIELDS: &[&str] = &["stage", "stage_name", "kanban_stage", "status", "state"];
/// Participant fields tried for the completion time, in order.
pub const COMPLETED_AT_FIELDS: &[&str] = &[
    "completed_at",
    "submitted_at",
    "finished_at",
    "responded_at",
    "date_completed",
    "completed",
];
/// Participant fields tried for the list of answers, in order.
pub const RESPONSES_FIELDS: &[&str] = &[
    "responses",
    "answers",
    "question_responses",
    "interview_responses",
];
/// Participant fields tried for an overall score, in order.
pub const SCORE_FIELDS: &[&str] = &["score", "overall_score", "average_score", "rating"];
/// Participant fields tried for a review/share link, in order.
pub const REVIEW_URL_FIELDS: &[&str] = &[
    "share_url",
    "review_url",
    "shareable_link",
    "share_link",
    "public_url",
    "url",
    "link",
];
/// Response fields tried for the question (string, or an object's `text`/`title`/…).
pub const QUESTION_FIELDS: &[&str] = &[
    "question",
    "question_text",
    "question_title",
    "prompt",
    "title",
];
/// Response fields tried for the media link (string, or an object's `url`).
pub const MEDIA_URL_FIELDS: &[&str] = &[
    "media_url",
    "video_url",
    "audio_url",
    "file_url",
    "url",
    "media",
    "video",
    "audio",
    "file",
];
/// Response fields tried for the transcript (string, or an object's `text`).
pub const TRANSCRIPT_FIELDS: &[&str] = &["transcript", "transcription", "text_transcript"];
/// Response fields tried for the AI summary.
pub const SUMMARY_FIELDS: &[&str] = &["summary", "ai_summary", "answer_summary"];
/// Response fields tried for a score.
pub const RESPONSE_SCORE_FIELDS: &[&str] = &["score", "rating", "average_score"];
/// Participant fields tried for the hiring team's comments (a list), in order. Willo
/// sends a `new_comment` webhook when one is added; where the API puts them is not
/// documented (willo.md §6), so these are guesses and the raw JSON is kept.
pub const COMMENTS_FIELDS: &[&str] = &["comments", "reviewer_comments", "reviews", "feedback"];
/// Comment fields tried for the text.
pub const COMMENT_TEXT_FIELDS: &[&str] = &["comment", "text", "body", "content", "message"];
/// Comment fields tried for the author (string, or an object's `name`/…).
pub const COMMENT_AUTHOR_FIELDS: &[&str] = &["author", "user", "reviewer", "created_by"];
/// Comment fields tried for when it was written.
pub const COMMENT_AT_FIELDS: &[&str] = &["created_at", "created", "date", "timestamp"];

/// Whether a participant's answers were found under names this crate reads.
///
/// The answers' field names are unconfirmed (willo.md §5), so "no answers" can mean
/// two things; this says which, so nobody reports "completed with 0 answers" when the
/// answers are there under another name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recognition {
    /// Answers were found (under a name the client tries: `responses`, `answers`…) and
    /// at least one of them has a field this crate reads (question, media link,
    /// transcript, summary, score).
    Recognised,
    /// A known answers field is there and empty: Willo has no answers for this
    /// participant.
    NoAnswers,
    /// No known answers field (or one that is not a list, or whose entries have no
    /// field this crate reads): any answers are in [`InterviewResults::raw`] under
    /// other names. Show the participant in Willo ([`InterviewResults::link`]) rather
    /// than an empty result.
    Unrecognised,
}

/// A participant's interview outcome, shaped like the seed guide's ATS sync record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InterviewResults {
    /// The participant read.
    pub participant_key: ParticipantKey,
    /// Stage or status as Willo names it (raw text; values are not documented).
    pub stage: Option<String>,
    /// When the participant completed, as Willo formats it.
    pub completed_at: Option<String>,
    /// The answers, in Willo's order.
    pub responses: Vec<ResponseResult>,
    /// An overall score, when one is present.
    pub score: Option<f64>,
    /// A link for reviewers, when one is present.
    pub review_url: Option<String>,
    /// Whether the answers were found under names this crate reads.
    pub recognition: Recognition,
    /// The participant's page in the Willo app, from the client's
    /// [`participant_page_url`](crate::WilloClientBuilder::participant_page_url)
    /// template ([`WilloClient::interview_results`] fills it; `None` from
    /// [`InterviewResults::from_participant_json`]).
    pub willo_url: Option<String>,
    /// The hiring team's comments, oldest first as Willo lists them.
    pub comments: Vec<ReviewerComment>,
    /// The participant JSON as received.
    pub raw: Value,
}

/// A comment of the hiring team on a participant.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReviewerComment {
    /// The comment.
    pub text: String,
    /// Who wrote it, as Willo names them.
    pub author: Option<String>,
    /// When, as Willo formats it.
    pub created_at: Option<String>,
    /// A score given with it.
    pub score: Option<f64>,
}

impl ReviewerComment {
    /// Read one comment: a string, or an object with a text field (see
    /// `COMMENT_TEXT_FIELDS`). `None` without text.
    pub fn from_json(raw: &Value) -> Option<Self> {
        if let Value::String(text) = raw {
            let text = text.trim();
            return (!text.is_empty()).then(|| Self {
                text: text.to_owned(),
                author: None,
                created_at: None,
                score: None,
            });
        }
        let map = raw.as_object()?;
        Some(Self {
            text: probe::first_label(map, COMMENT_TEXT_FIELDS)?,
            author: probe::first_label(map, COMMENT_AUTHOR_FIELDS),
            created_at: probe::first_label(map, COMMENT_AT_FIELDS),
            score: probe::first_number(map, RESPONSE_SCORE_FIELDS),
        })
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResponseResult {
    /// The question asked.
    pub question: Option<String>,
    /// Link to the video/audio/file answer.
    pub media_url: Option<String>,
    /// The transcript (depends on the Willo plan).
    pub transcript: Option<String>,
    /// The AI summary (depends on the Willo plan).
    pub summary: Option<String>,
    /// The score given by the hiring team.
    pub score: Option<f64>,
    /// This answer's JSON as received.
    pub raw: Value,
}

impl InterviewResults {
    /// Read results out of a participant's JSON (see the field-name constants in this
    /// module for what is tried). Never fails: missing parts are `None`/empty.
    pub fn from_participant_json(participant_key: ParticipantKey, raw: Value) -> Self {
        let empty = Map::new();
        let map = raw.as_object().unwrap_or(&empty);
        let listed = probe::first(map, RESPONSES_FIELDS);
        let responses: Vec<ResponseResult> = listed
            .and_then(Value::as_array)
            .map(|items| items.iter().map(ResponseResult::from_json).collect())
            .unwrap_or_default();
        let recognition = match listed.and_then(Value::as_array) {
            Some(items) if items.is_empty() => Recognition::NoAnswers,
            Some(_) if responses.iter().any(ResponseResult::is_recognised) => {
                Recognition::Recognised
            }
            _ => Recognition::Unrecognised,
        };
        Self {
            participant_key,
            stage: probe::first_label(map, STAGE_FIELDS),
            completed_at: probe::first_label(map, COMPLETED_AT_FIELDS)
                // `completed: true` says nothing about when.
                .filter(|s| s != "true" && s != "false"),
            responses,
            score: probe::first_number(map, SCORE_FIELDS),
            review_url: probe::first(map, REVIEW_URL_FIELDS).and_then(url_of),
            recognition,
            willo_url: None,
            comments: probe::first(map, COMMENTS_FIELDS)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(ReviewerComment::from_json)
                        .collect()
                })
                .unwrap_or_default(),
            raw: raw.clone(),
        }
    }

    /// Where a reviewer sees this participant: the review link found in the JSON, else
    /// [`InterviewResults::willo_url`].
    pub fn link(&self) -> Option<&str> {
        self.review_url.as_deref().or(self.willo_url.as_deref())
    }
}

impl ResponseResult {
    /// Read one answer out of its JSON. Never fails.
    pub fn from_json(raw: &Value) -> Self {
        let empty = Map::new();
        let map = raw.as_object().unwrap_or(&empty);
        let text = |names: &[&str]| probe::first_label(map, names);
        Self {
            question: text(QUESTION_FIELDS),
            media_url: MEDIA_URL_FIELDS
                .iter()
                .filter_map(|n| map.get(*n))
                .find_map(url_of),
            transcript: text(TRANSCRIPT_FIELDS),
            summary: text(SUMMARY_FIELDS),
            score: probe::first_number(map, RESPONSE_SCORE_FIELDS),
            raw: raw.clone(),
        }
    }

    /// Whether any field of the answer was read.
    pub fn is_recognised(&self) -> bool {
        self.question.is_some()
            || self.media_url.is_some()
            || self.transcript.is_some()
            || self.summary.is_some()
            || self.score.is_some()
    }
}

/// A link: a string, or an object's `url`/`href`/`link`/`file`.
fn url_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Object(map) => {
            probe::first(map, &["url", "href", "link", "file", "src"]).and_then(url_of)
        }
        _ => None,
    }
}

impl WilloClient {
    /// `GET /participants/{key}/` read as [`InterviewResults`]: stage, completion time,
    /// answers (question, media link, transcript, summary, score), overall score and
    /// review link, each best effort, whether the answers were recognised, the
    /// participant's page in Willo, plus the raw JSON.
    pub async fn interview_results(
        &self,
        participant: &ParticipantKey,
    ) -> Result<InterviewResults> {
        let raw = self.participants().get_raw(participant).await?;
        let mut results = InterviewResults::from_participant_json(participant.clone(), raw);
        let interview = results
            .raw
            .get("interview")
            .and_then(crate::lenient::key_of)
            .unwrap_or_default();
        results.willo_url = Some(self.participant_page_url(participant.as_str(), interview));
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_nested_shapes() {
        let raw = json!({
            "stage": {"name": "To Review"},
            "completed": true,
            "answers": [{
                "question": {"text": "Tell us about yourself"},
                "video": {"url": "https://cdn.example/v.mp4"},
                "transcription": "Hello",
                "rating": "4.5"
            }],
            "share_link": "https://app.example/r/1"
        });
        let r = InterviewResults::from_participant_json(ParticipantKey::from("p"), raw);
        assert_eq!(r.stage.as_deref(), Some("To Review"));
        assert_eq!(r.completed_at, None);
        assert_eq!(
            r.responses[0].question.as_deref(),
            Some("Tell us about yourself")
        );
        assert_eq!(
            r.responses[0].media_url.as_deref(),
            Some("https://cdn.example/v.mp4")
        );
        assert_eq!(r.responses[0].transcript.as_deref(), Some("Hello"));
        assert_eq!(r.responses[0].score, Some(4.5));
        assert_eq!(r.review_url.as_deref(), Some("https://app.example/r/1"));
        assert_eq!(r.recognition, Recognition::Recognised);
        assert!(r.comments.is_empty());
    }

    #[test]
    fn reads_the_hiring_teams_comments() {
        let raw = json!({
            "comments": [
                {"comment": "Strong answers", "author": {"name": "Sam"}, "created_at": "2026-01-02", "score": 4},
                "Call back",
                {"unrelated": true}
            ]
        });
        let r = InterviewResults::from_participant_json(ParticipantKey::from("p"), raw);
        assert_eq!(r.comments.len(), 2, "an entry without text is skipped");
        assert_eq!(r.comments[0].text, "Strong answers");
        assert_eq!(r.comments[0].author.as_deref(), Some("Sam"));
        assert_eq!(r.comments[0].created_at.as_deref(), Some("2026-01-02"));
        assert_eq!(r.comments[0].score, Some(4.0));
        assert_eq!(r.comments[1].text, "Call back");
        assert_eq!(r.comments[1].author, None);
    }

    #[test]
    fn says_when_no_answers_were_recognised() {
        let key = || ParticipantKey::from("p");
        let read = |raw| InterviewResults::from_participant_json(key(), raw);
        // Answers under a name this crate does not know.
        let r = read(json!({"stage": "To Review", "clips": [{"q": "Why?", "v": "https://x"}]}));
        assert_eq!(r.recognition, Recognition::Unrecognised);
        assert!(r.responses.is_empty());
        assert_eq!(r.raw["clips"][0]["q"], "Why?", "the raw JSON is kept");
        // A known name, but entries with no field this crate reads.
        let r = read(json!({"responses": [{"q": "Why?"}]}));
        assert_eq!(r.recognition, Recognition::Unrecognised);
        // A known name, not a list.
        let r = read(json!({"responses": "3 answers"}));
        assert_eq!(r.recognition, Recognition::Unrecognised);
        // Known and empty: Willo has no answers.
        let r = read(json!({"responses": []}));
        assert_eq!(r.recognition, Recognition::NoAnswers);
        assert_eq!(r.link(), None);
    }
}
