//! What a connection is: one customer's Willo account, ATS accounts, rules, engine
//! settings and state. The settings ([`ConnectionConfig`]) are plain data the store
//! keeps as JSON; the secrets ([`ConnectionSecrets`]) are sealed one by one.

use std::collections::BTreeMap;
use std::fmt;

use client_core::SecretString;
use serde::{Deserialize, Serialize};

use super::{ConnectionId, LimitOverrides};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Its work runs.
    Active,
    /// An operator paused it: deliveries are still received and kept, nothing is done.
    Paused,
    /// A credential was refused (an OAuth grant revoked, `invalid_grant`) or was never
    /// given (an OAuth account not connected yet): its work is parked until an operator
    /// or the customer supplies new credentials.
    NeedsCredentials,
    /// Removed: credentials, inbox and cursors erased; the id stays taken by this
    /// tombstone until the connection is added again.
    Removed,
}

impl ConnectionState {
    /// The name stored and shown (`active`, `paused`, `needs_credentials`, `removed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::NeedsCredentials => "needs_credentials",
            Self::Removed => "removed",
        }
    }

    /// The state named `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Active,
            Self::Paused,
            Self::NeedsCredentials,
            Self::Removed,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which ATS an account is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtsKind {
    /// SmartRecruiters.
    Smartrecruiters,
    /// Lever.
    Lever,
}

impl AtsKind {
    /// The adapters' default source name (`smartrecruiters`, `lever`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Smartrecruiters => "smartrecruiters",
            Self::Lever => "lever",
        }
    }
}

/// How an ATS account authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtsAuth {
    /// An API key (SmartRecruiters' `X-SmartToken`, Lever's Basic key).
    ApiKey,
    /// An OAuth grant obtained through the connect flow ([`super::oauth`]), refreshed
    /// single-flight across replicas ([`super::StoredGrantSource`]).
    Oauth,
}

/// The settings of one ATS account in a connection (its secrets are in
/// [`AtsSecrets`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AtsAccountConfig {
    /// The source name within the connection (`lever`, `smartrecruiters`, or another
    /// name when a connection has two accounts of one ATS): the `{source}` in
    /// `/webhooks/{connection}/{source}`.
    pub name: String,
    /// Which ATS.
    pub kind: AtsKind,
    /// How it authenticates.
    pub auth: AtsAuth,
    /// The ATS user notes are written as (Lever requires one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_as: Option<String>,
    /// The API root when not the vendor's production (a sandbox, a proxy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Adapter settings the bridge passes through (page size, note visibility…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// This account's pacing where its quota differs from the fleet's (`None`: the
    /// fleet's limits for its ATS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitOverrides>,
}

impl AtsAccountConfig {
    /// An account named after its ATS (`lever`, `smartrecruiters`).
    pub fn new(kind: AtsKind, auth: AtsAuth) -> Self {
        Self {
            name: kind.as_str().to_owned(),
            kind,
            auth,
            perform_as: None,
            base_url: None,
            settings: BTreeMap::new(),
            limits: None,
        }
    }

    /// Another source name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The ATS user write-backs are made as.
    pub fn perform_as(mut self, user: impl Into<String>) -> Self {
        self.perform_as = Some(user.into());
        self
    }

    /// Another API root.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Pace this account's credential with `limits` over the fleet's.
    pub fn limits(mut self, limits: LimitOverrides) -> Self {
        self.limits = Some(limits);
        self
    }
}

/// Engine settings one customer may have differently from the bridge's defaults;
/// `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EngineOverrides {
    /// Seconds between reconciler passes (0: no reconciler for this connection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconcile_interval_secs: Option<u64>,
    /// Work items of this connection in flight at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// Decide and log, but call no vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// Erase the Willo participant when the ATS deletes the candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erase_willo_participants: Option<bool>,
}

/// Everything about a connection except its secrets: what the store keeps as JSON and
/// the admin API shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// What operators see (the customer's name).
    pub display_name: String,
    /// The Willo API root when not production (`staging` or a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub willo_base_url: Option<String>,
    /// The Willo account's pacing where its quota differs from the fleet's (`None`:
    /// the fleet's Willo limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub willo_limits: Option<LimitOverrides>,
    /// The ATS accounts, each with a distinct name.
    #[serde(default)]
    pub ats: Vec<AtsAccountConfig>,
    /// The rules as TOML (`ats_bridge::rules::Rules::from_toml`); checked when added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// Engine settings of this customer.
    #[serde(default)]
    pub engine: EngineOverrides,
}

