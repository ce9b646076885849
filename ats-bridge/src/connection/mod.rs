//! Connections: one bridge serving many customers, each with its own Willo account,
//! ATS accounts, rules, engine settings and state, kept in the store and changed at
//! runtime.
//!
//! - [`ConnectionId`]: the slug in URLs (`/webhooks/{connection}/{source}`), the store
//!   and logs;
//! - [`ConnectionConfig`] and [`ConnectionSecrets`]: what a connection is, settings
//!   and secrets apart; [`ConnectionState`]: active, paused, needs credentials, removed;
//! - [`LimitOverrides`]: an account's pacing where its quota differs from the fleet's;
//! - [`Connections`]: the store's connection tables (memory store and both SQL stores);
//! - [`SecretSealer`] / [`Keyring`]: secrets sealed at rest under the operator's keys,
//!   with rotation;
//! - [`ConnectionManager`]: the Rust API (add, list, update, pause, resume, remove);
//! - [`StoredGrantSource`]: OAuth refresh single-flight across replicas;
//! - [`oauth`]: the consent URL with a signed `state` and the callback that stores the
//!   grant;
//! - [`ConnectionIntakes`]: one webhook intake per connection, for the
//!   `/webhooks/{connection}/{source}` routes;
//! - [`WebhookRegistrar`]: registers a connection's webhooks at those routes in its
//!   own vendor accounts and stores the secrets the vendors return, and removes them
//!   when the connection leaves ([`WebhookRegistrar::unregister`]).
//!
//! The single-account bridge of the quickstart ([`crate::Bridge`]) needs none of this.

mod adapters;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod admin;
mod fleet;
mod grant;
mod id;
mod intakes;
mod limits;
mod manager;
mod model;
pub mod oauth;
mod seal;
pub mod secret_names;
mod store;
mod webhook_removal;
mod webhooks;

pub use adapters::AdapterBuilder;
pub use fleet::{ConnectionStatus, Fleet, FleetBuilder, FleetConfig, FleetStatus};
pub use grant::StoredGrantSource;
pub use id::{ConnectionId, InvalidConnectionId, MAX_ID_LEN};
pub use intakes::{AdapterIntakes, ConnectionIntakes, IntakeFactory};
pub use limits::{
    InvalidLimits, LimitOverrides, LimitProblem, LimitValues, MAX_BURST, MAX_CLASSES,
    MAX_IN_FLIGHT, MAX_PER_SECOND,
};
pub use manager::{ConnectionError, ConnectionManager};
pub use model::{
    AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets, ConnectionConfig, ConnectionRecord,
    ConnectionSecrets, ConnectionState, EngineOverrides, NewConnection, OAuthGrant,
};
pub use seal::{Keyring, SealError, Sealed, SealingKey, SecretSealer};
pub use store::{Connections, LedgerErasure, Removal, SecretEntry, SecretLock, StoredOutage};
pub use webhook_removal::{ConnectionUnregistered, SourceUnregistered, WebhookUnregistrationError};
pub use webhooks::{
    ConnectionWebhooks, SourceWebhooks, WebhookRegistrar, WebhookRegistrationError,
};
