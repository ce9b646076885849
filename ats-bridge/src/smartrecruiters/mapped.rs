//! Mapped fields on SmartRecruiters: candidate properties of the application
//! (`/candidates/{id}/jobs/{jobId}/properties`, typed by their definitions under
//! `/configuration/candidate-properties`), tags, personal details and web profiles
//! (`PATCH /candidates/{id}`).

use smartrecruiters_client::{
    self as sr, PersonalDetails, PropertyDefinition, PropertyType, PropertyValue,
    PropertyValueInput, WebProfiles,
};

use super::{SmartRecruitersAts, not_found};
use crate::mapping::{
    ContactField, MappableTarget, MappedField, MappedValue, Target, TargetOption, ValueKind,
};
use crate::model::ApplicationRef;
use crate::{AtsError, AtsResult};

/// The web profiles SmartRecruiters keeps, as `web_profile:<kind>` names them.
const WEB_PROFILES: [&str; 5] = ["linkedin", "facebook", "twitter", "website", "skype"];

/// The contact fields a SmartRecruiters candidate has (no free-text location: it is
/// structured there).
const CONTACT: [(ContactField, &str); 4] = [
    (ContactField::FirstName, "First name"),
    (ContactField::LastName, "Last name"),
    (ContactField::Email, "E-mail"),
    (ContactField::Phone, "Phone number"),
];

/// The value kind a property type takes; `None` for types a mapping cannot fill
/// (currency, user, boolean, country, region).
fn kind_of(kind: Option<&PropertyType>) -> Option<ValueKind> {
    match kind? {
        PropertyType::Text => Some(ValueKind::Text),
        PropertyType::Number | PropertyType::Percent => Some(ValueKind::Number),
        PropertyType::Date => Some(ValueKind::Date),
        PropertyType::SingleSelect => Some(ValueKind::SingleSelect),
        _ => None,
    }
}

impl SmartRecruitersAts {
    pub(super) async fn list_mapping_targets(&self) -> AtsResult<Vec<MappableTarget>> {
        let mut targets = vec![MappableTarget::new(Target::Tag, "Tags", ValueKind::List)];
        for (field, label) in CONTACT {
            targets.push(MappableTarget::new(
                Target::Contact(field),
                label,
                ValueKind::Text,
            ));
        }
        for kind in WEB_PROFILES {
            let value = if kind == "skype" {
                ValueKind::Text
            } else {
                ValueKind::Url
            };
            targets.push(MappableTarget::new(
                Target::WebProfile(kind.into()),
                format!("Web profile: {kind}"),
                value,
            ));
        }
        for definition in self.client.configuration().candidate_properties().await? {
            let Some(kind) = kind_of(definition.kind.as_ref()) else {
                continue;
            };
            let options = self.options(&definition, kind).await?;
            let label = definition
                .label
                .clone()
                .unwrap_or_else(|| definition.id.clone());
            targets.push(
                MappableTarget::new(Target::Property(definition.id), label, kind).options(options),
            );
        }
        Ok(targets)
    }

    async fn options(
        &self,
        definition: &PropertyDefinition,
        kind: ValueKind,
    ) -> AtsResult<Vec<TargetOption>> {
        if kind != ValueKind::SingleSelect {
            return Ok(Vec::new());
        }
        let values = self
            .client
            .configuration()
            .candidate_property_values(&definition.id)
            .await?;
        Ok(values
            .into_iter()
            .filter_map(|v| {
                let id = v.id?;
                let label = v.label.unwrap_or_else(|| id.clone());
                Some(TargetOption::new(id, label))
            })
            .collect())
    }

