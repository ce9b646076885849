//! Shared by the runnable examples in `examples/`: where the vendor APIs are (from the
//! environment, or the local sandbox when nothing is set) and which store to use; the
//! [`demo`] harness (a whole bridge on the sandbox), the bridge for many customers
//! ([`fleet_server`]) and the [benchmarks](mod@bench).
//!
//! | variable | meaning |
//! |---|---|
//! | `WILLO_API_KEY` | Willo Integration API key; unset: everything runs on the sandbox |
//! | `WILLO_BASE_URL` | Willo API root (default: production) |
//! | `SMARTRECRUITERS_API_KEY` | SmartRecruiters API key (`X-SmartToken`); unset: no SmartRecruiters |
//! | `SMARTRECRUITERS_BASE_URL` | SmartRecruiters API root (default: production) |
//! | `LEVER_API_KEY` | Lever API key; unset: no Lever |
//! | `LEVER_BASE_URL` | Lever API root (default: production) |
//! | `LEVER_PERFORM_AS` | Lever user id notes and tags are written as (needed with Lever) |
//! | `DATABASE_URL` | `postgres://…` for PostgreSQL, else a SQLite file path |
//! | `BRIDGE_ADMIN_TOKEN`, `BRIDGE_SEALING_KEY`, … | the server's connections mode and the `connections` tool: see [`fleet_secrets`] |
//! | `RUST_LOG` | what is logged ([`logging`]; default: the program's own level) |
//! | `LOG_FORMAT` | `json` for one JSON object per log line; default `text` |

pub mod bench;
pub mod cli;
pub mod cli_secrets;
pub mod cli_verify;
pub mod demo;
pub mod fleet_config;
pub mod fleet_secrets;
pub mod fleet_server;
pub mod health;
pub mod limits_config;
pub mod logging;
pub mod metrics;
pub mod serve;
pub mod server_config;
pub mod webhooks;

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::store::Store;
use ats_sandbox::{Sandbox, SandboxConfig};
use ats_store_sql::{PostgresStore, SqliteStore};
use client_core::SecretString;
use lever_client::LeverClient;
use limits_config::VendorLimits;
use smartrecruiters_client::SmartRecruitersClient;
use willo_client::WilloClient;

/// The result type of the examples' helpers.
pub type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// How the example programs start: log to stderr from `level` up (`WARN` for the
/// walk-throughs, whose output is their own lines) unless `RUST_LOG` says otherwise,
/// as text or as JSON (`LOG_FORMAT=json`); see [`logging`].
pub fn log_from(level: tracing::Level) {
    let format = logging::LogFormat::from_env();
    logging::init(level, format.clone().unwrap_or_default());
    if let Err(error) = format {
        tracing::warn!("{error}; logging as text");
    }
}

/// Connect (environment or sandbox started with `sandbox`), say where on `out`, run
/// `walk`, then close the connections whatever `walk` returned: the frame of the
/// walk-through examples.
pub async fn walk_through<W: std::io::Write, T>(
    sandbox: SandboxConfig,
    out: &mut W,
    walk: impl AsyncFnOnce(&Connections, &mut W) -> Result<T>,
) -> Result<T> {
    let connections = Connections::from_env_or_sandbox(sandbox).await?;
    writeln!(out, "Working on {}\n", connections.describe())?;
    let result = walk(&connections, out).await;
    connections.close().await;
    result
}

/// A secret from the environment.
pub fn env_secret(name: &str) -> Option<SecretString> {
    env(name).map(SecretString::from)
}

/// The vendor clients an example works with.
#[derive(Debug)]
pub struct Connections {
    /// Willo.
    pub willo: WilloClient,
    /// SmartRecruiters, when configured (always on the sandbox).
    pub smartrecruiters: Option<SmartRecruitersClient>,
    /// Lever, when configured (always on the sandbox).
    pub lever: Option<LeverClient>,
    /// The Lever user notes and tags are written as.
    pub lever_perform_as: Option<String>,
    /// The sandbox the clients point at, when nothing was configured. Keep it alive
    /// as long as the clients are used.
    pub sandbox: Option<Sandbox>,
}

impl Connections {
    /// Clients for the APIs named in the environment, or — when `WILLO_API_KEY` is
    /// unset — a sandbox started with `sandbox` and clients for it.
    pub async fn from_env_or_sandbox(sandbox: SandboxConfig) -> Result<Self> {
        Self::from_env_or_sandbox_paced(sandbox, &VendorLimits::default()).await
    }

