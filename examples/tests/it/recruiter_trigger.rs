//! Recruiter-triggered send on the sandbox: two clicks, one Willo participant, one
//! results note.

#[path = "../../examples/recruiter_trigger.rs"]
#[allow(dead_code)]
mod example;

use ats_bridge::engine::Action;
use ats_sandbox::SandboxConfig;
use examples::Connections;

use crate::support::output_of;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clicks_send_one_invite_and_write_one_note() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let mut out = Vec::new();
    let clicks = example::send_and_follow(&connections, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();

    assert!(
        matches!(clicks.first, Action::Invited { created: true, .. }),
        "{text}"
    );
    assert!(
        matches!(clicks.second, Action::AlreadyDone { .. }),
        "{text}"
    );
    assert!(clicks.written_back, "{text}");

    let sandbox = connections.sandbox.as_ref().unwrap();
    let candidate = clicks.application.candidate.as_str();
    let email = sandbox
        .smartrecruiters()
        .candidate(candidate)
        .unwrap()
        .email;
    let invited: Vec<_> = sandbox
        .willo()
        .participants()
        .into_iter()
        .filter(|p| p.email.as_deref() == Some(email.as_str()))
        .collect();
    assert_eq!(invited.len(), 1, "one participant for two clicks");
    assert_eq!(
        sandbox.willo().participants().len(),
        1,
        "nobody else invited"
    );
    assert_eq!(
        sandbox.smartrecruiters().notes(candidate).len(),
        1,
        "{text}"
    );
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_runs_on_the_sandbox_without_environment() {
    let text = output_of(async |out| example::run(out).await).await;
    assert!(text.contains("click 2: already sent"), "{text}");
    assert!(text.contains("results written back"), "{text}");
}
