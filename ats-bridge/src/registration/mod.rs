//! Registering the bridge's webhook endpoints with each vendor, the way the intake
//! expects them: `<base>/webhooks/smartrecruiters`, `<base>/webhooks/lever`,
//! `<base>/webhooks/willo?token=…&event=…` for the single-account bridge
//! ([`webhook_url`]), and `<base>/webhooks/{connection}/{source}` for a connection
//! ([`connection_webhook_url`]; [`crate::connection::WebhookRegistrar`] registers a
//! stored connection's webhooks and stores their secrets).
//!
//! Two ways to register:
//!
//! - `ensure_*` ([`ensure_smartrecruiters`], [`ensure_lever`], [`ensure_willo`],
//!   [`ensure_willo_at`]) are idempotent: they list what the vendor already holds
//!   first, adopt the bridge's webhook when one matches, repoint (or replace) one left
//!   at a stale URL, delete duplicates, and rotate secrets only when asked
//!   ([`SecretPolicy::Rotate`]). Run them on every deploy; each vendor ends with
//!   exactly one bridge webhook per event. `teardown_*` removes everything the
//!   single-account bridge registered; `teardown_*_at` ([`teardown_lever_at`],
//!   [`teardown_smartrecruiters_at`], [`teardown_willo_at`]) removes what is
//!   registered for one endpoint, such as a leaving connection's (what
//!   [`crate::connection::WebhookRegistrar::unregister`] does).
//! - `subscribe_*` create new webhooks unconditionally (for a fresh account, such as
//!   the sandbox's).
//!
//! A webhook is **the bridge's** when its URL's path ends with the intake's path the
//! registration aims at (`/webhooks/lever`, or `/webhooks/acme/lever` for the
//! connection `acme`), on any host: that is how a webhook left behind by a bridge that
//! moved is found. Two connections sharing one vendor account keep apart (their paths
//! differ); two single-account bridges sharing one would each take the other's
//! webhooks for stale ones and repoint them: give each bridge its own vendor account
//! (a path prefix in the public URL does not tell them apart, the path still ends the
//! same way).
//!
//! Each function returns the secret the matching adapter or intake needs to verify
//! deliveries. Store those secrets with your other credentials: the vendors show some
//! of them once (Lever's signature tokens).

#[cfg(feature = "lever")]
mod lever;
#[cfg(feature = "smartrecruiters")]
mod smartrecruiters;
mod willo;

use std::fmt;

use client_core::Url;

use crate::connection::ConnectionId;

#[cfg(feature = "lever")]
#[cfg_attr(docsrs, doc(cfg(feature = "lever")))]
pub use lever::{
    LEVER_EVENTS, LeverRegistration, LeverWebhook, ensure_lever, subscribe_lever, teardown_lever,
    teardown_lever_at, verify_lever,
};
#[cfg(feature = "lever")]
pub(crate) use lever::{ensure_lever_into, teardown_lever_into};
#[cfg(feature = "smartrecruiters")]
pub(crate) use smartrecruiters::teardown_smartrecruiters_into;
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub use smartrecruiters::{
    SMARTRECRUITERS_EVENTS, SmartRecruitersRegistration, SmartRecruitersSubscription,
    activate_smartrecruiters, ensure_smartrecruiters, subscribe_smartrecruiters,
    teardown_smartrecruiters, teardown_smartrecruiters_at, verify_smartrecruiters,
};
pub(crate) use willo::teardown_willo_into;
pub use willo::{
    WILLO_EVENTS, WilloRegistration, ensure_willo, ensure_willo_at, subscribe_willo,
    teardown_willo, teardown_willo_at, verify_willo, verify_willo_at,
};

/// The intake URL for deliveries from `source` under `base` (`https://bridge.example`):
/// `{base}/webhooks/{source}`, served by the single-account intake.
pub fn webhook_url(base: &str, source: &str) -> String {
    join(base, &intake_path(None, source))
}

/// The intake URL for deliveries from `source` (an ATS account's name, or `willo`) of
/// the connection `connection` under `base`: `{base}/webhooks/{connection}/{source}`,
/// served by `intake::connection_router`.
///
/// ```
/// use ats_bridge::connection::ConnectionId;
/// use ats_bridge::registration::connection_webhook_url;
///
/// let acme = ConnectionId::new("acme")?;
/// assert_eq!(
///     connection_webhook_url("https://bridge.example/", &acme, "lever"),
///     "https://bridge.example/webhooks/acme/lever"
/// );
/// # Ok::<(), ats_bridge::connection::InvalidConnectionId>(())
/// ```
pub fn connection_webhook_url(base: &str, connection: &ConnectionId, source: &str) -> String {
    join(base, &intake_path(Some(connection), source))
}

