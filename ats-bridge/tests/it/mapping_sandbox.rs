//! Field mapping end to end on the sandbox (real HTTP, stateful vendors): the real
//! engine invites SmartRecruiters and Lever candidates through the sandbox's Willo,
//! and when they answer, the README's worked example lands — the Willo score and the
//! review link in two SmartRecruiters properties, the AI summary in a Lever profile
//! form — while a property a recruiter filled (protected) keeps their value and a
//! participant's e-mail corrected in Willo reaches the ATS record. Screening with
//! `create_candidates = "never"` links a candidate the ATS already has, by e-mail,
//! and creates nobody.
#![cfg(all(feature = "smartrecruiters", feature = "lever"))]

use std::sync::Arc;

use ats_bridge::engine::{Action, Engine, Ignored};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::mapping::live_checks;
use ats_bridge::model::CandidateMatch;
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig, stage_id};
use ats_bridge::store::{LedgerKey, MemoryStore, RowState, Store};
use ats_bridge::verify::Outcome;
use ats_sandbox::lever::{FORM_TEMPLATE, STAGE_NEW_APPLICANT};
use ats_sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::{Value, json};
use smartrecruiters_client::ApplicationStatus;
use willo_client::webhooks::Delivery;
use willo_client::{Candidate, ParticipantInput, ParticipantKey, SendInterview, WebhookEvent};

use crate::support::engine_setup::{config, count};

/// The README's worked example, with contact updates on for Lever too.
const MAPPING: &str = r#"
    [mapping.smartrecruiters]
    contact_updates = true

    [[mapping.smartrecruiters.field]]
    source = "results.score"
    target = "property:willo-score"
    mandatory = true

    [[mapping.smartrecruiters.field]]
    source = "results.review_link"
    target = "property:willo-link"
    protected = true

    [mapping.lever]
    contact_updates = true

    [[mapping.lever.field]]
    source = "results.summary"
    target = "form:c1a5a6c3-1f4e-4b1e-9f1a-77a0f9e1b001/willo-summary"
"#;

/// What a recruiter typed into the review-link property before the bridge came.
const RECRUITERS_LINK: &str = "https://intranet.example.com/reviews/ada";

fn sandbox_config() -> SandboxConfig {
    SandboxConfig::new()
        .seed(18)
        .willo_completion_delay(None)
        .data(Seed::new().jobs(1).candidates_per_job(2))
}

fn engine(sandbox: &Sandbox, store: Arc<dyn Store>, rules: Rules) -> (Engine, SmartRecruitersAts) {
    let sr = SmartRecruitersAts::new(
        sandbox.smartrecruiters_client().unwrap(),
        SmartRecruitersAtsConfig::new(),
    );
    let lever = LeverAts::new(
        sandbox.lever_client().unwrap(),
        LeverAtsConfig::new(sandbox.lever().perform_as()),
    );
    let engine = Engine::builder(sandbox.willo_client().unwrap(), store)
        .ats(Arc::new(sr.clone()))
        .ats(Arc::new(lever))
        .rules(rules)
        .config(config())
        .build()
        .unwrap();
    (engine, sr)
}

/// Willo's `new_response` about `participant`, as the intake hands it over.
fn new_response(participant: &str) -> Delivery {
    let body = serde_json::to_vec(&json!({"participant": {"key": participant}})).unwrap();
    Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap()
}

/// The Willo participant invited with `email`.
fn participant_of(sandbox: &Sandbox, email: &str) -> String {
    sandbox
        .willo()
        .participants()
        .into_iter()
        .find(|p| p.email.as_deref() == Some(email))
        .unwrap_or_else(|| panic!("nobody was invited with the candidate's e-mail"))
        .key
}

