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
pub const STAGE_FIELDS: &[&str] = &["stage", "status", "state", "stage_name", "kanban_stage"];
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

/// A participant's interview outcome, shaped like the seed guide's ATS sync record.
#[derive(Debug, Clone, PartialEq)]
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
    /// The participant JSON as received.
    pub raw: Value,
}

/// One answer.
#[derive(Debug, Clone, PartialEq)]
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
        let responses = probe::first(map, RESPONSES_FIELDS)
            .and_then(Value::as_array)
            .map(|items| items.iter().map(ResponseResult::from_json).collect())
            .unwrap_or_default();
        Self {
            participant_key,
            stage: probe::first_label(map, STAGE_FIELDS),
            completed_at: probe::first_label(map, COMPLETED_AT_FIELDS)
                // `completed: true` says nothing about when.
                .filter(|s| s != "true" && s != "false"),
            responses,
            score: probe::first_number(map, SCORE_FIELDS),
            review_url: probe::first(map, REVIEW_URL_FIELDS).and_then(url_of),
            raw: raw.clone(),
        }
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
    /// review link, each best effort, plus the raw JSON.
    pub async fn interview_results(
        &self,
        participant: &ParticipantKey,
    ) -> Result<InterviewResults> {
        let raw = self.participants().get_raw(participant).await?;
        Ok(InterviewResults::from_participant_json(
            participant.clone(),
            raw,
        ))
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
    }
}
