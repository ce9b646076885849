//! The server example's configuration file: everything that is not a secret. Secrets
//! (API keys, webhook secrets, `DATABASE_URL`) come from the environment only, so the
//! file can be committed and reviewed like code.
//!
//! Unknown keys are refused rather than ignored: a misspelt `reconcile_interval_sec`
//! silently falling back to the default is the kind of mistake found in production.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ats_bridge::engine::{EngineConfig, LateResults, ParticipantChecks};
use ats_bridge::rules::{Rules, RulesError};
use ats_bridge::smartrecruiters::SmartRecruitersAtsConfig;
use serde::Deserialize;
use smartrecruiters_client::JobStatus;

use crate::fleet_config::{FleetSettings, OAuthSettings, ServerMode};
use crate::limits_config::LimitSettings;

/// The whole file (see `examples/server.toml` for a commented sample).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// `single` (default): one customer, configured here and in the environment;
    /// `connections`: many customers, stored in the database and managed through the
    /// admin API (see [`crate::fleet_server`]).
    #[serde(default)]
    pub mode: ServerMode,
    /// Where the HTTP server listens; port 0 picks a free port.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The base URL vendors deliver webhooks to (the intake behind your proxy), used to
    /// print the webhook URLs; on the sandbox the bound address is used instead.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The SQLite ledger file when `DATABASE_URL` is unset. On the sandbox a fresh
    /// temporary one is used instead.
    #[serde(default = "default_sqlite_path")]
    pub sqlite_path: PathBuf,
    /// How often `/health` reads the ledger's counts, in milliseconds (requests only
    /// read the latest answer). Default 5,000.
    #[serde(default = "default_health_refresh_ms")]
    pub health_refresh_ms: u64,
    /// How long the oldest unprocessed webhook delivery may wait before
    /// `/health/ready` answers 503, in seconds. Default 600.
    #[serde(default = "default_inbox_stuck_after_secs")]
    pub inbox_stuck_after_secs: u64,
    /// The HTTP server's limits: header read timeout, shutdown grace period.
    #[serde(default)]
    pub http: crate::serve::ServeOptions,
    /// How the engine runs.
    #[serde(default)]
    pub engine: EngineSettings,
    /// The SmartRecruiters connection's settings.
    #[serde(default)]
    pub smartrecruiters: SmartRecruitersSettings,
    /// Which stages send which interview (the `ats_bridge::rules` TOML shape under
    /// `[rules]`). Required with live APIs; on the sandbox the demo's rules are used
    /// when absent.
    #[serde(default)]
    pub rules: Option<Rules>,
    /// Connections mode: how work is shared among connections (defaults when absent).
    /// Refused in single mode.
    #[serde(default)]
    pub fleet: Option<FleetSettings>,
    /// Connections mode: the OAuth apps customers connect through. Refused in single
    /// mode.
    #[serde(default)]
    pub oauth: Option<OAuthSettings>,
    /// Each vendor's pacing instead of its client's defaults (`[limits.willo]`,
    /// `[limits.lever]`, `[limits.smartrecruiters]`), in either mode; in connections
    /// mode a connection's own limits win over them.
    #[serde(default)]
    pub limits: LimitSettings,
}

/// The engine's settings, in whole units so the file reads without a duration syntax.
/// Missing keys take the engine's production defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineSettings {
    /// How often due retries are looked for, in milliseconds.
    pub tick_ms: u64,
    /// How often the reconciler re-reads the trigger stages, in seconds; 0 turns it off
    /// (then only webhooks bring news).
    pub reconcile_interval_secs: u64,
    /// Items handled at once.
    pub concurrency: usize,
    /// Record what would be sent and send nothing: for a first run against live data.
    pub dry_run: bool,
    /// Look the candidate's email up among the interview's Willo participants before
    /// every first invite: for one person reaching an interview as several candidates
    /// (several ATS connections, duplicate records). Costs a page per 30 participants.
    pub look_up_before_first_invite: bool,
    /// Hours processed webhook deliveries are kept (they can name a participant); 0
    /// keeps them.
    pub inbox_retention_hours: u64,
    /// Polling of invited participants who have not answered.
    pub participant_checks: ParticipantCheckSettings,
    /// How often Willo's interview list is read again for `[[rules.interview_tags]]`,
    /// in seconds; 0 reads it at start only.
    pub interview_refresh_secs: u64,
    /// Transcripts, summaries, reviewers' scores and comments that arrive after the
    /// results note.
    pub late_results: LateResultSettings,
    /// The default region (`GB`, `US`, …) per ATS connection for phone numbers written
    /// without a country code; needs ats-bridge's `phone-numbers` feature.
    pub phone_regions: BTreeMap<String, String>,
}

