//! The follow-up note: what arrived since the results note, and only that, as the
//! `results_updated` event's template variables ([`ResultsUpdate::vars`]) and the
//! built-in text rendered from them ([`render_follow_up_note`]). A team's own
//! `[notes.results_updated]` template reads the same variables.

use std::fmt::Write as _;

use willo_client::ReviewerComment;

use super::{ResultsChange, ResultsUpdate};
use crate::model::{ApplicationRef, AtsName, InterviewKey};
use crate::note::{
    CommentVars, Note, NoteEvent, NoteFacts, NoteSettings, ResponseVars, UpdateVars, cut,
    format_score,
};

/// The results note as amended with late results, at most `max_chars` characters: the
/// results note of [`crate::note::render_note`] for the results now, then every
/// reviewer comment. For an ATS that can edit notes (Lever), instead of a follow-up.
pub fn render_amended_note(update: &ResultsUpdate, max_chars: usize) -> String {
    let comments = comments_section(update.results.comments.iter());
    let budget = max_chars.saturating_sub(comments.chars().count());
    let note = crate::note::render_note(&update.results, budget);
    cut(format!("{note}{comments}"), max_chars)
}

/// The first words of every follow-up note written with the built-in text.
pub const FOLLOW_UP_HEADING: &str = "Updated Willo results";

/// The built-in follow-up note for `update`, plain text of at most `max_chars`
/// characters: a heading naming what is new ("Updated Willo results: transcript and
/// AI summary added"), the review link, then the new parts only (each answer's new
/// transcript, summary or score under its question, a new overall score, new reviewer
/// comments). Transcripts are dropped from the last answer backwards first when too
/// long, then the text is cut with [`crate::note::CUT_MARKER`]. It is the
/// `results_updated` event's built-in template
/// ([`NoteSettings::default_template`]) rendered with [`ResultsUpdate::vars`]; the
/// engine renders a team's template with the same variables instead.
pub fn render_follow_up_note(update: &ResultsUpdate, max_chars: usize) -> String {
    // No ATS ids are known here, and the built-in text shows none.
    let application = ApplicationRef {
        application: Default::default(),
        candidate: Default::default(),
        job: Default::default(),
    };
    let ats = AtsName::default();
    let interview = InterviewKey::default();
    let event = NoteEvent::ResultsUpdated;
    let mut facts = NoteFacts::new(event, &ats, &application, &interview, 0);
    facts.results = Some(&update.results);
    facts.update = Some(update.vars());
    Note::new(
        event,
        NoteSettings::default_template(event),
        facts.context(),
    )
    .text(max_chars)
    .expect("the built-in follow-up template renders every update")
}

impl ResultsUpdate {
    /// The `update.*` variables of the `results_updated` note: what is new in words
    /// and by kind, a changed overall score, the answers with news (each numbered as
    /// in the results, with only its new parts set; an answer new as a whole has them
    /// all) and the new reviewer comments.
    pub fn vars(&self) -> UpdateVars {
        let mut vars = UpdateVars::new(summary_line(self));
        vars.kinds = KINDS
            .iter()
            .filter(|kind| self.changes.iter().any(|c| (kind.is)(c)))
            .map(|kind| kind.name.to_owned())
            .collect();
        vars.score = self
            .results
            .score
            .filter(|_| self.has(ResultsChange::Score));
        vars.responses = self
            .changed_answers()
            .map(|i| self.answer_vars(i))
            .collect();
        vars.comments = self
            .changes
            .iter()
            .filter_map(|c| match *c {
                ResultsChange::Comment(i) => self.results.comments.get(i),
                _ => None,
            })
            .map(|comment| {
                let vars = CommentVars::new(&comment.text, comment.author.clone(), comment.score);
                match &comment.created_at {
                    Some(at) => vars.created_at(at),
                    None => vars,
                }
            })
            .collect();
        vars
    }

    /// Whether `change` is among the news.
    fn has(&self, change: ResultsChange) -> bool {
        self.changes.contains(&change)
    }

