//! Conditions on a job's attributes (`[trigger.when]`): which jobs a trigger covers
//! beyond its `job` id.

use std::collections::BTreeMap;
use std::fmt;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::model::{Job, JobAttributes};

/// Conditions on a job, all of which must hold (AND); an empty set holds for every
/// job. Text is compared without case and surrounding spaces.
///
/// ```
/// use ats_bridge::model::{Job, JobAttributes, JobState};
/// use ats_bridge::rules::Rules;
///
/// let rules = Rules::from_toml(r#"
///     [[trigger]]
///     ats = "smartrecruiters"
///     stages = ["INTERVIEW"]
///     interview = "1e2048a686804049b128f1357c559cbf"
///     when = { department = "Nursing", country = "GB", title = "^(senior )?nurse" }
/// "#)?;
/// let nurse = Job::new("job-1", "Senior Nurse", JobState::Open)
///     .with_attributes(JobAttributes::new().department("nursing").country_code("gb"));
/// let chef = Job::new("job-2", "Chef", JobState::Open);
/// assert!(rules.triggers[0].when.matches(&nurse));
/// assert!(!rules.triggers[0].when.matches(&chef));
/// # Ok::<_, ats_bridge::rules::RulesError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct JobConditions {
    /// A regular expression the title must contain a match of, without case
    /// (`"nurse"` matches "Senior Nurse"; anchor with `^…$` for the whole title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<TitlePattern>,
    /// The department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The country: its name or its ISO 3166 code, whichever the ATS gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Remote jobs only (`true`) or on-site and hybrid ones only (`false`); a job
    /// whose ATS does not say matches neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<bool>,
    /// The employment type (SmartRecruiters type of employment, Lever commitment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<String>,
    /// Custom fields and their values (SmartRecruiters job properties, Lever
    /// categories such as `team` or `level`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
    /// Labels the job must all carry (Lever posting tags).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl JobConditions {
    /// No conditions: every job.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also require a title matching `pattern` (see [`JobConditions::title`]).
    pub fn title(mut self, pattern: TitlePattern) -> Self {
        self.title = Some(pattern);
        self
    }

    /// Also require this department.
    pub fn department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }

    /// Also require this city.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Also require this country (name or ISO code).
    pub fn country(mut self, country: impl Into<String>) -> Self {
        self.country = Some(country.into());
        self
    }

    /// Also require the job to be remote (`true`) or not (`false`).
    pub fn remote(mut self, remote: bool) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Also require this employment type.
    pub fn employment_type(mut self, kind: impl Into<String>) -> Self {
        self.employment_type = Some(kind.into());
        self
    }

    /// Also require a custom field's value.
    pub fn custom(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.insert(field.into(), value.into());
        self
    }

    /// Also require a label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.labels.push(label.into());
        self
    }

    /// True when there is no condition (every job matches).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// True when a condition names an attribute that job listings may leave out
    /// (employment type, custom fields): jobs whose attributes are not
    /// [`complete`](JobAttributes::complete) are then read in full.
    pub fn needs_details(&self) -> bool {
        self.employment_type.is_some() || !self.custom.is_empty()
    }

    /// Whether `job` meets every condition.
    pub fn matches(&self, job: &Job) -> bool {
        let a: &JobAttributes = &job.attributes;
        let equal = |wanted: &Option<String>, have: &Option<String>| match wanted {
            None => true,
            Some(wanted) => have.as_deref().is_some_and(|have| same(wanted, have)),
        };
        self.title
            .as_ref()
            .is_none_or(|t| t.regex.is_match(&job.title))
            && equal(&self.department, &a.department)
            && equal(&self.city, &a.city)
            && self.country.as_ref().is_none_or(|wanted| {
                [&a.country, &a.country_code]
                    .into_iter()
                    .flatten()
                    .any(|have| same(wanted, have))
            })
            && self.remote.is_none_or(|wanted| a.remote == Some(wanted))
            && equal(&self.employment_type, &a.employment_type)
            && self.custom.iter().all(|(field, wanted)| {
                a.custom
                    .iter()
                    .any(|(name, have)| same(field, name) && same(wanted, have))
            })
            && self
                .labels
                .iter()
                .all(|wanted| a.labels.iter().any(|have| same(wanted, have)))
    }

    /// Whether every job these conditions match is also matched by `self`'s: each
    /// of `self`'s conditions is one of `narrower`'s. Conservative (two different
    /// patterns matching the same titles are not seen as covering).
    pub(crate) fn covers(&self, narrower: &JobConditions) -> bool {
        let text = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => same(mine, theirs),
            (Some(_), None) => false,
        };
        let title = match (&self.title, &narrower.title) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => mine.source == theirs.source,
            (Some(_), None) => false,
        };
        title
            && text(&self.department, &narrower.department)
            && text(&self.city, &narrower.city)
            && text(&self.country, &narrower.country)
            && (self.remote.is_none() || self.remote == narrower.remote)
            && text(&self.employment_type, &narrower.employment_type)
            && self.custom.iter().all(|(field, value)| {
                narrower
                    .custom
                    .iter()
                    .any(|(f, v)| same(field, f) && same(value, v))
            })
            && self
                .labels
                .iter()
                .all(|label| narrower.labels.iter().any(|l| same(label, l)))
    }

    /// The first blank value, by its key, if any.
    pub(crate) fn blank(&self) -> Option<String> {
        let texts = [
            ("department", &self.department),
            ("city", &self.city),
            ("country", &self.country),
            ("employment_type", &self.employment_type),
        ];
        for (key, value) in texts {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Some(format!("when.{key}"));
            }
        }
        if let Some((field, _)) = self
            .custom
            .iter()
            .find(|(f, v)| f.trim().is_empty() || v.trim().is_empty())
        {
            return Some(format!("when.custom `{field}`"));
        }
        if self.labels.iter().any(|l| l.trim().is_empty()) {
            return Some("when.labels".into());
        }
        None
    }
}

