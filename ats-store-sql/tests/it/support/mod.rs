//! Helpers shared by the backends' tests.
#![allow(dead_code)]

// The bridge's own tests use the same short forms.
#[path = "../../../../ats-bridge/tests/it/support/claims.rs"]
pub mod claims;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod schema_001;
