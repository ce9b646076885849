//! The operator's command line for connections (one customer's Willo and ATS
//! accounts each): add, list, pause, resume and remove them at runtime, and re-seal
//! their secrets after a sealing-key rotation.
//!
//! ```sh
//! export BRIDGE_SEALING_KEY=$(openssl rand -base64 32)   # keep it in a secret store
//! cargo run -p examples --example connections -- add --file acme.json
//! cargo run -p examples --example connections -- list          # or `list --json`
//! cargo run -p examples --example connections -- pause acme --reason "trial over"
//! cargo run -p examples --example connections -- resume acme
//! cargo run -p examples --example connections -- remove acme   # `--erase-ledger` too
//! cargo run -p examples --example connections -- reseal        # after a key rotation
//! # its webhooks at /webhooks/acme/{source} in its own vendor accounts, and back out:
//! cargo run -p examples --example connections -- webhooks register acme --public-url https://bridge.example
//! cargo run -p examples --example connections -- webhooks unregister acme --public-url https://bridge.example
//! cargo run -p examples --example connections -- remove acme --unregister-webhooks
//! ```
//!
//! `acme.json` is the admin API's body for an add (see the README's "Connections"):
//! secrets come from a file (or `-` for standard input), never from the command line,
//! where other users of the machine could read them.
//!
//! It opens the store the server uses: `DATABASE_URL`, else the `sqlite_path` of the
//! server's configuration (`--config FILE`; default `examples/server.toml`). Secrets
//! are sealed with `BRIDGE_SEALING_KEY` (32 bytes, base64) under the id
//! `BRIDGE_SEALING_KEY_ID` (default `k1`); during a rotation the previous key is
//! `BRIDGE_SEALING_OLD_KEY` with `BRIDGE_SEALING_OLD_KEY_ID`.
//!
//! `webhooks register` and `webhooks unregister` (and `remove --unregister-webhooks`)
//! call the connection's vendors with its own credentials, through the same clients
//! the server builds (`ats_bridge::connection::AdapterBuilder`, paced by the
//! configuration's `[limits.*]`): OAuth accounts
//! refresh their grants through the configuration's `[oauth]` apps, with
//! `BRIDGE_OAUTH_STATE_KEY` and the apps' `*_OAUTH_CLIENT_SECRET` from the
//! environment, as the server reads them. `--public-url` is the bridge's address as
//! the vendors reach it (default: the configuration's `public_url`). Register while
//! the server is serving it: SmartRecruiters activates a subscription with a
//! handshake the server answers. Unregistering removes the webhooks at the
//! connection's intake paths on any host, and no other connection's; `remove
//! --unregister-webhooks` removes the connection only once that worked.

