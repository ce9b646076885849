//! Many accounts on one sandbox: each sees only its own data, its keys open only its own
//! account, its webhooks reach only its own subscriptions, and the default account is
//! what a one-account sandbox always was.

use std::time::Duration;

use ats_sandbox::{
    DEFAULT_ACCOUNT, Sandbox, SandboxAccount, SandboxConfig, SandboxError, Seed, Vendor,
    WILLO_API_KEY,
};
use axum::http::StatusCode;
use client_core::{ExposeSecret as _, SecretString};
use futures::TryStreamExt as _;
use lever_client::webhooks::Event;
use lever_client::{NewWebhook, OpportunityFilter};
use smartrecruiters_client::{JobFilter, SmartRecruitersClient};

use crate::support::{next, receiver, refusal};

fn config() -> SandboxConfig {
    SandboxConfig::new().seed(42).willo_completion_delay(None)
}

async fn job_ids(client: &SmartRecruitersClient) -> Vec<String> {
    let jobs: Vec<_> = client
        .jobs()
        .list(&JobFilter::new())
        .try_collect()
        .await
        .unwrap();
    jobs.into_iter().map(|j| j.id.to_string()).collect()
}

#[tokio::test]
async fn two_accounts_see_only_their_own_data_and_refuse_each_others_keys() {
    let sandbox = Sandbox::start(config()).await.unwrap();
    let acme = sandbox
        .add_account(SandboxAccount::new("acme").data(Seed::new().jobs(1).candidates_per_job(2)))
        .unwrap();
    let beta = sandbox
        .add_account(SandboxAccount::new("beta").data(Seed::new().jobs(3)))
        .unwrap();

    assert_eq!(
        acme.smartrecruiters_api_key().expose_secret(),
        "sandbox-smartrecruiters-api-key-acme"
    );
    assert_eq!(
        beta.willo_api_key().expose_secret(),
        "sandbox-willo-api-key-beta"
    );
    assert_eq!(
        acme.lever_api_key().expose_secret(),
        "sandbox-lever-api-key-acme"
    );
    assert_eq!(
        acme.smartrecruiters_base_url(),
        sandbox.smartrecruiters_base_url()
    );

    // SmartRecruiters: one base URL, the key picks the company.
    let acme_sr = acme.smartrecruiters_client().unwrap();
    let beta_sr = beta.smartrecruiters_client().unwrap();
    let acme_jobs = job_ids(&acme_sr).await;
    let beta_jobs = job_ids(&beta_sr).await;
    let default_jobs = job_ids(&sandbox.smartrecruiters_client().unwrap()).await;
    let expected = |jobs: Vec<ats_sandbox::SandboxJob>| -> Vec<String> {
        jobs.into_iter().map(|j| j.id).collect()
    };
    assert_eq!(acme_jobs, expected(acme.smartrecruiters().jobs()));
    assert_eq!(beta_jobs, expected(beta.smartrecruiters().jobs()));
    assert_eq!(default_jobs, expected(sandbox.smartrecruiters().jobs()));
    assert_eq!(
        (acme_jobs.len(), beta_jobs.len(), default_jobs.len()),
        (1, 3, 2)
    );
    assert!(beta_jobs.iter().all(|j| !acme_jobs.contains(j)));

    // Another account's candidate does not exist for acme's key.
    let beta_candidate = beta.smartrecruiters().candidates(&beta_jobs[0])[0].clone();
    assert_eq!(
        refusal(acme_sr.candidates().get(&beta_candidate.as_str().into())).await,
        Some(StatusCode::NOT_FOUND)
    );
    assert!(
        beta_sr
            .candidates()
            .get(&beta_candidate.as_str().into())
            .await
            .is_ok()
    );

    // Lever: acme's opportunities only.
    let acme_lever = acme.lever_client().unwrap();
    let opportunities: Vec<_> = acme_lever
        .opportunities()
        .list(&OpportunityFilter::new())
        .try_collect()
        .await
        .unwrap();
    let posting = acme.lever().postings()[0].id.clone();
    let mut listed: Vec<String> = opportunities.iter().map(|o| o.id.to_string()).collect();
    let mut seeded = acme.lever().opportunities(&posting);
    listed.sort();
    seeded.sort();
    assert_eq!(listed, seeded);
    assert_eq!(listed.len(), 2);

    // Willo: an invitation through acme's key lands in acme's Willo only.
    let acme_willo = acme.willo_client().unwrap();
    let interview = acme.willo().interviews()[0].key.clone();
    acme_willo
        .send_interview(&willo_client::SendInterview::new(
            interview.as_str(),
            willo_client::Candidate::new("Ada Lovelace", "ada@example.com"),
        ))
        .await
        .unwrap();
    assert_eq!(acme.willo().participants().len(), 1);
    assert!(beta.willo().participants().is_empty());
    assert!(sandbox.willo().participants().is_empty());
    // Beta's key does not reach acme's interview.
    let beta_willo = beta.willo_client().unwrap();
    assert_eq!(
        refusal(beta_willo.interviews().get(&interview.as_str().into())).await,
        Some(StatusCode::NOT_FOUND)
    );

    // Counters are per account.
    assert_eq!(
        acme.requests(Vendor::SmartRecruiters).endpoint("GET /jobs"),
        1
    );
    assert_eq!(
        sandbox
            .requests(Vendor::SmartRecruiters)
            .endpoint("GET /jobs"),
        1
    );
    assert_eq!(acme.requests(Vendor::SmartRecruiters).total, 2);
    assert_eq!(beta.requests(Vendor::Lever).total, 0);

    // A removed account's keys are refused (counted on the default account).
    sandbox.remove_account("beta").unwrap();
    assert!(sandbox.account("beta").is_none());
    assert_eq!(
        refusal(beta_sr.jobs().page(&JobFilter::new(), None)).await,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(sandbox.requests(Vendor::SmartRecruiters).unauthorized, 1);
    assert_eq!(
        sandbox
            .accounts()
            .iter()
            .map(|a| a.name().to_owned())
            .collect::<Vec<_>>(),
        [DEFAULT_ACCOUNT, "acme"]
    );
}

#[tokio::test]
async fn webhooks_of_an_account_go_only_to_its_subscriptions() {
    let sandbox = Sandbox::start(config()).await.unwrap();
    let acme = sandbox
        .add_account(SandboxAccount::new("acme").data(Seed::new().jobs(1)))
        .unwrap();
    let beta = sandbox
        .add_account(SandboxAccount::new("beta").data(Seed::new().jobs(1)))
        .unwrap();
    let (acme_url, mut acme_rx) = receiver().await;
    let (beta_url, mut beta_rx) = receiver().await;
    for (account, url) in [(&acme, &acme_url), (&beta, &beta_url)] {
        account
            .lever_client()
            .unwrap()
            .webhooks()
            .create(&NewWebhook::new(Event::CandidateStageChange, url.as_str()))
            .await
            .unwrap();
    }

    let posting = acme.lever().postings()[0].id.clone();
    let opportunity = acme.lever().opportunities(&posting)[0].clone();
    acme.lever()
        .move_opportunity(&opportunity, ats_sandbox::lever::STAGE_ON_SITE)
        .unwrap();
    let delivery = next(&mut acme_rx).await;
    let body: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["data"]["opportunityId"], opportunity.as_str());
    sandbox.deliveries_idle().await;

    assert!(beta_rx.try_recv().is_err(), "beta heard acme's event");
    assert_eq!(acme.deliveries(Vendor::Lever).delivered, 1);
    assert_eq!(beta.deliveries(Vendor::Lever).emitted, 0);
    assert_eq!(sandbox.deliveries(Vendor::Lever).emitted, 0);
}