/// When to look for late results after the results note, and what to write.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LateResultSettings {
    /// Seconds after the results note at which Willo is checked again, until every
    /// answer has its transcript and summary (default `[300, 1800, 10800]`).
    pub checks_after_secs: Vec<u64>,
    /// Write reviewers' scores.
    pub scores: bool,
    /// Write reviewers' comments.
    pub comments: bool,
}

impl Default for LateResultSettings {
    fn default() -> Self {
        let late = LateResults::default();
        Self {
            checks_after_secs: late.checks_after.iter().map(Duration::as_secs).collect(),
            scores: late.scores,
            comments: late.comments,
        }
    }
}

/// The SmartRecruiters connection's settings (secrets come from the environment).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmartRecruitersSettings {
    /// Send phone numbers with invites; false sends none and saves reading each
    /// profile the reconciler finds (see `SmartRecruitersAtsConfig::phones_in_invites`).
    pub phones_in_invites: bool,
    /// Job statuses that count as open (default `SOURCING`, `INTERVIEW`, `OFFER`).
    /// Jobs in any other status (`ON_HOLD`, `FILLED`, `CANCELLED`…) stop inviting at
    /// the next reconciler pass or job webhook.
    pub job_status_allow_list: Vec<String>,
}

impl Default for SmartRecruitersSettings {
    fn default() -> Self {
        let defaults = SmartRecruitersAtsConfig::new();
        Self {
            phones_in_invites: defaults.phones_in_invites,
            job_status_allow_list: defaults
                .job_status_allow_list
                .iter()
                .map(|status| status.as_str().to_owned())
                .collect(),
        }
    }
}

impl SmartRecruitersSettings {
    /// The allow-list as SmartRecruiters statuses (a status the API schema does not
    /// list is kept as written: the UI shows more than the schema).
    pub fn job_statuses(&self) -> Vec<JobStatus> {
        self.job_status_allow_list
            .iter()
            .map(|status| JobStatus::from(status.trim()))
            .collect()
    }
}

/// When unanswered invitations are checked in Willo (rarely: Willo throttles polling).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParticipantCheckSettings {
    /// First check this many seconds after the invite.
    pub after_secs: u64,
    /// Seconds between checks (doubled each time).
    pub interval_secs: u64,
    /// Checks per participant.
    pub max_checks: u32,
}

/// Why the configuration could not be loaded.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        /// Which file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Not valid TOML, or a key that does not exist, or a value of the wrong type (the
    /// message names the line and the key).
    Parse(String),
    /// The `[rules]` table is well-formed but wrong (the message names the entry).
    Rules(RulesError),
    /// A value out of range.
    Invalid(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, source } => write!(f, "cannot read {path}: {source}"),
            ConfigError::Parse(message) => write!(f, "bad configuration: {message}"),
            ConfigError::Rules(error) => write!(f, "bad [rules]: {error}"),
            ConfigError::Invalid(message) => write!(f, "bad configuration: {message}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            ConfigError::Rules(error) => Some(error),
            _ => None,
        }
    }
}

impl ServerConfig {
    /// Read and check the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Parse and check a configuration; the rules are validated here so a bad entry
    /// stops the server at start, not at the first candidate.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        if let Some(rules) = &config.rules {
            rules.validate().map_err(ConfigError::Rules)?;
        }
        if config.health_refresh_ms == 0 {
            return Err(ConfigError::Invalid(
                "health_refresh_ms must be at least 1".into(),
            ));
        }
        if config.engine.tick_ms == 0 {
            return Err(ConfigError::Invalid(
                "engine.tick_ms must be at least 1".into(),
            ));
        }
        let statuses = &config.smartrecruiters.job_status_allow_list;
        if statuses.is_empty() || statuses.iter().any(|s| s.trim().is_empty()) {
            return Err(ConfigError::Invalid(
                "smartrecruiters.job_status_allow_list needs at least one status, none empty \
                 (with none, no job would ever invite)"
                    .into(),
            ));
        }
        if config.engine.concurrency == 0 {
            return Err(ConfigError::Invalid(
                "engine.concurrency must be at least 1".into(),
            ));
        }
        config.limits.check().map_err(ConfigError::Invalid)?;
        config.check_mode()?;
        Ok(config)
    }
}

