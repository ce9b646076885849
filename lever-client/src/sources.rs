//! Sources in use on the account.

use client_core::pagination::{ItemStream, Page};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::Listing;

/// A tag or source with how many opportunities carry it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Counted {
    /// The tag or source text.
    pub text: String,
    /// Opportunities carrying it.
    #[serde(default)]
    pub count: Option<u64>,
    /// Fields this crate does not model yet (Lever may add fields at any time).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `/sources` calls.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    client: &'a LeverClient,
}

impl<'a> Sources<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every source with its usage count.
    pub fn list(&self) -> ItemStream<'static, Counted> {
        Listing::new(self.client.transport(), "/sources").items()
    }

    /// One page of sources: the first (`cursor` `None`) or the one a saved offset token
    /// (a previous page's `next`) points at.
    pub async fn page(&self, cursor: Option<String>) -> client_core::Result<Page<Counted, String>> {
        Listing::new(self.client.transport(), "/sources")
            .page(cursor)
            .await
    }
}
