//! The mapping checked against what the connected ATS really has: every target
//! exists, takes the source's kind of value, and every fixed value is one of a
//! select target's options. Run by `setup verify` and at a server's start, before
//! anything is sent.

use super::config::ConnectionMapping;
use super::target::MappableTarget;
use super::value::{TargetOption, ValueKind};
use crate::Ats;
use crate::model::AtsName;
use crate::rules::{Rules, RulesError};
use crate::verify::Check;

/// Check `mapping` (of connection `ats`) against the `offered` targets; the first
/// problem names its entry.
pub fn validate_against(
    ats: &AtsName,
    mapping: &ConnectionMapping,
    offered: &[MappableTarget],
) -> Result<(), RulesError> {
    for (i, field) in mapping.fields.iter().enumerate() {
        let invalid = |reason: String| RulesError::Invalid {
            entry: ConnectionMapping::entry(ats, i, field),
            reason,
        };
        let Some(target) = offered.iter().find(|t| t.target == field.target) else {
            return Err(invalid(format!(
                "`{}` does not exist in this ATS (`setup` lists the targets it has)",
                field.target
            )));
        };
        let source_kind = if field.values.is_empty() {
            field.source.kind()
        } else {
            ValueKind::Text
        };
        if !source_kind.fits(target.kind) {
            return Err(invalid(format!(
                "`{}` takes {:?} values; `{}` gives {source_kind:?}",
                field.target, target.kind, field.source
            )));
        }
        if matches!(
            target.kind,
            ValueKind::SingleSelect | ValueKind::MultiSelect
        ) {
            for value in field.fixed_values() {
                if TargetOption::find(&target.options, value).is_none() {
                    let known: Vec<&str> =
                        target.options.iter().map(|o| o.label.as_str()).collect();
                    return Err(invalid(format!(
                        "`{value}` is not an option of `{}` (options: {})",
                        field.target,
                        known.join(", ")
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The `setup verify` checks of the mapping the rules declare for `ats`: none when
/// it maps nothing.
pub async fn live_checks<A: Ats + ?Sized>(ats: &A, rules: &Rules) -> Vec<Check> {
    let name = ats.name();
    let Some(mapping) = rules.mapping.get(&name).filter(|m| !m.fields.is_empty()) else {
        return Vec::new();
    };
    let what = "field mapping";
    match ats.mapping_targets().await {
        Ok(offered) => match validate_against(&name, mapping, &offered) {
            Ok(()) => vec![Check::pass(name.as_str(), what)],
            Err(error) => vec![Check::fail(name.as_str(), what, error.to_string())],
        },
        Err(error) => vec![Check::fail(
            name.as_str(),
            what,
            format!("cannot list the mappable targets: {error}"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{FieldMapping, Source, Target};

    fn offered() -> Vec<MappableTarget> {
        vec![
            MappableTarget::new(
                Target::Property("score".into()),
                "Willo score",
                ValueKind::Number,
            ),
            MappableTarget::new(
                Target::Property("result".into()),
                "Result",
                ValueKind::SingleSelect,
            )
            .options(vec![
                TargetOption::new("r1", "Passed"),
                TargetOption::new("r2", "Failed"),
            ]),
            MappableTarget::new(Target::Tag, "Tags", ValueKind::List),
        ]
    }

    fn check(field: FieldMapping) -> Result<(), RulesError> {
        validate_against(
            &"sr".into(),
            &ConnectionMapping::new().field(field),
            &offered(),
        )
    }

    #[test]
    fn a_missing_property_a_wrong_type_and_an_unknown_option_are_named() {
        let missing = check(FieldMapping::new(
            Source::ResultsScore,
            Target::Property("nope".into()),
        ));
        assert_eq!(
            missing.unwrap_err().to_string(),
            "mapping.sr.field[0] (results.score → property:nope): `property:nope` does not exist \
             in this ATS (`setup` lists the targets it has)"
        );
        let wrong = check(FieldMapping::new(
            Source::ResultsSummary,
            Target::Property("score".into()),
        ));
        assert!(
            wrong
                .unwrap_err()
                .to_string()
                .contains("takes Number values; `results.summary` gives Text")
        );
        let option = check(
            FieldMapping::new(Source::ResultsDecision, Target::Property("result".into()))
                .translate("accepted", "Hired"),
        );
        assert!(
            option.unwrap_err().to_string().contains(
                "`Hired` is not an option of `property:result` (options: Passed, Failed)"
            )
        );
        assert!(
            check(
                FieldMapping::new(Source::ResultsDecision, Target::Property("result".into()))
                    .translate("accepted", "passed")
                    .translate("rejected", "r2")
            )
            .is_ok()
        );
        assert!(
            check(FieldMapping::new(
                Source::ResultsScore,
                Target::Property("score".into())
            ))
            .is_ok()
        );
    }
}
