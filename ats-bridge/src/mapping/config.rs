//! The mapping of one ATS connection, as the rules file declares it, and its checks
//! at load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::source::Source;
use super::target::Target;
use super::value::ValueKind;
use crate::model::AtsName;
use crate::rules::RulesError;

/// When a screening interview creates the ATS candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CreateCandidates {
    /// As soon as the participant completed the interview (today's behaviour).
    #[default]
    OnCompletion,
    /// Only once the team accepted them in Willo.
    OnPositiveDecision,
    /// Never: the results only go, as notes, to a candidate already in the ATS
    /// (found by e-mail on the screening's job).
    Never,
}

/// One line of the mapping: `source` goes to `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FieldMapping {
    /// The Willo variable.
    pub source: Source,
    /// The ATS field.
    pub target: Target,
    /// A write-back that cannot fill this target is not sent at all: the row waits,
    /// with the reason, until the data is there.
    #[serde(default)]
    pub mandatory: bool,
    /// Never overwrite a value already in the ATS (a recruiter's): read first, write
    /// only when empty.
    #[serde(default)]
    pub protected: bool,
    /// Translate source values before writing (`accepted` → `Passed`), compared
    /// without case; a value not listed passes unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

impl FieldMapping {
    /// `source` into `target`, optional and not protected.
    pub fn new(source: Source, target: Target) -> Self {
        Self {
            source,
            target,
            mandatory: false,
            protected: false,
            values: BTreeMap::new(),
        }
    }

    /// Make the target mandatory (see [`FieldMapping::mandatory`]).
    pub fn mandatory(mut self) -> Self {
        self.mandatory = true;
        self
    }

    /// Make the target protected (see [`FieldMapping::protected`]).
    pub fn protected(mut self) -> Self {
        self.protected = true;
        self
    }

    /// Translate `from` into `to` before writing.
    pub fn translate(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.values.insert(from.into(), to.into());
        self
    }

    /// The values this line can write whatever the data: its constant and its
    /// translations (checked against a select target's options at start).
    pub(crate) fn fixed_values(&self) -> Vec<&str> {
        let mut fixed: Vec<&str> = self.values.values().map(String::as_str).collect();
        if let Source::Constant(text) = &self.source {
            fixed.push(text);
        }
        fixed
    }
}

/// What the bridge writes into one ATS connection beyond its note and labels
/// (`[mapping.<connection>]` in the rules file). The default maps nothing and
/// changes nothing: today's behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ConnectionMapping {
    /// The lines of the mapping (`[[mapping.<connection>.field]]`).
    #[serde(rename = "field")]
    pub fields: Vec<FieldMapping>,
    /// Push a participant's corrected e-mail and phone from Willo to the ATS record
    /// (protected contact fields keep their value).
    pub contact_updates: bool,
    /// When a screening interview creates the candidate.
    pub create_candidates: CreateCandidates,
    /// Write notes only to records the bridge created or linked: with
    /// `create_candidates = "never"`, a candidate found by e-mail gets nothing.
    pub notes_only_to_linked: bool,
    /// How long a row whose mandatory target cannot be filled waits before the
    /// bridge reads Willo again (seconds, default 15 minutes). The row is parked, not
    /// failed: its attempts are not counted, and its reason says which entry lacks
    /// data.
    pub mandatory_recheck_secs: u64,
}

impl Default for ConnectionMapping {
    fn default() -> Self {
        Self {
            fields: Vec::new(),
            contact_updates: false,
            create_candidates: CreateCandidates::OnCompletion,
            notes_only_to_linked: false,
            mandatory_recheck_secs: 900,
        }
    }
}

impl ConnectionMapping {
    /// Nothing mapped (today's behaviour); add lines with [`ConnectionMapping::field`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a line.
    pub fn field(mut self, field: FieldMapping) -> Self {
        self.fields.push(field);
        self
    }

    /// Switch contact updates on or off.
    pub fn contact_updates(mut self, on: bool) -> Self {
        self.contact_updates = on;
        self
    }

    /// When screening creates candidates.
    pub fn create_candidates(mut self, when: CreateCandidates) -> Self {
        self.create_candidates = when;
        self
    }

    /// Notes only to records the bridge created or linked.
    pub fn notes_only_to_linked(mut self, on: bool) -> Self {
        self.notes_only_to_linked = on;
        self
    }

