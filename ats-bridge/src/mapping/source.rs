//! Where a mapped value comes from: the Willo participant, the interview, the
//! results, a screening answer, or a fixed text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::value::{MappedValue, ValueKind};
use crate::model::InterviewOutcome;
use crate::rules::Decision;

/// A variable of Willo's data. Written in the rules file as a string:
///
/// | string | value |
/// | --- | --- |
/// | `participant.name`, `participant.first_name`, `participant.last_name` | the name, whole or split at the last space |
/// | `participant.email`, `participant.phone` | contact details |
/// | `participant.field.<name>` | a custom participant field of the account |
/// | `interview.name`, `interview.key`, `interview.link` | the interview |
/// | `results.status` | the participant's Willo stage |
/// | `results.decision` | `accepted` or `rejected`, once the team decided |
/// | `results.score` | the overall score (a number) |
/// | `results.answer_scores` | each answer's score (a list) |
/// | `results.summary` | the AI summary (the participant's, or each answer's) |
/// | `results.answer_links` | each answer's media link (a list) |
/// | `results.review_link` | the Willo review page |
/// | `results.completed_at` | when the interview was completed (a date) |
/// | `answer:<question>` | a screening answer, by its question (transcript, else summary, else link) |
/// | `const:<text>` | this text |
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Source {
    /// The participant's full name.
    ParticipantName,
    /// The name up to its last space.
    ParticipantFirstName,
    /// The name after its last space.
    ParticipantLastName,
    /// The e-mail address.
    ParticipantEmail,
    /// The phone number.
    ParticipantPhone,
    /// A custom participant field, by name.
    ParticipantField(String),
    /// The interview's name.
    InterviewName,
    /// The interview's key.
    InterviewKey,
    /// The interview's link.
    InterviewLink,
    /// The participant's Willo stage.
    ResultsStatus,
    /// `accepted` or `rejected`.
    ResultsDecision,
    /// The overall score.
    ResultsScore,
    /// Each answer's score.
    ResultsAnswerScores,
    /// The AI summary.
    ResultsSummary,
    /// Each answer's media link.
    ResultsAnswerLinks,
    /// The Willo review page.
    ResultsReviewLink,
    /// When the interview was completed.
    ResultsCompletedAt,
    /// A screening answer, by question text (compared without case).
    Answer(String),
    /// A fixed text.
    Constant(String),
}

const FIXED: [(Source, &str); 15] = [
    (Source::ParticipantName, "participant.name"),
    (Source::ParticipantFirstName, "participant.first_name"),
    (Source::ParticipantLastName, "participant.last_name"),
    (Source::ParticipantEmail, "participant.email"),
    (Source::ParticipantPhone, "participant.phone"),
    (Source::InterviewName, "interview.name"),
    (Source::InterviewKey, "interview.key"),
    (Source::InterviewLink, "interview.link"),
    (Source::ResultsStatus, "results.status"),
    (Source::ResultsDecision, "results.decision"),
    (Source::ResultsScore, "results.score"),
    (Source::ResultsAnswerScores, "results.answer_scores"),
    (Source::ResultsSummary, "results.summary"),
    (Source::ResultsAnswerLinks, "results.answer_links"),
    (Source::ResultsReviewLink, "results.review_link"),
];

impl Source {
    /// The kind of value this source yields (checked against the target's).
    pub fn kind(&self) -> ValueKind {
        match self {
            Source::ResultsScore => ValueKind::Number,
            Source::ResultsAnswerScores | Source::ResultsAnswerLinks => ValueKind::List,
            Source::InterviewLink | Source::ResultsReviewLink => ValueKind::Url,
            Source::ResultsCompletedAt => ValueKind::Date,
            _ => ValueKind::Text,
        }
    }

