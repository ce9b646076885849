//! Child organisations (`/children/`): accounts under this one, for agencies,
//! resellers and multi-brand groups. Field names are not confirmed (willo.md §5).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::ChildKey;
use crate::lenient;
use crate::resource::{Collection, create_call, list_calls};

/// A child organisation as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ChildOrganisation {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<ChildKey>,
    /// Its name (field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /children/`. Unset fields are not sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChildOrganisationInput {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ChildOrganisationInput {
    /// A body with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            extra: Map::new(),
        }
    }

    crate::resource::extra_field_setter!();
}

/// Calls on `/children/`. Obtain with [`WilloClient::children`].
#[derive(Debug, Clone, Copy)]
pub struct Children<'a> {
    client: &'a WilloClient,
}

impl<'a> Children<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/children/")
    }

    list_calls!(ChildOrganisation, "child organisations");
    create_call!(ChildOrganisationInput => ChildOrganisation, "child organisation");
}
