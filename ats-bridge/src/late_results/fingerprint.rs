//! What a write-back put in the ATS, part by part, as short hashes: enough to tell
//! later which parts are new, without keeping the candidate's answers in the ledger.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::InterviewOutcome;

/// Which parts of the results count (see `EngineConfig::late_results`): a part left
/// out is never written as late news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FingerprintParts {
    /// Reviewers' scores (the overall score and each answer's).
    pub scores: bool,
    /// Reviewers' comments.
    pub comments: bool,
}

impl Default for FingerprintParts {
    fn default() -> Self {
        Self {
            scores: true,
            comments: true,
        }
    }
}

impl FingerprintParts {
    /// Scores and comments counted or not.
    pub fn new(scores: bool, comments: bool) -> Self {
        Self { scores, comments }
    }
}

/// The parts of a participant's results, hashed: transcripts, summaries and scores per
/// answer, the overall score, the reviewers' comments. Stored on the ledger row
/// ([`LedgerRow::results_fingerprint`](crate::store::LedgerRow)); holds no text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResultsFingerprint {
    #[serde(rename = "a", default)]
    answers: Vec<AnswerPrint>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    score: Option<String>,
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
struct AnswerPrint {
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    transcript: Option<String>,
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    score: Option<String>,
}

/// One part of the results that is new, or changed, since the last write-back.
/// Indexes point into [`InterviewOutcome::responses`] and `comments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResultsChange {
    /// An answer the last write-back did not have.
    Answer(usize),
    /// An answer's transcript.
    Transcript(usize),
    /// An answer's AI summary.
    Summary(usize),
    /// An answer's score.
    AnswerScore(usize),
    /// The overall score.
    Score,
    /// A reviewer's comment.
    Comment(usize),
}

impl ResultsFingerprint {
    /// The fingerprint of `results`, counting the `parts` asked for.
    pub fn of(results: &InterviewOutcome, parts: FingerprintParts) -> Self {
        let score = |value: Option<f64>| value.filter(|_| parts.scores).map(|s| s.to_string());
        Self {
            answers: results
                .responses
                .iter()
                .map(|answer| AnswerPrint {
                    transcript: answer.transcript.as_deref().map(hash),
                    summary: answer.summary.as_deref().map(hash),
                    score: score(answer.score),
                })
                .collect(),
            score: score(results.score),
            comments: if parts.comments {
                results
                    .comments
                    .iter()
                    .map(|c| {
                        let author = c.author.as_deref().unwrap_or_default();
                        let at = c.created_at.as_deref().unwrap_or_default();
                        hash(&format!("{author}\u{1f}{at}\u{1f}{}", c.text))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The stored form (compact JSON).
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a fingerprint serialises")
    }

    /// Read the stored form; `None` if it is not one.
    pub fn decode(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }

    /// What `self` (the results now) has that `before` (the last write-back) did not:
    /// parts added or changed, in the results' order. Parts that disappeared are not
    /// news and are not listed.
    pub fn changes_since(&self, before: &Self) -> Vec<ResultsChange> {
        let mut changes = Vec::new();
        for (i, now) in self.answers.iter().enumerate() {
            let Some(was) = before.answers.get(i) else {
                changes.push(ResultsChange::Answer(i));
                continue;
            };
            let news = |now: &Option<String>, was: &Option<String>| now.is_some() && now != was;
            if news(&now.transcript, &was.transcript) {
                changes.push(ResultsChange::Transcript(i));
            }
            if news(&now.summary, &was.summary) {
                changes.push(ResultsChange::Summary(i));
            }
            if news(&now.score, &was.score) {
                changes.push(ResultsChange::AnswerScore(i));
            }
        }
        if self.score.is_some() && self.score != before.score {
            changes.push(ResultsChange::Score);
        }
        for (i, comment) in self.comments.iter().enumerate() {
            if !before.comments.contains(comment) {
                changes.push(ResultsChange::Comment(i));
            }
        }
        changes
    }
}

/// A short, stable hash of a part's text (16 hex digits of SHA-256): stable across
/// releases and platforms, unlike the standard library's hasher.
fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ParticipantKey;

    fn results(raw: serde_json::Value) -> InterviewOutcome {
        InterviewOutcome::from_participant_json(ParticipantKey::from("p"), raw)
    }

    #[test]
    fn names_what_is_new_and_survives_storage() {
        let first = results(json!({"responses": [
            {"question": "Q1", "media_url": "https://v/1"},
            {"question": "Q2", "media_url": "https://v/2", "transcript": "hi"}
        ]}));
        let later = results(json!({"score": 4, "responses": [
            {"question": "Q1", "media_url": "https://v/1", "transcript": "Hello", "summary": "Keen"},
            {"question": "Q2", "media_url": "https://v/2", "transcript": "hi", "score": 3},
            {"question": "Q3"}
        ], "comments": [{"comment": "Good", "author": "Sam"}]}));
        let parts = FingerprintParts::default();
        let before = ResultsFingerprint::decode(&ResultsFingerprint::of(&first, parts).encode())
            .expect("decodes");
        let now = ResultsFingerprint::of(&later, parts);
        assert_eq!(
            now.changes_since(&before),
            vec![
                ResultsChange::Transcript(0),
                ResultsChange::Summary(0),
                ResultsChange::AnswerScore(1),
                ResultsChange::Answer(2),
                ResultsChange::Score,
                ResultsChange::Comment(0),
            ]
        );
        assert!(now.changes_since(&now).is_empty());
        assert!(!now.encode().contains("Hello"), "no text is stored");
    }

    #[test]
    fn parts_switched_off_are_not_news() {
        let first = results(json!({"responses": [{"question": "Q1"}]}));
        let later = results(
            json!({"score": 4, "responses": [{"question": "Q1", "score": 2}],
                                   "comments": ["Good"]}),
        );
        let parts = FingerprintParts::new(false, false);
        let before = ResultsFingerprint::of(&first, parts);
        assert_eq!(ResultsFingerprint::of(&later, parts), before);
        assert!(ResultsFingerprint::decode("not json").is_none());
    }
}
