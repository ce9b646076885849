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
//! cargo run -p examples --example ledger -- status --json    # for scripts
//! cargo run -p examples --example ledger -- --help
//! ```
//!
//! It opens the store the server uses: `DATABASE_URL`, else the `sqlite_path` of the
//! server's configuration (`--config FILE`; default
//! `examples/server.toml`). Safe while the server runs: a redrive is one transition of
//! the row (refused, and reported, for a row that is neither failed nor waiting: a
//! waiting row, such as a write-back held for a mandatory mapped field, is made due
//! now), and the server's engine retries the row on its next tick. It prints ids,
//! states and errors, which hold no names or e-mails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ats_bridge::store::{
    LedgerKey, LedgerRow, RowState, STATUS_FAILED_LIMIT, StatusReport, Store, StoreError,
};
use clap::Parser;
use examples::cli::{LedgerCli, LedgerCommand, default_config};
use examples::server_config::ServerConfig;
use examples::{Result, env, open_store};
use serde_json::{Value, json};

/// What to do with the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Rows per state and per job, and the failed rows with their errors.
    Status,
    /// Put one failed row back where it failed, or make one waiting row due now.
    Redrive(LedgerKey),
    /// Put every failed row back (those whose error contains the text, if given).
    RedriveFailed(Option<String>),
}

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Lines for a person.
    Text,
    /// One JSON document, for scripts and monitoring.
    Json,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The configuration file named by `--config`, if any.
    pub config: Option<std::path::PathBuf>,
    /// Text or JSON.
    pub format: Format,
    /// The command.
    pub command: Command,
}

