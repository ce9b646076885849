//! The bridge for many customers: the connections stored in the database, run by one
//! [`Fleet`], with their webhook intake, the admin API and the OAuth callback on one
//! router ([`FleetBridge`]); and the server example's connections mode around it
//! ([`run`]): the store, the health routes with the fleet's roll-up, `/metrics`, and
//! a graceful stop.
//!
//! | route | what |
//! |---|---|
//! | `POST /webhooks/{connection}/{source}` | each connection's deliveries (`source`: an ATS account's name, or `willo`) |
//! | `/admin/...` | the admin API, behind `BRIDGE_ADMIN_TOKEN` (`ats_bridge::connection::admin`) |
//! | `GET /oauth/callback` | where the vendors redirect after consent (with `[oauth]` only) |
//! | `GET /health{,/live,/ready}`, `GET /metrics` | as in single mode, plus the fleet's roll-up ([`crate::health`]) |
//!
//! Every credential of a vendor is paced at the configuration's `[limits.*]` for it
//! ([`crate::limits_config`]), else at its client's defaults; a connection's own
//! limits win over both.
//!
//! Several replicas on one PostgreSQL share the work: each has its own worker id
//! (`BRIDGE_WORKER_ID`, else [`unique_worker_id`]), claims are leased in the store,
//! and OAuth refreshes are single-flight across them.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ats_bridge::connection::admin::AdminApi;
use ats_bridge::connection::oauth::{self, OAuthConnect, OAuthProvider};
use ats_bridge::connection::{
    AdapterBuilder, AdapterIntakes, AtsKind, ConnectionIntakes, ConnectionManager, Connections,
    Fleet, FleetConfig, WebhookRegistrar,
};
use ats_bridge::engine::EngineConfig;
use ats_bridge::intake::connection_router;
use ats_bridge::store::{Store, Stores};
use ats_store_sql::{PostgresStore, SqliteStore};
use axum::Router;
use client_core::secrecy::SecretBox;
use client_core::{ExposeSecret, SecretString, Url};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::Result;
use crate::fleet_config::{OAuthAppSettings, OAuthSettings};
use crate::fleet_secrets::{FleetSecrets, unique_worker_id};
use crate::health::HealthChecks;
use crate::limits_config::VendorLimits;
use crate::metrics::{install as install_metrics, metrics_router};
use crate::server_config::ServerConfig;

/// A fleet and the routes that feed and manage it.
#[derive(Debug)]
pub struct FleetBridge {
    /// Runs every active connection's work ([`Fleet::run`]); its status is the
    /// roll-up `/health` shows.
    pub fleet: Fleet,
    /// The connections' Rust API.
    pub manager: ConnectionManager,
    intakes: Arc<ConnectionIntakes>,
    admin: AdminApi,
    oauth: Option<Arc<OAuthConnect>>,
}

/// How a [`FleetBridge`] runs its connections: where each connection's engine starts
/// from, how the fleet shares its work among them, and each vendor's pacing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetBridgeConfig {
    /// Every connection's engine settings before its own `engine` overrides.
    pub engine: EngineConfig,
    /// How work is shared among connections.
    pub fleet: FleetConfig,
    /// Each vendor's limits instead of its client's defaults, for every credential of
    /// it; a connection's own limits win over them, value by value.
    pub limits: VendorLimits,
}

impl FleetBridge {
    /// A fleet over `manager`'s connections keeping their work in `stores`, run as
    /// `config` says; the admin API accepts `admin_token` and registers connections'
    /// webhooks at `public_url` (the bridge's address as the vendors reach it);
    /// `oauth` connects ATS accounts and refreshes their grants.
    pub fn new(
        manager: ConnectionManager,
        stores: Stores,
        config: FleetBridgeConfig,
        admin_token: &SecretString,
        public_url: &str,
        oauth: Option<Arc<OAuthConnect>>,
    ) -> Result<Self> {
        // One limiter per credential for the fleet's work and the admin API's webhook
        // registrations alike: a registration spends the same quota.
        let adapters = AdapterBuilder::new(manager.clone()).limiters(Arc::default());
        let mut adapters = config.limits.adapters(adapters);
        if let Some(oauth) = &oauth {
            adapters = adapters.oauth(oauth.clone());
        }
        let fleet = Fleet::builder(manager.clone(), stores.clone())
            .adapters(adapters.clone())
            .engine_config(config.engine)
            .config(config.fleet)
            .build()?;
        let registrar = WebhookRegistrar::new(manager.clone(), adapters.clone(), public_url);
        // Deliveries wake the fleet at once instead of at its next tick.
        let factory =
            AdapterIntakes::new(manager.clone(), adapters, stores).listener(fleet.arrivals());
        let intakes = Arc::new(ConnectionIntakes::new(manager.clone(), Arc::new(factory)));
        let mut admin = AdminApi::new(manager.clone(), admin_token)
            .fleet(fleet.clone())
            .webhooks(registrar);
        if let Some(oauth) = &oauth {
            admin = admin.oauth(oauth.clone());
        }
        Ok(Self {
            fleet,
            manager,
            intakes,
            admin,
            oauth,
        })
    }