    pub(super) async fn read_mapped(
        &self,
        application: &ApplicationRef,
        targets: &[Target],
    ) -> AtsResult<Vec<Option<MappedValue>>> {
        let candidate = sr::CandidateId::from(application.candidate.as_str());
        let job = sr::JobId::from(application.job.as_str());
        let properties = if targets.iter().any(|t| matches!(t, Target::Property(_))) {
            self.client
                .applications()
                .properties(&candidate, &job, None)
                .await
                .map_err(|e| not_found(e, format!("application {}", application.application)))?
        } else {
            Vec::new()
        };
        let person = if targets
            .iter()
            .any(|t| matches!(t, Target::Contact(_) | Target::WebProfile(_)))
        {
            Some(self.read_candidate(&candidate).await?)
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
                Target::Property(id) => properties
                    .iter()
                    .find(|p| &p.id == id)
                    .and_then(|p| p.typed_value())
                    .map(|v| property_as_mapped(&v)),
                Target::Contact(field) => person.as_ref().and_then(|found| match field {
                    ContactField::FirstName => text(found.candidate.first_name.as_ref()),
                    ContactField::LastName => text(found.candidate.last_name.as_ref()),
                    ContactField::Email => text(found.candidate.email.as_ref()),
                    ContactField::Phone => text(found.phone_number.as_ref()),
                    _ => None,
                }),
                Target::WebProfile(kind) => person
                    .as_ref()
                    .and_then(|found| found.web.as_ref())
                    .and_then(|web| text(web_profile(web, kind))),
                _ => None,
            })
            .collect())
    }

    pub(super) async fn write_mapped_fields(
        &self,
        application: &ApplicationRef,
        fields: &[MappedField],
    ) -> AtsResult<()> {
        let candidate = sr::CandidateId::from(application.candidate.as_str());
        let job = sr::JobId::from(application.job.as_str());
        let mut properties = Vec::new();
        let mut tags: Vec<String> = Vec::new();
        let mut details = PersonalDetails::new();
        let mut web = WebProfiles::new();
        let (mut personal, mut profiles) = (false, false);
        for field in fields {
            let unsupported = || {
                AtsError::Invalid(format!(
                    "SmartRecruiters has no mapping target `{}`",
                    field.target
                ))
            };
            let text = || {
                field
                    .value
                    .coerce(ValueKind::Text, &[])
                    .map(|v| v.texts().concat())
                    .map_err(|why| invalid(&field.target, &why))
            };
            match &field.target {
                Target::Property(id) => properties.push(self.property_input(id, field).await?),
                Target::Tag => tags.extend(field.value.texts()),
                Target::Contact(ContactField::FirstName) => details.first_name = Some(text()?),
                Target::Contact(ContactField::LastName) => details.last_name = Some(text()?),
                Target::Contact(ContactField::Email) => details.email = Some(text()?),
                Target::Contact(ContactField::Phone) => details.phone_number = Some(text()?),
                Target::WebProfile(kind) => {
                    let slot = match kind.as_str() {
                        "linkedin" => &mut web.linkedin,
                        "facebook" => &mut web.facebook,
                        "twitter" => &mut web.twitter,
                        "website" => &mut web.website,
                        "skype" => &mut web.skype,
                        _ => return Err(unsupported()),
                    };
                    *slot = Some(text()?);
                    profiles = true;
                    continue;
                }
                _ => return Err(unsupported()),
            }
            personal |= matches!(field.target, Target::Contact(_));
        }
        if !properties.is_empty() {
            self.client
                .applications()
                .set_properties(&candidate, &job, &properties)
                .await
                .map_err(|e| not_found(e, format!("application {}", application.application)))?;
        }
        if !tags.is_empty() {
            let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
            self.client
                .candidates()
                .add_tags(&candidate, &refs)
                .await
                .map_err(|e| not_found(e, format!("candidate {candidate}")))?;
        }
        if personal || profiles {
            if profiles {
                // Sent whole: the profiles already there stay.
                let current = self
                    .read_candidate(&candidate)
                    .await?
                    .web
                    .unwrap_or_default();
                details.web = Some(merge_web(current, web));
            }
            self.client
                .candidates()
                .update_personal_details(&candidate, &details)
                .await
                .map_err(|e| not_found(e, format!("candidate {candidate}")))?;
        }
        Ok(())
    }

    /// The value of property `id`, in the shape its definition's type requires.
    async fn property_input(&self, id: &str, field: &MappedField) -> AtsResult<PropertyValueInput> {
        let definition = self
            .client
            .configuration()
            .candidate_property(id)
            .await
            .map_err(|e| not_found(e, format!("candidate property {id}")))?;
        let kind = kind_of(definition.kind.as_ref())
            .ok_or_else(|| invalid(&field.target, "the property's type cannot be mapped"))?;
        let options = self.options(&definition, kind).await?;
        let value = field
            .value
            .coerce(kind, &options)
            .map_err(|why| invalid(&field.target, &why))?;
        let value = match value {
            MappedValue::Number(n) if definition.kind == Some(PropertyType::Percent) => {
                PropertyValue::Percent(n)
            }
            MappedValue::Number(n) => PropertyValue::Number(n),
            MappedValue::Date(d) => PropertyValue::date(d),
            MappedValue::SingleSelect(option) => PropertyValue::single_select(option),
            other => PropertyValue::text(other.texts().concat()),
        };
        Ok(PropertyValueInput::set(id, value))
    }
}

fn invalid(target: &Target, why: &str) -> AtsError {
    AtsError::Invalid(format!("mapped target `{target}`: {why}"))
}

fn web_profile<'a>(web: &'a WebProfiles, kind: &str) -> Option<&'a String> {
    match kind {
        "linkedin" => web.linkedin.as_ref(),
        "facebook" => web.facebook.as_ref(),
        "twitter" => web.twitter.as_ref(),
        "website" => web.website.as_ref(),
        "skype" => web.skype.as_ref(),
        _ => None,
    }
}

fn merge_web(mut current: WebProfiles, new: WebProfiles) -> WebProfiles {
    current.linkedin = new.linkedin.or(current.linkedin);
    current.facebook = new.facebook.or(current.facebook);
    current.twitter = new.twitter.or(current.twitter);
    current.website = new.website.or(current.website);
    current.skype = new.skype.or(current.skype);
    current
}

fn property_as_mapped(value: &PropertyValue) -> MappedValue {
    match value {
        PropertyValue::Number(n) | PropertyValue::Percent(n) => MappedValue::Number(n.clone()),
        PropertyValue::Date(d) => MappedValue::Date(d.clone()),
        PropertyValue::SingleSelect(id) => MappedValue::SingleSelect(id.clone()),
        other => MappedValue::Text(match other.to_json() {
            serde_json::Value::String(s) => s,
            json => json.to_string(),
        }),
    }
}
