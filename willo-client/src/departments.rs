//! Departments (`/departments/`): shown as "Companies" in the Willo app; brands,
//! regions or business units with their own branding.
//!
//! Only `key` and `name` are likely field names (willo.md §5); everything else the API
//! sends is kept in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::DepartmentKey;
use crate::lenient;
use crate::resource::{Collection, create_call, delete_call, get_call, list_calls, write_calls};

/// A department as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Department {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<DepartmentKey>,
    /// Its name (likely field name).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Every other field, as received (`is_global`, `branding`… are unconfirmed).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of a department create (`POST`), replace (`PUT`) or update (`PATCH`).
/// Unset fields are not sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DepartmentInput {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Any other field to send (names unconfirmed; Willo ignores unknown fields).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DepartmentInput {
    /// A body with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            extra: Map::new(),
        }
    }

    /// A body that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    crate::resource::extra_field_setter!();
}

/// Calls on `/departments/`. Obtain with [`WilloClient::departments`].
#[derive(Debug, Clone, Copy)]
pub struct Departments<'a> {
    client: &'a WilloClient,
}

impl<'a> Departments<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/departments/")
    }

    list_calls!(Department, "departments");
    create_call!(DepartmentInput => Department, "department");
    get_call!(DepartmentKey => Department, "department");
    write_calls!(DepartmentKey, DepartmentInput => Department, "department");
    delete_call!(DepartmentKey, "department");
}