/// The one place the intake's paths are spelled: `/webhooks/{source}`, or
/// `/webhooks/{connection}/{source}` for a connection.
fn intake_path(connection: Option<&ConnectionId>, source: &str) -> String {
    match connection {
        Some(connection) => format!("/webhooks/{}/{source}", connection.as_str()),
        None => format!("/webhooks/{source}"),
    }
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Whether the secrets of webhooks the bridge adopts stay as they are or are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretPolicy {
    /// Keep the secrets of adopted webhooks (the server's configuration stays valid).
    #[default]
    Keep,
    /// Give every webhook a new secret: a new SmartRecruiters signing key (the
    /// previous one keeps signing for 24 h), a new Willo URL token, and new Lever
    /// webhooks (Lever cannot rotate a signature token in place).
    Rotate,
}

/// What registration did to one vendor webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// It matched what the bridge needs and was kept as it is.
    Adopted,
    /// It was created.
    Created,
    /// It was changed in place (a stale URL or scope repointed).
    Updated,
    /// Its secret was replaced ([`SecretPolicy::Rotate`]).
    SecretRotated,
    /// It was deleted (a duplicate, one at a stale URL that cannot be changed in
    /// place, or a teardown).
    Removed,
}

impl Action {
    /// A lower-case word for output: `adopted`, `created`…
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Adopted => "adopted",
            Self::Created => "created",
            Self::Updated => "updated",
            Self::SecretRotated => "secret rotated",
            Self::Removed => "removed",
        }
    }
}

/// One change (or non-change) made to a vendor's webhooks. Holds no secret: the URL
/// is never part of it (Willo's carry the token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Change {
    /// `smartrecruiters`, `lever` or `willo`.
    pub vendor: &'static str,
    /// The vendor's id of the webhook or subscription.
    pub id: String,
    /// The events it delivers.
    pub events: Vec<String>,
    /// What was done.
    pub action: Action,
}

impl Change {
    fn new(vendor: &'static str, id: &str, events: Vec<String>, action: Action) -> Self {
        Self {
            vendor,
            id: id.to_owned(),
            events,
            action,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} webhook {} ({}): {}",
            self.vendor,
            self.id,
            self.events.join(", "),
            self.action.as_str()
        )
    }
}