impl fmt::Display for JobConditions {
    /// `department = Nursing, title ~ nurse`: for validation messages and `setup`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(title) = &self.title {
            parts.push(format!("title ~ {}", title.as_str()));
        }
        let texts = [
            ("department", &self.department),
            ("city", &self.city),
            ("country", &self.country),
            ("employment_type", &self.employment_type),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                parts.push(format!("{key} = {value}"));
            }
        }
        if let Some(remote) = self.remote {
            parts.push(format!("remote = {remote}"));
        }
        for (field, value) in &self.custom {
            parts.push(format!("{field} = {value}"));
        }
        for label in &self.labels {
            parts.push(format!("label {label}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// Compared without case and surrounding spaces.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// A title pattern: a regular expression (the `regex` crate's syntax) searched in
/// the title without case. Checked when built, so a rule with a bad pattern does not
/// load.
#[derive(Clone)]
pub struct TitlePattern {
    source: String,
    regex: Regex,
}

impl TitlePattern {
    /// Compile `pattern`; the error says what is wrong with it.
    pub fn new(pattern: impl Into<String>) -> Result<Self, String> {
        let source = pattern.into();
        if source.trim().is_empty() {
            return Err("the title pattern is empty".into());
        }
        let regex = RegexBuilder::new(&source)
            .case_insensitive(true)
            // Rules are configuration, not user input, but a bound keeps a typo
            // from building a huge automaton.
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("bad title pattern: {e}"))?;
        Ok(Self { source, regex })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `title` contains a match.
    pub fn is_match(&self, title: &str) -> bool {
        self.regex.is_match(title)
    }
}

impl fmt::Debug for TitlePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TitlePattern").field(&self.source).finish()
    }
}

impl PartialEq for TitlePattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for TitlePattern {}

impl TryFrom<String> for TitlePattern {
    type Error = String;

    fn try_from(pattern: String) -> Result<Self, String> {
        Self::new(pattern)
    }
}

impl From<TitlePattern> for String {
    fn from(pattern: TitlePattern) -> Self {
        pattern.source
    }
}

impl Serialize for TitlePattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for TitlePattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let source = String::deserialize(deserializer)?;
        Self::new(source).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobState;

    fn job(title: &str, attributes: JobAttributes) -> Job {
        Job::new("j", title, JobState::Open).with_attributes(attributes)
    }

    #[test]
    fn every_condition_must_hold() {
        let when = JobConditions::new()
            .department("Nursing")
            .city("London")
            .remote(false)
            .employment_type("Full-time")
            .custom("Shift", "Night")
            .label("Urgent");
        let all = JobAttributes::new()
            .department(" nursing ")
            .city("LONDON")
            .remote(false)
            .employment_type("full-time")
            .custom("shift", "night")
            .label("urgent")
            .label("other");
        assert!(when.matches(&job("Nurse", all.clone())));
        let mut remote = all.clone();
        remote.remote = None;
        assert!(
            !when.matches(&job("Nurse", remote)),
            "unknown remote is not false"
        );
        let mut no_label = all.clone();
        no_label.labels.clear();
        assert!(!when.matches(&job("Nurse", no_label)));
        let mut other_shift = all;
        other_shift.custom.insert("shift".into(), "Day".into());
        assert!(!when.matches(&job("Nurse", other_shift)));
    }

    #[test]
    fn country_matches_the_name_or_the_code_and_titles_are_searched() {
        let when = JobConditions::new()
            .country("gb")
            .title(TitlePattern::new("nurse").unwrap());
        let by_code = JobAttributes::new().country_code("GB");
        let by_name = JobAttributes::new().country("United Kingdom");
        assert!(when.matches(&job("Senior Nurse", by_code.clone())));
        assert!(!when.matches(&job("Porter", by_code)));
        assert!(!when.matches(&job("Senior Nurse", by_name)));
        assert!(TitlePattern::new("(").is_err());
        assert!(TitlePattern::new(" ").is_err());
    }

    #[test]
    fn fewer_conditions_cover_more_jobs() {
        let broad = JobConditions::new().department("Nursing");
        let narrow = JobConditions::new().department("nursing").city("Leeds");
        assert!(broad.covers(&narrow));
        assert!(!narrow.covers(&broad));
        assert!(JobConditions::new().covers(&broad));
        assert!(!JobConditions::new().remote(true).covers(&broad));
    }
}