/// The AI summary as the mapping composes it from Willo's answers.
fn summary_of(raw: &Value) -> String {
    raw["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r["question"].as_str().unwrap(),
                r["summary"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worked_example_lands_on_both_atss_protected_values_survive_and_emails_are_corrected() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let rules = Rules::from_toml(MAPPING)
        .unwrap()
        .trigger(
            "smartrecruiters",
            JobSelector::Any,
            [stage_id(&ApplicationStatus::New, None)],
            interview.clone(),
        )
        .trigger(
            "lever",
            JobSelector::Any,
            [STAGE_NEW_APPLICANT],
            interview.clone(),
        );
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (engine, sr) = engine(&sandbox, store, rules.clone());
    // The mapping fits the sandbox company's live property definitions.
    let checks = live_checks(&sr, &rules).await;
    assert!(
        checks.iter().all(|c| c.outcome == Outcome::Pass),
        "{checks:?}"
    );

    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let sr_ids = sandbox.smartrecruiters().candidates(&job);
    let (kept, written) = (sr_ids[0].clone(), sr_ids[1].clone());
    let posting = sandbox.lever().postings()[0].id.clone();
    let opportunities = sandbox.lever().opportunities(&posting);
    // A recruiter already filled in the review link of the first candidate.
    sandbox
        .smartrecruiters()
        .set_property(&kept, &job, "willo-link", json!(RECRUITERS_LINK));

    let report = engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(sandbox.willo().participants().len(), 4, "everyone invited");

    let sr_person = |id: &str| sandbox.smartrecruiters().candidate(id).unwrap();
    let lever_person = |id: &str| sandbox.lever().opportunity(id).unwrap();
    let kept_key = participant_of(&sandbox, &sr_person(&kept).email);
    let written_key = participant_of(&sandbox, &sr_person(&written).email);
    let lever_keys: Vec<String> = opportunities
        .iter()
        .map(|o| participant_of(&sandbox, &lever_person(o).email))
        .collect();
    let lever_old_email = lever_person(&opportunities[0]).email;

    // The hiring team corrects two e-mails in Willo.
    let willo = sandbox.willo_client().unwrap();
    for (key, email) in [
        (&written_key, "corrected.sr@example.com"),
        (&lever_keys[0], "corrected.lever@example.com"),
    ] {
        willo
            .participants()
            .update(
                &ParticipantKey::from(key.as_str()),
                &ParticipantInput::new().email(email),
            )
            .await
            .unwrap();
    }

    for key in [&kept_key, &written_key, &lever_keys[0], &lever_keys[1]] {
        sandbox.willo().complete_participant(key).unwrap();
        let action = engine
            .handle_willo_delivery(&new_response(key))
            .await
            .unwrap();
        assert!(matches!(action, Action::WroteBack { .. }), "{action:?}");
    }
    let status = engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 4, "{status:?}");

    // SmartRecruiters: the score in its NUMBER property, the review link in its
    // TEXT property, except where the recruiter's link was (protected).
    let raw = |key: &str| {
        let willo = willo.clone();
        let key = ParticipantKey::from(key);
        async move { willo.interview_results(&key).await.unwrap().raw }
    };
    let property = |candidate: &str, id: &str| {
        sandbox
            .smartrecruiters()
            .property(candidate, &job, id)
            .unwrap_or_else(|| panic!("property {id} of {candidate} is not set"))
    };
    for (candidate, key) in [(&kept, &kept_key), (&written, &written_key)] {
        let results = raw(key).await;
        assert_eq!(
            property(candidate, "willo-score").as_f64(),
            results["score"].as_f64(),
        );
        assert!(results["score"].as_f64().is_some());
        assert_eq!(sandbox.smartrecruiters().notes(candidate).len(), 1);
    }
    assert_eq!(property(&kept, "willo-link"), json!(RECRUITERS_LINK));
    assert_eq!(
        property(&written, "willo-link"),
        raw(&written_key).await["share_url"]
    );
    // The corrected e-mail reached the candidate's record; the other is untouched.
    assert_eq!(sr_person(&written).email, "corrected.sr@example.com");
    let kept_email = sandbox.willo().participant(&kept_key).unwrap().email;
    assert_eq!(Some(sr_person(&kept).email), kept_email);

    // Lever: the AI summary in the profile form, one form per opportunity.
    for (opportunity, key) in opportunities.iter().zip(&lever_keys) {
        let forms = sandbox.lever().profile_forms(opportunity);
        assert_eq!(forms.len(), 1, "{forms:?}");
        assert_eq!(forms[0]["baseTemplateId"], FORM_TEMPLATE);
        let summary = forms[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "willo-summary")
            .unwrap()["value"]
            .clone();
        assert_eq!(summary, json!(summary_of(&raw(key).await)));
        assert_eq!(sandbox.lever().notes(opportunity).len(), 1);
    }
    // The corrected e-mail is the contact's first, the old one kept after it.
    assert_eq!(
        sandbox.lever().emails(&opportunities[0]),
        ["corrected.lever@example.com", lever_old_email.as_str()]
    );
    assert_eq!(
        sandbox.lever().emails(&opportunities[1]),
        [lever_person(&opportunities[1]).email]
    );

    // A second sync of the same results changes nothing: the recruiter's link stays.
    let again = engine
        .handle_willo_delivery(&new_response(&kept_key))
        .await
        .unwrap();
    assert!(matches!(again, Action::AlreadyDone { .. }), "{again:?}");
    assert_eq!(property(&kept, "willo-link"), json!(RECRUITERS_LINK));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screening_with_create_candidates_never_links_the_known_candidate_and_creates_nobody() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let screening = sandbox.willo().interviews()[1].key.clone();
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let rules = Rules::from_toml(
        r#"
        [mapping.smartrecruiters]
        create_candidates = "never"
        "#,
    )
    .unwrap()
    .screen(screening.clone(), "smartrecruiters", job.clone());
    let (engine, _) = engine(&sandbox, Arc::new(MemoryStore::new()), rules);
    let before = sandbox.smartrecruiters().candidates(&job);
    let known = sandbox.smartrecruiters().candidate(&before[0]).unwrap();

    // Two people take the screening interview in Willo: one the ATS has on the job
    // (same e-mail), one it does not know.
    let willo = sandbox.willo_client().unwrap();
    let mut keys = Vec::new();
    for (name, email) in [
        (known.name.as_str(), known.email.as_str()),
        ("Nobody Known", "nobody.known@example.com"),
    ] {
        let sent = willo
            .send_interview(&SendInterview::new(
                screening.as_str(),
                Candidate::new(name, email),
            ))
            .await
            .unwrap();
        let key = sent.participant.key.unwrap().to_string();
        sandbox.willo().complete_participant(&key).unwrap();
        keys.push(key);
    }

    let linked = engine
        .handle_willo_delivery(&new_response(&keys[0]))
        .await
        .unwrap();
    assert_eq!(
        linked,
        Action::Screened {
            key: LedgerKey::new(
                "smartrecruiters",
                format!("{}:{job}", known.id).as_str(),
                screening.as_str(),
            ),
            candidate: CandidateMatch::ExistingApplication,
        }
    );
    // The results went to the candidate the ATS already had.
    let notes = sandbox.smartrecruiters().notes(&known.id);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with(&format!("#[CANDIDATE:{}]", known.id)));

    // Nobody on the job has the other e-mail: nothing is created.
    let unknown = engine
        .handle_willo_delivery(&new_response(&keys[1]))
        .await
        .unwrap();
    assert_eq!(unknown, Action::Ignored(Ignored::UnknownParticipant));
    assert_eq!(sandbox.smartrecruiters().candidates(&job), before);
    let status = engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1, "{status:?}");
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
    sandbox.shutdown().await;
}
