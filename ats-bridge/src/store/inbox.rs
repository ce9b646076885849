//! The inbox's values: a delivery to keep, and one handed out for processing.

/// A received delivery to keep, as [`super::Inbox::inbox_insert`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDelivery<'a> {
    /// Who sent it (`willo`, or the ATS connection's name).
    pub source: &'a str,
    /// The sender's id for the delivery, unique per source.
    pub dedupe_key: &'a str,
    /// The event it announces, when the sender names it outside the body (Willo names
    /// it in the URL); `None` when the body says it, or nothing does.
    pub event: Option<&'a str>,
    /// The raw body as received.
    pub payload: &'a [u8],
}

impl<'a> NewDelivery<'a> {
    /// A delivery whose body says what it is about (no separate event name).
    pub fn new(source: &'a str, dedupe_key: &'a str, payload: &'a [u8]) -> Self {
        Self {
            source,
            dedupe_key,
            event: None,
            payload,
        }
    }

    /// The same delivery naming `event`.
    pub fn with_event(self, event: Option<&'a str>) -> Self {
        Self { event, ..self }
    }
}

/// A received delivery waiting to be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// The store's id for it.
    pub id: i64,
    /// Who sent it (`willo`, `smartrecruiters`, `lever`…).
    pub source: String,
    /// The sender's id for the delivery, unique per source.
    pub dedupe_key: String,
    /// The event it announces, if it was stored with one (see [`NewDelivery::event`]).
    pub event: Option<String>,
    /// The raw body as received.
    pub payload: Vec<u8>,
    /// Failed processing attempts so far.
    pub attempts: u32,
    /// The fencing token of this claim, for [`super::Inbox::inbox_done`] and
    /// [`super::Inbox::inbox_retry`].
    pub fence: super::Fence,
}