/// The options in `args` (without the program name).
pub fn parse(args: impl IntoIterator<Item = String>) -> std::result::Result<Options, clap::Error> {
    let cli = LedgerCli::try_parse_from(std::iter::once("ledger".to_owned()).chain(args))?;
    let command = match cli.command {
        LedgerCommand::Status => Command::Status,
        LedgerCommand::Redrive {
            ats,
            application,
            interview,
        } => Command::Redrive(LedgerKey::new(ats, application, interview)),
        LedgerCommand::RedriveFailed { text } => Command::RedriveFailed(text),
    };
    Ok(Options {
        config: cli.config,
        format: if cli.json { Format::Json } else { Format::Text },
        command,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    // `--help` and usage errors print and exit here, with clap's exit codes.
    let options = parse(std::env::args().skip(1)).unwrap_or_else(|error| error.exit());
    match from_command_line(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn from_command_line(options: Options) -> Result<()> {
    let config_path = options.config.unwrap_or_else(default_config);
    let config = ServerConfig::load(&config_path)?;
    let store = open_store(env("DATABASE_URL").as_deref(), &config.sqlite_path).await?;
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    run(
        store.as_ref(),
        &options.command,
        now_ms,
        options.format,
        &mut std::io::stdout().lock(),
    )
    .await
}

/// Carry out `command` on `store` at `now_ms`, reporting to `out` in `format`.
pub async fn run(
    store: &dyn Store,
    command: &Command,
    now_ms: i64,
    format: Format,
    out: &mut impl Write,
) -> Result<()> {
    match (command, format) {
        (Command::Status, Format::Text) => status(store, now_ms, out).await,
        (Command::Status, Format::Json) => {
            let report = store.status().await?;
            print_json(&status_json(&report, now_ms), out)
        }
        (Command::Redrive(key), _) => match store.redrive(key, now_ms).await {
            Ok(()) => match format {
                Format::Text => Ok(writeln!(out, "re-driven: {key}")?),
                Format::Json => print_json(&json!({ "redriven": [key_json(key)] }), out),
            },
            Err(error) => Err(format!("{key} was not re-driven: {error}").into()),
        },
        (Command::RedriveFailed(text), _) => {
            let outcome = redrive_failed(store, text.as_deref(), now_ms).await?;
            match format {
                Format::Text => outcome.write_text(out),
                Format::Json => print_json(&outcome.json(), out),
            }
        }
    }
}

fn print_json(value: &Value, out: &mut impl Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

fn key_json(key: &LedgerKey) -> Value {
    json!({
        "ats": key.ats.as_str(),
        "application": key.application.as_str(),
        "interview": key.interview.as_str(),
    })
}

fn counts_json(by_state: &BTreeMap<RowState, u64>) -> Value {
    RowState::ALL
        .iter()
        .map(|state| {
            let count = by_state.get(state).copied().unwrap_or(0);
            (state.as_str().to_owned(), json!(count))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The status report as JSON: `rows` per state, `jobs` with theirs, the `failed` rows
/// (newest first, at most `failed_limit`) with their errors and ages, and the `warned`
/// rows with their warnings.
fn status_json(report: &StatusReport, now_ms: i64) -> Value {
    let jobs: Vec<Value> = report
        .by_job
        .iter()
        .map(|((ats, job), by_state)| {
            json!({ "ats": ats.as_str(), "job": job.as_str(), "rows": counts_json(by_state) })
        })
        .collect();
    let failed: Vec<Value> = report
        .failed
        .iter()
        .map(|row| {
            json!({
                "key": key_json(&row.key),
                "failed_from": row.failed_from.map(RowState::as_str),
                "attempts": row.attempts,
                "age_ms": (now_ms - row.updated_at_ms).max(0),
                "error": row.last_error,
            })
        })
        .collect();
    let warned: Vec<Value> = report
        .warned
        .iter()
        .map(|row| {
            json!({
                "key": key_json(&row.key),
                "state": row.state.as_str(),
                "age_ms": (now_ms - row.updated_at_ms).max(0),
                "warning": row.warning,
            })
        })
        .collect();
    let waiting: Vec<Value> = report
        .waiting
        .iter()
        .map(|row| {
            json!({
                "key": key_json(&row.key),
                "state": row.state.as_str(),
                "next_attempt_in_ms": row.next_attempt_at_ms.map(|at| (at - now_ms).max(0)),
                "reason": row.last_error,
            })
        })
        .collect();
    json!({
        "rows": counts_json(&report.by_state),
        "jobs": jobs,
        "failed": failed,
        "failed_limit": STATUS_FAILED_LIMIT,
        "warned": warned,
        "waiting": waiting,
    })
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
    if !report.warned.is_empty() {
        writeln!(
            out,
            "rows with a warning, newest first (the workflow went on):"
        )?;
    }
    for row in &report.warned {
        let warning = row.warning.as_deref().unwrap_or_default();
        writeln!(
            out,
            "  {}  {}, {} ago: {warning}",
            row.key,
            row.state,
            age(now_ms - row.updated_at_ms)
        )?;
    }
    if !report.waiting.is_empty() {
        writeln!(
            out,
            "rows waiting after a problem, newest first (`redrive` sends one now):"
        )?;
    }
    for row in &report.waiting {
        let reason = row.last_error.as_deref().unwrap_or_default();
        let next = row.next_attempt_at_ms.unwrap_or(now_ms);
        writeln!(
            out,
            "  {}  {}, again in {}: {reason}",
            row.key,
            row.state,
            age(next - now_ms)
        )?;
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

/// What a `redrive-failed` run did.
#[derive(Debug, Default)]
struct RedriveOutcome {
    redriven: Vec<LedgerKey>,
    no_longer_failed: Vec<LedgerKey>,
    /// The store lists only the newest failed rows, and none of those was left.
    older_not_reached: bool,
}

impl RedriveOutcome {
    fn write_text(&self, out: &mut impl Write) -> Result<()> {
        for key in &self.redriven {
            writeln!(out, "re-driven: {key}")?;
        }
        for key in &self.no_longer_failed {
            writeln!(out, "no longer failed: {key}")?;
        }
        if self.older_not_reached {
            writeln!(
                out,
                "the store lists the newest {STATUS_FAILED_LIMIT} failed rows and none of \
                 those is left to re-drive; older failed rows were not reached"
            )?;
        }
        writeln!(out, "{} row(s) re-driven", self.redriven.len())?;
        Ok(())
    }

    fn json(&self) -> Value {
        json!({
            "redriven": self.redriven.iter().map(key_json).collect::<Vec<_>>(),
            "no_longer_failed": self.no_longer_failed.iter().map(key_json).collect::<Vec<_>>(),
            "older_not_reached": self.older_not_reached,
        })
    }
}

/// Re-drive failed rows page by page: the store lists the newest failed rows, and each
/// one re-driven leaves that list, so older ones come into view. A row is tried once
/// per run, even if the server's engine fails it again meanwhile.
async fn redrive_failed(
    store: &dyn Store,
    text: Option<&str>,
    now_ms: i64,
) -> Result<RedriveOutcome> {
    let mut tried = BTreeSet::new();
    let mut outcome = RedriveOutcome::default();
    loop {
        let listed = store.status().await?.failed;
        let full_page = listed.len() == STATUS_FAILED_LIMIT;
        let batch: Vec<LedgerRow> = listed
            .into_iter()
            .filter(|row| !tried.contains(&row.key))
            .filter(|row| text.is_none_or(|t| row.last_error.as_deref().unwrap_or("").contains(t)))
            .collect();
        if batch.is_empty() {
            outcome.older_not_reached = full_page;
            break;
        }
        for row in batch {
            match store.redrive(&row.key, now_ms).await {
                Ok(()) => outcome.redriven.push(row.key.clone()),
                // Re-driven or cancelled by someone else since it was listed.
                Err(StoreError::Conflict(_)) => outcome.no_longer_failed.push(row.key.clone()),
                Err(error) => return Err(error.into()),
            }
            tried.insert(row.key);
        }
    }
    Ok(outcome)
}
