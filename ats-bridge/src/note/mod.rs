//! The notes the bridge writes on the ATS record: which events write one and what
//! each says ([`NoteSettings`], `[notes]` in the rules file), rendered from templates
//! (Jinja syntax, through `minijinja`) with documented variables ([`NoteContext`]),
//! and the structured record of the interview ([`ResultsRecord`]) that templates and
//! custom [`Ats`](crate::Ats) implementations can read.
//!
//! Every adapter writes [`Note::text`], fitted into its ATS's length limit: fitting
//! drops transcripts from the last answer backwards first (they are the longest and
//! each answer's link leads to them), then cuts what is still too long on a character
//! boundary with a marker, so a note is never refused for its length.
//!
//! The default results note (the `completed` event) is the one the bridge has always
//! written: a heading, the overall score and review link, then each answer with its
//! link, score, summary and transcript. When Willo's record holds answers under names
//! the client does not read, the note says so and links to the participant in Willo
//! instead of reporting zero answers.
//!
//! ```
//! use ats_bridge::note::{Note, NoteEvent, NoteFacts, NoteSettings};
//! use ats_bridge::model::{ApplicationRef, InterviewOutcome, ParticipantKey};
//! use serde_json::json;
//!
//! let application = ApplicationRef {
//!     application: "app-1".into(), candidate: "cand-1".into(), job: "job-1".into(),
//! };
//! let results = InterviewOutcome::from_participant_json(
//!     ParticipantKey::from("0123456789abcdef0123456789abcdef"),
//!     json!({"stage": "Accepted", "responses": [{"question": "Why us?", "media_url": "https://v/1"}]}),
//! );
//! let (ats, interview) = ("lever".into(), "1e2048a686804049b128f1357c559cbf".into());
//! let mut facts = NoteFacts::new(NoteEvent::Decision, &ats, &application, &interview, 0);
//! facts.results = Some(&results);
//! facts.decision = Some(ats_bridge::rules::Decision::Accepted);
//!
//! let settings = NoteSettings::default();
//! let note = Note::new(NoteEvent::Decision, settings.template(NoteEvent::Decision), facts.context());
//! assert_eq!(note.text(10_000)?, "Willo decision: Accepted");
//! assert_eq!(note.context().record.interview_status, "accepted");
//! # Ok::<_, ats_bridge::note::NoteRenderError>(())
//! ```

mod config;
mod context;
mod templates;

use std::fmt;
use std::sync::Arc;

pub use config::{NoteEvent, NoteSetting, NoteSettings, NoteTemplateError};
pub use context::{
    ApplicationVars, CandidateVars, CommentVars, DateVars, InterviewVars, NoteContext, NoteFacts,
    ParticipantVars, RecordResponse, ResponseVars, ResultsRecord, ResultsVars, UpdateVars,
};
pub use templates::NoteRenderError;
pub(crate) use templates::format_score;

use crate::model::InterviewOutcome;

/// Appended where text was cut.
pub const CUT_MARKER: &str = "… [cut to fit]";

/// A note to write: its event, its template and the variables it is rendered with.
/// Adapters call [`Note::text`] with their ATS's length limit. `Debug` shows the event
/// only (the variables hold the candidate's name and answers).
#[derive(Clone, PartialEq)]
pub struct Note {
    event: NoteEvent,
    template: Arc<str>,
    context: NoteContext,
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Note")
            .field("event", &self.event)
            .finish_non_exhaustive()
    }
}

impl Note {
    /// A note for `event` rendering `template` (usually
    /// [`NoteSettings::template`]) with `context`.
    pub fn new(event: NoteEvent, template: impl Into<Arc<str>>, context: NoteContext) -> Self {
        Self {
            event,
            template: template.into(),
            context,
        }
    }

    /// The default results note for `outcome` alone (no ATS ids known): what
    /// [`render_note`] renders.
    pub fn default_results(outcome: &InterviewOutcome) -> Self {
        let application = crate::model::ApplicationRef {
            application: Default::default(),
            candidate: Default::default(),
            job: Default::default(),
        };
        let ats = crate::model::AtsName::default();
        let interview = crate::model::InterviewKey::default();
        let mut facts = NoteFacts::new(NoteEvent::Completed, &ats, &application, &interview, 0);
        facts.results = Some(outcome);
        Self::new(
            NoteEvent::Completed,
            NoteSettings::default_template(NoteEvent::Completed),
            facts.context(),
        )
    }