use std::io::{Read as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ats_bridge::connection::{
    AdapterBuilder, ConnectionId, ConnectionManager, ConnectionRecord, ConnectionUnregistered,
    ConnectionWebhooks, LedgerErasure, NewConnection, WebhookRegistrar, WebhookUnregistrationError,
};
use clap::{Parser, Subcommand};
use examples::cli::default_config;
use examples::fleet_secrets::{OAuthSecrets, keyring_from_env};
use examples::fleet_server::{oauth_connect, open_fleet_store};
use examples::server_config::ServerConfig;
use examples::{Result, env};

/// Manage the bridge's connections.
#[derive(Debug, Parser)]
#[command(name = "connections")]
pub struct Cli {
    /// The server's configuration file (for `sqlite_path`).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Answer in JSON, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Add a connection described in a JSON file (`-`: standard input).
    Add {
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
    /// The live connections and their states.
    List,
    /// Pause a connection: deliveries are kept, nothing is done.
    Pause {
        /// The connection.
        id: ConnectionId,
        /// Why (shown in its status).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Resume a paused connection.
    Resume {
        /// The connection.
        id: ConnectionId,
    },
    /// Remove a connection: its credentials, inbox and cursors are erased.
    Remove {
        /// The connection.
        id: ConnectionId,
        /// Erase its ledger rows too (default: keep their ids).
        #[arg(long)]
        erase_ledger: bool,
        /// Remove its webhooks from its vendor accounts first; if that fails, the
        /// connection is not removed.
        #[arg(long)]
        unregister_webhooks: bool,
        /// With `--unregister-webhooks`: the bridge's public URL (default: the
        /// configuration's `public_url`).
        #[arg(long, requires = "unregister_webhooks")]
        public_url: Option<String>,
    },
    /// Re-seal every secret under the current sealing key.
    Reseal,
    /// Register or remove a connection's webhooks at its vendor accounts.
    Webhooks {
        /// What to do.
        #[command(subcommand)]
        action: WebhooksCommand,
    },
}

/// `webhooks …`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum WebhooksCommand {
    /// Register the connection's webhooks at `{public-url}/webhooks/{id}/{source}` and
    /// store the secrets the vendors return.
    Register {
        /// The connection.
        id: ConnectionId,
        /// The bridge's address as the vendors reach it (default: the
        /// configuration's `public_url`).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Remove the connection's webhooks (at its intake paths, on any host) from its
    /// vendor accounts; other connections' stay.
    Unregister {
        /// The connection.
        id: ConnectionId,
        /// The bridge's address as the vendors reach it (default: the
        /// configuration's `public_url`); only shown in the report.
        #[arg(long)]
        public_url: Option<String>,
    },
}

impl Command {
    /// The public URL a command that calls the vendors names, and whether it calls
    /// them at all.
    fn calls_vendors(&self) -> Option<Option<&str>> {
        match self {
            Self::Remove {
                unregister_webhooks: true,
                public_url,
                ..
            }
            | Self::Webhooks {
                action:
                    WebhooksCommand::Register { public_url, .. }
                    | WebhooksCommand::Unregister { public_url, .. },
            } => Some(public_url.as_deref()),
            _ => None,
        }
    }
}

/// What the commands work with: the connections, the clients that reach their
/// vendors, and the configuration's public URL.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The connections.
    pub manager: ConnectionManager,
    /// Builds a connection's vendor clients, as the server does.
    pub adapters: AdapterBuilder,
    /// The configuration's `public_url`, the default of `--public-url`.
    pub public_url: Option<String>,
}

impl Tools {
    /// `manager`'s connections, their clients built without OAuth apps, and no
    /// default public URL.
    pub fn new(manager: ConnectionManager) -> Self {
        Self {
            adapters: AdapterBuilder::new(manager.clone()),
            manager,
            public_url: None,
        }
    }

    /// The registrar at `public_url`, else the configuration's.
    fn registrar(&self, public_url: Option<&str>) -> Result<WebhookRegistrar> {
        let url = public_url
            .or(self.public_url.as_deref())
            .ok_or(NO_PUBLIC_URL)?;
        Ok(WebhookRegistrar::new(
            self.manager.clone(),
            self.adapters.clone(),
            url,
        ))
    }
}

const NO_PUBLIC_URL: &str = "give --public-url (the bridge's address as the vendors reach it) \
                             or set public_url in the server's configuration";

/// The options in `args` (without the program name).
pub fn parse(args: impl IntoIterator<Item = String>) -> std::result::Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("connections".to_owned()).chain(args))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = parse(std::env::args().skip(1)).unwrap_or_else(|error| error.exit());
    match from_command_line(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn from_command_line(cli: Cli) -> Result<()> {
    let config = ServerConfig::load(&cli.config.clone().unwrap_or_else(default_config))?;
    let (store, _) = open_fleet_store(env("DATABASE_URL").as_deref(), &config.sqlite_path).await?;
    let manager = ConnectionManager::new(store, Arc::new(keyring_from_env()?));
    let mut tools = Tools::new(manager);
    tools.public_url = config.public_url.clone();
    // Only the commands that call vendors need the OAuth apps (and their secrets).
    if let Some(public_url) = cli.command.calls_vendors() {
        let public_url = public_url
            .or(tools.public_url.as_deref())
            .ok_or(NO_PUBLIC_URL)?;
        let secrets = OAuthSecrets::from_env()?;
        let oauth = oauth_connect(
            &config.oauth.clone().unwrap_or_default(),
            &format!("{}/oauth/callback", public_url.trim_end_matches('/')),
            secrets.state_key.as_ref(),
            &secrets.client_secrets,
            &tools.manager,
        )?;
        // Paced as the server paces the vendors (`[limits.*]`).
        tools.adapters = config.limits.vendor_limits().adapters(tools.adapters);
        if let Some(oauth) = oauth {
            tools.adapters = tools.adapters.oauth(oauth);
        }
    }
    let input = match &cli.command {
        Command::Add { file } => Some(read_file(file)?),
        _ => None,
    };
    run(
        &tools,
        &cli.command,
        input.as_deref(),
        cli.json,
        &mut std::io::stdout().lock(),
    )
    .await
}

fn read_file(path: &PathBuf) -> Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)?;
    }
    Ok(text)
}

