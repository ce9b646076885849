//! The note settings of the rules file (`[notes.<event>]`): for each event, whether it
//! writes a note and the template of its text. Checked when the rules load, so a
//! template naming a variable its event does not have is refused then, by name.
//!
//! ```
//! use ats_bridge::note::NoteEvent;
//! use ats_bridge::rules::Rules;
//!
//! let rules = Rules::from_toml(r#"
//!     [notes.invited]
//!     enabled = true
//!     template = "Willo interview \"{{ interview.name }}\" sent to {{ candidate.first_name }}."
//!
//!     [notes.decision]
//!     enabled = true
//!     template = "Willo decision: {{ decision }}"
//! "#)?;
//! assert!(rules.notes.enabled(NoteEvent::Invited));
//! assert!(rules.notes.enabled(NoteEvent::Completed), "on by default");
//! assert!(!rules.notes.enabled(NoteEvent::Expired), "off by default");
//!
//! let typo = Rules::from_toml(r#"
//!     [notes.completed]
//!     template = "Hello {{ candidate.frist_name }}"
//! "#).unwrap_err();
//! assert!(typo.to_string().contains("notes.completed.template"), "{typo}");
//! assert!(typo.to_string().contains("candidate.frist_name"), "{typo}");
//! # Ok::<_, ats_bridge::rules::RulesError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::templates;

/// An event that can write a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteEvent {
    /// The Willo invite was sent. Off by default.
    Invited,
    /// The candidate answered: the results note. On by default, with the text the
    /// bridge has always written.
    Completed,
    /// Results changed after the results note (transcripts, summaries, scores or
    /// comments that came later): a short follow-up note with the news only
    /// (`update.*`), or, with the built-in texts, Lever's results note amended. On by
    /// default.
    ResultsUpdated,
    /// The hiring team accepted or rejected the candidate in Willo. Off by default
    /// (the decision's label says it).
    Decision,
    /// Willo reports the invite expired (a Willo stage named in
    /// `[notes.expired] stages`). Off by default.
    Expired,
    /// Willo reports the candidate withdrew (a Willo stage named in
    /// `[notes.withdrawn] stages`). Off by default.
    Withdrawn,
}

impl NoteEvent {
    /// Every event, in the order of the settings.
    pub const ALL: [NoteEvent; 6] = [
        NoteEvent::Invited,
        NoteEvent::Completed,
        NoteEvent::ResultsUpdated,
        NoteEvent::Decision,
        NoteEvent::Expired,
        NoteEvent::Withdrawn,
    ];

    /// Its name in the rules file and in templates (`results_updated`).
    pub fn as_str(self) -> &'static str {
        match self {
            NoteEvent::Invited => "invited",
            NoteEvent::Completed => "completed",
            NoteEvent::ResultsUpdated => "results_updated",
            NoteEvent::Decision => "decision",
            NoteEvent::Expired => "expired",
            NoteEvent::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for NoteEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event's setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NoteSetting {
    /// Whether the event writes a note.
    pub enabled: bool,
    /// The note's text as a template (Jinja syntax); `None`: the built-in text
    /// ([`NoteSettings::default_template`]). A template that renders to nothing but
    /// whitespace writes no note, so a template can choose (`{% if decision ==
    /// "rejected" %}…{% endif %}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// For `expired` and `withdrawn`: the Willo stage names that mean it (compared
    /// without case). Willo publishes no list of its stages, hence a setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
}

impl NoteSetting {
    /// On, with the built-in text.
    pub fn on() -> Self {
        Self {
            enabled: true,
            template: None,
            stages: Vec::new(),
        }
    }

    /// Off.
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::on()
        }
    }

    /// With `template` as the text.
    pub fn template(mut self, template: impl Into<String>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// With these Willo stage names (for `expired` and `withdrawn`).
    pub fn stages(mut self, stages: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.stages = stages.into_iter().map(Into::into).collect();
        self
    }
}

/// Which events write a note and what each says (`[notes]` in the rules file). An
/// event left out keeps its default; in a table, `enabled` may be left out too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct NoteSettings {
    /// `[notes.invited]`.
    #[serde(deserialize_with = "off_unless_said")]
    pub invited: NoteSetting,
    /// `[notes.completed]`.
    #[serde(deserialize_with = "on_unless_said")]
    pub completed: NoteSetting,
    /// `[notes.results_updated]`.
    #[serde(deserialize_with = "on_unless_said")]
    pub results_updated: NoteSetting,
    /// `[notes.decision]`.
    #[serde(deserialize_with = "off_unless_said")]
    pub decision: NoteSetting,
    /// `[notes.expired]`.
    #[serde(deserialize_with = "expired")]
    pub expired: NoteSetting,
    /// `[notes.withdrawn]`.
    #[serde(deserialize_with = "withdrawn")]
    pub withdrawn: NoteSetting,
}

impl Default for NoteSettings {
    /// The notes the bridge has always written: the results note on completion (and
    /// the follow-up of later results); nothing on invite, decision, expiry or
    /// withdrawal.
    fn default() -> Self {
        Self {
            invited: NoteSetting::off(),
            completed: NoteSetting::on(),
            results_updated: NoteSetting::on(),
            decision: NoteSetting::off(),
            expired: NoteSetting::off().stages(EXPIRED_STAGES),
            withdrawn: NoteSetting::off().stages(WITHDRAWN_STAGES),
        }
    }
}

/// A table as written in the file: every key optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenSetting {
    enabled: Option<bool>,
    template: Option<String>,
    stages: Option<Vec<String>>,
}