    /// The event the note is about.
    pub fn event(&self) -> NoteEvent {
        self.event
    }

    /// The variables it is rendered with, the structured record among them
    /// ([`NoteContext::record`]).
    pub fn context(&self) -> &NoteContext {
        &self.context
    }

    /// The text, at most `max_chars` characters: transcripts are left out from the
    /// last answer backwards until it fits, then it is cut with [`CUT_MARKER`]. Empty
    /// when the template renders nothing (then no note should be written).
    pub fn text(&self, max_chars: usize) -> Result<String, NoteRenderError> {
        let with_transcripts = |keep: usize| {
            let mut context = self.context.clone();
            for list in [
                context.results.as_mut().map(|r| &mut r.responses),
                context.update.as_mut().map(|u| &mut u.responses),
            ]
            .into_iter()
            .flatten()
            {
                for response in list.iter_mut().skip(keep) {
                    if response.transcript.take().is_some() {
                        response.transcript_left_out = true;
                    }
                }
            }
            templates::render(self.event, &self.template, &context)
        };
        let answers = [
            self.context.results.as_ref().map(|r| r.responses.len()),
            self.context.update.as_ref().map(|u| u.responses.len()),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        let mut keep = answers;
        loop {
            let text = with_transcripts(keep)?;
            if text.chars().count() <= max_chars || keep == 0 {
                return Ok(cut(text, max_chars));
            }
            keep -= 1;
        }
    }
}

/// Render the default results note for `outcome` as plain text of at most
/// `max_chars` characters (what [`Note::default_results`] writes).
pub fn render_note(outcome: &InterviewOutcome, max_chars: usize) -> String {
    Note::default_results(outcome)
        .text(max_chars)
        .expect("the built-in results template renders every outcome")
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
    use std::fmt::Write as _;

    use serde_json::json;
    use willo_client::{ParticipantKey, Recognition};

    use super::*;

    /// The results note as the bridge wrote it before templates: the oracle the
    /// built-in template is held to.
    fn former_render_note(outcome: &InterviewOutcome, max_chars: usize) -> String {
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

    fn format_score(score: f64) -> String {
        if score.fract() == 0.0 {
            format!("{score:.0}")
        } else {
            format!("{score:.1}")
        }
    }

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

    /// Outcomes covering every branch of the former renderer.
    fn varied_outcomes() -> Vec<InterviewOutcome> {
        let key = || ParticipantKey::from("0123456789abcdef0123456789abcdef");
        let mut list = vec![
            outcome(20),
            outcome(3_000),
            InterviewOutcome::from_participant_json(key(), json!({})),
            InterviewOutcome::from_participant_json(key(), json!({"responses": []})),
            InterviewOutcome::from_participant_json(
                key(),
                json!({"stage": "To Review", "clips": [{"q": "Why us?"}]}),
            ),
            InterviewOutcome::from_participant_json(
                key(),
                json!({
                    "stage": {"name": "Accepted"},
                    "completed_at": "2026-03-01T10:00:00Z",
                    "score": 0.0,
                    "share_url": "https://w/share/1",
                    "responses": [
                        {"media_url": "https://v/1", "score": 3.25},
                        {"question": "", "transcript": "", "summary": "Ünïcødé ✓"},
                        {"question": "Q3", "score": 5, "transcript": "line one\nline two"}
                    ]
                }),
            ),
        ];
        let mut with_page = InterviewOutcome::from_participant_json(key(), json!({"x": 1}));
        with_page.willo_url = Some("https://app.willotalent.com/p/0123".into());
        list.push(with_page);
        list
    }

    #[test]
    fn defaults_match_the_former_renderer() {
        // Issue 17: the default results note is byte for byte the note written before
        // notes had templates, at every length limit, cuts included.
        for outcome in varied_outcomes() {
            for limit in [0, 5, 30, 100, 300, 4_000, 10_000] {
                assert_eq!(
                    render_note(&outcome, limit),
                    former_render_note(&outcome, limit),
                    "limit {limit}, outcome {:?}",
                    outcome.raw
                );
            }
        }
    }

    fn context_for(event: NoteEvent) -> NoteContext {
        let application = crate::model::ApplicationRef {
            application: "app-7".into(),
            candidate: "cand-7".into(),
            job: "job-7".into(),
        };
        let results = outcome(20);
        let participant = results.participant_key.clone();
        let ats = "lever".into();
        let interview = "1e2048a686804049b128f1357c559cbf".into();
        let mut facts = NoteFacts::new(event, &ats, &application, &interview, 1_764_928_648_000);
        facts.full_name = Some("Ada Lovelace");
        facts.invited_ms = Some(1_764_928_588_000);
        facts.interview_name = Some("Graduate engineers".into());
        facts.participant = Some(&participant);
        if event != NoteEvent::Invited {
            facts.results = Some(&results);
        }
        if event == NoteEvent::Decision {
            facts.decision = Some(crate::rules::Decision::Rejected);
        }
        if event == NoteEvent::ResultsUpdated {
            let mut changed = facts.context().results.unwrap().responses;
            changed.truncate(1);
            let mut update = UpdateVars::new("transcript added");
            update.responses = changed;
            update.comments = vec![
                CommentVars::new("Strong answer", Some("Sam".into()), Some(4.0)),
                CommentVars::new("Agreed", None, None),
            ];
            facts.update = Some(update);
        }
        facts.context()
    }

    fn default_text(event: NoteEvent) -> String {
        Note::new(
            event,
            NoteSettings::default_template(event),
            context_for(event),
        )
        .text(10_000)
        .unwrap()
    }

    #[test]
    fn each_event_renders_its_default_text() {
        assert_eq!(
            default_text(NoteEvent::Invited),
            "Willo interview sent: Graduate engineers\n\
             Willo participant: 0123456789abcdef0123456789abcdef\n\
             Sent: Fri, 05 Dec 2025 09:56:28 GMT"
        );
        assert_eq!(
            default_text(NoteEvent::Decision),
            "Willo decision: Rejected (Graduate engineers)"
        );
        assert_eq!(
            default_text(NoteEvent::Expired),
            "Willo interview expired without an answer (Received)"
        );
        assert_eq!(
            default_text(NoteEvent::Withdrawn),
            "The candidate withdrew from the Willo interview (Received)"
        );
        let updated = default_text(NoteEvent::ResultsUpdated);
        assert!(
            updated.starts_with(
                "Updated Willo results: transcript added\n\n\
                 1. Tell us about yourself\nAnswer: https://v/1\nScore: 4\nTranscript: word"
            ),
            "{updated}"
        );
        assert!(
            updated.ends_with("\n\nReviewer comments:\n- Sam: Strong answer (score 4)\n- Agreed"),
            "{updated}"
        );
        assert!(
            !updated.contains("Why us?"),
            "only the changed answer: {updated}"
        );
        assert_eq!(
            default_text(NoteEvent::Completed),
            former_render_note(&outcome(20), 10_000)
        );
    }

    #[test]
    fn templates_read_every_documented_variable() {
        let template = "{{ event }}|{{ candidate.first_name }}|{{ candidate.id }}|\
            {{ application.ats }}/{{ application.id }}/{{ application.job }}|\
            {{ interview.name }} {{ interview.key }}|{{ participant.key }}|\
            {{ results.score | score }} {{ results.responses | length }}|{{ decision }}|\
            {{ dates.now }}|{{ record.interview_status }} {{ record.candidate_id }}";
        let text = Note::new(
            NoteEvent::Decision,
            template,
            context_for(NoteEvent::Decision),
        )
        .text(10_000)
        .unwrap();
        assert_eq!(
            text,
            "decision|Ada|cand-7|lever/app-7/job-7|Graduate engineers \
             1e2048a686804049b128f1357c559cbf|0123456789abcdef0123456789abcdef|4.5 2|\
             rejected|Fri, 05 Dec 2025 09:57:28 GMT|rejected cand-7"
        );
    }

    #[test]
    fn the_record_has_the_integration_guide_shape() {
        let record = serde_json::to_value(&context_for(NoteEvent::Completed).record).unwrap();
        assert_eq!(record["candidate_id"], "cand-7");
        assert_eq!(record["interview_status"], "completed");
        assert_eq!(record["responses"][0]["question"], "Tell us about yourself");
        assert_eq!(record["responses"][0]["video_url"], "https://v/1");
        assert!(
            record["responses"][0]["transcript"]
                .as_str()
                .unwrap()
                .starts_with("word")
        );
        assert_eq!(
            record["participant_key"],
            "0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn unknown_variables_are_named_at_load() {
        let settings = NoteSettings::default().with(
            NoteEvent::Invited,
            NoteSetting::on().template("Hi {{ candidate.first_name }}: {{ results.score }}"),
        );
        let (event, error) = settings.validate().unwrap_err();
        assert_eq!(event, NoteEvent::Invited);
        assert!(
            matches!(&error, NoteTemplateError::UnknownVariable { variable, .. } if variable == "results.score"),
            "{error:?}"
        );
        assert!(error.to_string().contains("`results.score`"), "{error}");

        // A misspelt field inside a loop is caught by the sample render.
        let settings = NoteSettings::default().with(
            NoteEvent::Completed,
            NoteSetting::on()
                .template("{% for r in results.responses %}{{ r.questoin }}{% endfor %}"),
        );
        let (_, error) = settings.validate().unwrap_err();
        assert!(
            matches!(error, NoteTemplateError::Syntax { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("notes.completed"), "{error}");

        let settings = NoteSettings::default().with(
            NoteEvent::Decision,
            NoteSetting::on().template("{% if decision %}unclosed"),
        );
        assert!(settings.validate().is_err());

        // `results_updated` takes a template (issue 17 §2): its `update.*` variables
        // are checked like any other, and belong to it alone.
        let updated = |template: &str| {
            NoteSettings::default()
                .with(
                    NoteEvent::ResultsUpdated,
                    NoteSetting::on().template(template),
                )
                .validate()
        };
        assert_eq!(
            updated(
                "{{ update.summary }} ({{ update.kinds | join(', ') }}) for \
                 {{ candidate.first_name }}: {{ results.link }}\
                 {% for r in update.responses %}{{ r.number }} {{ r.transcript }}{% endfor %}\
                 {% for c in update.comments %}{{ c.author }} {{ c.created_at }}{% endfor %}"
            ),
            Ok(())
        );
        let (event, error) = updated("New: {{ update.sumary }}").unwrap_err();
        assert_eq!(event, NoteEvent::ResultsUpdated);
        assert!(
            matches!(&error, NoteTemplateError::UnknownVariable { variable, .. } if variable == "update.sumary"),
            "{error:?}"
        );
        assert!(error.to_string().contains("results_updated"), "{error}");
        assert!(
            updated("{% for c in update.comments %}{{ c.txet }}{% endfor %}").is_err(),
            "a misspelt comment field"
        );
        let settings = NoteSettings::default().with(
            NoteEvent::Decision,
            NoteSetting::on().template("{{ update.summary }}"),
        );
        let (_, error) = settings.validate().unwrap_err();
        assert!(
            matches!(&error, NoteTemplateError::UnknownVariable { variable, .. } if variable == "update.summary"),
            "{error:?}"
        );
        // Every built-in template passes its own checks.
        for event in NoteEvent::ALL {
            let own = NoteSettings::default().with(
                event,
                NoteSetting::on()
                    .template(NoteSettings::default_template(event))
                    .stages(["Stage"]),
            );
            assert_eq!(own.validate(), Ok(()), "{event}");
        }
    }

    #[test]
    fn a_template_that_renders_nothing_gives_empty_text() {
        let note = Note::new(
            NoteEvent::Decision,
            "{% if decision == \"accepted\" %}Welcome!{% endif %}",
            context_for(NoteEvent::Decision),
        );
        assert_eq!(note.text(100).unwrap(), "");
    }

    #[test]
    fn notes_never_print_personal_data() {
        let note = Note::new(NoteEvent::Invited, "x", context_for(NoteEvent::Invited));
        let text = format!("{note:?} {:?}", note.context().candidate);
        assert!(!text.contains("Ada"), "{text}");
    }
}
