//! The setup example on the sandbox lists what rules refer to and leaves the webhooks
//! registered and active.

#[path = "../../examples/setup.rs"]
#[allow(dead_code)]
mod example;

use ats_sandbox::SandboxConfig;
use examples::Connections;
use examples::demo::LEVER_TRIGGER;
use futures::TryStreamExt;
use willo_client::ListParams;

use crate::support::live_willo_only;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_jobs_stages_and_interviews_then_registers_active_webhooks() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let mut out = Vec::new();
    example::run(&connections, None, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    for job in sandbox.smartrecruiters().jobs() {
        assert!(
            text.contains(&job.id),
            "SmartRecruiters job {}: {text}",
            job.id
        );
    }
    assert!(
        text.contains("\n  INTERVIEW "),
        "status as a stage id: {text}"
    );
    for posting in sandbox.lever().postings() {
        assert!(
            text.contains(&posting.id),
            "Lever posting {}: {text}",
            posting.id
        );
    }
    assert!(text.contains(LEVER_TRIGGER), "Lever stage id: {text}");
    for interview in sandbox.willo().interviews() {
        assert!(
            text.contains(&interview.key),
            "interview {}: {text}",
            interview.key
        );
    }

    assert_eq!(sandbox.smartrecruiters().active_subscriptions(), 1);
    for variable in [
        "SMARTRECRUITERS_WEBHOOK_SECRET=",
        "LEVER_SIGNATURE_TOKENS=",
        "WILLO_WEBHOOK_TOKEN=",
    ] {
        assert_eq!(text.matches(variable).count(), 1, "{variable} once: {text}");
    }
    assert!(
        text.contains("SmartRecruiters subscription active."),
        "{text}"
    );

    // The secrets printed are the ones the vendors hold.
    let printed = |variable: &str| {
        let line = text.lines().find(|l| l.contains(variable)).unwrap();
        line.trim().trim_start_matches(variable).to_owned()
    };
    let willo_token = printed("WILLO_WEBHOOK_TOKEN=");
    assert_eq!(willo_token.len(), 64, "32 random bytes in hex");
    let willo_hooks: Vec<_> = connections
        .willo
        .webhooks()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(willo_hooks.len(), 2, "new_response and stage_change");
    for hook in &willo_hooks {
        let url = hook.url.as_ref().unwrap().as_str();
        assert!(url.contains(&willo_token), "{url}");
    }
    let lever = connections.lever.as_ref().unwrap();
    let lever_hooks: Vec<_> = lever.webhooks().list().try_collect().await.unwrap();
    assert_eq!(lever_hooks.len(), 2, "stage change and deletion");
    for hook in &lever_hooks {
        assert!(hook.url.as_deref().unwrap().ends_with("/webhooks/lever"));
    }
    let lever_tokens = printed("LEVER_SIGNATURE_TOKENS=");
    assert_eq!(lever_tokens.split(',').count(), 2, "one token per webhook");
    connections.close().await;
}

#[tokio::test]
async fn without_the_sandbox_public_url_is_required() {
    let sandbox = ats_sandbox::Sandbox::start(SandboxConfig::new())
        .await
        .unwrap();
    let connections = live_willo_only(&sandbox);
    let mut out = Vec::new();
    let error = example::run(&connections, None, &mut out)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("PUBLIC_URL"), "{error}");
    sandbox.shutdown().await;
}
