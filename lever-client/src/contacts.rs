//! Contacts: the person behind one or more opportunities.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{data, null_default};
use crate::ids::ContactId;

/// A contact.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Contact {
    /// The contact id.
    pub id: ContactId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Headline.
    #[serde(default)]
    pub headline: Option<String>,
    /// Whether the contact was anonymised.
    #[serde(default)]
    pub is_anonymized: Option<bool>,
    /// Location (`{name}`).
    #[serde(default)]
    pub location: Option<ContactLocation>,
    /// Emails.
    #[serde(default, deserialize_with = "null_default")]
    pub emails: Vec<String>,
    /// Phones.
    #[serde(default, deserialize_with = "null_default")]
    pub phones: Vec<Phone>,
    /// Everything else (e.g. `dataProtection`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A contact's location.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ContactLocation {
    /// Free text, may be empty.
    #[serde(default)]
    pub name: Option<String>,
}

/// A phone number; `type` may be absent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Phone {
    /// `mobile`, `work`, `home`, `skype`, `other`… (kept as sent).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The number.
    pub value: String,
}

impl Phone {
    /// A phone with a type.
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            kind: Some(kind.into()),
            value: value.into(),
        }
    }

    /// A phone without a type (as Lever's examples show some).
    pub fn untyped(value: impl Into<String>) -> Self {
        Self {
            kind: None,
            value: value.into(),
        }
    }
}

/// New values for `PUT /contacts/:contact`. Lever's reference lists `name`,
/// `headline`, `location` (a string here, an object in responses), `emails` and
/// `phones`; whether a field left out is kept or cleared is not documented, so send
/// every field you want to keep (fields left `None` are not sent).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContactUpdate {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Location, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Emails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    /// Phones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<Phone>>,
}

impl ContactUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Set the headline.
    pub fn headline(mut self, headline: impl Into<String>) -> Self {
        self.headline = Some(headline.into());
        self
    }

    /// Set the location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Set the emails.
    pub fn emails(mut self, emails: Vec<String>) -> Self {
        self.emails = Some(emails);
        self
    }

    /// Set the phones.
    pub fn phones(mut self, phones: Vec<Phone>) -> Self {
        self.phones = Some(phones);
        self
    }
}

/// `/contacts` calls.
#[derive(Debug, Clone, Copy)]
pub struct Contacts<'a> {
    client: &'a LeverClient,
}

impl<'a> Contacts<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// One contact.
    pub async fn get(&self, id: &ContactId) -> Result<Contact> {
        let path = format!("/contacts/{}", encode_segment(id.as_str()));
        data(self.client.transport().get(path).send_raw().await?)
    }

    /// Update a contact (scope `contact:write:admin`); answers the contact as stored.
    pub async fn update(&self, id: &ContactId, update: &ContactUpdate) -> Result<Contact> {
        let path = format!("/contacts/{}", encode_segment(id.as_str()));
        data(
            self.client
                .transport()
                .put(path)
                .json(update)
                .send_raw()
                .await?,
        )
    }
}