    /// This source's value in `data`, if it has one.
    pub fn value(&self, data: &SourceData<'_>) -> Option<MappedValue> {
        let results = data.results;
        let raw = &results.raw;
        let text = |s: Option<String>| {
            s.map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .map(MappedValue::Text)
        };
        let name = || text_field(raw, &["name", "full_name"]);
        match self {
            Source::ParticipantName => text(name()),
            Source::ParticipantFirstName => text(name().map(|n| split_name(&n).0)),
            Source::ParticipantLastName => text(name().and_then(|n| split_name(&n).1)),
            Source::ParticipantEmail => text(text_field(raw, &["email"])),
            Source::ParticipantPhone => text(text_field(raw, &["phone", "phone_number"])),
            Source::ParticipantField(field) => text(custom_field(raw, field)),
            Source::InterviewName => text(interview_field(raw, &["name", "title", "text"])),
            Source::InterviewKey => text(interview_field(raw, &["key", "id"]).or_else(|| {
                raw.get("interview")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })),
            Source::InterviewLink => interview_field(raw, &["url", "link", "share_url"])
                .filter(|s| !s.trim().is_empty())
                .map(MappedValue::Url),
            Source::ResultsStatus => text(results.stage.clone()),
            Source::ResultsDecision => data.decision.map(|d| {
                MappedValue::Text(match d {
                    Decision::Accepted => "accepted".into(),
                    Decision::Rejected => "rejected".into(),
                })
            }),
            Source::ResultsScore => results.score.and_then(MappedValue::number),
            Source::ResultsAnswerScores => list(
                results
                    .responses
                    .iter()
                    .filter_map(|r| r.score)
                    .filter_map(MappedValue::number)
                    .flat_map(|n| n.texts())
                    .collect(),
            ),
            Source::ResultsSummary => text(summary(results)),
            Source::ResultsAnswerLinks => list(
                results
                    .responses
                    .iter()
                    .filter_map(|r| r.media_url.clone())
                    .collect(),
            ),
            Source::ResultsReviewLink => results.link().map(|l| MappedValue::Url(l.to_owned())),
            Source::ResultsCompletedAt => results
                .completed_at
                .clone()
                .filter(|s| !s.trim().is_empty())
                .map(MappedValue::Date),
            Source::Answer(question) => {
                let wanted = question.trim();
                let response = results.responses.iter().find(|r| {
                    r.question
                        .as_deref()
                        .is_some_and(|q| q.trim().eq_ignore_ascii_case(wanted))
                })?;
                text(
                    response
                        .transcript
                        .clone()
                        .or_else(|| response.summary.clone())
                        .or_else(|| response.media_url.clone()),
                )
            }
            Source::Constant(value) => Some(MappedValue::Text(value.clone())),
        }
    }
}

/// What sources are read from: one participant's results, and the decision they
/// show (read with the rules' decision stages).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SourceData<'a> {
    /// The participant's results (the raw record is the participant).
    pub results: &'a InterviewOutcome,
    /// The team's decision, if any.
    pub decision: Option<Decision>,
}

impl<'a> SourceData<'a> {
    /// Sources read from `results`, with `decision`.
    pub fn new(results: &'a InterviewOutcome, decision: Option<Decision>) -> Self {
        Self { results, decision }
    }
}

fn list(items: Vec<String>) -> Option<MappedValue> {
    (!items.is_empty()).then_some(MappedValue::List(items))
}

/// `(first, last)`: split at the last space, as the SmartRecruiters adapter splits a
/// screening candidate's name.
fn split_name(name: &str) -> (String, Option<String>) {
    match name.trim().rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), Some(last.trim().to_owned())),
        None => (name.trim().to_owned(), None),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        // `{name: …}` / `{label: …}` / `{value: …}` shapes seen for labelled values.
        Value::Object(map) => ["value", "label", "name", "text"]
            .iter()
            .find_map(|k| map.get(*k).and_then(scalar_text)),
        _ => None,
    }
}

fn text_field(raw: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| raw.get(*n).and_then(scalar_text))
}

fn interview_field(raw: &Value, names: &[&str]) -> Option<String> {
    let interview = raw.get("interview").filter(|i| i.is_object())?;
    text_field(interview, names)
}

/// A custom participant field: top level, or under one of the containers Willo's
/// records have been seen to use.
fn custom_field(raw: &Value, field: &str) -> Option<String> {
    ["custom_fields", "fields", "metadata", "custom_data"]
        .iter()
        .filter_map(|c| raw.get(*c))
        .find_map(|container| match container {
            Value::Object(map) => map.get(field).and_then(scalar_text),
            // `[{name, value}]`.
            Value::Array(items) => items
                .iter()
                .find(|i| i.get("name").and_then(Value::as_str) == Some(field))
                .and_then(|i| i.get("value"))
                .and_then(scalar_text),
            _ => None,
        })
        .or_else(|| raw.get(field).and_then(scalar_text))
}

