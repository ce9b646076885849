//! First-time (and every-time) setup of a bridge: lists what the rules refer to
//! (SmartRecruiters jobs and statuses, Lever postings and stages, Willo interviews)
//! and registers the bridge's webhooks with each vendor, idempotently: run it again
//! and it adopts what is there, repoints webhooks left at an old URL, and removes
//! duplicates, leaving one webhook per vendor and event. The secrets go where you
//! say: an environment file created with mode 0600, or stdout with `--print-env`.
//!
//! ```sh
//! cargo run -p examples --example setup -- register --secrets-file bridge.env  # sandbox
//! WILLO_API_KEY=… SMARTRECRUITERS_API_KEY=… cargo run -p examples --example setup -- \
//!   register --public-url https://bridge.example.com --secrets-file /etc/bridge/secrets.env
//! cargo run -p examples --example setup -- register --secrets-file bridge.env --rotate-secrets
//! cargo run -p examples --example setup -- teardown   # remove the bridge's webhooks
//! cargo run -p examples --example setup -- verify --config /etc/bridge/server.toml
//! cargo run -p examples --example setup -- rules --config /etc/bridge/server.toml
//! cargo run -p examples --example setup -- --help
//! ```
//!
//! Live, SmartRecruiters activates its subscription only after the bridge at
//! `PUBLIC_URL` answers a handshake: start the server there first (it answers the
//! handshake before it has the secret). On the sandbox, a local receiver answers it.

use std::io::Write;

use ats_bridge::Ats;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::registration::{
    Change, SecretPolicy, SmartRecruitersRegistration, activate_smartrecruiters, ensure_lever,
    ensure_smartrecruiters, ensure_willo, teardown_lever, teardown_smartrecruiters, teardown_willo,
    webhook_url,
};
use ats_bridge::rules::{
    Choice, InterviewDirectory, JobConditions, JobSelector, Rules, TitlePattern, Trigger,
};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_sandbox::SandboxConfig;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use clap::Parser;
use examples::cli::{RegisterArgs, RulesArgs, SetupCli, SetupCommand, VerifyArgs, default_config};
use examples::cli_secrets::{SecretUpdate, SecretUpdates, SecretsTo, deliver};
use examples::cli_verify::VerifyScope;
use examples::server_config::ServerConfig;
use examples::webhooks::WebhookSecrets;
use examples::webhooks::new_url_token;
use examples::{Connections, Result, env};
use futures::TryStreamExt;
use smartrecruiters_client::webhooks::handshake_response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use willo_client::ListParams;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = SetupCli::parse();
    examples::log_from(tracing::Level::WARN);
    let connections = Connections::from_env_or_sandbox(SandboxConfig::default()).await?;
    let mut out = std::io::stdout();
    let result = match cli.command {
        SetupCommand::Register(args) => {
            register(&connections, &RegisterOptions::from(args), &mut out).await
        }
        SetupCommand::Teardown => teardown(&connections, &mut out).await,
        SetupCommand::Verify(args) => verify(&connections, args, &mut out).await,
        SetupCommand::Rules(args) => rules(&connections, args, &mut out).await,
    };
    connections.close().await;
    result
}

impl From<RegisterArgs> for RegisterOptions {
    fn from(args: RegisterArgs) -> Self {
        let secrets_to = match args.secrets_file {
            Some(path) => SecretsTo::File(path),
            None => SecretsTo::Stdout,
        };
        Self {
            public_url: args.public_url.or_else(|| env("PUBLIC_URL")),
            secrets_to,
            policy: if args.rotate_secrets {
                SecretPolicy::Rotate
            } else {
                SecretPolicy::Keep
            },
        }
    }
}

/// How `setup register` runs.
#[derive(Debug, Clone)]
pub struct RegisterOptions {
    /// The bridge's public base URL (ignored on the sandbox, which delivers to a local
    /// receiver).
    pub public_url: Option<String>,
    /// Where the secrets go.
    pub secrets_to: SecretsTo,
    /// Keep or rotate the secrets of adopted webhooks.
    pub policy: SecretPolicy,
}