    /// True when this mapping writes anything beyond today's note and labels.
    pub fn writes_fields(&self) -> bool {
        !self.fields.is_empty() || self.contact_updates
    }

    /// How an entry is named in errors and reasons: `mapping.lever.field[2]
    /// (results.summary → form:t/f)`.
    pub fn entry(ats: &AtsName, index: usize, field: &FieldMapping) -> String {
        format!(
            "mapping.{ats}.field[{index}] ({} → {})",
            field.source, field.target
        )
    }

    /// The checks that need no ATS: each entry names a known source and target
    /// (parsing did that), a source whose values fit the target's fixed type, no
    /// target mapped twice, no empty translation.
    pub fn validate(&self, ats: &AtsName) -> Result<(), RulesError> {
        if ats.as_str().trim().is_empty() {
            return Err(RulesError::Invalid {
                entry: "mapping".into(),
                reason: "a connection name is empty".into(),
            });
        }
        if self.mandatory_recheck_secs == 0 {
            return Err(RulesError::Invalid {
                entry: format!("mapping.{ats}.mandatory_recheck_secs"),
                reason: "must be at least 1".into(),
            });
        }
        for (i, field) in self.fields.iter().enumerate() {
            let invalid = |reason: String| RulesError::Invalid {
                entry: Self::entry(ats, i, field),
                reason,
            };
            if let Some(kind) = fixed_kind(&field.target)
                && field.values.is_empty()
                && !field.source.kind().fits(kind)
            {
                return Err(invalid(format!(
                    "a {:?} source does not fit a {kind:?} target",
                    field.source.kind()
                )));
            }
            if let Source::Constant(text) = &field.source
                && text.trim().is_empty()
            {
                return Err(invalid("`const:` needs a text".into()));
            }
            if field
                .values
                .iter()
                .any(|(from, to)| from.trim().is_empty() || to.trim().is_empty())
            {
                return Err(invalid("a translation in `values` is empty".into()));
            }
            if field.mandatory && field.target.is_list() && field.protected {
                return Err(invalid(
                    "a list target (tag, source, link) only adds: it cannot be protected".into(),
                ));
            }
            if !field.target.is_list()
                && let Some(first) = self.fields[..i]
                    .iter()
                    .position(|f| f.target == field.target)
            {
                return Err(invalid(format!(
                    "field[{first}] already writes `{}`; one value per target",
                    field.target
                )));
            }
        }
        Ok(())
    }
}

/// The kind a target takes whatever the ATS (properties and form fields: only the
/// live configuration knows).
pub(crate) fn fixed_kind(target: &Target) -> Option<ValueKind> {
    match target {
        Target::Property(_) | Target::FormField { .. } => None,
        Target::Tag | Target::Source | Target::Link => Some(ValueKind::List),
        Target::WebProfile(_) => Some(ValueKind::Url),
        Target::Contact(_) => Some(ValueKind::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml_text: &str) -> Result<(), RulesError> {
        let mapping: ConnectionMapping =
            toml::from_str(toml_text).map_err(|e| RulesError::Parse {
                format: "TOML",
                message: e.to_string(),
            })?;
        mapping.validate(&"smartrecruiters".into())
    }

    #[test]
    fn the_default_maps_nothing() {
        let mapping = ConnectionMapping::default();
        assert!(!mapping.writes_fields());
        assert_eq!(mapping.create_candidates, CreateCandidates::OnCompletion);
        assert!(!mapping.notes_only_to_linked);
    }

    #[test]
    fn bad_entries_are_named() {
        let error = check(
            r#"
            [[field]]
            source = "results.summary"
            target = "web_profile:linkedin"
            "#,
        )
        .unwrap_err();
        assert_eq!(
            error,
            RulesError::Invalid {
                entry: "mapping.smartrecruiters.field[0] (results.summary → web_profile:linkedin)"
                    .into(),
                reason: "a Text source does not fit a Url target".into()
            }
        );
        let twice = check(
            r#"
            [[field]]
            source = "results.score"
            target = "property:p1"
            [[field]]
            source = "results.summary"
            target = "property:p1"
            "#,
        )
        .unwrap_err();
        assert!(
            twice.to_string().contains("field[1]")
                && twice.to_string().contains("field[0] already"),
            "{twice}"
        );
        let unknown = check(
            r#"
            [[field]]
            source = "results.mood"
            target = "tag"
            "#,
        )
        .unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("unknown source `results.mood`"),
            "{unknown}"
        );
    }
}
