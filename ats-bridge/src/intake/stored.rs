//! Who hears of a delivery the moment it is stored: the engine (or fleet) that
//! processes it, so it starts at once instead of at its next poll.

use std::fmt;

use tokio::sync::Notify;

/// Told of each newly stored delivery, once it is durable in the inbox. Duplicates
/// (already in the inbox) are not told. Called on the request's task: keep it quick
/// and never block.
///
/// A [`Notify`] is one (`notify_one`, whatever the source); the fleet's
/// [`crate::connection::Fleet::arrivals`] also notes which connection the delivery is
/// for, so it need not count every connection's deliveries again.
pub trait DeliveryListener: Send + Sync + fmt::Debug {
    /// A delivery was stored under the inbox source name `source` (`{connection}/{source}`
    /// for a connection's intake).
    fn stored(&self, source: &str);
}

impl DeliveryListener for Notify {
    fn stored(&self, _source: &str) {
        self.notify_one();
    }
}
