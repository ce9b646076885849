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

/// How far behind the inbox is: what [`super::Inbox::inbox_backlog`] answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboxBacklog {
    /// Deliveries not processed yet (leased or waiting for a retry included).
    pub pending: u64,
    /// When the oldest of them was received (epoch ms); `None` when there are none.
    pub oldest_received_at_ms: Option<i64>,
}

impl InboxBacklog {
    /// A backlog of `pending` deliveries, the oldest received at `oldest_received_at_ms`.
    pub fn new(pending: u64, oldest_received_at_ms: Option<i64>) -> Self {
        Self {
            pending,
            oldest_received_at_ms,
        }
    }

    /// How long the oldest unprocessed delivery has waited at `now_ms` (0 when none).
    pub fn oldest_age_ms(&self, now_ms: i64) -> u64 {
        self.oldest_received_at_ms.map_or(0, |at| {
            u64::try_from(now_ms.saturating_sub(at)).unwrap_or(0)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_age_is_zero_for_an_empty_inbox_and_never_negative() {
        assert_eq!(InboxBacklog::default().oldest_age_ms(5_000), 0);
        let backlog = InboxBacklog::new(3, Some(1_000));
        assert_eq!(backlog.oldest_age_ms(4_500), 3_500);
        assert_eq!(backlog.oldest_age_ms(900), 0, "a clock behind the store's");
    }
}