    /// Indexes of the answers with news, in order, each once.
    fn changed_answers(&self) -> impl Iterator<Item = usize> + '_ {
        let mut answers: Vec<usize> = self
            .changes
            .iter()
            .filter_map(|change| match *change {
                ResultsChange::Answer(i)
                | ResultsChange::Transcript(i)
                | ResultsChange::Summary(i)
                | ResultsChange::AnswerScore(i) => Some(i),
                _ => None,
            })
            .filter(|i| *i < self.results.responses.len())
            .collect();
        answers.sort_unstable();
        answers.dedup();
        answers.into_iter()
    }

    /// Answer `i` with only its new parts (all of them for a new answer).
    fn answer_vars(&self, i: usize) -> ResponseVars {
        let answer = &self.results.responses[i];
        let whole = self.has(ResultsChange::Answer(i));
        let new = |change: ResultsChange| whole || self.has(change);
        ResponseVars {
            number: i + 1,
            question: answer.question.clone(),
            media_url: answer.media_url.clone().filter(|_| whole),
            transcript: answer
                .transcript
                .clone()
                .filter(|_| new(ResultsChange::Transcript(i))),
            transcript_left_out: false,
            summary: answer
                .summary
                .clone()
                .filter(|_| new(ResultsChange::Summary(i))),
            score: answer.score.filter(|_| new(ResultsChange::AnswerScore(i))),
        }
    }
}

/// A kind of news: its name in `update.kinds` and its words in `update.summary`.
struct Kind {
    name: &'static str,
    one: &'static str,
    many: &'static str,
    is: fn(&ResultsChange) -> bool,
}

/// The kinds, in the order they are named.
const KINDS: [Kind; 5] = [
    Kind {
        name: "answer",
        one: "answer",
        many: "answers",
        is: |c| matches!(c, ResultsChange::Answer(_)),
    },
    Kind {
        name: "transcript",
        one: "transcript",
        many: "transcripts",
        is: |c| matches!(c, ResultsChange::Transcript(_)),
    },
    Kind {
        name: "summary",
        one: "AI summary",
        many: "AI summaries",
        is: |c| matches!(c, ResultsChange::Summary(_)),
    },
    Kind {
        name: "score",
        one: "score",
        many: "scores",
        is: |c| matches!(c, ResultsChange::AnswerScore(_) | ResultsChange::Score),
    },
    Kind {
        name: "comment",
        one: "reviewer comment",
        many: "reviewer comments",
        is: |c| matches!(c, ResultsChange::Comment(_)),
    },
];

