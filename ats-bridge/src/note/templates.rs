//! The template engine behind the notes: one configuration of `minijinja` (blocks trim
//! their own line, no HTML escaping, undefined values refused), the built-in texts,
//! and the load-time checks.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;

use super::NoteEvent;
use super::config::NoteTemplateError;
use super::context::{NoteContext, NoteFacts};
use crate::late_results::{ResultsChange, ResultsUpdate};
use crate::model::{ApplicationRef, InterviewOutcome, ParticipantKey};
use crate::rules::Decision;

/// Today's results note, as a template. The test `defaults_match_the_former_renderer`
/// holds it to the text the bridge wrote before notes had templates, byte for byte.
const COMPLETED: &str = r#"Willo interview results{{ " (" ~ results.stage ~ ")" if results.stage is not none else "" }}
{% if results.completed_at is not none %}
Completed: {{ results.completed_at }}
{% endif %}
{% if results.score is not none %}
Overall score: {{ results.score | score }}
{% endif %}
{% if results.review_url is not none %}
Review: {{ results.review_url }}
{% endif %}
{% for r in results.responses %}

{{ r.number }}. {{ r.question if r.question is not none else "(question not given)" }}
{% if r.media_url is not none %}
Answer: {{ r.media_url }}
{% endif %}
{% if r.score is not none %}
Score: {{ r.score | score }}
{% endif %}
{% if r.summary is not none %}
Summary: {{ r.summary }}
{% endif %}
{% if r.transcript is not none %}
Transcript: {{ r.transcript }}
{% elif r.transcript_left_out %}
Transcript: see the answer link
{% endif %}
{% endfor %}
{% if results.recognition == "unrecognised" %}

The answers could not be read from Willo's record (their format is not one this bridge knows).
{% if results.link is not none %}
See them in Willo: {{ results.link }}
{% else %}
See them in Willo.
{% endif %}
Willo participant: {{ participant.key }}
{% elif results.responses | length == 0 %}

No answers were returned by Willo.
{% endif %}
"#;

const INVITED: &str = r#"Willo interview sent{{ ": " ~ interview.name if interview.name is not none else "" }}
{% if participant is not none %}
Willo participant: {{ participant.key }}
{% endif %}
{% if dates.invited is not none %}
Sent: {{ dates.invited }}
{% endif %}
"#;

const RESULTS_UPDATED: &str = r#"Updated Willo results: {{ update.summary }}
{% if update.score is not none %}
Overall score: {{ update.score | score }}
{% endif %}
{% if results.link is not none %}
Review: {{ results.link }}
{% endif %}
{% for r in update.responses %}

{{ r.number }}. {{ r.question if r.question is not none else "(question not given)" }}
{% if r.media_url is not none %}
Answer: {{ r.media_url }}
{% endif %}
{% if r.score is not none %}
Score: {{ r.score | score }}
{% endif %}
{% if r.summary is not none %}
Summary: {{ r.summary }}
{% endif %}
{% if r.transcript is not none %}
Transcript: {{ r.transcript }}
{% elif r.transcript_left_out %}
Transcript: see the answer in Willo
{% endif %}
{% endfor %}
{% for c in update.comments %}
{% if loop.first %}

Reviewer comments:
{% endif %}
- {{ c.author ~ ": " if c.author is not none else "" }}{{ c.text }}{{ " (score " ~ c.score | score ~ ")" if c.score is not none else "" }}
{% endfor %}
"#;

const DECISION: &str = r#"Willo decision: {{ "Accepted" if decision == "accepted" else "Rejected" }}{{ " (" ~ interview.name ~ ")" if interview.name is not none else "" }}
{% if results.link is not none %}
Review: {{ results.link }}
{% endif %}
"#;

const EXPIRED: &str = r#"Willo interview expired without an answer{{ " (" ~ results.stage ~ ")" if results.stage is not none else "" }}
"#;

const WITHDRAWN: &str = r#"The candidate withdrew from the Willo interview{{ " (" ~ results.stage ~ ")" if results.stage is not none else "" }}
"#;

/// The built-in template of `event`.
pub(super) fn default_source(event: NoteEvent) -> &'static str {
    match event {
        NoteEvent::Invited => INVITED,
        NoteEvent::Completed => COMPLETED,
        NoteEvent::ResultsUpdated => RESULTS_UPDATED,
        NoteEvent::Decision => DECISION,
        NoteEvent::Expired => EXPIRED,
        NoteEvent::Withdrawn => WITHDRAWN,
    }
}

/// Functions every template may call; `undeclared_variables` lists them as names.
const GLOBALS: [&str; 3] = ["range", "dict", "namespace"];

/// The one configuration every note is rendered with.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A block tag takes its whole line, so templates read like the note they write.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Notes are plain text: nothing to escape.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Every variable is always present (`none` when absent), so anything undefined is
    // a mistake in the template: refuse it instead of writing an empty gap.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("score", format_score);
    env
}