#[tokio::test]
async fn the_default_account_is_the_one_account_sandbox_unchanged() {
    let alone = Sandbox::start(config()).await.unwrap();
    let shared = Sandbox::start(config()).await.unwrap();
    let acme = shared
        .add_account(SandboxAccount::new("acme").seed(42))
        .unwrap();

    let default = shared.default_account();
    assert_eq!(default.name(), DEFAULT_ACCOUNT);
    assert_eq!(shared.willo_api_key().expose_secret(), WILLO_API_KEY);
    assert_eq!(
        default.smartrecruiters_api_key().expose_secret(),
        ats_sandbox::smartrecruiters::API_KEY
    );
    assert_eq!(
        default.lever_api_key().expose_secret(),
        ats_sandbox::lever::API_KEY
    );
    // The same seed gives the default account the same data with or without others;
    // another account with that seed still gets ids of its own.
    assert_eq!(
        alone.smartrecruiters().jobs(),
        shared.smartrecruiters().jobs()
    );
    assert_eq!(alone.lever().postings(), shared.lever().postings());
    assert_eq!(alone.willo().interviews(), shared.willo().interviews());
    assert_ne!(
        acme.smartrecruiters().jobs(),
        shared.smartrecruiters().jobs()
    );
    assert_eq!(
        job_ids(&shared.smartrecruiters_client().unwrap()).await,
        job_ids(&alone.smartrecruiters_client().unwrap()).await
    );

    // The same name and seed reproduce the same account in another sandbox.
    let again = alone
        .add_account(SandboxAccount::new("acme").seed(42))
        .unwrap();
    assert_eq!(
        again.smartrecruiters().jobs(),
        acme.smartrecruiters().jobs()
    );

    assert!(matches!(
        shared.add_account(SandboxAccount::new("acme")),
        Err(SandboxError::Invalid(_))
    ));
    assert!(matches!(
        shared.add_account(SandboxAccount::new("no spaces")),
        Err(SandboxError::Invalid(_))
    ));
    assert!(matches!(
        shared.remove_account(DEFAULT_ACCOUNT),
        Err(SandboxError::Invalid(_))
    ));
    assert!(matches!(
        shared.remove_account("nobody"),
        Err(SandboxError::NotFound { .. })
    ));
}

