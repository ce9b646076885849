//! Where a mapped value lands in the ATS, and what an ATS says it offers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::value::{TargetOption, ValueKind};

/// A field of the ATS record a value can be written to. Written in the rules file as
/// a string:
///
/// | string | target |
/// | --- | --- |
/// | `property:<id>` | a SmartRecruiters candidate property of the application |
/// | `form:<template id>/<field id>` | a field of a Lever profile form |
/// | `tag` | tags (SmartRecruiters, Lever); a list source adds each item |
/// | `source` | Lever sources |
/// | `link` | Lever links |
/// | `web_profile:<kind>` | a social or web profile (`linkedin`, `website`…) |
/// | `contact.name`, `contact.first_name`, `contact.last_name`, `contact.email`, `contact.phone`, `contact.location` | personal details |
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Target {
    /// A candidate property (SmartRecruiters), by id.
    Property(String),
    /// A field of a profile form (Lever), by template and field id.
    FormField {
        /// The form template.
        template: String,
        /// The field of that template.
        field: String,
    },
    /// Tags.
    Tag,
    /// Sources.
    Source,
    /// Links on the record.
    Link,
    /// A web profile by kind (`linkedin`, `facebook`, `twitter`, `website`…).
    WebProfile(String),
    /// A personal detail.
    Contact(ContactField),
}

/// A personal detail of the candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ContactField {
    /// The full name.
    Name,
    /// The first name (SmartRecruiters keeps it apart).
    FirstName,
    /// The last name.
    LastName,
    /// The e-mail address.
    Email,
    /// The phone number.
    Phone,
    /// The location, as free text.
    Location,
}

impl ContactField {
    const ALL: [(ContactField, &'static str); 6] = [
        (ContactField::Name, "name"),
        (ContactField::FirstName, "first_name"),
        (ContactField::LastName, "last_name"),
        (ContactField::Email, "email"),
        (ContactField::Phone, "phone"),
        (ContactField::Location, "location"),
    ];

    fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, name)| name)
    }
}

impl Target {
    /// True for targets that take several values, each added on its own (tags,
    /// sources, links): a repeat adds nothing, so they are never read first.
    pub fn is_list(&self) -> bool {
        matches!(self, Target::Tag | Target::Source | Target::Link)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Property(id) => write!(f, "property:{id}"),
            Target::FormField { template, field } => write!(f, "form:{template}/{field}"),
            Target::Tag => f.write_str("tag"),
            Target::Source => f.write_str("source"),
            Target::Link => f.write_str("link"),
            Target::WebProfile(kind) => write!(f, "web_profile:{kind}"),
            Target::Contact(field) => write!(f, "contact.{}", field.as_str()),
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let named = |rest: &str, what: &str| {
            let rest = rest.trim();
            if rest.is_empty() || rest.chars().any(char::is_whitespace) {
                Err(format!("`{text}` needs {what} after the colon"))
            } else {
                Ok(rest.to_owned())
            }
        };
        if let Some(id) = text.strip_prefix("property:") {
            return Ok(Target::Property(named(id, "a property id")?));
        }
        if let Some(rest) = text.strip_prefix("form:") {
            let rest = named(rest, "`<template id>/<field id>`")?;
            return match rest.split_once('/') {
                Some((template, field)) if !template.is_empty() && !field.is_empty() => {
                    Ok(Target::FormField {
                        template: template.to_owned(),
                        field: field.to_owned(),
                    })
                }
                _ => Err(format!("`{text}` must be `form:<template id>/<field id>`")),
            };
        }
        if let Some(kind) = text.strip_prefix("web_profile:") {
            return Ok(Target::WebProfile(named(kind, "a profile kind")?));
        }
        if let Some(field) = text.strip_prefix("contact.") {
            return ContactField::ALL
                .iter()
                .find(|(_, name)| *name == field)
                .map(|(f, _)| Target::Contact(*f))
                .ok_or_else(|| {
                    format!(
                        "`{text}`: contact fields are {}",
                        ContactField::ALL.map(|(_, n)| n).join(", ")
                    )
                });
        }
        match text {
            "tag" => Ok(Target::Tag),
            "source" => Ok(Target::Source),
            "link" => Ok(Target::Link),
            _ => Err(format!(
                "unknown target `{text}`; targets are property:<id>, form:<template>/<field>, \
                 tag, source, link, web_profile:<kind>, contact.<field>"
            )),
        }
    }
}

impl TryFrom<String> for Target {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Target> for String {
    fn from(target: Target) -> Self {
        target.to_string()
    }
}

/// A target an ATS connection offers, as [`crate::Ats::mapping_targets`] lists it
/// (and `setup` shows it): what it is called, what it takes, its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MappableTarget {
    /// The target.
    pub target: Target,
    /// Its name as recruiters see it (a property's label, a form's and field's titles).
    pub label: String,
    /// The values it takes.
    pub kind: ValueKind,
    /// The choices, for select targets.
    pub options: Vec<TargetOption>,
}

impl MappableTarget {
    /// A target of `kind`, called `label`.
    pub fn new(target: Target, label: impl Into<String>, kind: ValueKind) -> Self {
        Self {
            target,
            label: label.into(),
            kind,
            options: Vec::new(),
        }
    }

    /// With the choices of a select target.
    pub fn options(mut self, options: Vec<TargetOption>) -> Self {
        self.options = options;
        self
    }
}

/// One value to write: [`crate::Ats::write_mapped`] receives a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MappedField {
    /// Where it goes.
    pub target: Target,
    /// What goes there, typed by its source; the adapter converts it to the field's
    /// own type with [`MappedValue::coerce`](super::MappedValue::coerce).
    pub value: super::MappedValue,
}

impl MappedField {
    /// `value` into `target`.
    pub fn new(target: Target, value: super::MappedValue) -> Self {
        Self { target, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_and_print_the_same() {
        for text in [
            "property:score-1",
            "form:tpl-1/field-2",
            "tag",
            "source",
            "link",
            "web_profile:linkedin",
            "contact.email",
            "contact.first_name",
        ] {
            let target: Target = text.parse().unwrap();
            assert_eq!(target.to_string(), text);
        }
        assert!("property:".parse::<Target>().is_err());
        assert!("form:tpl".parse::<Target>().is_err());
        assert!(
            "contact.age"
                .parse::<Target>()
                .unwrap_err()
                .contains("contact fields are")
        );
        assert!("notes".parse::<Target>().is_err());
    }
}
