//! Archive reasons. Every account has a `Hired` reason (type `hired`); all others mean
//! the candidate was not hired.

use client_core::pagination::{ItemStream, Page};
use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data};
use crate::ids::ArchiveReasonId;

client_core::open_enum! {
    /// Whether an archive reason means hired.
    ArchiveReasonType {
        /// Hired.
        Hired = "hired",
        /// Not hired.
        NonHired = "non-hired",
    }
}

client_core::open_enum! {
    /// Whether an archive reason can still be used.
    ArchiveReasonStatus {
        /// In use.
        Active = "active",
        /// Retired.
        Inactive = "inactive",
    }
}

/// An archive reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ArchiveReason {
    /// The id (pass it to [`crate::opportunities::Archive::new`]).
    pub id: ArchiveReasonId,
    /// Its name.
    #[serde(default)]
    pub text: String,
    /// Active or inactive.
    #[serde(default)]
    pub status: Option<ArchiveReasonStatus>,
    /// Hired or not.
    #[serde(rename = "type", default)]
    pub kind: Option<ArchiveReasonType>,
    /// Fields this crate does not model yet (Lever may add fields at any time).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `/archive_reasons` calls.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveReasons<'a> {
    client: &'a LeverClient,
}

impl<'a> ArchiveReasons<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every archive reason, optionally only `hired` or `non-hired` ones.
    pub fn list(&self, kind: Option<ArchiveReasonType>) -> ItemStream<'static, ArchiveReason> {
        self.listing(kind).items()
    }

    /// One page of archive reasons: the first (`cursor` `None`) or the one a saved
    /// offset token (a previous page's `next`) points at.
    pub async fn page(
        &self,
        kind: Option<ArchiveReasonType>,
        cursor: Option<String>,
    ) -> Result<Page<ArchiveReason, String>> {
        self.listing(kind).page(cursor).await
    }

    fn listing(&self, kind: Option<ArchiveReasonType>) -> Listing {
        let query = kind
            .map(|k| vec![("type".to_owned(), k.to_string())])
            .unwrap_or_default();
        Listing::new(self.client.transport(), "/archive_reasons").query(query)
    }

    /// One archive reason.
    pub async fn get(&self, id: &ArchiveReasonId) -> Result<ArchiveReason> {
        let path = format!("/archive_reasons/{}", encode_segment(id.as_str()));
        data(self.client.transport().get(path).send_raw().await?)
    }
}
