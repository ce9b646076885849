//! A connection's id: a slug that appears in URLs, the store and logs.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest id accepted: short enough for a URL segment, a log field and a key
/// prefix in every table.
pub const MAX_ID_LEN: usize = 63;

/// Ids that would shadow a route: `/webhooks/willo/{event}` is Willo's own path on
/// the single-account intake, and `admin` is kept for operator routes.
const RESERVED: &[&str] = &["willo", "admin"];

/// The id of one connection (one customer's Willo account and ATS accounts): lowercase
/// ASCII letters, digits and `-`, starting with a letter or digit, at most
/// [`MAX_ID_LEN`] bytes, not `willo` or `admin`.
///
/// It is the `{connection}` segment of `/webhooks/{connection}/{source}` and the
/// prefix of the connection's names in shared tables ([`ConnectionId::scope`]), so it
/// never contains `/`.
///
/// ```
/// use ats_bridge::connection::ConnectionId;
///
/// let id = ConnectionId::new("acme-corp")?;
/// assert_eq!(id.scope("lever"), "acme-corp/lever");
/// assert!(ConnectionId::new("Acme Corp").is_err());
/// # Ok::<(), ats_bridge::connection::InvalidConnectionId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ConnectionId(String);

/// Why a text is not a [`ConnectionId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid connection id: use 1 to {MAX_ID_LEN} lowercase ASCII letters, digits and '-', \
     starting with a letter or digit, and not `willo` or `admin`"
)]
pub struct InvalidConnectionId;

impl ConnectionId {
    /// `text` as an id, if it is a valid slug.
    pub fn new(text: impl Into<String>) -> Result<Self, InvalidConnectionId> {
        let text = text.into();
        if Self::is_valid(&text) {
            Ok(Self(text))
        } else {
            Err(InvalidConnectionId)
        }
    }

    /// Whether `text` is a valid id (checked before anything else is done with a
    /// request naming it).
    pub fn is_valid(text: &str) -> bool {
        let bytes = text.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_ID_LEN
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && !RESERVED.contains(&text)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `name` scoped to this connection (`{id}/{name}`): how the connection's inbox
    /// sources, cursors and ledger ATS names are kept apart from other connections'
    /// in shared tables, and found again when it is removed.
    pub fn scope(&self, name: &str) -> String {
        format!("{}/{name}", self.0)
    }

    /// The prefix every scoped name of this connection starts with (`{id}/`).
    pub fn scope_prefix(&self) -> String {
        format!("{}/", self.0)
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ConnectionId {
    type Err = InvalidConnectionId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl<'de> Deserialize<'de> for ConnectionId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::new(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_only() {
        for good in ["a", "acme", "acme-corp-2", "0day", &"a".repeat(MAX_ID_LEN)] {
            assert!(ConnectionId::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-acme",
            "Acme",
            "acme corp",
            "acme/lever",
            "acme_corp",
            "acmé",
            "willo",
            "admin",
            &"a".repeat(MAX_ID_LEN + 1),
        ] {
            assert_eq!(ConnectionId::new(bad), Err(InvalidConnectionId), "{bad}");
        }
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<ConnectionId>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<ConnectionId>("\"../etc\"").is_err());
    }
}