impl WrittenSetting {
    /// `enabled` defaults to true once a table names the event with a template: writing
    /// a template for an event means wanting its note.
    fn resolve(self, default_on: bool, default_stages: &[&str]) -> NoteSetting {
        NoteSetting {
            enabled: self
                .enabled
                .unwrap_or(default_on || self.template.is_some()),
            template: self.template,
            stages: self
                .stages
                .unwrap_or_else(|| default_stages.iter().map(|s| (*s).to_owned()).collect()),
        }
    }
}

fn on_unless_said<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NoteSetting, D::Error> {
    Ok(WrittenSetting::deserialize(d)?.resolve(true, &[]))
}

fn off_unless_said<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NoteSetting, D::Error> {
    Ok(WrittenSetting::deserialize(d)?.resolve(false, &[]))
}

// Expired and withdrawn keep their default stage names unless the table gives some.
fn expired<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NoteSetting, D::Error> {
    Ok(WrittenSetting::deserialize(d)?.resolve(false, &EXPIRED_STAGES))
}

fn withdrawn<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NoteSetting, D::Error> {
    Ok(WrittenSetting::deserialize(d)?.resolve(false, &WITHDRAWN_STAGES))
}

/// The Willo stage names taken to mean an expired invite unless configured. Willo
/// publishes no list of its stages; these are guesses a team corrects in the rules.
const EXPIRED_STAGES: [&str; 1] = ["Expired"];
/// The same for a withdrawn candidate.
const WITHDRAWN_STAGES: [&str; 1] = ["Withdrawn"];

/// A template that cannot be used, found when the rules load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteTemplateError {
    /// The template names a variable its event does not have.
    #[error("unknown variable `{variable}` (the {event} note has: {known})")]
    UnknownVariable {
        /// The event.
        event: NoteEvent,
        /// The variable as written (`candidate.frist_name`).
        variable: String,
        /// The variables the event has.
        known: String,
    },
    /// `expired` or `withdrawn` is on without a Willo stage name to recognise it by.
    #[error("the {event} note is on but `stages` names no Willo stage")]
    NoStages {
        /// The event.
        event: NoteEvent,
    },
    /// The template is not valid Jinja, or fails on sample data.
    #[error("{message}")]
    Syntax {
        /// The event.
        event: NoteEvent,
        /// What the template engine said, with the line.
        message: String,
    },
}

impl NoteSettings {
    /// The setting for `event`.
    pub fn setting(&self, event: NoteEvent) -> &NoteSetting {
        match event {
            NoteEvent::Invited => &self.invited,
            NoteEvent::Completed => &self.completed,
            NoteEvent::ResultsUpdated => &self.results_updated,
            NoteEvent::Decision => &self.decision,
            NoteEvent::Expired => &self.expired,
            NoteEvent::Withdrawn => &self.withdrawn,
        }
    }

    /// The setting for `event`, to change it.
    pub fn setting_mut(&mut self, event: NoteEvent) -> &mut NoteSetting {
        match event {
            NoteEvent::Invited => &mut self.invited,
            NoteEvent::Completed => &mut self.completed,
            NoteEvent::ResultsUpdated => &mut self.results_updated,
            NoteEvent::Decision => &mut self.decision,
            NoteEvent::Expired => &mut self.expired,
            NoteEvent::Withdrawn => &mut self.withdrawn,
        }
    }

    /// Replace `event`'s setting.
    pub fn with(mut self, event: NoteEvent, setting: NoteSetting) -> Self {
        *self.setting_mut(event) = setting;
        self
    }

    /// Whether `event` writes a note.
    pub fn enabled(&self, event: NoteEvent) -> bool {
        self.setting(event).enabled
    }

    /// The template `event` renders: the configured one, else the built-in text.
    pub fn template(&self, event: NoteEvent) -> &str {
        self.setting(event)
            .template
            .as_deref()
            .unwrap_or_else(|| Self::default_template(event))
    }

    /// The built-in text of `event`'s note. `completed`'s is the results note the
    /// bridge has always written.
    pub fn default_template(event: NoteEvent) -> &'static str {
        templates::default_source(event)
    }

    /// Whether `event`'s template reads `variable` (a top-level name such as
    /// `interview`, or a dotted one such as `interview.name`), so the engine fetches
    /// what is costly only when a template shows it.
    pub fn uses(&self, event: NoteEvent, variable: &str) -> bool {
        templates::uses(self.template(event), variable)
    }

    /// The event a Willo stage name means, among `expired` and `withdrawn` whose
    /// note is on.
    pub fn closing_event(&self, stage: &str) -> Option<NoteEvent> {
        let stage = stage.trim();
        [NoteEvent::Expired, NoteEvent::Withdrawn]
            .into_iter()
            .find(|event| {
                let setting = self.setting(*event);
                setting.enabled
                    && setting
                        .stages
                        .iter()
                        .any(|s| s.trim().eq_ignore_ascii_case(stage))
            })
    }

    /// Check every configured template (it compiles, names only its event's
    /// variables, and renders on sample data) and that `expired` and `withdrawn`, when
    /// on, name their Willo stages. The error names the event.
    pub fn validate(&self) -> Result<(), (NoteEvent, NoteTemplateError)> {
        for event in NoteEvent::ALL {
            let setting = self.setting(event);
            let closing = matches!(event, NoteEvent::Expired | NoteEvent::Withdrawn);
            if closing && setting.enabled && setting.stages.iter().all(|s| s.trim().is_empty()) {
                return Err((event, NoteTemplateError::NoStages { event }));
            }
            if let Some(template) = &setting.template {
                templates::check(event, template).map_err(|e| (event, e))?;
            }
        }
        Ok(())
    }
}