/// "transcript and AI summary added", from the kinds of change, in a fixed order.
fn summary_line(update: &ResultsUpdate) -> String {
    let names: Vec<&str> = KINDS
        .iter()
        .filter_map(
            |kind| match update.changes.iter().filter(|c| (kind.is)(c)).count() {
                0 => None,
                1 => Some(kind.one),
                _ => Some(kind.many),
            },
        )
        .collect();
    match names.as_slice() {
        [] => "no new parts".to_owned(),
        [one] => format!("{one} added"),
        [rest @ .., last] => format!("{} and {last} added", rest.join(", ")),
    }
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

    /// The follow-up note as the bridge wrote it before `results_updated` had a
    /// template: the oracle the built-in template is held to.
    fn former_render_follow_up_note(update: &ResultsUpdate, max_chars: usize) -> String {
        let answers: Vec<usize> = update.changed_answers().collect();
        let mut with_transcripts = answers.len();
        loop {
            let text = former_render(update, &answers, with_transcripts);
            if text.chars().count() <= max_chars || with_transcripts == 0 {
                return cut(text, max_chars);
            }
            with_transcripts -= 1;
        }
    }

    fn former_render(update: &ResultsUpdate, answers: &[usize], with_transcripts: usize) -> String {
        let results = &update.results;
        let has = |change| update.has(change);
        let mut out = format!("{FOLLOW_UP_HEADING}: {}\n", summary_line(update));
        if has(ResultsChange::Score)
            && let Some(score) = results.score
        {
            let _ = writeln!(out, "Overall score: {}", format_score(score));
        }
        if let Some(url) = results.link() {
            let _ = writeln!(out, "Review: {url}");
        }
        for (n, &i) in answers.iter().enumerate() {
            let answer = &results.responses[i];
            let whole = has(ResultsChange::Answer(i));
            let question = answer.question.as_deref().unwrap_or("(question not given)");
            let _ = write!(out, "\n{}. {question}\n", i + 1);
            if whole && let Some(url) = &answer.media_url {
                let _ = writeln!(out, "Answer: {url}");
            }
            if (whole || has(ResultsChange::AnswerScore(i)))
                && let Some(score) = answer.score
            {
                let _ = writeln!(out, "Score: {}", format_score(score));
            }
            if (whole || has(ResultsChange::Summary(i)))
                && let Some(summary) = &answer.summary
            {
                let _ = writeln!(out, "Summary: {summary}");
            }
            if (whole || has(ResultsChange::Transcript(i)))
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

    /// Updates covering every branch of the former renderer.
    fn varied_updates() -> Vec<ResultsUpdate> {
        let long = "word ".repeat(400);
        vec![
            update(
                json!({"responses": [{"question": "Q1", "media_url": "https://v/1"}]}),
                json!({"share_url": "https://w/r/1", "responses": [
                    {"question": "Q1", "media_url": "https://v/1", "transcript": long, "summary": "S"},
                    {"media_url": "https://v/2", "transcript": long, "score": 3.25},
                    {"question": "Q3", "summary": "Ünïcødé ✓", "transcript": "line one\nline two"}
                ]}),
            ),
            update(
                json!({"score": 3, "responses": [{"question": "Q", "score": 2}]}),
                json!({"score": 4.5, "responses": [{"question": "Q", "score": 4}],
                       "comments": [{"text": "Strong", "author": "Sam", "score": 4}, "Call back"]}),
            ),
            update(
                json!({"responses": [{"question": "Q"}], "comments": ["Old"]}),
                json!({"responses": [{"question": "Q"}], "comments": ["Old", "New one"]}),
            ),
            update(
                json!({"responses": [{"question": "Q", "transcript": "a"}]}),
                json!({"responses": [{"question": "Q"}]}),
            ),
            ResultsUpdate::new(
                results(json!({"responses": [{"question": "Q"}]})),
                vec![ResultsChange::Transcript(7), ResultsChange::Comment(3)],
            ),
        ]
    }

    #[test]
    fn the_built_in_template_matches_the_former_renderer() {
        // Issue 17 §2: the follow-up is now the `results_updated` template; without a
        // template of the team's, the text is byte for byte what was written before,
        // at every length limit, cuts included.
        for update in varied_updates() {
            for limit in [0, 5, 30, 100, 300, 1_000, 2_500, 10_000] {
                assert_eq!(
                    render_follow_up_note(&update, limit),
                    former_render_follow_up_note(&update, limit),
                    "limit {limit}, update {:?}",
                    update.changes
                );
            }
        }
    }

    #[test]
    fn the_variables_hold_the_news_only() {
        let update = &varied_updates()[1];
        let vars = update.vars();
        assert_eq!(vars.summary, "scores and reviewer comments added");
        assert_eq!(vars.kinds, ["score", "comment"]);
        assert_eq!(vars.score, Some(4.5));
        assert_eq!(vars.responses.len(), 1);
        let answer = &vars.responses[0];
        assert_eq!(
            (answer.number, answer.question.as_deref(), answer.score),
            (1, Some("Q"), Some(4.0))
        );
        assert_eq!((&answer.media_url, &answer.transcript), (&None, &None));
        let comments: Vec<_> = vars
            .comments
            .iter()
            .map(|c| (c.author.as_deref(), c.text.as_str(), c.score))
            .collect();
        assert_eq!(
            comments,
            [
                (Some("Sam"), "Strong", Some(4.0)),
                (None, "Call back", None)
            ]
        );

        // A whole new answer carries every part; an unchanged score is not news.
        let vars = varied_updates()[0].vars();
        assert_eq!(vars.kinds, ["answer", "transcript", "summary"]);
        assert_eq!(vars.score, None);
        let numbers: Vec<_> = vars.responses.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(vars.responses[1].media_url.as_deref(), Some("https://v/2"));
        assert_eq!(vars.responses[1].score, Some(3.25));
        assert_eq!(vars.responses[0].media_url, None, "not new");
    }
}
