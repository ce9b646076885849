//! Pre-application screening on the sandbox: a walk-in who completed the screening
//! interview becomes one SmartRecruiters candidate with one results note, and a
//! repeated webhook creates nothing more.

#[path = "../../examples/pre_application.rs"]
#[allow(dead_code)]
mod example;

use ats_bridge::engine::Action;
use ats_bridge::model::CandidateMatch;
use ats_sandbox::SandboxConfig;
use examples::Connections;

use crate::support::output_of;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_in_becomes_one_candidate_with_one_note() {
    let config = SandboxConfig::new().willo_completion_delay(None);
    let connections = Connections::sandbox(config).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let before = sandbox.smartrecruiters().candidates(&job).len();

    let mut out = Vec::new();
    let screened = example::screen_walk_in(
        &connections,
        example::ScreeningAts::SmartRecruiters,
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(screened.job, job);
    assert!(matches!(screened.first, Action::Screened { .. }), "{text}");
    assert!(
        matches!(screened.repeat, Action::AlreadyDone { .. }),
        "{text}"
    );

    let sr = sandbox.smartrecruiters();
    let on_job = sr.candidates(&job);
    assert_eq!(on_job.len(), before + 1, "exactly one candidate created");
    let walk_ins: Vec<String> = on_job
        .into_iter()
        .filter(|id| sr.candidate(id).unwrap().email == example::WALK_IN_EMAIL)
        .collect();
    assert_eq!(walk_ins.len(), 1, "{text}");
    let person = sr.candidate(&walk_ins[0]).unwrap();
    assert_eq!(person.name, "Walk In");
    let notes = sr.notes(&walk_ins[0]);
    assert_eq!(notes.len(), 1, "one results note: {notes:?}");
    assert!(notes[0].contains("Willo interview results"), "{}", notes[0]);
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_lever_a_walk_in_becomes_one_opportunity_with_one_note() {
    let config = SandboxConfig::new().willo_completion_delay(None);
    let connections = Connections::sandbox(config).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let lever = sandbox.lever();
    let posting = lever.postings()[0].id.clone();
    let before = lever.opportunities(&posting).len();

    let mut out = Vec::new();
    let screened = example::screen_walk_in(&connections, example::ScreeningAts::Lever, &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(screened.job, posting);
    assert!(
        matches!(
            screened.first,
            Action::Screened {
                candidate: CandidateMatch::New,
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("(a new person)"), "{text}");
    assert!(
        matches!(screened.repeat, Action::AlreadyDone { .. }),
        "{text}"
    );

    let on_posting = lever.opportunities(&posting);
    assert_eq!(
        on_posting.len(),
        before + 1,
        "exactly one opportunity created"
    );
    let walk_ins: Vec<String> = on_posting
        .into_iter()
        .filter(|id| lever.opportunity(id).unwrap().email == example::WALK_IN_EMAIL)
        .collect();
    assert_eq!(walk_ins.len(), 1, "{text}");
    assert_eq!(lever.opportunity(&walk_ins[0]).unwrap().name, "Walk In");
    let notes = lever.notes(&walk_ins[0]);
    assert_eq!(notes.len(), 1, "one results note: {notes:?}");
    assert!(notes[0].contains("Willo interview results"), "{}", notes[0]);
    connections.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_runs_on_the_sandbox_without_environment() {
    let text = output_of(async |out| example::run(out).await).await;
    assert!(text.contains("candidate created on job"), "{text}");
    assert!(text.contains("nothing created, nothing written"), "{text}");
}
