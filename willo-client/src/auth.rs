//! Credentials: a Willo API key sent in `Authorization`, bare by default.
//!
//! Each Willo user has their own key, carrying that user's permissions (managed in the
//! app under Integrations → API). Willo's reference and a live integrator use the bare
//! key (`Authorization: <key>`); Willo's help-centre guide shows `Bearer`. Whether the
//! server also accepts a scheme prefix is uncertain (willo.md §1), so it is
//! configurable.

use std::fmt;
use std::sync::Arc;

use client_core::SecretString;
use client_core::auth::{Authenticator, StaticHeader};
use client_core::header::AUTHORIZATION;

/// How the API key is put in the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Authorization: <key>` (the default, confirmed against a live account).
    #[default]
    Bare,
    /// `Authorization: Bearer <key>` (as in the seed guide; unconfirmed).
    Bearer,
    /// `Authorization: Token <key>` (DRF's token scheme; unconfirmed).
    Token,
}

impl AuthScheme {
    /// The word before the key, if any.
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            AuthScheme::Bare => None,
            AuthScheme::Bearer => Some("Bearer"),
            AuthScheme::Token => Some("Token"),
        }
    }

    /// The authenticator that puts `key` in `Authorization` with this scheme. Its
    /// `Debug` never shows the key and the header is marked sensitive.
    pub fn authenticator(self, key: SecretString) -> StaticHeader {
        StaticHeader::new(AUTHORIZATION, self.prefix(), key)
    }
}

/// How the client authenticates: a Willo user's API key (sent with the builder's
/// [`AuthScheme`]), or any other authenticator (a proxy that adds its own header).
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// The API key of a Willo user (found in the app under Integrations → API; each key
    /// carries its user's permissions).
    ApiKey(SecretString),
    /// Any other authenticator.
    Custom(Arc<dyn Authenticator>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Credentials::Custom(auth) => f.debug_tuple("Custom").field(auth).finish(),
        }
    }
}

impl Credentials {
    /// The authenticator the transport uses; `scheme` applies to an API key.
    pub(crate) fn into_authenticator(self, scheme: AuthScheme) -> Arc<dyn Authenticator> {
        match self {
            Credentials::ApiKey(key) => Arc::new(scheme.authenticator(key)),
            Credentials::Custom(auth) => auth,
        }
    }
}
