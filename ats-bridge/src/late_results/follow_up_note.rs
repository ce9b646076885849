//! The text of the follow-up note: what arrived since the results note, and only that.
//!
//! One function, [`render_follow_up_note`], so the note templates can take it over
//! (the "updated results" event) without the engine changing.

use std::fmt::Write as _;

use willo_client::ReviewerComment;

use super::{ResultsChange, ResultsUpdate};
use crate::note::{cut, format_score};

/// The results note as amended with late results, at most `max_chars` characters: the
/// results note of [`crate::note::render_note`] for the results now, then every
/// reviewer comment. For an ATS that can edit notes (Lever), instead of a follow-up.
pub fn render_amended_note(update: &ResultsUpdate, max_chars: usize) -> String {
    let comments = comments_section(update.results.comments.iter());
    let budget = max_chars.saturating_sub(comments.chars().count());
    let note = crate::note::render_note(&update.results, budget);
    cut(format!("{note}{comments}"), max_chars)
}

/// The first words of every follow-up note.
pub const FOLLOW_UP_HEADING: &str = "Updated Willo results";

/// The follow-up note for `update`, plain text of at most `max_chars` characters: a
/// heading naming what is new ("Updated Willo results: transcript and AI summary
/// added"), the review link, then the new parts only (each answer's new transcript,
/// summary or score under its question, a new overall score, new reviewer comments).
/// Transcripts are dropped from the last answer backwards first when too long, then
/// the text is cut with [`crate::note::CUT_MARKER`].
pub fn render_follow_up_note(update: &ResultsUpdate, max_chars: usize) -> String {
    let answers = changed_answers(update);
    let mut with_transcripts = answers.len();
    loop {
        let text = render(update, &answers, with_transcripts);
        if text.chars().count() <= max_chars || with_transcripts == 0 {
            return cut(text, max_chars);
        }
        with_transcripts -= 1;
    }
}

/// Indexes of the answers with news, in order.
fn changed_answers(update: &ResultsUpdate) -> Vec<usize> {
    let mut answers: Vec<usize> = update
        .changes
        .iter()
        .filter_map(|change| match *change {
            ResultsChange::Answer(i)
            | ResultsChange::Transcript(i)
            | ResultsChange::Summary(i)
            | ResultsChange::AnswerScore(i) => Some(i),
            _ => None,
        })
        .filter(|i| *i < update.results.responses.len())
        .collect();
    answers.dedup();
    answers
}

fn has(update: &ResultsUpdate, change: ResultsChange) -> bool {
    update.changes.contains(&change)
}

/// "transcript and AI summary added", from the kinds of change, in a fixed order.
fn summary_line(update: &ResultsUpdate) -> String {
    let count =
        |pick: fn(&ResultsChange) -> bool| update.changes.iter().filter(|c| pick(c)).count();
    let kinds = [
        (
            count(|c| matches!(c, ResultsChange::Answer(_))),
            "answer",
            "answers",
        ),
        (
            count(|c| matches!(c, ResultsChange::Transcript(_))),
            "transcript",
            "transcripts",
        ),
        (
            count(|c| matches!(c, ResultsChange::Summary(_))),
            "AI summary",
            "AI summaries",
        ),
        (
            count(|c| matches!(c, ResultsChange::AnswerScore(_) | ResultsChange::Score)),
            "score",
            "scores",
        ),
        (
            count(|c| matches!(c, ResultsChange::Comment(_))),
            "reviewer comment",
            "reviewer comments",
        ),
    ];
    let names: Vec<&str> = kinds
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| if *n == 1 { *one } else { *many })
        .collect();
    match names.as_slice() {
        [] => "no new parts".to_owned(),
        [one] => format!("{one} added"),
        [rest @ .., last] => format!("{} and {last} added", rest.join(", ")),
    }
}

