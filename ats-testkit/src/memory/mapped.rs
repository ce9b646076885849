//! Mapped fields kept in memory: the targets a [`MemoryAts`] offers, and reading and
//! writing them (broken where a [`Misbehaviour`] says so). The `Ats` methods call
//! these.

use ats_bridge::mapping::{
    ContactField, MappableTarget, MappedField, MappedValue, Target, TargetOption, ValueKind,
};
use ats_bridge::model::ApplicationRef;
use ats_bridge::{AtsError, AtsResult};

use super::{MemoryAts, Misbehaviour};

/// What every in-memory ATS offers a mapping.
pub(super) fn targets() -> Vec<MappableTarget> {
    vec![
        MappableTarget::new(Target::Tag, "Tags", ValueKind::List),
        MappableTarget::new(
            Target::Contact(ContactField::Email),
            "E-mail",
            ValueKind::Text,
        ),
        MappableTarget::new(
            Target::Property("willo-score".into()),
            "Willo score",
            ValueKind::Number,
        ),
        MappableTarget::new(
            Target::Property("willo-link".into()),
            "Willo review link",
            ValueKind::Text,
        ),
        MappableTarget::new(
            Target::Property("willo-result".into()),
            "Willo result",
            ValueKind::SingleSelect,
        )
        .options(vec![
            TargetOption::new("passed", "Passed"),
            TargetOption::new("failed", "Failed"),
        ]),
    ]
}

impl MemoryAts {
    pub(super) fn read_mapped(
        &self,
        application: &ApplicationRef,
        wanted: &[Target],
    ) -> AtsResult<Vec<Option<MappedValue>>> {
        let id = application.application.as_str();
        self.outages.check(id)?;
        let state = self.state();
        let record = state
            .applications
            .get(id)
            .ok_or_else(|| self.not_found(id))?;
        let forget = self.misbehaves(Misbehaviour::ForgetsMappedValues);
        Ok(wanted
            .iter()
            .map(|target| {
                let value = record.fields.get(target).cloned();
                value.filter(|_| !forget)
            })
            .collect())
    }

    pub(super) fn write_mapped_fields(
        &self,
        application: &ApplicationRef,
        fields: &[MappedField],
    ) -> AtsResult<()> {
        let id = application.application.as_str();
        self.outages.check(id)?;
        let offered = targets();
        // Check every field before changing anything: a refused write leaves the
        // record as it was.
        let mut typed = Vec::with_capacity(fields.len());
        for field in fields {
            let Some(target) = offered.iter().find(|t| t.target == field.target) else {
                if self.misbehaves(Misbehaviour::DropsUnknownTargets) {
                    continue;
                }
                return Err(AtsError::Invalid(format!(
                    "no mapping target `{}` here",
                    field.target
                )));
            };
            let value = field
                .value
                .coerce(target.kind, &target.options)
                .map_err(|why| AtsError::Invalid(format!("`{}`: {why}", field.target)))?;
            typed.push((field.target.clone(), value));
        }
        let mut state = self.state();
        let record = state
            .applications
            .get_mut(id)
            .ok_or_else(|| self.not_found(id))?;
        for (target, value) in typed {
            if target.is_list() {
                for item in value.texts() {
                    if !record.labels.contains(&item) {
                        record.labels.push(item);
                    }
                }
            } else {
                record.fields.insert(target, value);
            }
        }
        Ok(())
    }
}
