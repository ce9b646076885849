//! The server's connections mode in its configuration file: `mode = "connections"`,
//! the `[fleet]` section (how work is shared among connections) and the optional
//! `[oauth]` section (the OAuth apps customers connect their ATS accounts through).
//! Secrets for this mode come from the environment ([`crate::fleet_secrets`]).

use std::time::Duration;

use ats_bridge::connection::FleetConfig;
use serde::Deserialize;

/// What the server runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMode {
    /// One customer: the vendors named in the environment, the rules of `[rules]`
    /// (the default, and the mode of every earlier version).
    #[default]
    Single,
    /// Many customers: the connections stored in the database, managed at runtime
    /// through the admin API, run by one fleet.
    Connections,
}

/// `[fleet]`: how the fleet shares its work among connections (connections mode).
/// Missing keys take the fleet's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FleetSettings {
    /// Deliveries in progress at once, all connections together.
    pub concurrency: usize,
    /// Deliveries of one connection in progress at once, unless the connection says
    /// otherwise (its `engine.concurrency`).
    pub per_connection: usize,
    /// A connection's clients and caches are dropped after this many seconds without
    /// work, and built again when work comes.
    pub idle_after_secs: u64,
    /// Reconciler passes running at once, all connections together.
    pub reconcile_concurrency: usize,
}

impl Default for FleetSettings {
    fn default() -> Self {
        let fleet = FleetConfig::default();
        Self {
            concurrency: fleet.concurrency,
            per_connection: fleet.per_connection,
            idle_after_secs: fleet.idle_after.as_secs(),
            reconcile_concurrency: fleet.reconcile_concurrency,
        }
    }
}

impl FleetSettings {
    /// The fleet configuration these settings describe.
    pub fn fleet_config(&self) -> FleetConfig {
        FleetConfig::default()
            .concurrency(self.concurrency)
            .per_connection(self.per_connection)
            .idle_after(Duration::from_secs(self.idle_after_secs))
            .reconcile_concurrency(self.reconcile_concurrency)
    }

    /// Why these settings cannot run, if they cannot.
    pub fn problem(&self) -> Option<&'static str> {
        (self.concurrency == 0 || self.per_connection == 0 || self.reconcile_concurrency == 0)
            .then_some(
                "fleet.concurrency, fleet.per_connection and fleet.reconcile_concurrency \
                 must be at least 1",
            )
    }
}

/// `[oauth]`: the OAuth apps the bridge is registered as with each vendor
/// (connections mode). Their client secrets and the key signing the consent `state`
/// come from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthSettings {
    /// The redirect URI registered with the vendors; default
    /// `{public_url}/oauth/callback`.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// The bridge's SmartRecruiters app, if customers connect SmartRecruiters through
    /// OAuth.
    #[serde(default)]
    pub smartrecruiters: Option<OAuthAppSettings>,
    /// The bridge's Lever app, if customers connect Lever through OAuth.
    #[serde(default)]
    pub lever: Option<OAuthAppSettings>,
}

/// One vendor's OAuth app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthAppSettings {
    /// The app's client id (not secret; the client secret is in the environment).
    pub client_id: String,
    /// Lever only: `production` (default), `sandbox` or `eu` — Lever's sandbox needs
    /// an app of its own.
    #[serde(default)]
    pub environment: Option<String>,
    /// Another consent page than the vendor's (a proxy, the local sandbox); with
    /// `token_url`.
    #[serde(default)]
    pub authorize_url: Option<String>,
    /// Another token endpoint than the vendor's; with `authorize_url`.
    #[serde(default)]
    pub token_url: Option<String>,
}

impl OAuthSettings {
    /// Whether any app is configured.
    pub fn any(&self) -> bool {
        self.smartrecruiters.is_some() || self.lever.is_some()
    }
}