    /// The webhook intake of every connection, the admin API and, with OAuth, the
    /// callback.
    pub fn router(&self) -> Router {
        let router = connection_router(self.intakes.clone()).merge(self.admin.clone().router());
        match &self.oauth {
            Some(connect) => router.merge(oauth::router(connect.clone())),
            None => router,
        }
    }
}

/// The connect flow of the apps in `settings`, or `None` when there are none.
/// `redirect_uri` is used unless `settings` names one; `state_key` signs consent
/// states; `client_secrets` holds each app's secret by ATS (`lever`,
/// `smartrecruiters`).
pub fn oauth_connect(
    settings: &OAuthSettings,
    redirect_uri: &str,
    state_key: Option<&SecretString>,
    client_secrets: &BTreeMap<&'static str, SecretString>,
    manager: &ConnectionManager,
) -> Result<Option<Arc<OAuthConnect>>> {
    if !settings.any() {
        return Ok(None);
    }
    let state_key =
        state_key.ok_or("[oauth] needs BRIDGE_OAUTH_STATE_KEY to sign consent states")?;
    let redirect_uri = settings.redirect_uri.as_deref().unwrap_or(redirect_uri);
    let key: Box<[u8]> = state_key.expose_secret().as_bytes().into();
    let mut connect = OAuthConnect::new(manager.clone(), SecretBox::new(key));
    for (kind, app) in [
        (AtsKind::Smartrecruiters, &settings.smartrecruiters),
        (AtsKind::Lever, &settings.lever),
    ] {
        let Some(app) = app else { continue };
        let secret = client_secrets.get(kind.as_str()).cloned().ok_or_else(|| {
            format!(
                "[oauth.{kind}] needs {}_OAUTH_CLIENT_SECRET",
                kind.as_str().to_uppercase(),
                kind = kind.as_str()
            )
        })?;
        connect = connect.provider(provider(kind, app, secret, redirect_uri)?);
    }
    Ok(Some(Arc::new(connect)))
}

/// The OAuth app `app` of `kind`.
fn provider(
    kind: AtsKind,
    app: &OAuthAppSettings,
    secret: SecretString,
    redirect_uri: &str,
) -> Result<OAuthProvider> {
    let id = app.client_id.clone();
    let provider = match (&app.authorize_url, &app.token_url, kind) {
        (Some(authorize), Some(token), _) => {
            let provider = OAuthProvider::new(
                kind,
                Url::parse(authorize)?,
                Url::parse(token)?,
                id,
                secret,
                redirect_uri,
            )?;
            // Lever issues no refresh token without `offline_access`.
            match kind {
                AtsKind::Lever => provider.scope("offline_access"),
                _ => provider,
            }
        }
        (None, None, AtsKind::Lever) => {
            let environment = match app.environment.as_deref().unwrap_or("production") {
                "production" => lever_client::Environment::Production,
                "sandbox" => lever_client::Environment::Sandbox,
                "eu" => lever_client::Environment::Eu,
                other => {
                    return Err(format!(
                        "oauth.lever.environment `{other}`: use production, sandbox or eu"
                    )
                    .into());
                }
            };
            OAuthProvider::lever(&environment, id, secret, redirect_uri)?
        }
        (None, None, _) => OAuthProvider::smartrecruiters(id, secret, redirect_uri)?,
        _ => {
            return Err(format!(
                "[oauth.{}] needs both authorize_url and token_url, or neither",
                kind.as_str()
            )
            .into());
        }
    };
    Ok(provider)
}

/// The store `database_url` names (PostgreSQL for `postgres://…`, else a SQLite
/// file), or a SQLite file at `default_sqlite`: as the connections' tables and as the
/// stores of their work.
pub async fn open_fleet_store(
    database_url: Option<&str>,
    default_sqlite: &Path,
) -> Result<(Arc<dyn Connections>, Stores)> {
    fn both<S: Store + Connections + 'static>(store: Arc<S>) -> (Arc<dyn Connections>, Stores) {
        (store.clone(), Stores::from(store))
    }
    Ok(match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            both(Arc::new(PostgresStore::connect(url).await?))
        }
        Some(path) => {
            let file = path
                .strip_prefix("sqlite://")
                .or_else(|| path.strip_prefix("sqlite:"))
                .unwrap_or(path);
            both(Arc::new(SqliteStore::open(file).await?))
        }
        None => both(Arc::new(SqliteStore::open(default_sqlite).await?)),
    })
}

/// The server in connections mode on the store `DATABASE_URL` names
/// ([`FleetSecrets::database_url`]), else `config.sqlite_path`: see [`run_on`].
pub async fn run(
    config: ServerConfig,
    secrets: FleetSecrets,
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let store = open_fleet_store(secrets.database_url.as_deref(), &config.sqlite_path).await?;
    run_on(config, secrets, store, shutdown, on_ready).await
}

