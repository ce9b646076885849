//! Tags in use on the account (no ids: tags are case-sensitive strings).

use client_core::Transport;
use client_core::pagination::ItemStream;

use crate::common::Listing;
use crate::sources::Counted;

/// `/tags` calls.
#[derive(Debug, Clone, Copy)]
pub struct Tags<'a> {
    transport: &'a Transport,
}

impl<'a> Tags<'a> {
    pub(crate) fn new(transport: &'a Transport) -> Self {
        Self { transport }
    }

    /// Every tag with its usage count.
    pub fn list(&self) -> ItemStream<'static, Counted> {
        Listing::new(self.transport, "/tags").items(None)
    }
}