/// List the vendors' jobs, stages and interviews, then make sure the webhooks for the
/// bridge at the public URL are registered once each, and deliver their secrets.
pub async fn register(
    connections: &Connections,
    options: &RegisterOptions,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out, "Connected to {}.\n", connections.describe())?;
    if let Some(client) = &connections.smartrecruiters {
        let ats = SmartRecruitersAts::new(client.clone(), SmartRecruitersAtsConfig::new());
        list_ats(&ats, "SmartRecruiters jobs", out).await?;
    }
    if let Some(client) = &connections.lever {
        // Listing writes nothing, so no user to write as is needed yet.
        let perform_as = connections.lever_perform_as.clone().unwrap_or_default();
        let ats = LeverAts::new(client.clone(), LeverAtsConfig::new(perform_as));
        list_ats(&ats, "Lever postings", out).await?;
    }
    list_interviews(connections, out).await?;
    writeln!(
        out,
        "`setup rules --config server.toml` shows which rule each open job matches.\n"
    )?;

    let receiver = match &connections.sandbox {
        Some(_) => Some(HandshakeReceiver::start().await?),
        None => None,
    };
    let public_url = match (&receiver, &options.public_url) {
        (Some(receiver), _) => receiver.url.clone(),
        (None, Some(url)) => url.clone(),
        (None, None) => return Err("set PUBLIC_URL to the bridge's public base URL".into()),
    };
    let (secrets, smartrecruiters) =
        ensure_webhooks(connections, &public_url, options.policy, out).await?;
    // Before activating: should activation fail, the secrets are not lost.
    deliver(&secrets, &options.secrets_to, out)?;
    if let (Some(client), Some(registration)) = (&connections.smartrecruiters, smartrecruiters) {
        if registration.active {
            writeln!(out, "SmartRecruiters subscription already active.")?;
        } else {
            activate_smartrecruiters(client, &registration.subscription)
                .await
                .map_err(|e| {
                    format!(
                        "activating the SmartRecruiters subscription failed ({e}); \
                         the bridge must be serving at {public_url} to answer the handshake"
                    )
                })?;
            writeln!(out, "SmartRecruiters subscription active.")?;
        }
    }
    if let Some(receiver) = receiver {
        receiver.stop();
    }
    Ok(())
}

/// Register (or adopt) every configured vendor's webhooks for `public_url`, print
/// what changed, and return the secrets to deliver and the SmartRecruiters
/// subscription to activate.
async fn ensure_webhooks(
    connections: &Connections,
    public_url: &str,
    policy: SecretPolicy,
    out: &mut impl Write,
) -> Result<(SecretUpdates, Option<SmartRecruitersRegistration>)> {
    let mut changes: Vec<Change> = Vec::new();
    let mut secrets = SecretUpdates::default();
    let smartrecruiters = match &connections.smartrecruiters {
        Some(client) => {
            let url = webhook_url(public_url, "smartrecruiters");
            let registration = ensure_smartrecruiters(client, &url, policy).await?;
            changes.extend(registration.changes.iter().cloned());
            secrets.push(
                "SMARTRECRUITERS_WEBHOOK_SECRET",
                SecretUpdate::Set(registration.subscription.secret.clone()),
            );
            Some(registration)
        }
        None => None,
    };
    if let Some(client) = &connections.lever {
        let registration = ensure_lever(client, &webhook_url(public_url, "lever"), policy).await?;
        changes.extend(registration.changes.iter().cloned());
        let new = registration.new_tokens();
        let update = if registration.all_tokens_new() {
            SecretUpdate::set_list(&new)
        } else if new.is_empty() {
            SecretUpdate::Keep
        } else {
            SecretUpdate::Append(new)
        };
        secrets.push("LEVER_SIGNATURE_TOKENS", update);
    }
    let willo = ensure_willo(&connections.willo, public_url, new_url_token()?, policy).await?;
    changes.extend(willo.changes.iter().cloned());
    secrets.push("WILLO_WEBHOOK_TOKEN", SecretUpdate::Set(willo.token));

    writeln!(out, "Webhooks for {public_url}:")?;
    for change in &changes {
        writeln!(out, "  {change}")?;
    }
    writeln!(out)?;
    Ok((secrets, smartrecruiters))
}

/// Check every connection against the configuration's rules and the public URL,
/// print the checklist, and fail when a check failed.
async fn verify(connections: &Connections, args: VerifyArgs, out: &mut impl Write) -> Result<()> {
    let config = ServerConfig::load(&args.config.unwrap_or_else(default_config))?;
    let public_url = args
        .public_url
        .or_else(|| env("PUBLIC_URL"))
        .or(config.public_url.clone());
    let secrets = WebhookSecrets::from_env();
    let scope = VerifyScope {
        rules: config.rules.as_ref(),
        public_url: public_url.as_deref(),
        reachable: true,
        secrets: Some(&secrets),
    };
    print_verification(connections, &scope, out).await
}

