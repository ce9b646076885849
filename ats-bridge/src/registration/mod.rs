//! Registering the bridge's webhook endpoints with each vendor, the way the intake
//! expects them: `<base>/webhooks/smartrecruiters`, `<base>/webhooks/lever`,
//! `<base>/webhooks/willo?token=…&event=…`.
//!
//! Two ways to register:
//!
//! - `ensure_*` ([`ensure_smartrecruiters`], [`ensure_lever`], [`ensure_willo`]) are
//!   idempotent: they list what the vendor already holds first, adopt the bridge's
//!   webhook when one matches, repoint (or replace) one left at a stale URL, delete
//!   duplicates, and rotate secrets only when asked ([`SecretPolicy::Rotate`]). Run
//!   them on every deploy; each vendor ends with exactly one bridge webhook per event.
//!   `teardown_*` removes everything the bridge registered.
//! - `subscribe_*` create new webhooks unconditionally (for a fresh account, such as
//!   the sandbox's).
//!
//! A webhook is **the bridge's** when its URL's path ends with the intake's path for
//! that vendor (`/webhooks/lever`…), on any host: that is how a webhook left behind
//! by a bridge that moved is found. Two bridges sharing one vendor account would each
//! take the other's webhooks for stale ones and repoint them: give each bridge its own
//! vendor account (a path prefix in the public URL does not tell them apart, the path
//! still ends the same way).
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

#[cfg(feature = "lever")]
#[cfg_attr(docsrs, doc(cfg(feature = "lever")))]
pub use lever::{
    LEVER_EVENTS, LeverRegistration, LeverWebhook, ensure_lever, subscribe_lever, teardown_lever,
    verify_lever,
};
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub use smartrecruiters::{
    SMARTRECRUITERS_EVENTS, SmartRecruitersRegistration, SmartRecruitersSubscription,
    activate_smartrecruiters, ensure_smartrecruiters, subscribe_smartrecruiters,
    teardown_smartrecruiters, verify_smartrecruiters,
};
pub use willo::{
    WILLO_EVENTS, WilloRegistration, ensure_willo, subscribe_willo, teardown_willo, verify_willo,
};

/// The intake URL for deliveries from `source` under `base` (`https://bridge.example`).
pub fn webhook_url(base: &str, source: &str) -> String {
    format!("{}/webhooks/{source}", base.trim_end_matches('/'))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// `url` without its query and fragment, when it parses and its path ends with the
/// intake's path for `source`: a webhook of the bridge (of any host).
fn bridge_endpoint(url: &str, source: &str) -> Option<Url> {
    let mut url = Url::parse(url).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    let suffix = format!("/webhooks/{source}");
    url.path()
        .trim_end_matches('/')
        .ends_with(&suffix)
        .then_some(url)
}

/// Whether `url` (query ignored) is the bridge endpoint `wanted` for `source`.
fn is_endpoint(url: &str, wanted: &Url, source: &str) -> bool {
    bridge_endpoint(url, source).is_some_and(|found| {
        found.path().trim_end_matches('/') == wanted.path().trim_end_matches('/')
            && found.origin() == wanted.origin()
    })
}

/// `url` parsed as an intake endpoint for `source`, or an `InvalidInput` error.
#[cfg(any(feature = "smartrecruiters", feature = "lever"))]
fn parse_endpoint(url: &str, source: &str) -> client_core::Result<Url> {
    bridge_endpoint(url, source).ok_or_else(|| {
        client_core::Error::InvalidInput(format!(
            "the webhook URL must be absolute and end with /webhooks/{source}"
        ))
    })
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
    fn the_bridges_webhooks_are_known_by_their_path_on_any_host() {
        assert!(bridge_endpoint("https://old.example/webhooks/lever", "lever").is_some());
        assert!(bridge_endpoint("https://x.example/pre/webhooks/willo?token=t", "willo").is_some());
        assert!(bridge_endpoint("https://x.example/webhooks/lever", "willo").is_none());
        assert!(bridge_endpoint("https://x.example/hooks", "lever").is_none());
        assert!(bridge_endpoint("not a url", "lever").is_none());
    }

    #[test]
    fn an_endpoint_matches_only_on_the_same_origin_and_path() {
        let wanted = Url::parse("https://bridge.example/webhooks/willo").unwrap();
        assert!(is_endpoint(
            "https://bridge.example/webhooks/willo?token=a&event=b",
            &wanted,
            "willo"
        ));
        assert!(!is_endpoint(
            "https://old.example/webhooks/willo?token=a",
            &wanted,
            "willo"
        ));
        assert!(!is_endpoint(
            "http://bridge.example/webhooks/willo",
            &wanted,
            "willo"
        ));
    }
}
