//! The setup example on the sandbox: lists what rules refer to, registers the
//! webhooks once per vendor and event however often it runs, delivers the secrets
//! where asked, and tears down what it registered.

#[path = "../../examples/setup.rs"]
#[allow(dead_code)]
mod example;

use std::collections::BTreeMap;
use std::path::Path;

use ats_bridge::registration::{
    Action, SecretPolicy, ensure_lever, ensure_smartrecruiters, ensure_willo, subscribe_lever,
    subscribe_smartrecruiters, subscribe_willo,
};
use ats_sandbox::SandboxConfig;
use client_core::{ExposeSecret, SecretString};
use examples::Connections;
use examples::cli_secrets::SecretsTo;
use examples::demo::LEVER_TRIGGER;
use futures::TryStreamExt;
use lever_client::NewWebhook;
use smartrecruiters_client::{EventName, NewSubscription};
use willo_client::webhooks::WebhookEvent;
use willo_client::{ListParams, WebhookInput};

use crate::support::live_willo_only;

fn options(secrets_to: SecretsTo) -> example::RegisterOptions {
    example::RegisterOptions {
        public_url: None,
        secrets_to,
        policy: SecretPolicy::Keep,
    }
}

async fn register(connections: &Connections, options: &example::RegisterOptions) -> String {
    let mut out = Vec::new();
    example::register(connections, options, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// `(vendor, event)` → the URLs of the webhooks delivering it, every webhook listed.
async fn webhooks(connections: &Connections) -> BTreeMap<(String, String), Vec<String>> {
    let mut all: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let sr = connections.smartrecruiters.as_ref().unwrap();
    let subscriptions: Vec<_> = sr.subscriptions().list(None).try_collect().await.unwrap();
    for s in subscriptions {
        for event in &s.events {
            let name = event.name.as_ref().unwrap().as_str().to_owned();
            all.entry(("smartrecruiters".into(), name))
                .or_default()
                .push(s.callback_url.clone().unwrap());
        }
    }
    let lever = connections.lever.as_ref().unwrap();
    let hooks: Vec<_> = lever.webhooks().list().try_collect().await.unwrap();
    for w in hooks {
        all.entry(("lever".into(), w.event.as_str().to_owned()))
            .or_default()
            .push(w.url.unwrap());
    }
    let hooks: Vec<_> = connections
        .willo
        .webhooks()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    for w in hooks {
        let url = w.url.unwrap().as_str().to_owned();
        let base = url.split('?').next().unwrap().to_owned();
        all.entry(("willo".into(), w.event.unwrap().as_str().to_owned()))
            .or_default()
            .push(base);
    }
    all
}

/// Exactly one webhook per vendor and event the bridge acts on, all at `base`.
async fn assert_one_per_vendor_and_event(connections: &Connections, base: &str) {
    let all = webhooks(connections).await;
    let expected = [
        ("smartrecruiters", "application.status.updated"),
        ("smartrecruiters", "candidate.deleted"),
        ("smartrecruiters", "job.status.updated"),
        ("lever", "candidateStageChange"),
        ("lever", "candidateDeleted"),
        ("willo", "new_response"),
        ("willo", "stage_change"),
    ];
    assert_eq!(all.len(), expected.len(), "{all:?}");
    for (vendor, event) in expected {
        let urls = &all[&(vendor.to_owned(), event.to_owned())];
        assert_eq!(
            urls,
            &[format!("{base}/webhooks/{vendor}")],
            "{vendor} {event}"
        );
    }
}

fn env_file(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The base URL the output says the webhooks were registered for.
fn registered_base(output: &str) -> String {
    let line = output
        .lines()
        .find(|l| l.starts_with("Webhooks for "))
        .unwrap();
    line.trim_start_matches("Webhooks for ")
        .trim_end_matches(':')
        .to_owned()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_jobs_stages_and_interviews_then_registers_active_webhooks() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridge.env");
    let text = register(&connections, &options(SecretsTo::File(file.clone()))).await;

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
    assert!(
        text.contains("SmartRecruiters subscription active."),
        "{text}"
    );
    assert_one_per_vendor_and_event(&connections, &registered_base(&text)).await;

    // The secrets are in the file, never on stdout, and the output says where.
    let secrets = env_file(&file);
    assert!(
        text.contains(&format!(
            "Secrets written to {} (mode 0600)",
            file.display()
        )),
        "{text}"
    );
    for (name, value) in &secrets {
        assert!(
            !text.contains(value.as_str()),
            "{name}'s value printed: {text}"
        );
    }
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    // …and they are the ones the vendors hold.
    let willo_token = &secrets["WILLO_WEBHOOK_TOKEN"];
    assert_eq!(willo_token.len(), 64, "32 random bytes in hex");
    let willo_hooks: Vec<_> = connections
        .willo
        .webhooks()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    for hook in &willo_hooks {
        let url = hook.url.as_ref().unwrap().as_str();
        assert!(url.contains(&format!("token={willo_token}")), "{url}");
    }
    let sr = connections.smartrecruiters.as_ref().unwrap();
    let subscription = sr
        .subscriptions()
        .list(None)
        .try_next()
        .await
        .unwrap()
        .unwrap();
    let key = sr
        .subscriptions()
        .secret_key(&subscription.id)
        .await
        .unwrap();
    assert_eq!(
        secrets["SMARTRECRUITERS_WEBHOOK_SECRET"],
        key.secret_key.expose_secret()
    );
    assert_eq!(
        secrets["LEVER_SIGNATURE_TOKENS"].split(',').count(),
        2,
        "one token per webhook"
    );
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_setup_twice_leaves_one_webhook_per_vendor_and_event() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridge.env");
    std::fs::write(&file, "DATABASE_URL=postgres://db/bridge\n").unwrap();
    let options = options(SecretsTo::File(file.clone()));
    register(&connections, &options).await;
    let first = env_file(&file);

    // On the sandbox each run answers the handshake on a new port: the second run
    // finds every webhook at a stale URL.
    let text = register(&connections, &options).await;
    let base = registered_base(&text);
    assert_one_per_vendor_and_event(&connections, &base).await;
    let sandbox = connections.sandbox.as_ref().unwrap();
    assert_eq!(sandbox.smartrecruiters().active_subscriptions(), 1);
    assert!(text.contains("lever webhook"), "{text}");
    assert!(
        text.contains(": updated"),
        "Lever and Willo repointed in place: {text}"
    );
    assert!(
        text.contains(": removed"),
        "SmartRecruiters' replaced: {text}"
    );

    let second = env_file(&file);
    assert_eq!(
        second["DATABASE_URL"], "postgres://db/bridge",
        "other lines kept"
    );
    assert_eq!(second["WILLO_WEBHOOK_TOKEN"], first["WILLO_WEBHOOK_TOKEN"]);
    // Repointed Lever webhooks keep their tokens, which Lever shows only once.
    assert_eq!(
        second["LEVER_SIGNATURE_TOKENS"],
        first["LEVER_SIGNATURE_TOKENS"]
    );
    assert!(text.contains("Unchanged (adopted webhooks"), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600, "a rewritten file stays private");
    connections.close().await;
}

#[tokio::test]
async fn at_the_same_url_everything_is_adopted_and_duplicates_removed() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let (sr, lever, willo) = (
        connections.smartrecruiters.as_ref().unwrap(),
        connections.lever.as_ref().unwrap(),
        &connections.willo,
    );
    let base = "http://bridge.test";
    // A non-idempotent past: everything registered twice.
    for _ in 0..2 {
        subscribe_smartrecruiters(sr, &format!("{base}/webhooks/smartrecruiters"))
            .await
            .unwrap();
        subscribe_lever(lever, &format!("{base}/webhooks/lever"))
            .await
            .unwrap();
        subscribe_willo(willo, base, SecretString::from("t0"))
            .await
            .unwrap();
    }
    let url = format!("{base}/webhooks/smartrecruiters");
    let first = ensure_smartrecruiters(sr, &url, SecretPolicy::Keep)
        .await
        .unwrap();
    let lever_first = ensure_lever(lever, &format!("{base}/webhooks/lever"), SecretPolicy::Keep)
        .await
        .unwrap();
    let willo_first = ensure_willo(willo, base, SecretString::from("fresh"), SecretPolicy::Keep)
        .await
        .unwrap();
    let removed = |changes: &[ats_bridge::registration::Change]| {
        changes
            .iter()
            .filter(|c| c.action == Action::Removed)
            .count()
    };
    assert_eq!(removed(&first.changes), 1);
    assert_eq!(removed(&lever_first.changes), 2);
    assert_eq!(removed(&willo_first.changes), 2);
    assert_eq!(
        willo_first.token.expose_secret(),
        "t0",
        "the registered token kept"
    );
    assert!(!willo_first.token_is_new);
    assert_one_per_vendor_and_event(&connections, base).await;

    let second = ensure_smartrecruiters(sr, &url, SecretPolicy::Keep)
        .await
        .unwrap();
    let lever_second = ensure_lever(lever, &format!("{base}/webhooks/lever"), SecretPolicy::Keep)
        .await
        .unwrap();
    let willo_second = ensure_willo(willo, base, SecretString::from("fresh"), SecretPolicy::Keep)
        .await
        .unwrap();
    for change in second
        .changes
        .iter()
        .chain(&lever_second.changes)
        .chain(&willo_second.changes)
    {
        assert_eq!(change.action, Action::Adopted, "{change}");
    }
    assert_eq!(second.subscription.id, first.subscription.id);
    assert_eq!(
        second.subscription.secret.expose_secret(),
        first.subscription.secret.expose_secret()
    );
    assert!(
        lever_second.new_tokens().is_empty(),
        "Lever shows tokens once"
    );
    assert_one_per_vendor_and_event(&connections, base).await;
    connections.close().await;
}

#[tokio::test]
async fn rotating_gives_every_vendor_a_new_secret() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let (sr, lever, willo) = (
        connections.smartrecruiters.as_ref().unwrap(),
        connections.lever.as_ref().unwrap(),
        &connections.willo,
    );
    let base = "http://bridge.test";
    let (sr_url, lever_url) = (
        format!("{base}/webhooks/smartrecruiters"),
        format!("{base}/webhooks/lever"),
    );
    let sr_before = ensure_smartrecruiters(sr, &sr_url, SecretPolicy::Keep)
        .await
        .unwrap();
    ensure_lever(lever, &lever_url, SecretPolicy::Keep)
        .await
        .unwrap();
    ensure_willo(willo, base, SecretString::from("old"), SecretPolicy::Keep)
        .await
        .unwrap();

    let sr_after = ensure_smartrecruiters(sr, &sr_url, SecretPolicy::Rotate)
        .await
        .unwrap();
    let lever_after = ensure_lever(lever, &lever_url, SecretPolicy::Rotate)
        .await
        .unwrap();
    let willo_after = ensure_willo(willo, base, SecretString::from("new"), SecretPolicy::Rotate)
        .await
        .unwrap();
    assert_eq!(sr_after.subscription.id, sr_before.subscription.id);
    assert_ne!(
        sr_after.subscription.secret.expose_secret(),
        sr_before.subscription.secret.expose_secret()
    );
    assert_eq!(sr_after.changes[0].action, Action::SecretRotated);
    assert!(lever_after.all_tokens_new());
    assert_eq!(lever_after.new_tokens().len(), 2);
    assert_eq!(willo_after.token.expose_secret(), "new");
    assert!(
        willo_after
            .changes
            .iter()
            .all(|c| c.action == Action::SecretRotated)
    );
    let hooks: Vec<_> = willo
        .webhooks()
        .list(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    for hook in hooks {
        assert!(hook.url.unwrap().as_str().contains("token=new"));
    }
    assert_one_per_vendor_and_event(&connections, base).await;
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_removes_the_bridges_webhooks_and_nothing_else() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let (sr, lever, willo) = (
        connections.smartrecruiters.as_ref().unwrap(),
        connections.lever.as_ref().unwrap(),
        &connections.willo,
    );
    // Someone else's webhooks on the same accounts.
    let other = "http://crm.test/hooks/incoming";
    sr.subscriptions()
        .create(&NewSubscription::new(
            other,
            vec![EventName::CandidateCreated],
        ))
        .await
        .unwrap();
    lever
        .webhooks()
        .create(&NewWebhook::new(
            lever_client::webhooks::Event::ApplicationCreated,
            other,
        ))
        .await
        .unwrap();
    willo
        .webhooks()
        .create(
            &WebhookInput::new()
                .url(other)
                .event(WebhookEvent::NewComment),
        )
        .await
        .unwrap();
    register(&connections, &options(SecretsTo::Stdout)).await;

    let mut out = Vec::new();
    example::teardown(&connections, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches(": removed").count(), 5, "1 + 2 + 2: {text}");
    let left = webhooks(&connections).await;
    assert_eq!(left.len(), 3, "{left:?}");
    for urls in left.values() {
        assert_eq!(urls, &[other.to_owned()]);
    }

    let mut out = Vec::new();
    example::teardown(&connections, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("No webhook of the bridge was registered."),
        "{text}"
    );
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_env_prints_the_secrets_when_asked() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let text = register(&connections, &options(SecretsTo::Stdout)).await;
    for variable in [
        "\nSMARTRECRUITERS_WEBHOOK_SECRET=",
        "\nLEVER_SIGNATURE_TOKENS=",
        "\nWILLO_WEBHOOK_TOKEN=",
    ] {
        assert_eq!(text.matches(variable).count(), 1, "{variable} once: {text}");
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("LEVER_SIGNATURE_TOKENS="))
        .unwrap();
    assert_eq!(line.split(',').count(), 2, "{line}");
    connections.close().await;
}

#[tokio::test]
async fn without_the_sandbox_public_url_is_required() {
    let sandbox = ats_sandbox::Sandbox::start(SandboxConfig::new())
        .await
        .unwrap();
    let connections = live_willo_only(&sandbox);
    let mut out = Vec::new();
    let error = example::register(&connections, &options(SecretsTo::Stdout), &mut out)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("PUBLIC_URL"), "{error}");
    sandbox.shutdown().await;
}

/// Rules naming the sandbox's trigger stages and first interview.
fn sandbox_rules(connections: &Connections, lever_stage: &str) -> ats_bridge::rules::Rules {
    use ats_bridge::rules::{JobSelector, Rules};
    use ats_bridge::smartrecruiters::stage_id;
    let sandbox = connections.sandbox.as_ref().unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    Rules::new()
        .trigger(
            "smartrecruiters",
            JobSelector::Any,
            [stage_id(&examples::demo::SMARTRECRUITERS_TRIGGER, None)],
            interview.as_str(),
        )
        .trigger("lever", JobSelector::Any, [lever_stage], interview.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_passes_once_registered_and_names_what_is_wrong() {
    use ats_bridge::registration::{
        activate_smartrecruiters, teardown_lever, teardown_smartrecruiters, teardown_willo,
    };
    use examples::cli_verify::VerifyScope;
    use examples::webhooks::WebhookSecrets;

    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let receiver = example::HandshakeReceiver::start().await.unwrap();
    let base = receiver.url.clone();
    let (sr, lever, willo) = (
        connections.smartrecruiters.as_ref().unwrap(),
        connections.lever.as_ref().unwrap(),
        &connections.willo,
    );
    let sr_url = format!("{base}/webhooks/smartrecruiters");
    let registered = ensure_smartrecruiters(sr, &sr_url, SecretPolicy::Keep)
        .await
        .unwrap();
    activate_smartrecruiters(sr, &registered.subscription)
        .await
        .unwrap();
    ensure_lever(lever, &format!("{base}/webhooks/lever"), SecretPolicy::Keep)
        .await
        .unwrap();
    let token = SecretString::from("the-token");
    ensure_willo(willo, &base, token.clone(), SecretPolicy::Keep)
        .await
        .unwrap();
    let secrets = WebhookSecrets {
        willo: Some(token),
        ..WebhookSecrets::default()
    };
    let rules = sandbox_rules(&connections, LEVER_TRIGGER);
    let scope = VerifyScope {
        rules: Some(&rules),
        public_url: Some(&base),
        reachable: true,
        secrets: Some(&secrets),
    };
    let mut out = Vec::new();
    example::print_verification(&connections, &scope, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    for line in [
        "[ok]   willo: credentials accepted",
        "[ok]   willo: permission read interviews",
        "[ok]   smartrecruiters: permission jobs_read",
        "[ok]   lever: permission stages:read:admin",
        &format!("[ok]   lever: trigger stage {LEVER_TRIGGER}"),
        "[ok]   smartrecruiters: webhook application.status.updated registered",
        "[ok]   lever: webhook candidateStageChange registered",
        "[ok]   willo: webhook stage_change carries the server's token",
        &format!("[ok]   bridge: intake reachable at {base}"),
        "[skip] lever: permission notes:write:admin — a write scope",
        "All checks passed.",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }

    // A stage and an interview that do not exist, a token that differs, and the
    // webhooks gone: each named.
    let mut rules = sandbox_rules(&connections, "no-such-stage");
    rules.triggers[0].interview = "no-such-interview".into();
    let other = WebhookSecrets {
        willo: Some(SecretString::from("another-token")),
        ..WebhookSecrets::default()
    };
    let scope = VerifyScope {
        rules: Some(&rules),
        secrets: Some(&other),
        ..scope
    };
    let mut out = Vec::new();
    let error = example::print_verification(&connections, &scope, &mut out)
        .await
        .unwrap_err();
    let text = String::from_utf8(out).unwrap();
    for line in [
        "[FAIL] lever: trigger stage no-such-stage",
        "[FAIL] willo: interview no-such-interview — no such interview in the account",
        "[FAIL] willo: webhook new_response carries the server's token",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }
    assert_eq!(error.to_string(), "4 check(s) failed", "{text}");

    teardown_smartrecruiters(sr).await.unwrap();
    teardown_lever(lever).await.unwrap();
    teardown_willo(willo).await.unwrap();
    receiver.stop();
    let rules = sandbox_rules(&connections, LEVER_TRIGGER);
    let scope = VerifyScope {
        rules: Some(&rules),
        public_url: Some(&base),
        reachable: false,
        secrets: None,
    };
    let mut out = Vec::new();
    let error = example::print_verification(&connections, &scope, &mut out)
        .await
        .unwrap_err();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "[FAIL] lever: webhook candidateDeleted registered — not registered: run `setup register`"
        ),
        "{text}"
    );
    assert_eq!(
        error.to_string(),
        "7 check(s) failed",
        "one per vendor and event: {text}"
    );
    connections.close().await;
}

/// The line after the one naming `job`: its rule at the (one) stage the rules name.
fn rule_of(text: &str, job: &str) -> String {
    let mut lines = text.lines();
    lines
        .find(|line| line.contains(job))
        .unwrap_or_else(|| panic!("{job} missing:\n{text}"));
    lines.next().unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_shows_the_rule_each_open_job_matches_and_the_tags_to_create() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let interviews = sandbox.willo().interviews();
    let (first, second) = (&interviews[0], &interviews[1]);
    // How a tag first appears in Lever: typed onto a posting (here, the colon form).
    let postings = sandbox.lever().postings();
    let tag = format!("Willo:{}:Sandbox", second.title);
    sandbox
        .lever()
        .set_posting_tags(&postings[1].id, &[tag.as_str()])
        .unwrap();
    // A job on hold is not open: not shown.
    let jobs = sandbox.smartrecruiters().jobs();
    sandbox
        .smartrecruiters()
        .set_job_status(&jobs[1].id, smartrecruiters_client::JobStatus::OnHold)
        .unwrap();

    let rules = example::example_rules(&connections).await.unwrap();
    let mut out = Vec::new();
    example::print_rules(&connections, &rules, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();

    assert!(
        rule_of(&text, &jobs[0].id)
            .ends_with(&format!("trigger[0] sends {} ({})", first.key, first.title)),
        "{text}"
    );
    assert!(!text.contains(&jobs[1].id), "on hold: {text}");
    assert!(
        rule_of(&text, &postings[0].id).contains(&format!("trigger[2] sends {}", first.key)),
        "{text}"
    );
    assert!(
        rule_of(&text, &postings[1].id)
            .contains(&format!("interview_tags[0] sends {}", second.key)),
        "the tag wins over the triggers: {text}"
    );
    for interview in [first, second] {
        assert!(
            text.contains(&format!("Willo:{}-Sandbox", interview.title)),
            "tags to create: {text}"
        );
    }
    assert!(
        text.contains("appears when it is first added to a posting"),
        "{text}"
    );
    connections.close().await;
}