/// Verify `scope` on `connections` and print the checklist; an error when a check
/// failed, naming how many.
pub async fn print_verification(
    connections: &Connections,
    scope: &VerifyScope<'_>,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out, "Verifying {}:", connections.describe())?;
    let report = examples::cli_verify::verify(connections, scope).await;
    write!(out, "{report}")?;
    match report.failures().count() {
        0 => Ok(writeln!(out, "All checks passed.")?),
        n => Err(format!("{n} check(s) failed").into()),
    }
}

/// `setup rules`: the configuration's rules (on the sandbox without any, an example
/// set) against the connected ATSs' open jobs.
async fn rules(connections: &Connections, args: RulesArgs, out: &mut impl Write) -> Result<()> {
    let config = ServerConfig::load(&args.config.unwrap_or_else(default_config))?;
    let rules = match (config.rules, &connections.sandbox) {
        (Some(rules), _) => rules,
        (None, Some(_)) => example_rules(connections).await?,
        (None, None) => return Err("the configuration has no [rules] to show".into()),
    };
    print_rules(connections, &rules, out).await
}

/// On the sandbox: the first job (by title) sends the first interview, every other
/// job the second, and Lever postings tagged for an interview of the account
/// `Sandbox` send it.
pub async fn example_rules(connections: &Connections) -> Result<Rules> {
    let interviews = InterviewDirectory::fetch(&connections.willo).await?;
    let keys: Vec<_> = interviews
        .interviews()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    let (first, other) = match keys.as_slice() {
        [first, second, ..] => (first.clone(), second.clone()),
        [only] => (only.clone(), only.clone()),
        [] => return Err("the sandbox has no interview".into()),
    };
    let first_job = JobConditions::new().title(TitlePattern::new(" 1$")?);
    let sr_stage =
        ats_bridge::smartrecruiters::stage_id(&examples::demo::SMARTRECRUITERS_TRIGGER, None);
    let lever_stage = examples::demo::LEVER_TRIGGER;
    Ok(Rules::new()
        .with_trigger(
            Trigger::new(
                "smartrecruiters",
                JobSelector::Any,
                [sr_stage.clone()],
                first.clone(),
            )
            .when(first_job.clone()),
        )
        .trigger(
            "smartrecruiters",
            JobSelector::Any,
            [sr_stage],
            other.clone(),
        )
        .interview_tags("lever", "Sandbox", [lever_stage])
        .with_trigger(Trigger::new("lever", JobSelector::Any, [lever_stage], first).when(first_job))
        .trigger("lever", JobSelector::Any, [lever_stage], other))
}

/// For each connected ATS the rules name: every open job, and at each stage the rules
/// name, the rule that matches first and its interview. Then the interview tags to
/// create for each `[[interview_tags]]` account.
pub async fn print_rules(
    connections: &Connections,
    rules: &Rules,
    out: &mut impl Write,
) -> Result<()> {
    let interviews = InterviewDirectory::fetch(&connections.willo).await?;
    let titles = |key: &ats_bridge::model::InterviewKey| {
        interviews
            .interviews()
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(String::new, |(_, title)| format!(" ({title})"))
    };
    let mut adapters: Vec<Box<dyn Ats>> = Vec::new();
    if let Some(client) = &connections.smartrecruiters {
        adapters.push(Box::new(SmartRecruitersAts::new(
            client.clone(),
            SmartRecruitersAtsConfig::new(),
        )));
    }
    if let Some(client) = &connections.lever {
        let perform_as = connections.lever_perform_as.clone().unwrap_or_default();
        adapters.push(Box::new(LeverAts::new(
            client.clone(),
            LeverAtsConfig::new(perform_as),
        )));
    }
    for ats in &adapters {
        let name = ats.name();
        if rules.stages_of(&name).is_empty() {
            continue;
        }
        writeln!(
            out,
            "Open jobs of {name} and the rule each matches (first match wins):"
        )?;
        for explained in rules.explain_jobs(ats.as_ref(), &interviews).await? {
            writeln!(
                out,
                "  {:<40} {}",
                explained.job.id.as_str(),
                explained.job.title
            )?;
            for (stage, choice) in &explained.stages {
                let said = match choice {
                    Choice::Send { rule, interview } => {
                        format!("{rule} sends {interview}{}", titles(interview))
                    }
                    Choice::AmbiguousTags { rule, interviews } => format!(
                        "{rule}: tagged for {} interviews, none is sent until one tag is left",
                        interviews.len()
                    ),
                    Choice::NoRule => "no rule".to_owned(),
                };
                writeln!(out, "      at {:<36} {said}", stage.as_str())?;
            }
        }
        writeln!(out)?;
    }
    for rule in &rules.interview_tags {
        writeln!(
            out,
            "Interview tags for {} (account {}); put one on a posting to send its interview:",
            rule.ats, rule.account
        )?;
        for (key, _, tag) in interviews.tags(&rule.account) {
            writeln!(out, "  {tag:<50} {key}")?;
        }
        writeln!(
            out,
            "  Lever has no call that creates a tag on its own: a tag appears when it is first \
             added to a posting (typed into the posting's tags in Lever) or to an opportunity \
             (the API's addTags). `Willo:<interview>:<account>` works as well.\n"
        )?;
    }
    Ok(())
}