impl ServerConfig {
    /// The `[fleet]` settings (their defaults when the section is absent).
    pub fn fleet_settings(&self) -> FleetSettings {
        self.fleet.clone().unwrap_or_default()
    }

    /// Sections that belong to the other mode are refused rather than ignored: rules
    /// in connections mode would silently do nothing (each connection has its own).
    fn check_mode(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| Err(ConfigError::Invalid(message.to_owned()));
        match self.mode {
            ServerMode::Single if self.fleet.is_some() || self.oauth.is_some() => invalid(
                "[fleet] and [oauth] need mode = \"connections\" (single mode runs one customer)",
            ),
            ServerMode::Connections if self.rules.is_some() => invalid(
                "[rules] are not read in connections mode: each connection has its own \
                 rules (the admin API's `config.rules`)",
            ),
            ServerMode::Connections => match self.fleet_settings().problem() {
                Some(problem) => invalid(problem),
                None => Ok(()),
            },
            ServerMode::Single => Ok(()),
        }
    }
}

impl EngineSettings {
    /// The engine configuration these settings describe (the rest at its defaults).
    pub fn engine_config(&self) -> EngineConfig {
        let checks = &self.participant_checks;
        let mut config = EngineConfig::default();
        config.tick = Duration::from_millis(self.tick_ms);
        config.reconcile_interval = (self.reconcile_interval_secs > 0)
            .then(|| Duration::from_secs(self.reconcile_interval_secs));
        config.concurrency = self.concurrency;
        config.dry_run = self.dry_run;
        config.look_up_before_first_invite = self.look_up_before_first_invite;
        config.inbox_retention = (self.inbox_retention_hours > 0)
            .then(|| Duration::from_secs(self.inbox_retention_hours * 3600));
        config.interview_refresh = (self.interview_refresh_secs > 0)
            .then(|| Duration::from_secs(self.interview_refresh_secs));
        config.participant_checks = ParticipantChecks::new(
            Duration::from_secs(checks.after_secs),
            Duration::from_secs(checks.interval_secs),
            checks.max_checks,
        );
        let late = &self.late_results;
        config.late_results = LateResults::new(
            late.checks_after_secs
                .iter()
                .copied()
                .map(Duration::from_secs)
                .collect(),
        )
        .scores(late.scores)
        .comments(late.comments);
        config.phone_regions = self
            .phone_regions
            .iter()
            .map(|(ats, region)| (ats.as_str().into(), region.clone()))
            .collect();
        config
    }
}

// The defaults are the engine's own, so an empty `[engine]` table changes nothing.
impl Default for EngineSettings {
    fn default() -> Self {
        let engine = EngineConfig::default();
        Self {
            tick_ms: engine.tick.as_millis() as u64,
            reconcile_interval_secs: engine.reconcile_interval.map_or(0, |i| i.as_secs()),
            concurrency: engine.concurrency,
            dry_run: engine.dry_run,
            look_up_before_first_invite: engine.look_up_before_first_invite,
            inbox_retention_hours: engine.inbox_retention.map_or(0, |r| r.as_secs() / 3600),
            participant_checks: ParticipantCheckSettings::default(),
            interview_refresh_secs: engine.interview_refresh.map_or(0, |i| i.as_secs()),
            late_results: LateResultSettings::default(),
            phone_regions: BTreeMap::new(),
        }
    }
}

impl Default for ParticipantCheckSettings {
    fn default() -> Self {
        let checks = ParticipantChecks::default();
        Self {
            after_secs: checks.after.as_secs(),
            interval_secs: checks.interval.as_secs(),
            max_checks: checks.max_checks,
        }
    }
}

fn default_sqlite_path() -> PathBuf {
    PathBuf::from("bridge.db")
}

fn default_health_refresh_ms() -> u64 {
    5_000
}

fn default_inbox_stuck_after_secs() -> u64 {
    crate::health::DEFAULT_INBOX_STUCK_AFTER.as_secs()
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