#[tokio::test]
async fn an_accounts_faults_and_injected_errors_stay_its_own() {
    let sandbox = Sandbox::start(config()).await.unwrap();
    let limited = sandbox
        .add_account(SandboxAccount::new("limited").data(Seed::empty()).faults(
            Vendor::SmartRecruiters,
            ats_sandbox::Faults::none().rate_limit(1, 1),
        ))
        .unwrap();
    let calm = sandbox
        .add_account(SandboxAccount::new("calm").data(Seed::empty()))
        .unwrap();
    let unpaced = |key: SecretString| {
        SmartRecruitersClient::builder()
            .base_url(sandbox.smartrecruiters_base_url())
            .api_key(key)
            .retry_policy(client_core::RetryPolicy::none())
            .build()
            .unwrap()
    };
    let limited_client = unpaced(limited.smartrecruiters_api_key());
    let calm_client = unpaced(calm.smartrecruiters_api_key());
    let mut refused = 0;
    for _ in 0..3 {
        if limited_client
            .jobs()
            .page(&JobFilter::new(), None)
            .await
            .is_err()
        {
            refused += 1;
        }
        calm_client
            .jobs()
            .page(&JobFilter::new(), None)
            .await
            .expect("another account's limit does not apply");
    }
    assert_eq!(refused, 2, "one a second for the limited account");
    assert_eq!(limited.requests(Vendor::SmartRecruiters).rate_limited, 2);

    calm.inject_errors(Vendor::SmartRecruiters, 0.0, 1.0);
    assert_eq!(
        refusal(calm_client.jobs().page(&JobFilter::new(), None)).await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        limited_client
            .jobs()
            .page(&JobFilter::new(), None)
            .await
            .is_ok()
    );
}
