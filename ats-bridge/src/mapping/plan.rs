//! From a mapping and one participant's data to the values to write: mandatory
//! targets checked before anything is sent, protected ones read first.

use super::config::{ConnectionMapping, FieldMapping, fixed_kind};
use super::source::{Source, SourceData};
use super::target::{ContactField, MappedField, Target};
use super::value::MappedValue;
use crate::model::{ApplicationRef, AtsName};
use crate::{Ats, AtsError, AtsResult};

/// One value the mapping wants written, with the entry it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Planned {
    /// The entry, for logs and reasons (no values).
    pub entry: String,
    pub field: MappedField,
    pub protected: bool,
}

/// Why a write-back cannot go out yet: a mandatory target has no value. The text
/// names the entry and is what an operator reads on the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unfilled(pub String);

/// The values `mapping` writes for `data`, or the first mandatory entry that cannot
/// be filled. Optional entries without a value are left out.
pub(crate) fn plan(
    mapping: &ConnectionMapping,
    ats: &AtsName,
    data: &SourceData<'_>,
) -> Result<Vec<Planned>, Unfilled> {
    let mut planned = Vec::new();
    for (i, field) in mapping.fields.iter().enumerate() {
        let entry = ConnectionMapping::entry(ats, i, field);
        match value_of(field, data) {
            Ok(value) => planned.push(Planned {
                entry,
                field: MappedField::new(field.target.clone(), value),
                protected: field.protected,
            }),
            Err(why) if field.mandatory => {
                return Err(Unfilled(format!(
                    "waiting for data: mandatory {entry} {why}; the write-back is held until \
                     it can be filled"
                )));
            }
            Err(why) => tracing::debug!(%entry, %why, "optional mapping left out"),
        }
    }
    if mapping.contact_updates {
        for (source, target) in [
            (Source::ParticipantEmail, ContactField::Email),
            (Source::ParticipantPhone, ContactField::Phone),
        ] {
            let target = Target::Contact(target);
            // An explicit line for the same target (protected, say) governs it.
            if mapping.fields.iter().any(|f| f.target == target) {
                continue;
            }
            if let Some(value) = source.value(data) {
                planned.push(Planned {
                    entry: format!("mapping.{ats}.contact_updates ({source} → {target})"),
                    field: MappedField::new(target, value),
                    protected: false,
                });
            }
        }
    }
    Ok(planned)
}

/// The value of one line: its source, translated, typed for a target whose type is
/// fixed. `Err` says why there is none (without the value).
fn value_of(field: &FieldMapping, data: &SourceData<'_>) -> Result<MappedValue, String> {
    let value = field
        .source
        .value(data)
        .ok_or_else(|| format!("has no value: `{}` is empty", field.source))?;
    let value = translate(value, field);
    match fixed_kind(&field.target) {
        Some(kind) => value
            .coerce(kind, &[])
            .map_err(|why| format!("cannot be written: {why}")),
        None => Ok(value),
    }
}

fn translate(value: MappedValue, field: &FieldMapping) -> MappedValue {
    if field.values.is_empty() {
        return value;
    }
    let swap = |text: String| {
        field
            .values
            .iter()
            .find(|(from, _)| from.trim().eq_ignore_ascii_case(text.trim()))
            .map_or(text, |(_, to)| to.clone())
    };
    match value {
        MappedValue::List(items) => MappedValue::List(items.into_iter().map(swap).collect()),
        MappedValue::MultiSelect(items) => {
            MappedValue::MultiSelect(items.into_iter().map(swap).collect())
        }
        MappedValue::Number(n) => MappedValue::Text(swap(n.to_string())),
        MappedValue::Text(t) => MappedValue::Text(swap(t)),
        other => other,
    }
}

/// What applying a plan did, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// Targets written.
    pub written: Vec<Target>,
    /// Protected targets that kept the value already in the ATS.
    pub kept: Vec<Target>,
}

