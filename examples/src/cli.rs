//! The command lines of the tool examples — `setup`, `ledger` and `server` — parsed
//! with clap: `--help` on each command and subcommand, errors that name the argument
//! at fault. The examples turn these into what they run.

use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Parser, Subcommand};

/// The server's configuration file when none is named: `examples/server.toml`.
pub fn default_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("server.toml")
}

/// `setup`: prepare the vendors for a bridge.
#[derive(Debug, Parser)]
#[command(
    name = "setup",
    about = "Register the bridge's webhooks with Willo, SmartRecruiters and Lever, remove \
             them, or check the connections",
    long_about = "Register the bridge's webhooks with Willo, SmartRecruiters and Lever \
                  (idempotently: run it on every deploy), remove them, or check the \
                  connections.\n\nThe APIs come from the environment (WILLO_API_KEY, \
                  SMARTRECRUITERS_API_KEY, LEVER_API_KEY, …); without WILLO_API_KEY \
                  everything runs on a local sandbox."
)]
pub struct SetupCli {
    /// What to do.
    #[command(subcommand)]
    pub command: SetupCommand,
}

/// The subcommands of `setup`.
#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// List the jobs, stages and interviews rules refer to, then register the webhooks
    /// once per vendor and event (adopting, repointing or replacing what is there).
    Register(RegisterArgs),
    /// Remove every webhook the bridge registered, with every configured vendor.
    Teardown,
    /// Check each connection and print a checklist: credentials, the permissions the
    /// workflow needs (naming a missing one), the stages and interviews the rules
    /// name, the webhooks registered at the public URL and the intake reachable there.
    /// Fails when a check fails.
    Verify(VerifyArgs),
    /// Show which rule each open job matches at each trigger stage (and why none
    /// does), and the Lever interview tags to put on postings for the configuration's
    /// `[[rules.interview_tags]]`.
    Rules(RulesArgs),
}

/// `setup rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// The server configuration whose `[rules]` are shown (default:
    /// examples/server.toml; on the sandbox without rules, an example rule set).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `setup register`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("secrets").required(true).args(["secrets_file", "print_env"])))]
pub struct RegisterArgs {
    /// The bridge's public base URL, where the vendors deliver (default: $PUBLIC_URL;
    /// ignored on the sandbox).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Write the webhook secrets to this environment file (created with mode 0600;
    /// other lines of an existing file are kept).
    #[arg(long, value_name = "PATH")]
    pub secrets_file: Option<PathBuf>,
    /// Print the webhook secrets as KEY=value lines on stdout instead.
    #[arg(long)]
    pub print_env: bool,
    /// Give every webhook a new secret (SmartRecruiters keeps signing with the old key
    /// for 24 h; Lever webhooks are recreated).
    #[arg(long)]
    pub rotate_secrets: bool,
}

/// `setup verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The server configuration whose rules and public_url are checked (default:
    /// examples/server.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The bridge's public base URL, whose webhooks are checked (default:
    /// $PUBLIC_URL, else the configuration's public_url).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

/// `ledger`: the operator's view of the bridge's ledger.
#[derive(Debug, Parser)]
#[command(
    name = "ledger",
    about = "Where the bridge's ledger rows stand, and re-driving failed ones",
    long_about = "Where the bridge's ledger rows stand, and re-driving failed ones.\n\n\
                  Opens the store the server uses: DATABASE_URL, else the sqlite_path of \
                  the server's configuration. Safe while the server runs."
)]
pub struct LedgerCli {
    /// The server configuration (default: examples/server.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Answer in JSON (one document on stdout) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// The subcommands of `ledger`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Rows per state and per job, and the failed rows with their errors.
    Status,
    /// Put one failed row back where it failed, or make one waiting row (held for a
    /// mandatory mapped field, or for a retry) due now.
    Redrive {
        /// The ATS (`smartrecruiters`, `lever`, …).
        ats: String,
        /// The application id.
        application: String,
        /// The Willo interview key.
        interview: String,
    },
    /// Put every failed row back, or only those whose error contains TEXT.
    RedriveFailed {
        /// Only rows whose error contains this text.
        text: Option<String>,
    },
}

/// `server`: the bridge as a service.
#[derive(Debug, Parser)]
#[command(
    name = "server",
    about = "The bridge as a service: webhook intake, /health, the engine and its reconciler",
    long_about = "The bridge as a service: webhook intake, /health, the engine and its \
                  reconciler.\n\nWith WILLO_API_KEY set it runs against the live APIs named \
                  in the environment and reads the webhook secrets setup wrote; without it, \
                  it starts the sandbox."
)]
pub struct ServerCli {
    /// The configuration file (default: examples/server.toml).
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,
}

impl ServerCli {
    /// The configuration file to load.
    pub fn config_path(&self) -> PathBuf {
        self.config.clone().unwrap_or_else(default_config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definitions_are_consistent() {
        SetupCli::command().debug_assert();
        LedgerCli::command().debug_assert();
        ServerCli::command().debug_assert();
    }

    #[test]
    fn register_needs_a_place_for_the_secrets() {
        let error = SetupCli::try_parse_from(["setup", "register"]).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("--secrets-file"), "{text}");
        assert!(text.contains("--print-env"), "{text}");
        let both =
            SetupCli::try_parse_from(["setup", "register", "--print-env", "--secrets-file", "x"]);
        assert!(both.is_err(), "one place, not two");
        let cli = SetupCli::try_parse_from([
            "setup",
            "register",
            "--secrets-file",
            "bridge.env",
            "--rotate-secrets",
        ])
        .unwrap();
        match cli.command {
            SetupCommand::Register(args) => {
                assert_eq!(args.secrets_file, Some(PathBuf::from("bridge.env")));
                assert!(args.rotate_secrets && !args.print_env);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ledger_options_go_before_or_after_the_subcommand() {
        let cli = LedgerCli::try_parse_from(["ledger", "status", "--json"]).unwrap();
        assert!(cli.json);
        let cli =
            LedgerCli::try_parse_from(["ledger", "--config", "p.toml", "redrive-failed", "E.164"])
                .unwrap();
        assert_eq!(cli.config, Some(PathBuf::from("p.toml")));
        assert!(matches!(
            cli.command,
            LedgerCommand::RedriveFailed { text: Some(t) } if t == "E.164"
        ));
    }

    #[test]
    fn the_server_takes_an_optional_config_file() {
        let cli = ServerCli::try_parse_from(["server"]).unwrap();
        assert_eq!(cli.config_path(), default_config());
        let cli = ServerCli::try_parse_from(["server", "/etc/bridge.toml"]).unwrap();
        assert_eq!(cli.config_path(), PathBuf::from("/etc/bridge.toml"));
    }

    #[test]
    fn help_describes_every_subcommand() {
        let help = SetupCli::command().render_long_help().to_string();
        for word in ["register", "teardown", "verify"] {
            assert!(help.contains(word), "{help}");
        }
    }
}