/// The server in connections mode on `store` (the connections' tables and the
/// stores of their work): serve the routes of [`FleetBridge`], the health routes and
/// `/metrics` on `config.listen`, run the fleet, and stop both when `shutdown`
/// completes. `on_ready` gets the bound address once requests are served.
pub async fn run_on(
    config: ServerConfig,
    secrets: FleetSecrets,
    (connections, stores): (Arc<dyn Connections>, Stores),
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let manager = ConnectionManager::new(connections, Arc::new(secrets.keyring));
    let oauth = oauth_connect(
        &config.oauth.clone().unwrap_or_default(),
        &format!("{}/oauth/callback", public_url.trim_end_matches('/')),
        secrets.oauth_state_key.as_ref(),
        &secrets.oauth_client_secrets,
        &manager,
    )?;
    let mut engine = config.engine.engine_config();
    engine.worker_id = match secrets.worker_id {
        Some(id) => id,
        None => unique_worker_id()?,
    };
    tracing::info!(worker_id = %engine.worker_id, "connections mode");
    let bridge = FleetBridge::new(
        manager,
        stores,
        FleetBridgeConfig {
            engine,
            fleet: config.fleet_settings().fleet_config(),
            limits: config.limits.vendor_limits(),
        },
        &secrets.admin_token,
        &public_url,
        oauth,
    )?;
    let health = HealthChecks::fleet(bridge.fleet.clone())
        .refresh_every(Duration::from_millis(config.health_refresh_ms))
        .inbox_stuck_after(Duration::from_secs(config.inbox_stuck_after_secs));
    let app = bridge
        .router()
        .merge(health.router().await)
        .merge(metrics_router(install_metrics()?));

    let (stop, stopped) = watch::channel(false);
    let when_stopped = |mut stopped: watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let serve = async {
        crate::serve::serve(listener, app, config.http, when_stopped(stopped.clone())).await;
        Result::Ok(())
    };
    let work = async {
        bridge.fleet.run(when_stopped(stopped.clone())).await?;
        Result::Ok(())
    };
    let control = async {
        on_ready(addr);
        shutdown.await;
        tracing::info!("stopping: finishing work in progress");
        let _ = stop.send(true);
        Result::Ok(())
    };
    let ((), (), ()) = tokio::try_join!(serve, work, control)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use ats_bridge::connection::{Keyring, SealingKey};
    use ats_bridge::store::MemoryStore;

    use super::*;

    fn manager() -> ConnectionManager {
        let keys = Keyring::new(SealingKey::new("k1", &[7; 32]));
        ConnectionManager::new(Arc::new(MemoryStore::new()), Arc::new(keys))
    }

    fn lever(app: OAuthAppSettings) -> OAuthSettings {
        OAuthSettings {
            lever: Some(app),
            ..OAuthSettings::default()
        }
    }

    fn app() -> OAuthAppSettings {
        OAuthAppSettings {
            client_id: "bridge".to_owned(),
            environment: None,
            authorize_url: None,
            token_url: None,
        }
    }

    /// The error `oauth_connect` answers for `settings`, with a state key and a Lever
    /// client secret unless `bare`.
    fn error(settings: &OAuthSettings, bare: bool) -> String {
        let key = SecretString::from("k".repeat(32));
        let secrets = BTreeMap::from([("lever", SecretString::from("secret"))]);
        let (key, secrets) = if bare {
            (None, BTreeMap::new())
        } else {
            (Some(&key), secrets)
        };
        oauth_connect(
            settings,
            "http://b/oauth/callback",
            key,
            &secrets,
            &manager(),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn no_apps_no_flow_and_each_app_needs_its_secrets() {
        let none = oauth_connect(
            &OAuthSettings::default(),
            "http://b/oauth/callback",
            None,
            &BTreeMap::new(),
            &manager(),
        )
        .unwrap();
        assert!(none.is_none());
        assert!(error(&lever(app()), true).contains("BRIDGE_OAUTH_STATE_KEY"));
        let key = SecretString::from("k".repeat(32));
        let missing = oauth_connect(
            &lever(app()),
            "http://b/oauth/callback",
            Some(&key),
            &BTreeMap::new(),
            &manager(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(missing, "[oauth.lever] needs LEVER_OAUTH_CLIENT_SECRET");
    }

    #[test]
    fn lever_apps_name_an_environment_or_both_urls() {
        let mut half = app();
        half.token_url = Some("http://127.0.0.1:1/oauth/token".to_owned());
        assert!(
            error(&lever(half), false).contains("both authorize_url and token_url"),
            "a token URL alone is refused"
        );
        let mut unknown = app();
        unknown.environment = Some("staging".to_owned());
        assert!(error(&lever(unknown), false).contains("production, sandbox or eu"));
        let mut sandbox = app();
        sandbox.environment = Some("sandbox".to_owned());
        let key = SecretString::from("k".repeat(32));
        let secrets = BTreeMap::from([("lever", SecretString::from("secret"))]);
        let connect = oauth_connect(
            &lever(sandbox),
            "http://b/cb",
            Some(&key),
            &secrets,
            &manager(),
        )
        .unwrap()
        .unwrap();
        assert!(connect.provider_for(AtsKind::Lever).is_some());
        assert!(connect.provider_for(AtsKind::Smartrecruiters).is_none());
    }
}
