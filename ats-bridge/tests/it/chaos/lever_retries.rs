//! Lever's retries: Lever re-sends a delivery (the same token and `triggeredAt`) when
//! it thinks the first try failed — after 15 minutes, after 3 days — and an admin
//! can re-run the last two weeks'. Each opportunity's delivery arrives at some of
//! those times (the first try lost on the way in some runs, the first two in others),
//! through the real intake and the Lever adapter against the sandbox's Lever. Every
//! arrival must be accepted (2xx), the first one acted on, the others recognised as
//! repeats: one invite per opportunity, nothing failed. Only the webhook path runs
//! (no reconciler), so a refused retry would be a lost candidate.
#![cfg(feature = "lever")]

use super::harness::{
    Backend, INTERVIEW, INVITED, LeaseClock, LedgerHome, ManualClock, Summary, Verdict, backends,
    concurrently, config, runs, willo::ChaosWillo,
};

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::Ats;
use ats_bridge::engine::Engine;
use ats_bridge::intake::{Intake, IntakeRequest};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::rules::{JobSelector, Rules};
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{Sandbox, SandboxConfig};
use client_core::SecretString;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use lever_client::OpportunityId;
use lever_client::webhooks::{Event, EventData, TestDelivery};

const TEST: &str = "chaos_lever_retries";
const SIGNATURE_TOKEN: &str = "chaos-lever-signature-token-0123456789abcdef";
/// When Lever tries a delivery: at once, after 15 minutes, after 3 days.
const TRIES: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(15 * 60),
    Duration::from_secs(3 * 24 * 3600),
];
const OPPORTUNITIES: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lever_retries_after_15_minutes_and_3_days_are_accepted_and_acted_on_once() {
    for backend in backends(TEST).await {
        let mut summary = Summary::new("Lever retries", backend);
        let verdicts = concurrently(
            (0..runs()).map(|seed| async move { (seed, retries(backend, seed).await) }),
        )
        .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

async fn retries(backend: Backend, seed: u64) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(seed + 1)
            .willo_completion_delay(None),
    )
    .await
    .expect("the sandbox starts");
    let willo = ChaosWillo::start().await;
    let clock = Arc::new(ManualClock::new());
    let lever_config = LeverAtsConfig::new(sandbox.lever().perform_as())
        .signature_token(SecretString::from(SIGNATURE_TOKEN))
        .clock(clock.clone());
    let lever: Arc<dyn Ats> = Arc::new(LeverAts::new(
        sandbox.lever_client().expect("a Lever client"),
        lever_config,
    ));
    let store = home.open().await;
    let intake = Intake::builder(store.clone())
        .ats(lever.clone())
        .willo_token(SecretString::from("chaos-willo-url-token"))
        .clock(clock.clone())
        .build()
        .expect("the intake builds");
    let rules = Rules::new().trigger(
        lever.name(),
        JobSelector::Any,
        [STAGE_RECRUITER_SCREEN],
        INTERVIEW,
    );
    let engine = Engine::builder(willo.client(), store.clone())
        .ats(lever.clone())
        .rules(rules)
        .config(config("worker"))
        .clock(clock.clone())
        .build()
        .expect("the engine builds");

    let posting = sandbox.lever().postings()[0].id.clone();
    let opportunities: Vec<String> = sandbox
        .lever()
        .opportunities(&posting)
        .into_iter()
        .take(OPPORTUNITIES)
        .collect();
    let triggered_at = u64::try_from(clock.now_ms()).unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    // Which tries reach the bridge, per opportunity: from the first, second or third on.
    let first_try: Vec<usize> = opportunities.iter().map(|_| rng.usize(0..3)).collect();
    for opportunity in &opportunities {
        sandbox
            .lever()
            .move_opportunity(opportunity, STAGE_RECRUITER_SCREEN)
            .expect("move the opportunity");
    }

    let mut verdict = Verdict::default();
    let mut elapsed = Duration::ZERO;
    for (attempt, after) in TRIES.iter().enumerate() {
        clock.advance(*after - elapsed);
        elapsed = *after;
        for (i, opportunity) in opportunities.iter().enumerate() {
            if attempt < first_try[i] {
                continue;
            }
            let body = delivery(opportunity, &format!("token-{seed}-{i}"), triggered_at);
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let answer = intake
                .handle(&IntakeRequest::new("lever", &headers, &body))
                .await;
            if !answer.status.is_success() {
                verdict.count(&format!("{opportunity}: try {attempt} accepted"), 0, 1);
            }
        }
        for _ in 0..10 {
            if engine.process_inbox().await.unwrap_or(0) == 0 {
                break;
            }
        }
        engine.retry_due().await.ok();
    }

    let invites = willo.invites_by_email();
    for opportunity in &opportunities {
        let person = sandbox.lever().opportunity(opportunity).expect("seeded");
        let sent = invites
            .get(&person.email.to_lowercase())
            .copied()
            .unwrap_or(0);
        verdict.count(&format!("{opportunity}: invites"), sent, 1);
        let tagged = sandbox
            .lever()
            .tags(opportunity)
            .contains(&INVITED.to_owned());
        verdict.count(&format!("{opportunity}: invited tag"), u32::from(tagged), 1);
    }
    verdict.add_failed_rows(&engine).await;
    drop((engine, intake, store));
    sandbox.shutdown().await;
    home.finish().await;
    verdict
}

/// Lever's signed `candidateStageChange` about `opportunity`, as every try sends it.
fn delivery(opportunity: &str, token: &str, triggered_at: u64) -> Vec<u8> {
    let mut data = EventData::default();
    data.opportunity_id = Some(OpportunityId::from(opportunity));
    data.to_stage_id = Some(STAGE_RECRUITER_SCREEN.into());
    TestDelivery::new(Event::CandidateStageChange, token, triggered_at)
        .data(data)
        .sign(&SecretString::from(SIGNATURE_TOKEN))
        .body
}
