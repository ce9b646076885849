//! First-time setup of a bridge: lists what the rules refer to (SmartRecruiters jobs
//! and statuses, Lever postings and stages, Willo interviews) and registers the
//! bridge's webhooks with each vendor, printing the secrets the server needs.
//!
//! ```sh
//! cargo run -p examples --example setup                     # on the sandbox
//! PUBLIC_URL=https://bridge.example.com WILLO_API_KEY=… SMARTRECRUITERS_API_KEY=… \
//!   cargo run -p examples --example setup                   # live
//! ```
//!
//! Live, SmartRecruiters activates its subscription only after the bridge at
//! `PUBLIC_URL` answers a handshake: start the server there first (it answers the
//! handshake before it has the secret). On the sandbox, a local receiver answers it.

use std::io::Write;

use ats_bridge::Ats;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_sandbox::SandboxConfig;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use client_core::ExposeSecret;
use examples::webhooks::{Registration, register};
use examples::{Connections, Result, env};
use futures::TryStreamExt;
use smartrecruiters_client::webhooks::handshake_response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use willo_client::ListParams;

#[tokio::main]
async fn main() -> Result<()> {
    examples::log_from(tracing::Level::WARN);
    let connections = Connections::from_env_or_sandbox(SandboxConfig::default()).await?;
    let public_url = env("PUBLIC_URL");
    let result = run(&connections, public_url.as_deref(), &mut std::io::stdout()).await;
    connections.close().await;
    result
}

/// List the vendors' jobs, stages and interviews, then register the webhooks for the
/// bridge at `public_url` (ignored on the sandbox, which delivers to a local
/// receiver) and print their secrets.
pub async fn run(
    connections: &Connections,
    public_url: Option<&str>,
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

    let receiver = match &connections.sandbox {
        Some(_) => Some(HandshakeReceiver::start().await?),
        None => None,
    };
    let public_url = match (&receiver, public_url) {
        (Some(receiver), _) => receiver.url.clone(),
        (None, Some(url)) => url.to_owned(),
        (None, None) => return Err("set PUBLIC_URL to the bridge's public base URL".into()),
    };
    let registration = register(connections, &public_url).await?;
    print_secrets(&registration, &public_url, receiver.is_some(), out)?;
    // After printing: should activation fail, the secrets are not lost.
    registration.activate(connections).await.map_err(|e| {
        format!(
            "activating the SmartRecruiters subscription failed ({e}); \
             the bridge must be serving at {public_url} to answer the handshake"
        )
    })?;
    if registration.smartrecruiters.is_some() {
        writeln!(out, "SmartRecruiters subscription active.")?;
    }
    if let Some(receiver) = receiver {
        receiver.stop();
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

/// The one place a secret is printed on purpose: the vendors show them once, and the
/// server needs them in its environment.
fn print_secrets(
    registration: &Registration,
    url: &str,
    sandbox: bool,
    out: &mut impl Write,
) -> Result<()> {
    let secrets = &registration.secrets;
    writeln!(out, "Webhooks registered for {url}.")?;
    writeln!(
        out,
        "Store these as environment variables of the server (a secret store, not a \
         file in version control); they are not shown again:"
    )?;
    if let Some(secret) = &secrets.smartrecruiters {
        writeln!(
            out,
            "  SMARTRECRUITERS_WEBHOOK_SECRET={}",
            secret.expose_secret()
        )?;
    }
    if !secrets.lever.is_empty() {
        let tokens: Vec<&str> = secrets.lever.iter().map(|t| t.expose_secret()).collect();
        writeln!(out, "  LEVER_SIGNATURE_TOKENS={}", tokens.join(","))?;
    }
    if let Some(token) = &secrets.willo {
        writeln!(out, "  WILLO_WEBHOOK_TOKEN={}", token.expose_secret())?;
    }
    if sandbox {
        writeln!(
            out,
            "  (the sandbox's: they end with it, for trying the flow only)"
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// On the sandbox there is no bridge yet: this stands in for its intake, answering
/// SmartRecruiters' activation handshake and accepting anything else.
struct HandshakeReceiver {
    url: String,
    stop: oneshot::Sender<()>,
}

impl HandshakeReceiver {
    async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = axum::Router::new().route("/webhooks/{source}", post(answer));
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

    fn stop(self) {
        let _ = self.stop.send(());
    }
}

async fn answer(headers: HeaderMap) -> Response {
    match handshake_response(&headers) {
        Some(echo) => (StatusCode::OK, [echo]).into_response(),
        None => StatusCode::OK.into_response(),
    }
}