/// `url` without its query and fragment, if it parses.
fn bare(url: &str) -> Option<Url> {
    let mut url = Url::parse(url).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

/// The intake endpoint a registration aims at, and how the webhooks registered for it
/// are recognised at a vendor: their URL's path ends with the same intake path
/// (`/webhooks/{source}`, or `/webhooks/{connection}/{source}`), on any host — that
/// is how a webhook left behind by a bridge that moved is found, and why one
/// connection's registration never touches another connection's webhooks when two
/// share a vendor account.
#[derive(Debug, Clone)]
struct Endpoint {
    /// The URL, without query.
    url: Url,
    /// The intake path it ends with.
    path: String,
}

impl Endpoint {
    /// `url` as an endpoint for the vendor whose single-account source is `source`:
    /// its path ends with `/webhooks/{source}`, or with `/webhooks/{connection}/{name}`
    /// (a connection's account, whatever its name). Else an `InvalidInput` error.
    fn parse(url: &str, source: &str) -> client_core::Result<Self> {
        let invalid = || {
            client_core::Error::InvalidInput(format!(
                "the webhook URL must be absolute and end with /webhooks/{source} or \
                 /webhooks/{{connection}}/{{account}}"
            ))
        };
        let url = bare(url).filter(|u| u.has_host()).ok_or_else(invalid)?;
        let segments: Vec<&str> = url.path().trim_end_matches('/').split('/').collect();
        let path = match segments.as_slice() {
            [.., "webhooks", last] if *last == source => intake_path(None, source),
            [.., "webhooks", connection, name] if !name.is_empty() => {
                let connection = ConnectionId::new(*connection).map_err(|_| invalid())?;
                intake_path(Some(&connection), name)
            }
            _ => return Err(invalid()),
        };
        Ok(Self { url, path })
    }

    /// The single-account endpoint's path for `source`, on no particular host: what
    /// a teardown of the single-account bridge's webhooks matches.
    fn single_account_path(source: &str) -> String {
        intake_path(None, source)
    }

    /// Whether a vendor's webhook at `url` is registered for this endpoint (of any host).
    fn owns(&self, url: &str) -> bool {
        ends_with_path(url, &self.path)
    }

    /// Whether `url` (query ignored) is this very endpoint: same origin and path.
    fn is_at(&self, url: &str) -> bool {
        bare(url).is_some_and(|found| {
            found.path().trim_end_matches('/') == self.url.path().trim_end_matches('/')
                && found.origin() == self.url.origin()
        })
    }

    #[cfg(any(feature = "smartrecruiters", feature = "lever"))]
    fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

/// Whether `url` parses and its path ends with `path`.
fn ends_with_path(url: &str, path: &str) -> bool {
    bare(url).is_some_and(|url| url.path().trim_end_matches('/').ends_with(path))
}

/// One bridge webhook found at a vendor: its event and whether it is at the wanted
/// endpoint.
struct Found {
    event: String,
    at_url: bool,
}

/// The checklist lines for `wanted` events of `vendor`, given the bridge's webhooks
/// `found` there: one each at the endpoint passes; none, several, or one elsewhere
/// fails with what to do.
fn registered_checks(vendor: &str, wanted: &[&str], found: &[Found]) -> Vec<crate::verify::Check> {
    use crate::verify::Check;
    wanted
        .iter()
        .map(|event| {
            let what = format!("webhook {event} registered");
            let for_event: Vec<&Found> = found.iter().filter(|f| f.event == *event).collect();
            let at_url = for_event.iter().filter(|f| f.at_url).count();
            match (at_url, for_event.len()) {
                (1, 1) => Check::pass(vendor, what),
                (0, 0) => Check::fail(vendor, what, "not registered: run `setup register`"),
                (0, _) => Check::fail(
                    vendor,
                    what,
                    "registered at another URL (stale): run `setup register`",
                ),
                (_, n) => Check::fail(
                    vendor,
                    what,
                    format!("{n} webhooks for it: run `setup register` to remove duplicates"),
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_match_the_intake_router() {
        assert_eq!(
            webhook_url("https://bridge.example/", "lever"),
            "https://bridge.example/webhooks/lever"
        );
    }

    #[test]
    fn connection_urls_name_the_connection_then_the_source() {
        let acme = ConnectionId::new("acme").unwrap();
        assert_eq!(
            connection_webhook_url("https://bridge.example/", &acme, "lever-eu"),
            "https://bridge.example/webhooks/acme/lever-eu"
        );
    }

    #[test]
    fn the_bridges_webhooks_are_known_by_their_path_on_any_host() {
        let single = Endpoint::parse("https://new.example/webhooks/lever", "lever").unwrap();
        assert!(single.owns("https://old.example/webhooks/lever"));
        assert!(single.owns("https://old.example/pre/webhooks/lever/"));
        assert!(!single.owns("https://x.example/webhooks/acme/lever"));
        assert!(!single.owns("https://x.example/hooks"));
        assert!(!single.owns("not a url"));
        let willo = Endpoint::parse("https://x.example/webhooks/willo", "willo").unwrap();
        assert!(willo.owns("https://x.example/pre/webhooks/willo?token=t"));
        assert!(!willo.owns("https://x.example/webhooks/lever"));
    }

    #[test]
    fn a_connections_webhooks_are_its_own_not_another_connections() {
        let acme = Endpoint::parse("https://b.example/webhooks/acme/lever", "lever").unwrap();
        assert!(acme.owns("https://old.example/webhooks/acme/lever"));
        assert!(!acme.owns("https://b.example/webhooks/globex/lever"));
        assert!(!acme.owns("https://b.example/webhooks/lever"));
        // A connection's account may have another name than its vendor's.
        let eu = Endpoint::parse("https://b.example/webhooks/acme/lever-eu", "lever").unwrap();
        assert!(eu.owns("https://b.example/webhooks/acme/lever-eu"));
        assert!(!eu.owns("https://b.example/webhooks/acme/lever"));
    }

    #[test]
    fn urls_that_name_no_intake_path_are_refused() {
        for url in [
            "https://b.example/hooks/lever",
            "https://b.example/webhooks/smartrecruiters",
            "https://b.example/webhooks/Not%20An%20Id/lever",
            "/webhooks/lever",
            "not a url",
        ] {
            assert!(Endpoint::parse(url, "lever").is_err(), "{url}");
        }
    }

    #[test]
    fn an_endpoint_matches_only_on_the_same_origin_and_path() {
        let wanted = Endpoint::parse("https://bridge.example/webhooks/willo", "willo").unwrap();
        assert!(wanted.is_at("https://bridge.example/webhooks/willo?token=a&event=b"));
        assert!(!wanted.is_at("https://old.example/webhooks/willo?token=a"));
        assert!(!wanted.is_at("http://bridge.example/webhooks/willo"));
    }
}