/// Write `planned` onto `application`: read the single-value targets first, keep
/// what a protected target already holds, skip what already holds the same value,
/// write the rest in one call.
pub(crate) async fn apply(
    ats: &dyn Ats,
    application: &ApplicationRef,
    planned: Vec<Planned>,
) -> AtsResult<Applied> {
    let mut applied = Applied::default();
    if planned.is_empty() {
        return Ok(applied);
    }
    let read: Vec<Target> = planned
        .iter()
        .filter(|p| !p.field.target.is_list())
        .map(|p| p.field.target.clone())
        .collect();
    let current = if read.is_empty() {
        Vec::new()
    } else {
        match ats.mapped_values(application, &read).await {
            Ok(values) if values.len() == read.len() => values,
            Ok(values) => {
                return Err(AtsError::Invalid(format!(
                    "mapped_values answered {} values for {} targets",
                    values.len(),
                    read.len()
                )));
            }
            // Nothing can be protected without reading; everything else is written.
            Err(AtsError::Unsupported { .. }) if !planned.iter().any(|p| p.protected) => {
                vec![None; read.len()]
            }
            Err(error) => return Err(error),
        }
    };
    let mut writes = Vec::new();
    for item in planned {
        let now = read
            .iter()
            .position(|t| *t == item.field.target)
            .and_then(|i| current[i].as_ref());
        match now {
            Some(value) if item.protected && !value.is_empty() => {
                tracing::info!(entry = %item.entry, "protected target already holds a value; kept");
                applied.kept.push(item.field.target);
            }
            Some(value) if same(value, &item.field.value) => {}
            _ => {
                applied.written.push(item.field.target.clone());
                writes.push(item.field);
            }
        }
    }
    if !writes.is_empty() {
        ats.write_mapped(application, &writes).await?;
    }
    Ok(applied)
}

/// Same content, whatever the type each side was read as (`87` and `"87"`).
fn same(current: &MappedValue, new: &MappedValue) -> bool {
    let norm = |v: &MappedValue| -> Vec<String> {
        v.texts().iter().map(|t| t.trim().to_lowercase()).collect()
    };
    norm(current) == norm(new)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{InterviewOutcome, ParticipantKey};

    fn results() -> InterviewOutcome {
        InterviewOutcome::from_participant_json(
            ParticipantKey::from("p"),
            json!({"email": "new@example.com", "score": 71, "responses": [{"question": "Q"}]}),
        )
    }

    fn mapping(toml_text: &str) -> ConnectionMapping {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn a_mandatory_target_without_data_holds_the_write_back() {
        let mapping = mapping(
            r#"
            [[field]]
            source = "results.score"
            target = "property:score"
            [[field]]
            source = "results.summary"
            target = "property:summary"
            mandatory = true
            "#,
        );
        let results = results();
        let error = plan(&mapping, &"sr".into(), &SourceData::new(&results, None)).unwrap_err();
        assert_eq!(
            error.0,
            "waiting for data: mandatory mapping.sr.field[1] (results.summary → property:summary) \
             has no value: `results.summary` is empty; the write-back is held until it can be filled"
        );
    }

    #[test]
    fn translations_and_contact_updates_are_planned() {
        let mapping = mapping(
            r#"
            contact_updates = true
            [[field]]
            source = "results.decision"
            target = "property:outcome"
            values = { accepted = "Passed" }
            "#,
        );
        let results = results();
        let planned = plan(
            &mapping,
            &"sr".into(),
            &SourceData::new(&results, Some(crate::rules::Decision::Accepted)),
        )
        .unwrap();
        let fields: Vec<_> = planned.into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                MappedField::new(
                    Target::Property("outcome".into()),
                    MappedValue::Text("Passed".into())
                ),
                MappedField::new(
                    Target::Contact(ContactField::Email),
                    MappedValue::Text("new@example.com".into())
                ),
            ]
        );
    }
}
