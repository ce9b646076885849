//! The operator's view of the bridge's ledger: where every row stands, why rows
//! failed, and putting failed rows back to work once the cause is fixed (a key with the
//! wrong scope, a phone number the ATS held in a local format).
//!
//! ```sh
//! cargo run -p examples --example ledger -- status
//! cargo run -p examples --example ledger -- redrive lever <application> <interview>
//! cargo run -p examples --example ledger -- redrive-failed   # every failed row, or
//! # only those whose error contains a text:
//! cargo run -p examples --example ledger -- redrive-failed "refused the credentials"
//! ```
//!
//! It opens the store the server uses: `DATABASE_URL`, else the `sqlite_path` of the
//! server's configuration (`--config FILE` before the command; default
//! `examples/server.toml`). Safe while the server runs: a redrive is one transition of
//! the row (refused, and reported, for a row that is no longer failed), and the
//! server's engine retries the row on its next tick. It prints ids, states and errors,
//! which hold no names or e-mails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ats_bridge::store::{LedgerKey, LedgerRow, RowState, STATUS_FAILED_LIMIT, Store, StoreError};
use examples::server_config::ServerConfig;
use examples::{Result, env, open_store};

const USAGE: &str = "usage: ledger [--config FILE] status\n       \
     ledger [--config FILE] redrive ATS APPLICATION INTERVIEW\n       \
     ledger [--config FILE] redrive-failed [TEXT]";

/// What to do with the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Rows per state and per job, and the failed rows with their errors.
    Status,
    /// Put one failed row back where it failed.
    Redrive(LedgerKey),
    /// Put every failed row back (those whose error contains the text, if given).
    RedriveFailed(Option<String>),
}

/// The configuration file named by `--config` (if any) and the command.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<(Option<PathBuf>, Command)> {
    let mut args: Vec<String> = args.into_iter().collect();
    let config = match args.first().map(String::as_str) {
        Some("--config") if args.len() >= 2 => {
            let path = PathBuf::from(args.remove(1));
            args.remove(0);
            Some(path)
        }
        _ => None,
    };
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let command = match words.as_slice() {
        ["status"] => Command::Status,
        ["redrive", ats, application, interview] => {
            Command::Redrive(LedgerKey::new(*ats, *application, *interview))
        }
        ["redrive-failed"] => Command::RedriveFailed(None),
        ["redrive-failed", text] => Command::RedriveFailed(Some((*text).to_owned())),
        _ => return Err(USAGE.into()),
    };
    Ok((config, command))
}

#[tokio::main]
async fn main() -> ExitCode {
    match from_command_line().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Displayed, not debug-printed: the usage text spans lines.
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn from_command_line() -> Result<()> {
    let (config, command) = parse(std::env::args().skip(1))?;
    let config_path =
        config.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("server.toml"));
    let config = ServerConfig::load(&config_path)?;
    let store = open_store(env("DATABASE_URL").as_deref(), &config.sqlite_path).await?;
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    run(
        store.as_ref(),
        &command,
        now_ms,
        &mut std::io::stdout().lock(),
    )
    .await
}

/// Carry out `command` on `store` at `now_ms`, reporting to `out`.
pub async fn run(
    store: &dyn Store,
    command: &Command,
    now_ms: i64,
    out: &mut impl Write,
) -> Result<()> {
    match command {
        Command::Status => status(store, now_ms, out).await,
        Command::Redrive(key) => match store.redrive(key, now_ms).await {
            Ok(()) => Ok(writeln!(out, "re-driven: {key}")?),
            Err(error) => Err(format!("{key} was not re-driven: {error}").into()),
        },
        Command::RedriveFailed(text) => redrive_failed(store, text.as_deref(), now_ms, out).await,
    }
}

async fn status(store: &dyn Store, now_ms: i64, out: &mut impl Write) -> Result<()> {
    let report = store.status().await?;
    let counts = |by_state: &BTreeMap<RowState, u64>| {
        RowState::ALL
            .iter()
            .map(|state| {
                let count = by_state.get(state).copied().unwrap_or(0);
                format!("{} {count}", state.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "rows: {}", counts(&report.by_state))?;
    for ((ats, job), by_state) in &report.by_job {
        writeln!(out, "  {ats} job {job}: {}", counts(by_state))?;
    }
    match report.failed.len() {
        0 => writeln!(out, "no failed rows")?,
        STATUS_FAILED_LIMIT => writeln!(
            out,
            "failed rows, the newest {STATUS_FAILED_LIMIT} (ATS/application/interview):"
        )?,
        _ => writeln!(
            out,
            "failed rows, newest first (ATS/application/interview):"
        )?,
    }
    for row in &report.failed {
        writeln!(out, "  {}", describe_failed(row, now_ms))?;
    }
    Ok(())
}

/// One failed row on one line: key, the state it failed from, attempts, age, error.
fn describe_failed(row: &LedgerRow, now_ms: i64) -> String {
    let from = row.failed_from.map_or("?", RowState::as_str);
    let error = row.last_error.as_deref().unwrap_or("(no error recorded)");
    format!(
        "{}  failed while {from}, {} attempt(s), {} ago: {error}",
        row.key,
        row.attempts,
        age(now_ms - row.updated_at_ms)
    )
}

/// A duration in the largest whole unit that fits.
fn age(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// Re-drive failed rows page by page: the store lists the newest failed rows, and each
/// one re-driven leaves that list, so older ones come into view. A row is tried once
/// per run, even if the server's engine fails it again meanwhile.
async fn redrive_failed(
    store: &dyn Store,
    text: Option<&str>,
    now_ms: i64,
    out: &mut impl Write,
) -> Result<()> {
    let mut tried = BTreeSet::new();
    let mut redriven = 0;
    loop {
        let listed = store.status().await?.failed;
        let full_page = listed.len() == STATUS_FAILED_LIMIT;
        let batch: Vec<LedgerRow> = listed
            .into_iter()
            .filter(|row| !tried.contains(&row.key))
            .filter(|row| text.is_none_or(|t| row.last_error.as_deref().unwrap_or("").contains(t)))
            .collect();
        if batch.is_empty() {
            if full_page {
                writeln!(
                    out,
                    "the store lists the newest {STATUS_FAILED_LIMIT} failed rows and none of \
                     those is left to re-drive; older failed rows were not reached"
                )?;
            }
            break;
        }
        for row in batch {
            match store.redrive(&row.key, now_ms).await {
                Ok(()) => {
                    redriven += 1;
                    writeln!(out, "re-driven: {}", row.key)?;
                }
                // Re-driven or cancelled by someone else since it was listed.
                Err(StoreError::Conflict(_)) => writeln!(out, "no longer failed: {}", row.key)?,
                Err(error) => return Err(error.into()),
            }
            tried.insert(row.key);
        }
    }
    writeln!(out, "{redriven} row(s) re-driven")?;
    Ok(())
}
