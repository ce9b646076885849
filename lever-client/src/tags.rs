//! Tags in use on the account (no ids: tags are case-sensitive strings).

use client_core::pagination::{ItemStream, Page};

use crate::LeverClient;
use crate::common::Listing;
use crate::sources::Counted;

/// `/tags` calls.
#[derive(Debug, Clone, Copy)]
pub struct Tags<'a> {
    client: &'a LeverClient,
}

impl<'a> Tags<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every tag with its usage count.
    pub fn list(&self) -> ItemStream<'static, Counted> {
        Listing::new(self.client.transport(), "/tags").items()
    }

    /// One page of tags: the first (`cursor` `None`) or the one a saved offset token
    /// (a previous page's `next`) points at.
    pub async fn page(&self, cursor: Option<String>) -> client_core::Result<Page<Counted, String>> {
        Listing::new(self.client.transport(), "/tags")
            .page(cursor)
            .await
    }
}