fn render(update: &ResultsUpdate, answers: &[usize], with_transcripts: usize) -> String {
    let results = &update.results;
    let mut out = format!("{FOLLOW_UP_HEADING}: {}\n", summary_line(update));
    if has(update, ResultsChange::Score)
        && let Some(score) = results.score
    {
        let _ = writeln!(out, "Overall score: {}", format_score(score));
    }
    if let Some(url) = results.link() {
        let _ = writeln!(out, "Review: {url}");
    }
    for (n, &i) in answers.iter().enumerate() {
        let answer = &results.responses[i];
        let whole = has(update, ResultsChange::Answer(i));
        let question = answer.question.as_deref().unwrap_or("(question not given)");
        let _ = write!(out, "\n{}. {question}\n", i + 1);
        if whole && let Some(url) = &answer.media_url {
            let _ = writeln!(out, "Answer: {url}");
        }
        if (whole || has(update, ResultsChange::AnswerScore(i)))
            && let Some(score) = answer.score
        {
            let _ = writeln!(out, "Score: {}", format_score(score));
        }
        if (whole || has(update, ResultsChange::Summary(i)))
            && let Some(summary) = &answer.summary
        {
            let _ = writeln!(out, "Summary: {summary}");
        }
        if (whole || has(update, ResultsChange::Transcript(i)))
            && let Some(transcript) = &answer.transcript
        {
            if n < with_transcripts {
                let _ = writeln!(out, "Transcript: {transcript}");
            } else {
                out.push_str("Transcript: see the answer in Willo\n");
            }
        }
    }
    let new_comments = update.changes.iter().filter_map(|c| match *c {
        ResultsChange::Comment(i) => results.comments.get(i),
        _ => None,
    });
    let comments = comments_section(new_comments);
    let mut out = out.trim_end().to_owned();
    out.push_str(&comments);
    out
}

/// "Reviewer comments:" and one line per comment, after a blank line; empty without
/// comments.
fn comments_section<'c>(comments: impl Iterator<Item = &'c ReviewerComment>) -> String {
    let mut out = String::new();
    for comment in comments {
        if out.is_empty() {
            out.push_str("\n\nReviewer comments:");
        }
        out.push_str("\n- ");
        if let Some(author) = &comment.author {
            let _ = write!(out, "{author}: ");
        }
        out.push_str(&comment.text);
        if let Some(score) = comment.score {
            let _ = write!(out, " (score {})", format_score(score));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::late_results::{FingerprintParts, ResultsFingerprint};
    use crate::model::{InterviewOutcome, ParticipantKey};

    fn results(raw: serde_json::Value) -> InterviewOutcome {
        InterviewOutcome::from_participant_json(ParticipantKey::from("p"), raw)
    }

    fn update(before: serde_json::Value, now: serde_json::Value) -> ResultsUpdate {
        let parts = FingerprintParts::default();
        let (before, now) = (results(before), results(now));
        let changes = ResultsFingerprint::of(&now, parts)
            .changes_since(&ResultsFingerprint::of(&before, parts));
        ResultsUpdate::new(now, changes)
    }

    #[test]
    fn only_the_new_parts_are_written() {
        let update = update(
            json!({"share_url": "https://w/r/1", "responses": [
                {"question": "Tell us about yourself", "media_url": "https://v/1"},
                {"question": "Why us?", "media_url": "https://v/2", "transcript": "Old words"}
            ]}),
            json!({"share_url": "https://w/r/1", "responses": [
                {"question": "Tell us about yourself", "media_url": "https://v/1",
                 "transcript": "I build bridges", "summary": "An engineer"},
                {"question": "Why us?", "media_url": "https://v/2", "transcript": "Old words"}
            ]}),
        );
        assert_eq!(
            render_follow_up_note(&update, 10_000),
            "Updated Willo results: transcript and AI summary added\n\
             Review: https://w/r/1\n\
             \n\
             1. Tell us about yourself\n\
             Summary: An engineer\n\
             Transcript: I build bridges"
        );
    }

    #[test]
    fn scores_and_comments_are_listed() {
        let update = update(
            json!({"responses": [{"question": "Q"}]}),
            json!({"score": 4.5, "responses": [{"question": "Q", "score": 4}],
                   "comments": [{"text": "Strong", "author": "Sam", "score": 4}, "Call back"]}),
        );
        let text = render_follow_up_note(&update, 10_000);
        assert!(
            text.starts_with(
                "Updated Willo results: scores and reviewer comments added\nOverall score: 4.5\n"
            ),
            "{text}"
        );
        assert!(text.contains("1. Q\nScore: 4"), "{text}");
        assert!(
            text.ends_with(
                "1. Q\nScore: 4\n\nReviewer comments:\n- Sam: Strong (score 4)\n- Call back"
            ),
            "{text}"
        );
        let amended = render_amended_note(&update, 10_000);
        assert!(
            amended.starts_with("Willo interview results\nOverall score: 4.5\n"),
            "{amended}"
        );
        assert!(amended.ends_with("\n\nReviewer comments:\n- Sam: Strong (score 4)\n- Call back"));
        assert!(render_amended_note(&update, 50).chars().count() <= 50);
    }

    #[test]
    fn never_longer_than_the_limit() {
        let long = "word ".repeat(2_000);
        let update = update(
            json!({"responses": [{"question": "Q"}]}),
            json!({"responses": [{"question": "Q", "transcript": long}]}),
        );
        let text = render_follow_up_note(&update, 200);
        assert!(text.chars().count() <= 200);
        assert!(
            text.contains("Transcript: see the answer in Willo"),
            "{text}"
        );
    }
}