impl ConnectionConfig {
    /// A connection shown as `display_name`, with no ATS account yet.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            willo_base_url: None,
            willo_limits: None,
            ats: Vec::new(),
            rules: None,
            engine: EngineOverrides::default(),
        }
    }

    /// Add an ATS account.
    pub fn ats(mut self, account: AtsAccountConfig) -> Self {
        self.ats.push(account);
        self
    }

    /// The rules, as TOML.
    pub fn rules(mut self, toml: impl Into<String>) -> Self {
        self.rules = Some(toml.into());
        self
    }

    /// Another Willo API root.
    pub fn willo_base_url(mut self, url: impl Into<String>) -> Self {
        self.willo_base_url = Some(url.into());
        self
    }

    /// Pace the Willo account's credential with `limits` over the fleet's.
    pub fn willo_limits(mut self, limits: LimitOverrides) -> Self {
        self.willo_limits = Some(limits);
        self
    }

    /// The account named `name`.
    pub fn account(&self, name: &str) -> Option<&AtsAccountConfig> {
        self.ats.iter().find(|account| account.name == name)
    }
}

/// A stored connection without its secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionRecord {
    /// Its id.
    pub id: ConnectionId,
    /// Its settings.
    pub config: ConnectionConfig,
    /// Where it is in its life.
    pub state: ConnectionState,
    /// Why it is paused or needs credentials (an operator's note, `invalid_grant`…);
    /// never a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// When it was added (epoch ms).
    pub created_at_ms: i64,
    /// When it last changed (epoch ms).
    pub updated_at_ms: i64,
}

impl ConnectionRecord {
    /// A record in `state`, created and updated at `now_ms`.
    pub fn new(
        id: ConnectionId,
        config: ConnectionConfig,
        state: ConnectionState,
        now_ms: i64,
    ) -> Self {
        Self {
            id,
            config,
            state,
            state_reason: None,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }
}

/// An OAuth grant as the connection keeps it.
#[derive(Clone, Serialize, Deserialize)]
pub struct OAuthGrant {
    /// The refresh token (rotated by SmartRecruiters and Lever at every refresh).
    #[serde(serialize_with = "expose")]
    pub refresh_token: SecretString,
    /// The last access token, shared by every replica until it expires.
    #[serde(default, serialize_with = "expose_opt")]
    pub access_token: Option<SecretString>,
    /// When the access token expires (epoch ms), if the issuer said.
    #[serde(default)]
    pub access_expires_at_ms: Option<i64>,
}

impl fmt::Debug for OAuthGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthGrant")
            .field("refresh_token", &"[redacted]")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("access_expires_at_ms", &self.access_expires_at_ms)
            .finish()
    }
}

// Serialisation of a grant only ever feeds the sealer (never a log or an answer).
fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    use client_core::ExposeSecret;
    s.serialize_str(secret.expose_secret())
}

