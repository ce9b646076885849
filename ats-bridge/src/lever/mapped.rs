//! Mapped fields on Lever: profile forms (structured custom data, from a template;
//! Lever cannot edit a form, so a change is a new, complete form of that template),
//! tags, sources, links, and the contact's details.

use std::collections::BTreeMap;

use futures::TryStreamExt as _;
use lever_client::{
    ContactId, ContactUpdate, FieldValue, FormField, FormTemplateId, NewProfileForm, Opportunity,
    Phone, ProfileForm,
};
use serde_json::Value;

use super::{LeverAts, not_found, opportunity_id};
use crate::mapping::{
    ContactField, MappableTarget, MappedField, MappedValue, Target, TargetOption, ValueKind,
};
use crate::model::ApplicationRef;
use crate::{AtsError, AtsResult};

const CONTACT: [(ContactField, &str); 4] = [
    (ContactField::Name, "Name"),
    (ContactField::Email, "E-mail"),
    (ContactField::Phone, "Phone"),
    (ContactField::Location, "Location"),
];

/// The value kind of a form field type; `None` for types a mapping cannot fill
/// (scorecards, files, currency…).
fn kind_of(field: &FormField) -> Option<ValueKind> {
    match field.kind.as_str() {
        "text" | "textarea" => Some(ValueKind::Text),
        "dropdown" | "multiple-choice" => Some(ValueKind::SingleSelect),
        "multiple-select" => Some(ValueKind::MultiSelect),
        "date" => Some(ValueKind::Date),
        "score" | "number" => Some(ValueKind::Number),
        _ => None,
    }
}

/// A choice field's options: Lever stores the chosen text.
fn options_of(field: &FormField) -> Vec<TargetOption> {
    field
        .options
        .iter()
        .map(|o| TargetOption::new(o.text.clone(), o.text.clone()))
        .collect()
}

impl LeverAts {
    pub(super) async fn list_mapping_targets(&self) -> AtsResult<Vec<MappableTarget>> {
        let mut targets = vec![
            MappableTarget::new(Target::Tag, "Tags", ValueKind::List),
            MappableTarget::new(Target::Source, "Sources", ValueKind::List),
            MappableTarget::new(Target::Link, "Links", ValueKind::List),
        ];
        for (field, label) in CONTACT {
            targets.push(MappableTarget::new(
                Target::Contact(field),
                label,
                ValueKind::Text,
            ));
        }
        let templates: Vec<_> = self.client.form_templates().list().try_collect().await?;
        for template in templates {
            let title = template.text.clone().unwrap_or_default();
            for field in &template.fields {
                let (Some(id), Some(kind)) = (field.id.clone(), kind_of(field)) else {
                    continue;
                };
                let target = Target::FormField {
                    template: template.id.as_str().to_owned(),
                    field: id,
                };
                targets.push(
                    MappableTarget::new(target, format!("{title} / {}", field.text), kind)
                        .options(options_of(field)),
                );
            }
        }
        Ok(targets)
    }

    pub(super) async fn read_mapped(
        &self,
        application: &ApplicationRef,
        targets: &[Target],
    ) -> AtsResult<Vec<Option<MappedValue>>> {
        let id = opportunity_id(application);
        let forms = if targets
            .iter()
            .any(|t| matches!(t, Target::FormField { .. }))
        {
            self.profile_forms(application).await?
        } else {
            Vec::new()
        };
        let opportunity = if targets.iter().any(|t| matches!(t, Target::Contact(_))) {
            Some(
                self.client
                    .opportunities()
                    .get(&id)
                    .await
                    .map_err(|e| not_found(e, format!("opportunity {id}")))?,
            )
        } else {
            None
        };
        let text = |s: Option<&String>| {
            s.filter(|s| !s.trim().is_empty())
                .map(|s| MappedValue::Text(s.clone()))
        };
        Ok(targets
            .iter()
            .map(|target| match target {
                Target::FormField { template, field } => latest_form(&forms, template)
                    .and_then(|form| form.fields.iter().find(|f| f.id.as_deref() == Some(field)))
                    .and_then(|f| field_value(&f.value)),
                Target::Contact(field) => opportunity.as_ref().and_then(|o| match field {
                    ContactField::Name => text(o.name.as_ref()),
                    ContactField::Email => text(o.emails.first()),
                    ContactField::Phone => text(o.phones.first().map(|p| &p.value)),
                    ContactField::Location => text(o.location.as_ref()),
                    _ => None,
                }),
                _ => None,
            })
            .collect())
    }

