//! Deliveries stored since the inbox loop last looked, per connection. The intakes
//! tell the fleet through this listener, so a webhook wakes the loop for its own
//! connection: the loop adds it to that connection's ready count instead of counting
//! every connection's deliveries again, a scan of the whole backlog that a flood of
//! webhooks would otherwise repeat once per delivery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use crate::intake::DeliveryListener;

/// New deliveries per connection scope, and the signals that wake the loop.
#[derive(Debug)]
pub(super) struct Arrivals {
    per_scope: Mutex<HashMap<String, u64>>,
    /// Wakes the loop to take `per_scope`.
    pub(super) wake: Notify,
    /// A delivery outside every connection's scope: count everything again.
    recount: Arc<Notify>,
}

impl Arrivals {
    pub(super) fn new(recount: Arc<Notify>) -> Self {
        Self {
            per_scope: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            recount,
        }
    }

    /// What arrived since the last call, per connection scope.
    pub(super) fn take(&self) -> HashMap<String, u64> {
        std::mem::take(
            &mut *self
                .per_scope
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl DeliveryListener for Arrivals {
    fn stored(&self, source: &str) {
        let Some((scope, _)) = source.split_once('/') else {
            self.recount.notify_one();
            return;
        };
        {
            let mut per_scope = self
                .per_scope
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match per_scope.get_mut(scope) {
                Some(count) => *count += 1,
                None => {
                    per_scope.insert(scope.to_owned(), 1);
                }
            }
        }
        // After the count is in: a wake-up always finds it (a permit is kept when the
        // loop is busy).
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deliveries_are_counted_per_connection_and_taken_once() {
        let recount = Arc::new(Notify::new());
        let arrivals = Arrivals::new(recount.clone());
        arrivals.stored("acme/lever");
        arrivals.stored("acme/willo");
        arrivals.stored("globex/smartrecruiters");
        // The permit is kept: a loop busy at the time still wakes.
        arrivals.wake.notified().await;
        let taken = arrivals.take();
        assert_eq!(taken.get("acme"), Some(&2));
        assert_eq!(taken.get("globex"), Some(&1));
        assert_eq!(taken.len(), 2);
        assert!(arrivals.take().is_empty());
    }

    #[tokio::test]
    async fn an_unscoped_delivery_asks_for_a_full_count() {
        let recount = Arc::new(Notify::new());
        let arrivals = Arrivals::new(recount.clone());
        arrivals.stored("lever");
        recount.notified().await;
        assert!(arrivals.take().is_empty());
    }
}