/// Remove every webhook the bridge registered with every configured vendor.
pub async fn teardown(connections: &Connections, out: &mut impl Write) -> Result<()> {
    let mut changes = Vec::new();
    if let Some(client) = &connections.smartrecruiters {
        changes.extend(teardown_smartrecruiters(client).await?);
    }
    if let Some(client) = &connections.lever {
        changes.extend(teardown_lever(client).await?);
    }
    changes.extend(teardown_willo(&connections.willo).await?);
    if changes.is_empty() {
        writeln!(out, "No webhook of the bridge was registered.")?;
    }
    for change in &changes {
        writeln!(out, "{change}")?;
    }
    Ok(())
}

/// An ATS's jobs, then the stage ids its rules can name. Both ATSs share stages across
/// jobs (SmartRecruiters' statuses and hiring-process sub-statuses, Lever's account
/// pipeline), so they are listed once, from the first job.
async fn list_ats(ats: &dyn Ats, jobs_label: &str, out: &mut impl Write) -> Result<()> {
    let jobs = ats.jobs().await?;
    writeln!(out, "{jobs_label} (`job` in rules, or \"*\" for all):")?;
    for job in &jobs {
        let (id, state) = (job.id.as_str(), job.state.as_str());
        writeln!(out, "  {id:<40} {state:<8} {}", job.title)?;
    }
    if let Some(job) = jobs.first() {
        writeln!(
            out,
            "Stages of ats = \"{}\" (`stages` in rules):",
            ats.name()
        )?;
        for stage in ats.stages(&job.id).await? {
            writeln!(out, "  {:<40} {}", stage.id.as_str(), stage.name)?;
        }
    }
    writeln!(out)?;
    Ok(())
}

async fn list_interviews(connections: &Connections, out: &mut impl Write) -> Result<()> {
    let interviews: Vec<_> = connections
        .willo
        .interviews()
        .list(ListParams::new())
        .try_collect()
        .await?;
    writeln!(out, "Willo interviews (`interview` in rules):")?;
    for interview in interviews {
        let key = interview.key.as_ref().map_or("?", |k| k.as_str());
        let title = interview.title.as_deref().unwrap_or("");
        writeln!(out, "  {key:<40} {title}")?;
    }
    writeln!(out)?;
    Ok(())
}

/// On the sandbox there is no bridge yet: this stands in for its intake, answering
/// SmartRecruiters' activation handshake and `/health`, and accepting anything else.
pub struct HandshakeReceiver {
    /// Its base URL.
    pub url: String,
    stop: oneshot::Sender<()>,
}

impl HandshakeReceiver {
    /// Serve on a free port of 127.0.0.1.
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = axum::Router::new()
            .route("/webhooks/{source}", post(answer))
            .route("/health", axum::routing::get(|| async { "ok" }));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "the handshake receiver failed");
            }
        });
        Ok(Self { url, stop })
    }

    /// Stop serving.
    pub fn stop(self) {
        let _ = self.stop.send(());
    }
}

async fn answer(headers: HeaderMap) -> Response {
    match handshake_response(&headers) {
        Some(echo) => (StatusCode::OK, [echo]).into_response(),
        None => StatusCode::OK.into_response(),
    }
}