    pub(super) async fn write_mapped_fields(
        &self,
        application: &ApplicationRef,
        fields: &[MappedField],
    ) -> AtsResult<()> {
        let id = opportunity_id(application);
        let user = &self.config.perform_as;
        let lists = |target: Target| -> Vec<String> {
            fields
                .iter()
                .filter(|f| f.target == target)
                .flat_map(|f| f.value.texts())
                .filter(|t| !t.trim().is_empty())
                .collect()
        };
        let opportunities = self.client.opportunities();
        let missing = |e| not_found(e, format!("opportunity {id}"));
        for (target, values) in [
            (Target::Tag, lists(Target::Tag)),
            (Target::Source, lists(Target::Source)),
            (Target::Link, lists(Target::Link)),
        ] {
            if values.is_empty() {
                continue;
            }
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let call = match target {
                Target::Tag => opportunities.add_tags(&id, &refs),
                Target::Source => opportunities.add_sources(&id, &refs),
                _ => opportunities.add_links(&id, &refs),
            };
            call.perform_as(user).send().await.map_err(missing)?;
        }
        let mut forms: BTreeMap<&str, Vec<(&str, &MappedValue)>> = BTreeMap::new();
        let mut contact = Vec::new();
        for field in fields {
            match &field.target {
                Target::FormField { template, field: f } => {
                    forms.entry(template).or_default().push((f, &field.value));
                }
                Target::Contact(which) => contact.push((*which, &field.value)),
                Target::Tag | Target::Source | Target::Link => {}
                other => {
                    return Err(AtsError::Invalid(format!(
                        "Lever has no mapping target `{other}`"
                    )));
                }
            }
        }
        if !contact.is_empty() {
            self.update_contact(&id, &contact).await?;
        }
        if !forms.is_empty() {
            self.write_forms(application, forms).await?;
        }
        Ok(())
    }

    /// Live (not deleted) profile forms of the opportunity.
    async fn profile_forms(&self, application: &ApplicationRef) -> AtsResult<Vec<ProfileForm>> {
        let id = opportunity_id(application);
        let forms: Vec<ProfileForm> = self
            .client
            .forms(&id)
            .list()
            .try_collect()
            .await
            .map_err(|e| not_found(e, format!("opportunity {id}")))?;
        Ok(forms
            .into_iter()
            .filter(|f| f.deleted_at.is_none())
            .collect())
    }