/// `4` for 4.0, `4.5` for 4.5: the form scores have always had in notes.
pub(crate) fn format_score(score: f64) -> String {
    if score.fract() == 0.0 {
        format!("{score:.0}")
    } else {
        format!("{score:.1}")
    }
}

/// Why a note could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {event} note template failed: {message}")]
pub struct NoteRenderError {
    /// The event.
    pub event: NoteEvent,
    /// What the template engine said.
    pub message: String,
}

/// Render `source` for `event` with `context`, trimmed.
pub(super) fn render(
    event: NoteEvent,
    source: &str,
    context: &NoteContext,
) -> Result<String, NoteRenderError> {
    let name = format!("notes.{event}");
    environment()
        .render_named_str(&name, source, context)
        .map(|text| text.trim().to_owned())
        .map_err(|e| NoteRenderError {
            event,
            message: error_text(&e),
        })
}

/// The error with its cause chain, one line.
fn error_text(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether `source` reads `variable` (a name, or a dotted path's start).
pub(super) fn uses(source: &str, variable: &str) -> bool {
    let env = environment();
    let Ok(template) = env.template_from_str(source) else {
        return false;
    };
    template.undeclared_variables(true).iter().any(|name| {
        name == variable
            || name.starts_with(&format!("{variable}."))
            || variable.starts_with(&format!("{name}."))
    })
}

/// Compile `source`, check each variable it reads against `event`'s, and render it on
/// sample data (which catches a misspelt field of an answer inside a loop).
pub(super) fn check(event: NoteEvent, source: &str) -> Result<(), NoteTemplateError> {
    let env = environment();
    let name = format!("notes.{event}");
    let syntax = |e: &minijinja::Error| NoteTemplateError::Syntax {
        event,
        message: error_text(e),
    };
    let template = env
        .template_from_named_str(&name, source)
        .map_err(|e| syntax(&e))?;
    let sample = sample_context(event);
    let known = serde_json::to_value(&sample).unwrap_or(Value::Null);
    let mut names: Vec<String> = template.undeclared_variables(true).into_iter().collect();
    names.sort();
    for variable in names {
        if !is_known(&known, &variable) {
            return Err(NoteTemplateError::UnknownVariable {
                event,
                variable,
                known: top_level(&known).join(", "),
            });
        }
    }
    template.render(&sample).map_err(|e| syntax(&e))?;
    Ok(())
}

/// Whether a dotted path exists in the sample (objects followed as far as they go).
fn is_known(sample: &Value, path: &str) -> bool {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return false;
    };
    if GLOBALS.contains(&first) {
        return true;
    }
    let mut at = match sample.get(first) {
        Some(Value::Null) | None => return false,
        Some(value) => value,
    };
    for part in parts {
        match at {
            Value::Object(map) => match map.get(part) {
                Some(value) => at = value,
                None => return false,
            },
            // Lists and values: methods and indexes are the template's business.
            _ => return true,
        }
    }
    true
}

/// The variables an event has, for the error message.
fn top_level(sample: &Value) -> Vec<String> {
    let Some(map) = sample.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect()
}

/// A context for `event` with every field filled, as the engine builds it.
fn sample_context(event: NoteEvent) -> NoteContext {
    let application = ApplicationRef {
        application: "application".into(),
        candidate: "candidate".into(),
        job: "job".into(),
    };
    let ats = "ats".into();
    let interview = "interview".into();
    let participant = ParticipantKey::from("participant");
    let results = InterviewOutcome::from_participant_json(
        participant.clone(),
        serde_json::json!({
            "stage": "Stage",
            "completed_at": "2026-01-01T00:00:00Z",
            "score": 4.5,
            "share_url": "https://willo.example/share",
            "comments": [{
                "text": "Comment", "author": "Reviewer", "score": 4,
                "created_at": "2026-01-01T00:00:00Z"
            }],
            "responses": [{
                "question": "Question", "media_url": "https://willo.example/answer",
                "transcript": "Transcript", "summary": "Summary", "score": 4
            }]
        }),
    );
    let mut facts = NoteFacts::new(event, &ats, &application, &interview, 0);
    facts.full_name = Some("First Last");
    facts.interview_name = Some("Interview".into());
    facts.participant = Some(&participant);
    facts.invited_ms = Some(0);
    if event != NoteEvent::Invited {
        facts.results = Some(&results);
    }
    if event == NoteEvent::Decision {
        facts.decision = Some(Decision::Accepted);
    }
    if event == NoteEvent::ResultsUpdated {
        // Every kind of news, so every field is set: a new answer, a new overall
        // score, a new comment.
        let update = ResultsUpdate::new(
            results.clone(),
            vec![
                ResultsChange::Answer(0),
                ResultsChange::Score,
                ResultsChange::Comment(0),
            ],
        );
        facts.update = Some(update.vars());
    }
    facts.context()
}
