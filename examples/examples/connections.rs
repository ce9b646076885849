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

use std::io::{Read as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ats_bridge::connection::{
    ConnectionId, ConnectionManager, ConnectionRecord, LedgerErasure, NewConnection,
};
use clap::{Parser, Subcommand};
use examples::cli::default_config;
use examples::fleet_secrets::keyring_from_env;
use examples::fleet_server::open_fleet_store;
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
    },
    /// Re-seal every secret under the current sealing key.
    Reseal,
}

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
    let input = match &cli.command {
        Command::Add { file } => Some(read_file(file)?),
        _ => None,
    };
    run(
        &manager,
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

/// Carry out `command` with `manager` (`input`: the added connection's JSON),
/// reporting to `out` as text or JSON.
pub async fn run(
    manager: &ConnectionManager,
    command: &Command,
    input: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
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
        Command::Remove { id, erase_ledger } => {
            let ledger = if *erase_ledger {
                LedgerErasure::Erase
            } else {
                LedgerErasure::KeepIds
            };
            let removal = manager.remove(id, ledger).await?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &removal)?;
                writeln!(out)?;
            } else {
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