/// Carry out `command` with `tools` (`input`: the added connection's JSON),
/// reporting to `out` as text or JSON.
pub async fn run(
    tools: &Tools,
    command: &Command,
    input: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let manager = &tools.manager;
    let record = match command {
        Command::Add { .. } => {
            // serde_json's errors name a line and column, never the text (secrets).
            let new: NewConnection = serde_json::from_str(input.unwrap_or_default())
                .map_err(|e| format!("the connection file is not valid: {e}"))?;
            manager.add(new).await?
        }
        Command::List => {
            let all = manager.list().await?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &all)?;
                writeln!(out)?;
            } else {
                for record in &all {
                    write_line(record, out)?;
                }
            }
            return Ok(());
        }
        Command::Pause { id, reason } => {
            manager.pause(id, reason.as_deref()).await?;
            manager.live(id).await?
        }
        Command::Resume { id } => {
            manager.resume(id).await?;
            manager.live(id).await?
        }
        Command::Remove {
            id,
            erase_ledger,
            unregister_webhooks,
            public_url,
        } => {
            let ledger = if *erase_ledger {
                LedgerErasure::Erase
            } else {
                LedgerErasure::KeepIds
            };
            let webhooks = if *unregister_webhooks {
                let registrar = tools.registrar(public_url.as_deref())?;
                Some(registrar.unregister(id).await.map_err(|error| {
                    unregistration_failed(&error, "; the connection was not removed")
                })?)
            } else {
                None
            };
            let removal = manager.remove(id, ledger).await?;
            if json {
                let mut answer = serde_json::to_value(removal)?;
                if let Some(webhooks) = &webhooks {
                    answer["webhooks"] = serde_json::to_value(webhooks)?;
                }
                serde_json::to_writer_pretty(&mut *out, &answer)?;
                writeln!(out)?;
            } else {
                if let Some(webhooks) = &webhooks {
                    write_unregistered(webhooks, out)?;
                }
                writeln!(
                    out,
                    "removed {id}: {} secrets, {} deliveries, {} cursors erased; {} ledger rows {}",
                    removal.secrets,
                    removal.inbox,
                    removal.cursors,
                    removal.ledger_rows,
                    if *erase_ledger {
                        "erased"
                    } else {
                        "kept as ids"
                    }
                )?;
            }
            return Ok(());
        }
        Command::Webhooks {
            action: WebhooksCommand::Register { id, public_url },
        } => {
            let registrar = tools.registrar(public_url.as_deref())?;
            let registered = registrar.register(id).await?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &registered)?;
                writeln!(out)?;
            } else {
                write_registered(&registered, out)?;
            }
            return Ok(());
        }
        Command::Webhooks {
            action: WebhooksCommand::Unregister { id, public_url },
        } => {
            let registrar = tools.registrar(public_url.as_deref())?;
            let removed = registrar
                .unregister(id)
                .await
                .map_err(|error| unregistration_failed(&error, ""))?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &removed)?;
                writeln!(out)?;
            } else {
                write_unregistered(&removed, out)?;
            }
            return Ok(());
        }
        Command::Reseal => {
            let count = manager.reseal_all().await?;
            if json {
                writeln!(out, "{}", serde_json::json!({ "resealed": count }))?;
            } else {
                writeln!(out, "re-sealed {count} secrets under the current key")?;
            }
            return Ok(());
        }
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &record)?;
        writeln!(out)?;
    } else {
        write_line(&record, out)?;
    }
    Ok(())
}

fn write_line(record: &ConnectionRecord, out: &mut impl Write) -> Result<()> {
    let accounts: Vec<&str> = record.config.ats.iter().map(|a| a.name.as_str()).collect();
    write!(
        out,
        "{}\t{}\t{}\t[{}]",
        record.id,
        record.state,
        record.config.display_name,
        accounts.join(", ")
    )?;
    if let Some(reason) = &record.state_reason {
        write!(out, "\t({reason})")?;
    }
    writeln!(out)?;
    Ok(())
}

/// The error of a failed unregistration, `then` saying what was not done because of
/// it; a vendor's refusal says how many webhooks were removed before it.
fn unregistration_failed(error: &WebhookUnregistrationError, then: &str) -> String {
    match error {
        WebhookUnregistrationError::Vendor { removed, .. } => format!(
            "{error}{then} ({} webhooks removed before stay removed)",
            removed.removed()
        ),
        _ => format!("{error}{then}"),
    }
}

/// One line per source, then one per webhook changed.
fn write_registered(registered: &ConnectionWebhooks, out: &mut impl Write) -> Result<()> {
    for source in &registered.sources {
        writeln!(
            out,
            "{}: {} ({} created{})",
            source.source,
            source.url,
            source.created(),
            if source.secret_added {
                ", new secret stored"
            } else {
                ""
            }
        )?;
        for change in &source.changes {
            writeln!(out, "  {change}")?;
        }
    }
    Ok(())
}

/// One line per source, then one per webhook removed.
fn write_unregistered(removed: &ConnectionUnregistered, out: &mut impl Write) -> Result<()> {
    for source in &removed.sources {
        match source.skipped {
            Some(reason) => writeln!(out, "{}: skipped, {reason}", source.source)?,
            None => writeln!(
                out,
                "{}: {} ({} removed)",
                source.source,
                source.url,
                source.removed.len()
            )?,
        }
        for change in &source.removed {
            writeln!(out, "  {change}")?;
        }
    }
    Ok(())
}