    /// One new form per template, carrying the latest form's other answers over so
    /// the newest form of a template is always complete.
    async fn write_forms(
        &self,
        application: &ApplicationRef,
        forms: BTreeMap<&str, Vec<(&str, &MappedValue)>>,
    ) -> AtsResult<()> {
        let id = opportunity_id(application);
        let existing = self.profile_forms(application).await?;
        for (template_id, values) in forms {
            let template = self
                .client
                .form_templates()
                .get(&FormTemplateId::from(template_id))
                .await
                .map_err(|e| not_found(e, format!("form template {template_id}")))?;
            let mut answers: BTreeMap<String, Value> = latest_form(&existing, template_id)
                .map(|form| {
                    form.fields
                        .iter()
                        .filter(|f| !f.value.is_null())
                        .filter_map(|f| Some((f.id.clone()?, f.value.clone())))
                        .collect()
                })
                .unwrap_or_default();
            for (field_id, value) in values {
                let field = template
                    .fields
                    .iter()
                    .find(|f| f.id.as_deref() == Some(field_id))
                    .ok_or_else(|| {
                        AtsError::Invalid(format!(
                            "form template {template_id} has no field {field_id}"
                        ))
                    })?;
                let kind = kind_of(field).ok_or_else(|| {
                    AtsError::Invalid(format!(
                        "field {field_id} of form template {template_id} cannot be mapped"
                    ))
                })?;
                let typed = value.coerce(kind, &options_of(field)).map_err(|why| {
                    AtsError::Invalid(format!(
                        "mapped target `form:{template_id}/{field_id}`: {why}"
                    ))
                })?;
                answers.insert(field_id.to_owned(), form_json(&typed));
            }
            let form = NewProfileForm::new(
                template.id.clone(),
                answers
                    .into_iter()
                    .map(|(field, value)| FieldValue::new(field, value))
                    .collect(),
            );
            self.client
                .forms(&id)
                .create(&form)
                .perform_as(&self.config.perform_as)
                .send()
                .await
                .map_err(|e| not_found(e, format!("opportunity {id}")))?;
        }
        Ok(())
    }

    /// `PUT /contacts/{id}`: the new name, location, and the new e-mail or phone put
    /// first with the others kept (Lever does not say whether a field left out is
    /// cleared, so every list is sent whole).
    async fn update_contact(
        &self,
        opportunity: &lever_client::OpportunityId,
        changes: &[(ContactField, &MappedValue)],
    ) -> AtsResult<()> {
        let found: Opportunity = self
            .client
            .opportunities()
            .get(opportunity)
            .await
            .map_err(|e| not_found(e, format!("opportunity {opportunity}")))?;
        let contact = found
            .contact
            .as_ref()
            .and_then(|c| c.id().cloned())
            .unwrap_or_else(|| ContactId::from(found.id.as_str()));
        let mut update = ContactUpdate::new();
        for (field, value) in changes {
            let text = value.texts().concat().trim().to_owned();
            match field {
                ContactField::Name => update = update.name(text),
                ContactField::Location => update = update.location(text),
                ContactField::Email => {
                    let mut emails = vec![text.clone()];
                    emails.extend(found.emails.iter().filter(|e| **e != text).cloned());
                    update = update.emails(emails);
                }
                ContactField::Phone => {
                    let mut phones = vec![Phone::untyped(text.clone())];
                    phones.extend(found.phones.iter().filter(|p| p.value != text).cloned());
                    update = update.phones(phones);
                }
                other => {
                    return Err(AtsError::Invalid(format!(
                        "Lever has no mapping target `{}`",
                        Target::Contact(*other)
                    )));
                }
            }
        }
        self.client
            .contacts()
            .update(&contact, &update)
            .await
            .map_err(|e| not_found(e, format!("contact {contact}")))?;
        Ok(())
    }
}

/// The newest live form made from `template`.
fn latest_form<'a>(forms: &'a [ProfileForm], template: &str) -> Option<&'a ProfileForm> {
    forms
        .iter()
        .filter(|f| f.base_template_id.as_ref().map(|t| t.as_str()) == Some(template))
        .max_by_key(|f| f.created_at.unwrap_or(0))
}

fn field_value(value: &Value) -> Option<MappedValue> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(MappedValue::Text(s.clone())),
        Value::Number(n) => Some(MappedValue::Number(n.clone())),
        Value::Array(items) if !items.is_empty() => Some(MappedValue::List(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect(),
        )),
        _ => None,
    }
}

fn form_json(value: &MappedValue) -> Value {
    match value {
        MappedValue::Number(n) => Value::Number(n.clone()),
        MappedValue::MultiSelect(items) | MappedValue::List(items) => {
            Value::Array(items.iter().cloned().map(Value::String).collect())
        }
        other => Value::String(other.texts().concat()),
    }
}