fn expose_opt<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use client_core::ExposeSecret;
    match secret {
        Some(secret) => s.serialize_some(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

/// The secrets of one ATS account.
#[derive(Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct AtsSecrets {
    /// The API key, for [`AtsAuth::ApiKey`].
    #[serde(default)]
    pub api_key: Option<SecretString>,
    /// The OAuth grant, for [`AtsAuth::Oauth`] once connected.
    #[serde(default)]
    pub grant: Option<OAuthGrant>,
    /// Webhook secrets: the first signs new subscriptions, every one verifies (the
    /// older ones during a rotation). SmartRecruiters' hook secret, Lever's signature
    /// token.
    #[serde(default)]
    pub webhook_secrets: Vec<SecretString>,
}

impl AtsSecrets {
    /// An API key and webhook secrets.
    pub fn api_key(key: SecretString) -> Self {
        Self {
            api_key: Some(key),
            ..Self::default()
        }
    }

    /// Add a webhook secret (the first is current, later ones are accepted too).
    pub fn webhook_secret(mut self, secret: SecretString) -> Self {
        self.webhook_secrets.push(secret);
        self
    }
}

impl fmt::Debug for AtsSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtsSecrets")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("grant", &self.grant)
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

/// Every secret of a connection, in the clear (in memory only; sealed in the store).
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct ConnectionSecrets {
    /// The customer's Willo API key.
    pub willo_api_key: SecretString,
    /// The token in the customer's Willo webhook URL.
    #[serde(default)]
    pub willo_webhook_token: Option<SecretString>,
    /// Per ATS account name.
    #[serde(default)]
    pub ats: BTreeMap<String, AtsSecrets>,
}

impl ConnectionSecrets {
    /// A Willo API key and nothing else yet.
    pub fn new(willo_api_key: SecretString) -> Self {
        Self {
            willo_api_key,
            willo_webhook_token: None,
            ats: BTreeMap::new(),
        }
    }

    /// The Willo webhook URL token.
    pub fn willo_webhook_token(mut self, token: SecretString) -> Self {
        self.willo_webhook_token = Some(token);
        self
    }

    /// The secrets of the ATS account named `name`.
    pub fn ats(mut self, name: impl Into<String>, secrets: AtsSecrets) -> Self {
        self.ats.insert(name.into(), secrets);
        self
    }
}

impl fmt::Debug for ConnectionSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSecrets")
            .field("willo_api_key", &"[redacted]")
            .field(
                "willo_webhook_token",
                &self.willo_webhook_token.as_ref().map(|_| "[redacted]"),
            )
            .field("ats", &self.ats)
            .finish()
    }
}

/// A connection to add: its id, settings and secrets.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct NewConnection {
    /// Its id.
    pub id: ConnectionId,
    /// Its settings.
    pub config: ConnectionConfig,
    /// Its secrets.
    pub secrets: ConnectionSecrets,
}

impl NewConnection {
    /// A connection from its parts.
    pub fn new(id: ConnectionId, config: ConnectionConfig, secrets: ConnectionSecrets) -> Self {
        Self {
            id,
            config,
            secrets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_in_debug() {
        let secrets = ConnectionSecrets::new(SecretString::from("willo-key-1"))
            .willo_webhook_token(SecretString::from("url-token-1"))
            .ats(
                "lever",
                AtsSecrets {
                    grant: Some(OAuthGrant {
                        refresh_token: SecretString::from("rt-1"),
                        access_token: Some(SecretString::from("at-1")),
                        access_expires_at_ms: Some(5),
                    }),
                    ..AtsSecrets::api_key(SecretString::from("lever-key-1"))
                        .webhook_secret(SecretString::from("whsec-1"))
                },
            );
        let text = format!("{secrets:?}");
        for secret in [
            "willo-key-1",
            "url-token-1",
            "lever-key-1",
            "whsec-1",
            "rt-1",
            "at-1",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn limits_round_trip_in_the_config_and_old_rows_have_none() {
        let config = ConnectionConfig::new("Acme")
            .willo_limits(LimitOverrides::new().per_second(2))
            .ats(
                AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
                    .perform_as("user-1")
                    .limits(LimitOverrides::new().per_second(4).burst(8)),
            );
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["willo_limits"], serde_json::json!({"per_second": 2}));
        assert_eq!(
            json["ats"][0]["limits"],
            serde_json::json!({"per_second": 4, "burst": 8})
        );
        assert_eq!(
            serde_json::from_value::<ConnectionConfig>(json).unwrap(),
            config
        );

        // A row written before limits existed reads as "the fleet's limits", and
        // writes back without the keys.
        let old = serde_json::json!({
            "display_name": "Acme",
            "ats": [{"name": "lever", "kind": "lever", "auth": "api_key", "perform_as": "u"}],
            "engine": {}
        });
        let read: ConnectionConfig = serde_json::from_value(old).unwrap();
        assert_eq!(read.willo_limits, None);
        assert_eq!(read.ats[0].limits, None);
        let written = serde_json::to_value(&read).unwrap();
        assert!(written.get("willo_limits").is_none());
        assert!(written["ats"][0].get("limits").is_none());
    }

    #[test]
    fn states_round_trip_by_name() {
        for state in [
            ConnectionState::Active,
            ConnectionState::Paused,
            ConnectionState::NeedsCredentials,
            ConnectionState::Removed,
        ] {
            assert_eq!(ConnectionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ConnectionState::parse("deleted"), None);
    }
}
