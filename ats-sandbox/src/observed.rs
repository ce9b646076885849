//! What every vendor simulator lets a test observe: the requests its gate saw and the
//! webhooks its deliverer sent. Written once as a macro because each simulator keeps
//! its gate and deliverer in its own `Shared` type, and the calls stay inherent methods
//! (no trait to import) as the sandbox's public API has them.

/// Expands, inside a simulator's `impl`, to `requests`, `deliveries` and
/// `deliveries_idle` over `self.shared.gate` and `self.shared.deliverer`.
macro_rules! observed_calls {
    () => {
        /// Requests received so far.
        pub fn requests(&self) -> $crate::RequestStats {
            self.shared.gate.stats()
        }

        /// Webhook deliveries so far.
        pub fn deliveries(&self) -> $crate::DeliveryStats {
            self.shared.deliverer.stats()
        }

        /// Wait until every webhook delivery started so far is finished.
        pub async fn deliveries_idle(&self) {
            self.shared.deliverer.idle().await;
        }
    };
}