    /// Like [`Connections::from_env_or_sandbox`], each vendor's client paced at
    /// `limits` where they name it (the server's `[limits]`), else at the client's
    /// `default_limits()` (on the sandbox, at the sandbox's simulated limits).
    pub async fn from_env_or_sandbox_paced(
        sandbox: SandboxConfig,
        limits: &VendorLimits,
    ) -> Result<Self> {
        let Some(willo_key) = env_secret("WILLO_API_KEY") else {
            return Self::sandbox_paced(sandbox, limits).await;
        };
        let mut willo = WilloClient::builder().api_key(SecretString::from(willo_key));
        if let Some(url) = env("WILLO_BASE_URL") {
            willo = willo.base_url(url);
        }
        if let Some(limits) = &limits.willo {
            willo = willo.limits(limits.clone());
        }
        let smartrecruiters = match env_secret("SMARTRECRUITERS_API_KEY") {
            Some(key) => {
                let mut builder = SmartRecruitersClient::builder().api_key(key);
                if let Some(url) = env("SMARTRECRUITERS_BASE_URL") {
                    builder = builder.base_url(url);
                }
                if let Some(limits) = &limits.smartrecruiters {
                    builder = builder.limits(limits.clone());
                }
                Some(builder.build()?)
            }
            None => None,
        };
        let lever = match env_secret("LEVER_API_KEY") {
            Some(key) => {
                let mut builder = LeverClient::builder().api_key(key);
                if let Some(url) = env("LEVER_BASE_URL") {
                    builder = builder.base_url(url);
                }
                if let Some(limits) = &limits.lever {
                    builder = builder.limits(limits.clone());
                }
                Some(builder.build()?)
            }
            None => None,
        };
        Ok(Self {
            willo: willo.build()?,
            smartrecruiters,
            lever,
            lever_perform_as: env("LEVER_PERFORM_AS"),
            sandbox: None,
        })
    }

    /// Clients for a sandbox started with `config`.
    pub async fn sandbox(config: SandboxConfig) -> Result<Self> {
        Self::sandbox_paced(config, &VendorLimits::default()).await
    }

    /// Clients for a sandbox started with `config`, each vendor's paced at `limits`
    /// where they name it instead of at the sandbox's simulated limits.
    pub async fn sandbox_paced(config: SandboxConfig, limits: &VendorLimits) -> Result<Self> {
        let sandbox = Sandbox::start(config).await?;
        let willo = match &limits.willo {
            Some(limits) => WilloClient::builder()
                .api_key(sandbox.willo_api_key())
                .base_url(sandbox.willo_base_url())
                .limits(limits.clone())
                .build()?,
            None => sandbox.willo_client()?,
        };
        let smartrecruiters = match &limits.smartrecruiters {
            Some(limits) => SmartRecruitersClient::builder()
                .api_key(sandbox.smartrecruiters_api_key())
                .base_url(sandbox.smartrecruiters_base_url())
                .limits(limits.clone())
                .build()?,
            None => sandbox.smartrecruiters_client()?,
        };
        let lever = match &limits.lever {
            Some(limits) => LeverClient::builder()
                .api_key(sandbox.lever_api_key())
                .base_url(sandbox.lever_base_url())
                .limits(limits.clone())
                .build()?,
            None => sandbox.lever_client()?,
        };
        Ok(Self {
            willo,
            smartrecruiters: Some(smartrecruiters),
            lever: Some(lever),
            lever_perform_as: Some(sandbox.lever().perform_as()),
            sandbox: Some(sandbox),
        })
    }

    /// The SmartRecruiters adapter over the configured client, with no webhook secret
    /// (it receives no webhooks here); without a client, an error asking for the key
    /// that says what it is `needed_for`.
    pub fn smartrecruiters_ats(&self, needed_for: &str) -> Result<Arc<SmartRecruitersAts>> {
        let client = self
            .smartrecruiters
            .clone()
            .ok_or_else(|| format!("set SMARTRECRUITERS_API_KEY: {needed_for}"))?;
        Ok(Arc::new(SmartRecruitersAts::new(
            client,
            SmartRecruitersAtsConfig::new(),
        )))
    }

    /// The Lever adapter over [`Connections::lever`], writing as
    /// [`Connections::lever_perform_as`], or an error saying what it is `needed_for`.
    pub fn lever_ats(&self, needed_for: &str) -> Result<Arc<LeverAts>> {
        let client = self
            .lever
            .clone()
            .ok_or_else(|| format!("set LEVER_API_KEY: {needed_for}"))?;
        let perform_as = self
            .lever_perform_as
            .clone()
            .ok_or_else(|| format!("set LEVER_PERFORM_AS: {needed_for}"))?;
        Ok(Arc::new(LeverAts::new(
            client,
            LeverAtsConfig::new(perform_as),
        )))
    }

    /// One line saying where the APIs are, for the examples' first output.
    pub fn describe(&self) -> String {
        if self.sandbox.is_some() {
            return "the local sandbox (no WILLO_API_KEY set)".to_owned();
        }
        let mut apis = vec!["Willo"];
        if self.smartrecruiters.is_some() {
            apis.push("SmartRecruiters");
        }
        if self.lever.is_some() {
            apis.push("Lever");
        }
        format!("the live APIs of {}", apis.join(", "))
    }

    /// Stop the sandbox, if one was started.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// The store `DATABASE_URL` names: PostgreSQL for `postgres://…` (or
/// `postgresql://…`), else a SQLite file at that path (`sqlite:` prefix allowed);
/// unset: a SQLite file at `default_sqlite`.
pub async fn open_store(
    database_url: Option<&str>,
    default_sqlite: &Path,
) -> Result<Arc<dyn Store>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::connect(url).await?))
        }
        Some(path) => {
            let file = path
                .strip_prefix("sqlite://")
                .or_else(|| path.strip_prefix("sqlite:"))
                .unwrap_or(path);
            Ok(Arc::new(SqliteStore::open(file).await?))
        }
        None => Ok(Arc::new(SqliteStore::open(default_sqlite).await?)),
    }
}

/// The repository README's examples, compiled as doc tests so they cannot drift (this
/// package has every crate they use).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
