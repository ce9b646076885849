//! The bridge as a service: a TOML configuration plus secrets from the environment,
//! the webhook intake, `GET /health{,/live,/ready}` and `GET /metrics` over HTTP, a SQLite or PostgreSQL ledger, the
//! engine with its reconciler, and a graceful stop on Ctrl-C or SIGTERM (work in
//! progress finishes and is recorded first).
//!
//! ```sh
//! cargo run -p examples --example server                         # on the sandbox
//! cargo run -p examples --example server -- /etc/bridge.toml    # live, see below
//! cargo run -p examples --example server -- --help
//! ```
//!
//! With `WILLO_API_KEY` set it runs against the live APIs named in the environment
//! (see the `examples` crate docs), reads the webhook secrets the setup example
//! printed (`SMARTRECRUITERS_WEBHOOK_SECRET`, `LEVER_SIGNATURE_TOKENS`,
//! `WILLO_WEBHOOK_TOKEN`) and keeps its ledger at `DATABASE_URL` (default: the
//! config's `sqlite_path`). Without it, it starts the sandbox and registers its own webhooks.
//!
//! With `mode = "connections"` in the configuration it serves many customers instead:
//! the connections stored in `DATABASE_URL` (or `sqlite_path`), managed at runtime
//! through the admin API, with `BRIDGE_ADMIN_TOKEN` and `BRIDGE_SEALING_KEY` from the
//! environment (see `examples::fleet_server` and `examples::fleet_secrets`).

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig, stage_id};
use ats_bridge::{Ats, Bridge, WilloAccount};
use ats_sandbox::{Sandbox, SandboxConfig};
use examples::demo::{LEVER_TRIGGER, SMARTRECRUITERS_TRIGGER};
use examples::fleet_config::ServerMode;
use examples::fleet_secrets::FleetSecrets;
use examples::health::HealthChecks;
use examples::metrics::{install as install_metrics, metrics_router};
use examples::serve::serve;
use examples::server_config::{ServerConfig, SmartRecruitersSettings};
use examples::webhooks::{WebhookSecrets, register};
use examples::{Connections, Result, env, open_store};
use tokio::net::TcpListener;
use tokio::sync::watch;

#[tokio::main]
async fn main() -> Result<()> {
    let path = <examples::cli::ServerCli as clap::Parser>::parse().config_path();
    examples::log_from(tracing::Level::INFO);
    let config = ServerConfig::load(&path)?;
    if config.mode == ServerMode::Connections {
        return run_connections(config).await;
    }
    let limits = config.limits.vendor_limits();
    let connections =
        Connections::from_env_or_sandbox_paced(SandboxConfig::default(), &limits).await?;
    examples::cli_verify::at_server_start(&connections, &config).await;
    let public_url = config.public_url.clone();
    let apis = connections.describe();
    let on_sandbox = connections.sandbox.is_some();
    let result = run(config, &connections, termination(), |addr| {
        let public = public_url.unwrap_or_else(|| format!("http://{addr}"));
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "Bridge serving on http://{addr} against {apis}.\n  \
             health:   curl http://{addr}/health/ready\n  \
             metrics:  curl http://{addr}/metrics\n  \
             webhooks: {public}/webhooks/{{smartrecruiters,lever,willo}}"
        );
        if on_sandbox {
            let _ = writeln!(
                out,
                "On the sandbox nobody moves candidates: the quickstart example shows the \
                 whole loop. To go live, set WILLO_API_KEY and the ATS keys, run the setup \
                 example, and give this server a config with [rules]."
            );
        }
        let _ = writeln!(out, "Ctrl-C stops it once work in progress is recorded.");
    })
    .await;
    connections.close().await;
    result
}

/// Connections mode: the customers are in the store, managed through the admin API
/// (see `examples::fleet_server`); the secrets come from the environment.
async fn run_connections(config: ServerConfig) -> Result<()> {
    let secrets = FleetSecrets::from_env()?;
    let public_url = config.public_url.clone();
    examples::fleet_server::run(config, secrets, termination(), |addr| {
        let public = public_url.unwrap_or_else(|| format!("http://{addr}"));
        let _ = writeln!(
            std::io::stdout().lock(),
            "Bridge serving the stored connections on http://{addr}.\n  \
             admin:    curl -H \"Authorization: Bearer $BRIDGE_ADMIN_TOKEN\" http://{addr}/admin/fleet\n  \
             health:   curl http://{addr}/health/ready\n  \
             metrics:  curl http://{addr}/metrics\n  \
             webhooks: {public}/webhooks/{{connection}}/{{smartrecruiters,lever,willo}}\n\
             Ctrl-C stops it once work in progress is recorded."
        );
    })
    .await
}

