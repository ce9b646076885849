//! Languages (`/languages/`) an interview can be run in. Field names are not
//! confirmed (willo.md §5).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::lenient;
use crate::resource::{Collection, list_calls};

/// A language as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Language {
    /// Its code (read from `code`, field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: Option<String>,
    /// Its name (field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Calls on `/languages/`. Obtain with [`WilloClient::languages`].
#[derive(Debug, Clone, Copy)]
pub struct Languages<'a> {
    client: &'a WilloClient,
}

impl<'a> Languages<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/languages/")
    }

    list_calls!(Language, "languages");
}
