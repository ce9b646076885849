//! The engine's view of its storage: one handle per job.

use std::sync::Arc;

use super::{Inbox, Ledger, ReconcilerState, Store};

/// The ledger, the inbox and the reconciler state the engine works with, usually
/// three handles on one backend (`Stores::from(Arc::new(store))`).
///
/// Each part can be replaced on its own ([`Stores::with_inbox`] and its siblings), so
/// a test that breaks one method implements only the trait that has it. The ledger
/// and the inbox should still share a database: cancelling a candidate deletes the
/// inbox deliveries that name them in the same transaction.
#[derive(Debug, Clone)]
pub struct Stores {
    /// Claims and transitions of the workflow rows.
    pub ledger: Arc<dyn Ledger>,
    /// Received deliveries.
    pub inbox: Arc<dyn Inbox>,
    /// Cursors, job states and screening applications.
    pub state: Arc<dyn ReconcilerState>,
}

impl Stores {
    /// Replace the ledger.
    pub fn with_ledger(mut self, ledger: Arc<dyn Ledger>) -> Self {
        self.ledger = ledger;
        self
    }

    /// Replace the inbox.
    pub fn with_inbox(mut self, inbox: Arc<dyn Inbox>) -> Self {
        self.inbox = inbox;
        self
    }

    /// Replace the reconciler state.
    pub fn with_state(mut self, state: Arc<dyn ReconcilerState>) -> Self {
        self.state = state;
        self
    }
}

impl<S: Store + ?Sized> From<Arc<S>> for Stores {
    fn from(store: Arc<S>) -> Self {
        store.into_stores()
    }
}
