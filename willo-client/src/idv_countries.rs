//! Countries of employment for identity verification. Willo's reference lists the path
//! as `/idv-counties/` (sic); the spelling is uncertain, so the path is set on the
//! builder ([`crate::WilloClientBuilder::idv_countries_path`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::lenient;
use crate::resource::{Collection, list_calls};

/// A country as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct IdvCountry {
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

/// Calls on the IDV countries list. Obtain with [`WilloClient::idv_countries`].
#[derive(Debug, Clone, Copy)]
pub struct IdvCountries<'a> {
    client: &'a WilloClient,
}

impl<'a> IdvCountries<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), self.client.idv_countries_path())
    }

    list_calls!(IdvCountry, "IDV countries");
}