/// The participant's AI summary, or each answer's, under its question.
fn summary(results: &InterviewOutcome) -> Option<String> {
    if let Some(overall) = text_field(&results.raw, &["ai_summary", "summary"]) {
        return Some(overall);
    }
    let parts: Vec<String> = results
        .responses
        .iter()
        .filter_map(|r| {
            let summary = r.summary.as_deref()?.trim();
            Some(match r.question.as_deref() {
                Some(q) => format!("{}: {summary}", q.trim()),
                None => summary.to_owned(),
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((_, name)) = FIXED.iter().find(|(s, _)| s == self) {
            return f.write_str(name);
        }
        match self {
            Source::ParticipantField(name) => write!(f, "participant.field.{name}"),
            Source::ResultsCompletedAt => f.write_str("results.completed_at"),
            Source::Answer(question) => write!(f, "answer:{question}"),
            Source::Constant(text) => write!(f, "const:{text}"),
            _ => Ok(()),
        }
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(value) = text.strip_prefix("const:") {
            return Ok(Source::Constant(value.to_owned()));
        }
        let text = text.trim();
        if let Some((source, _)) = FIXED.iter().find(|(_, name)| *name == text) {
            return Ok(source.clone());
        }
        if text == "results.completed_at" {
            return Ok(Source::ResultsCompletedAt);
        }
        let rest = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(str::trim)
                .filter(|rest| !rest.is_empty())
                .map(str::to_owned)
        };
        if let Some(name) = rest("participant.field.") {
            return Ok(Source::ParticipantField(name));
        }
        if let Some(question) = rest("answer:") {
            return Ok(Source::Answer(question));
        }
        Err(format!(
            "unknown source `{text}`; sources are participant.*, interview.*, results.*, \
             answer:<question>, const:<text>"
        ))
    }
}

impl TryFrom<String> for Source {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Source> for String {
    fn from(source: Source) -> Self {
        source.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ParticipantKey;

    fn data(raw: Value) -> InterviewOutcome {
        InterviewOutcome::from_participant_json(ParticipantKey::from("p-1"), raw)
    }

    #[test]
    fn every_source_reads_and_prints_the_same() {
        for (source, name) in &FIXED {
            assert_eq!(&name.parse::<Source>().unwrap(), source);
        }
        for text in [
            "participant.field.region",
            "answer:Why us?",
            "const:Willo",
            "results.completed_at",
        ] {
            assert_eq!(text.parse::<Source>().unwrap().to_string(), text);
        }
        assert!("results.mood".parse::<Source>().is_err());
    }

    #[test]
    fn values_come_from_the_participant_record() {
        let results = data(json!({
            "name": "Ada King Lovelace",
            "email": "ada@example.com",
            "score": 87,
            "custom_fields": {"region": "EMEA"},
            "interview": {"key": "int-1", "name": "Graduate screen"},
            "completed_at": "2026-03-01T10:00:00Z",
            "responses": [
                {"question": "Why us?", "transcript": "Because.", "summary": "Keen.", "media_url": "https://cdn.example/1.mp4", "score": 4},
                {"question": "Salary?", "summary": "Flexible.", "media_url": "https://cdn.example/2.mp4"}
            ]
        }));
        let sources = SourceData::new(&results, Some(Decision::Accepted));
        let value = |s: &str| s.parse::<Source>().unwrap().value(&sources);
        assert_eq!(
            value("participant.first_name"),
            Some(MappedValue::Text("Ada King".into()))
        );
        assert_eq!(
            value("participant.last_name"),
            Some(MappedValue::Text("Lovelace".into()))
        );
        assert_eq!(
            value("participant.field.region"),
            Some(MappedValue::Text("EMEA".into()))
        );
        assert_eq!(
            value("interview.name"),
            Some(MappedValue::Text("Graduate screen".into()))
        );
        assert_eq!(value("results.score"), MappedValue::number(87.0));
        assert_eq!(
            value("results.decision"),
            Some(MappedValue::Text("accepted".into()))
        );
        assert_eq!(
            value("results.summary"),
            Some(MappedValue::Text(
                "Why us?: Keen.\n\nSalary?: Flexible.".into()
            ))
        );
        assert_eq!(
            value("results.answer_links"),
            Some(MappedValue::List(vec![
                "https://cdn.example/1.mp4".into(),
                "https://cdn.example/2.mp4".into()
            ]))
        );
        assert_eq!(
            value("answer:why US?"),
            Some(MappedValue::Text("Because.".into()))
        );
        assert_eq!(
            value("results.completed_at"),
            Some(MappedValue::Date("2026-03-01T10:00:00Z".into()))
        );
        assert_eq!(value("participant.phone"), None);
        assert_eq!(value("answer:Notice period?"), None);
    }
}