/// Serve the intake, the health routes and `/metrics` on `config.listen`, run the engine, and stop both
/// when `shutdown` completes. `on_ready` gets the bound address once webhooks can be
/// received (useful with port 0).
pub async fn run(
    config: ServerConfig,
    connections: &Connections,
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // On the sandbox everything is local and fresh: the vendors deliver to the bound
    // address, and the ledger starts empty (the sandbox's ids repeat between runs, so
    // an old ledger would say its candidates were already invited).
    let scratch = tempfile::tempdir()?;
    let (registration, default_db) = match &connections.sandbox {
        Some(_) => (
            Some(register(connections, &format!("http://{addr}")).await?),
            scratch.path().join("bridge.db"),
        ),
        None => (None, config.sqlite_path.clone()),
    };
    let secrets = registration
        .as_ref()
        .map_or_else(WebhookSecrets::from_env, |r| r.secrets.clone());
    let adapters = Adapters::new(connections, &secrets, &config.smartrecruiters)?;
    let rules = match (config.rules, &connections.sandbox) {
        (Some(rules), _) => rules,
        (None, Some(sandbox)) => adapters.sandbox_rules(sandbox)?,
        (None, None) => {
            return Err("the configuration has no [rules]: \
                        the setup example lists the stage ids and interview keys"
                .into());
        }
    };
    let store = open_store(env("DATABASE_URL").as_deref(), &default_db).await?;
    let mut willo = WilloAccount::new(connections.willo.clone());
    match secrets.willo {
        Some(token) => willo = willo.webhook_token(token),
        None => tracing::warn!("WILLO_WEBHOOK_TOKEN is not set: Willo deliveries are refused"),
    }
    let mut bridge = Bridge::builder(willo, store.clone())
        .rules(rules)
        .config(config.engine.engine_config());
    for ats in adapters.all() {
        bridge = bridge.ats(ats);
    }
    let bridge = bridge.build()?;
    let mut health = HealthChecks::new(store)
        .refresh_every(Duration::from_millis(config.health_refresh_ms))
        .inbox_stuck_after(Duration::from_secs(config.inbox_stuck_after_secs))
        .transport("willo", connections.willo.transport().clone());
    if let Some(client) = &connections.smartrecruiters {
        health = health.transport("smartrecruiters", client.transport().clone());
    }
    if let Some(client) = &connections.lever {
        health = health.transport("lever", client.transport().clone());
    }
    let app = bridge
        .router()
        .merge(health.router().await)
        .merge(metrics_router(install_metrics()?));

    // One stop signal for both halves: the server stops accepting and drains its
    // requests while the engine finishes the steps it started.
    let (stop, stopped) = watch::channel(false);
    let when_stopped = |mut stopped: watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let serve = async {
        // Header read timeout and a deadline on draining: see examples/src/serve.rs.
        serve(listener, app, config.http, when_stopped(stopped.clone())).await;
        Result::Ok(())
    };
    let work = async {
        bridge.run(when_stopped(stopped.clone())).await?;
        Result::Ok(())
    };
    let control = async {
        // SmartRecruiters' activation handshake needs the intake serving: it runs here,
        // concurrently with `serve`.
        if let Some(registration) = &registration {
            registration.activate(connections).await?;
        }
        on_ready(addr);
        shutdown.await;
        tracing::info!("stopping: finishing work in progress");
        let _ = stop.send(true);
        Result::Ok(())
    };
    let ((), (), ()) = tokio::try_join!(serve, work, control)?;
    Ok(())
}

/// The ATS connections the environment configures, with their webhook secrets.
struct Adapters {
    smartrecruiters: Option<Arc<dyn Ats>>,
    lever: Option<Arc<dyn Ats>>,
}

impl Adapters {
    fn new(
        connections: &Connections,
        secrets: &WebhookSecrets,
        smartrecruiters: &SmartRecruitersSettings,
    ) -> Result<Self> {
        let phones = smartrecruiters.phones_in_invites;
        let statuses = smartrecruiters.job_statuses();
        let smartrecruiters = connections.smartrecruiters.clone().map(|client| {
            let mut config = SmartRecruitersAtsConfig::new()
                .phones_in_invites(phones)
                .job_status_allow_list(statuses);
            match &secrets.smartrecruiters {
                Some(secret) => config = config.webhook_secret(secret.clone()),
                // The intake still answers the activation handshake without it, so
                // the setup example can activate the subscription against this server.
                None => tracing::warn!(
                    "SMARTRECRUITERS_WEBHOOK_SECRET is not set: SmartRecruiters deliveries are refused"
                ),
            }
            Arc::new(SmartRecruitersAts::new(client, config)) as Arc<dyn Ats>
        });
        let lever = match connections.lever.clone() {
            Some(client) => {
                let perform_as = connections.lever_perform_as.clone().ok_or(
                    "LEVER_PERFORM_AS is not set: Lever notes and tags need a user to be written as",
                )?;
                if secrets.lever.is_empty() {
                    tracing::warn!(
                        "LEVER_SIGNATURE_TOKENS is not set: Lever deliveries are refused"
                    );
                }
                let config = secrets.lever.iter().cloned().fold(
                    LeverAtsConfig::new(perform_as),
                    LeverAtsConfig::signature_token,
                );
                Some(Arc::new(LeverAts::new(client, config)) as Arc<dyn Ats>)
            }
            None => None,
        };
        Ok(Self {
            smartrecruiters,
            lever,
        })
    }

    fn all(&self) -> impl Iterator<Item = Arc<dyn Ats>> + '_ {
        self.smartrecruiters.iter().chain(&self.lever).cloned()
    }

    /// The demo's rules: SmartRecruiters INTERVIEW and Lever's recruiter screen send
    /// the sandbox's first interview.
    fn sandbox_rules(&self, sandbox: &Sandbox) -> Result<Rules> {
        let interviews = sandbox.willo().interviews();
        let interview = interviews.first().ok_or("the sandbox has no interview")?;
        let mut rules = Rules::new();
        if let Some(ats) = &self.smartrecruiters {
            let stage = stage_id(&SMARTRECRUITERS_TRIGGER, None);
            rules = rules.trigger(
                ats.name(),
                JobSelector::Any,
                [stage],
                interview.key.as_str(),
            );
        }
        if let Some(ats) = &self.lever {
            rules = rules.trigger(
                ats.name(),
                JobSelector::Any,
                [LEVER_TRIGGER],
                interview.key.as_str(),
            );
        }
        Ok(rules)
    }
}

/// Completes on Ctrl-C, or on SIGTERM (what container runtimes and systemd send).
async fn termination() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
