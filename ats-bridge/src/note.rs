//! The text of the results note, shared by every adapter: a heading, the overall score
//! and review link, then each answer with its link, score, summary and transcript,
//! fitted into the ATS's length limit. When Willo's record holds answers under names
//! the client does not read, the note says so and links to the participant in Willo
//! instead of reporting zero answers.
//!
//! Fitting drops transcripts from the last answer backwards first (they are the
//! longest and each answer's link leads to them), then cuts what is still too long on
//! a character boundary with a marker, so a note is never refused for its length.

use std::fmt::Write as _;

use willo_client::Recognition;

use crate::model::InterviewOutcome;

/// Appended where text was cut.
pub const CUT_MARKER: &str = "… [cut to fit]";

/// Render `outcome` as plain text of at most `max_chars` characters.
pub fn render_note(outcome: &InterviewOutcome, max_chars: usize) -> String {
    let mut with_transcripts = outcome.responses.len();
    loop {
        let text = render(outcome, with_transcripts);
        if text.chars().count() <= max_chars || with_transcripts == 0 {
            return cut(text, max_chars);
        }
        with_transcripts -= 1;
    }
}

/// Render with transcripts for the first `with_transcripts` answers.
fn render(outcome: &InterviewOutcome, with_transcripts: usize) -> String {
    let mut out = String::from("Willo interview results");
    if let Some(stage) = &outcome.stage {
        let _ = write!(out, " ({stage})");
    }
    out.push('\n');
    if let Some(at) = &outcome.completed_at {
        let _ = writeln!(out, "Completed: {at}");
    }
    if let Some(score) = outcome.score {
        let _ = writeln!(out, "Overall score: {}", format_score(score));
    }
    if let Some(url) = &outcome.review_url {
        let _ = writeln!(out, "Review: {url}");
    }
    for (i, response) in outcome.responses.iter().enumerate() {
        let question = response
            .question
            .as_deref()
            .unwrap_or("(question not given)");
        let _ = write!(out, "\n{}. {question}\n", i + 1);
        if let Some(url) = &response.media_url {
            let _ = writeln!(out, "Answer: {url}");
        }
        if let Some(score) = response.score {
            let _ = writeln!(out, "Score: {}", format_score(score));
        }
        if let Some(summary) = &response.summary {
            let _ = writeln!(out, "Summary: {summary}");
        }
        if let Some(transcript) = &response.transcript {
            if i < with_transcripts {
                let _ = writeln!(out, "Transcript: {transcript}");
            } else {
                out.push_str("Transcript: see the answer link\n");
            }
        }
    }
    if outcome.recognition == Recognition::Unrecognised {
        // Not "0 answers": the answers may well be there, under names this version
        // does not read. Send the reviewer to Willo instead.
        out.push_str(
            "\nThe answers could not be read from Willo's record (their format is not one \
             this bridge knows).\n",
        );
        match outcome.link() {
            Some(url) => {
                let _ = writeln!(out, "See them in Willo: {url}");
            }
            None => out.push_str("See them in Willo.\n"),
        }
        let _ = writeln!(out, "Willo participant: {}", outcome.participant_key);
    } else if outcome.responses.is_empty() {
        out.push_str("\nNo answers were returned by Willo.\n");
    }
    out.trim_end().to_owned()
}

pub(crate) fn format_score(score: f64) -> String {
    if score.fract() == 0.0 {
        format!("{score:.0}")
    } else {
        format!("{score:.1}")
    }
}

/// Cut `text` to `max_chars` characters, marker included, on a character boundary.
pub(crate) fn cut(text: String, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text;
    }
    let marker_len = CUT_MARKER.chars().count();
    let keep = max_chars.saturating_sub(marker_len);
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(if max_chars >= marker_len {
        CUT_MARKER
    } else {
        ""
    });
    out.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use willo_client::ParticipantKey;

    use super::*;

    fn outcome(transcript_len: usize) -> InterviewOutcome {
        let transcript = "word ".repeat(transcript_len / 5);
        InterviewOutcome::from_participant_json(
            ParticipantKey::from("0123456789abcdef0123456789abcdef"),
            json!({
                "stage": "Received",
                "score": 4.5,
                "responses": [
                    {"question": "Tell us about yourself", "media_url": "https://v/1", "transcript": transcript, "score": 4},
                    {"question": "Why us?", "media_url": "https://v/2", "transcript": transcript, "summary": "Keen."}
                ]
            }),
        )
    }

    #[test]
    fn renders_every_part() {
        let text = render_note(&outcome(20), 10_000);
        for part in [
            "Willo interview results (Received)",
            "Overall score: 4.5",
            "1. Tell us about yourself",
            "Answer: https://v/1",
            "Score: 4",
            "2. Why us?",
            "Summary: Keen.",
            "Transcript: word word",
        ] {
            assert!(text.contains(part), "missing {part:?} in\n{text}");
        }
    }

    #[test]
    fn long_transcripts_are_dropped_from_the_end_first_and_links_kept() {
        let text = render_note(&outcome(3_000), 4_000);
        assert!(text.chars().count() <= 4_000);
        assert!(text.contains("Answer: https://v/2"), "{text}");
        assert!(text.contains("Transcript: see the answer link"));
        assert!(text.contains(
            "1. Tell us about yourself\nAnswer: https://v/1\nScore: 4\nTranscript: word"
        ));
    }

    #[test]
    fn unrecognised_answers_send_the_reviewer_to_willo() {
        // Issue 15, item 7: answers under unknown names are not "0 answers".
        let mut outcome = InterviewOutcome::from_participant_json(
            ParticipantKey::from("0123456789abcdef0123456789abcdef"),
            json!({"stage": "To Review", "clips": [{"q": "Why us?", "v": "https://v/1"}]}),
        );
        outcome.willo_url = Some("https://app.willotalent.com/p/0123".into());
        let text = render_note(&outcome, 10_000);
        assert!(!text.contains("No answers"), "{text}");
        for part in [
            "Willo interview results (To Review)",
            "The answers could not be read from Willo's record",
            "See them in Willo: https://app.willotalent.com/p/0123",
            "Willo participant: 0123456789abcdef0123456789abcdef",
        ] {
            assert!(text.contains(part), "missing {part:?} in\n{text}");
        }
        // A review link in the record wins over the page address.
        outcome.review_url = Some("https://app.willotalent.com/share/abc".into());
        let text = render_note(&outcome, 10_000);
        assert!(text.contains("See them in Willo: https://app.willotalent.com/share/abc"));

        // Known to be empty: said as such.
        let empty = InterviewOutcome::from_participant_json(
            ParticipantKey::from("p"),
            json!({"responses": []}),
        );
        let text = render_note(&empty, 10_000);
        assert!(
            text.contains("No answers were returned by Willo."),
            "{text}"
        );
        assert!(!text.contains("See them in Willo"), "{text}");
    }

    #[test]
    fn never_longer_than_the_limit() {
        for limit in [0, 5, 20, 100] {
            assert!(render_note(&outcome(3_000), limit).chars().count() <= limit);
        }
        let cut_text = render_note(&outcome(0), 30);
        assert!(cut_text.ends_with(CUT_MARKER), "{cut_text}");
    }
}
