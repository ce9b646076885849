//! What the vendor last said about the credentials: kept by the transport so a
//! readiness probe can report a revoked key without calling the vendor itself.

use std::sync::atomic::{AtomicU8, Ordering};

/// Whether the vendor accepted the credentials, as last observed by a
/// [`crate::Transport`] ([`crate::Transport::credential_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialState {
    /// No request has been answered yet.
    Unknown,
    /// The last answer was not a refusal of the credentials.
    Valid,
    /// The vendor refused them: a 401 that renewing the token did not cure, or a token
    /// fetch that failed. Requests keep failing until the credentials are replaced.
    Rejected,
}

/// The latest [`CredentialState`], shared by a transport's clones.
#[derive(Debug, Default)]
pub(crate) struct LastCredentialState(AtomicU8);

impl LastCredentialState {
    pub(crate) fn get(&self) -> CredentialState {
        match self.0.load(Ordering::Relaxed) {
            1 => CredentialState::Valid,
            2 => CredentialState::Rejected,
            _ => CredentialState::Unknown,
        }
    }

    /// Remember `valid`, and report it as [`crate::metrics::CREDENTIALS_VALID`].
    pub(crate) fn observe(&self, vendor: &'static str, valid: bool) {
        self.0.store(if valid { 1 } else { 2 }, Ordering::Relaxed);
        crate::metrics::credentials(vendor, valid);
    }
}
