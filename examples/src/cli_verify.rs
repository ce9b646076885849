//! `setup verify` and the server's start: each connection checked and printed as a
//! checklist — credentials, the permissions the workflow needs, the stages and
//! interviews the rules name, the webhooks registered at the public URL and the
//! intake reachable there.

use std::time::Duration;

use ats_bridge::Ats;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::registration::{verify_lever, verify_smartrecruiters, verify_willo, webhook_url};
use ats_bridge::rules::Rules;
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::verify::{Check, VerifyReport, willo};
use client_core::HttpClient;

use crate::Connections;
use crate::webhooks::WebhookSecrets;

/// What to verify beyond the connections themselves.
#[derive(Debug, Clone, Default)]
pub struct VerifyScope<'a> {
    /// The rules whose trigger stages and interviews must exist (none: not checked).
    pub rules: Option<&'a Rules>,
    /// The bridge's public base URL, whose webhooks are checked (none: not checked).
    pub public_url: Option<&'a str>,
    /// Whether to check the intake answers at `public_url` (not at a server's own
    /// start: it is not serving yet).
    pub reachable: bool,
    /// The secrets the server verifies deliveries with (the Willo URL token is
    /// compared with the registered one).
    pub secrets: Option<&'a WebhookSecrets>,
}

/// Verify every configured connection.
pub async fn verify(connections: &Connections, scope: &VerifyScope<'_>) -> VerifyReport {
    let no_rules = Rules::new();
    let rules = scope.rules.unwrap_or(&no_rules);
    let mut report = VerifyReport::default();
    report.extend(willo(&connections.willo, rules).await);
    if let Some(client) = &connections.smartrecruiters {
        let ats = SmartRecruitersAts::new(client.clone(), SmartRecruitersAtsConfig::new());
        report.extend(ats.verify_connection(rules).await);
    }
    if let Some(client) = &connections.lever {
        // Verifying writes nothing, so no user to write as is needed.
        let perform_as = connections.lever_perform_as.clone().unwrap_or_default();
        let ats = LeverAts::new(client.clone(), LeverAtsConfig::new(perform_as));
        report.extend(ats.verify_connection(rules).await);
    }
    if scope.rules.is_none() {
        report.extend([Check::skipped(
            "rules",
            "trigger stages and interviews",
            "no [rules] in the configuration",
        )]);
    }
    let Some(public_url) = scope.public_url else {
        report.extend([Check::skipped(
            "webhooks",
            "registered",
            "no public URL (--public-url, PUBLIC_URL or public_url in the configuration)",
        )]);
        return report;
    };
    if let Some(client) = &connections.smartrecruiters {
        let url = webhook_url(public_url, "smartrecruiters");
        report.extend(verify_smartrecruiters(client, &url).await);
    }
    if let Some(client) = &connections.lever {
        report.extend(verify_lever(client, &webhook_url(public_url, "lever")).await);
    }
    let token = scope.secrets.and_then(|s| s.willo.as_ref());
    report.extend(verify_willo(&connections.willo, public_url, token).await);
    if scope.reachable {
        report.extend([reachable(public_url).await]);
    }
    report
}

/// Whether the bridge answers at `public_url` (its `/health`): any HTTP answer shows
/// the vendors can reach the intake from where this runs.
async fn reachable(public_url: &str) -> Check {
    let url = format!("{}/health", public_url.trim_end_matches('/'));
    let what = format!("intake reachable at {public_url}");
    let answer = HttpClient::new()
        .get(&url)
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => Check::pass("bridge", what),
        Ok(response) => Check::fail(
            "bridge",
            what,
            format!("GET /health answered {}", response.status()),
        ),
        Err(error) => Check::fail("bridge", what, format!("GET /health failed: {error}")),
    }
}

/// At a server's start: verify the connections against `config` (its rules; the
/// webhooks at its `public_url`, except on the sandbox, where the server registers
/// its own after binding) and print the checklist to stdout. A failed check is
/// logged as a warning, not fatal: a vendor briefly down must not keep the bridge
/// from starting, and the reconciler catches up once it is fixed.
pub async fn at_server_start(
    connections: &Connections,
    config: &crate::server_config::ServerConfig,
) {
    use std::io::Write;
    let secrets = WebhookSecrets::from_env();
    let scope = VerifyScope {
        rules: config.rules.as_ref(),
        public_url: config
            .public_url
            .as_deref()
            .filter(|_| connections.sandbox.is_none()),
        reachable: false,
        secrets: Some(&secrets),
    };
    let report = verify(connections, &scope).await;
    let _ = write!(std::io::stdout().lock(), "Connections:\n{report}");
    let failed = report.failures().count();
    if failed > 0 {
        tracing::warn!(
            failed,
            "some connection checks failed; see the checklist above"
        );
    }
}
