//! SmartRecruiters: department and location come with the job listing; employment
//! type and job properties need `GET /jobs/{id}`, read once per job and pass.
#![cfg(feature = "smartrecruiters")]

use std::sync::Arc;

use ats_bridge::engine::Action;
use ats_bridge::model::{AtsEvent, CandidateDetails, JobState, StageId};
use ats_bridge::rules::Rules;
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::store::{LedgerKey, MemoryStore};
use serde_json::{Value, json};
use wiremock::matchers::query_param;

use super::{INTERVIEW_A, INTERVIEW_B, dry_run, would_invite};
use crate::support::engine_setup::engine_over;
use crate::support::mock_server::{mount_exactly, ok, strict_server};
use crate::support::world::smartrecruiters::{adapter_with, sr};

const STAGE: &str = "INTERVIEW/Video call";

fn rules() -> Rules {
    Rules::from_toml(&format!(
        r#"
        [[trigger]]
        ats = "smartrecruiters"
        stages = ["{STAGE}"]
        interview = "{INTERVIEW_A}"
        when = {{ department = "nursing", country = "gb", employment_type = "Full-time", custom = {{ "Shift" = "Night" }} }}

        [[trigger]]
        ats = "smartrecruiters"
        stages = ["{STAGE}"]
        interview = "{INTERVIEW_B}"
        "#
    ))
    .unwrap()
}

fn listed(id: &str, department: &str, status: &str) -> Value {
    json!({
        "id": id, "title": "Nurse", "status": status,
        "department": {"id": "d", "label": department},
        "location": {"country": "United Kingdom", "countryCode": "gb", "city": "Leeds", "remote": false}
    })
}

fn details(id: &str, department: &str, employment: &str, shift: &str) -> Value {
    let mut job = listed(id, department, "SOURCING");
    job["typeOfEmployment"] = json!({"id": "permanent", "label": employment});
    job["properties"] =
        json!([{"id": "p1", "label": "Shift", "value": {"id": "n", "label": shift}}]);
    job
}

fn candidate(id: &str) -> Value {
    json!({"id": id, "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"})
}

#[tokio::test]
async fn jobs_are_matched_on_listed_and_detailed_attributes_read_once_per_pass() {
    let server = strict_server().await;
    mount_exactly(
        &server,
        1,
        sr("GET", "/jobs")
            .and(query_param("sort", "job_id"))
            .respond_with(ok(json!({
                "totalFound": 3,
                "content": [
                    listed("j1", "Nursing", "SOURCING"),
                    listed("j2", "Nursing", "SOURCING"),
                    listed("j3", "Nursing", "ON_HOLD")
                ]
            }))),
    )
    .await;
    // Both open jobs need their details (employment type, properties); the job on
    // hold is not read. j1 is read again after its job webhook, not before.
    mount_exactly(
        &server,
        2,
        sr("GET", "/jobs/j1").respond_with(ok(details("j1", "Nursing", "full-time", "night"))),
    )
    .await;
    mount_exactly(
        &server,
        1,
        sr("GET", "/jobs/j2").respond_with(ok(details("j2", "Nursing", "Full-time", "Day"))),
    )
    .await;
    for (job, person) in [("j1", "c1"), ("j2", "c2")] {
        mount_exactly(
            &server,
            1,
            sr("GET", "/candidates")
                .and(query_param("jobId", job))
                .and(query_param("status", "INTERVIEW"))
                .and(query_param("subStatus", "Video call"))
                .respond_with(ok(json!({"totalFound": 1, "content": [candidate(person)]}))),
        )
        .await;
    }
    let adapter = adapter_with(
        &server,
        SmartRecruitersAtsConfig::new().phones_in_invites(false),
    );
    let willo = strict_server().await;
    let engine = engine_over(
        &willo,
        Arc::new(MemoryStore::new()),
        Arc::new(adapter),
        rules(),
    )
    .config(dry_run())
    .build()
    .unwrap();

    let report = engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.applications_seen, 2);
    assert_eq!(
        would_invite(&engine),
        [
            ("c1:j1".to_owned(), INTERVIEW_A.to_owned()),
            ("c2:j2".to_owned(), INTERVIEW_B.to_owned()),
        ]
        .into(),
        "j1 meets every condition; j2's night shift is missing"
    );

    // A stage change on j1 uses what the pass read: no request.
    let stage_change = |person: &str| AtsEvent::StageChanged {
        application: SmartRecruitersAts::application_ref(person, "j1"),
        stage: StageId::from(STAGE),
        details: Some(CandidateDetails::new("Ada Lovelace").email("ada@example.com")),
    };
    let name = "smartrecruiters".into();
    let action = engine
        .handle_ats_event(&name, &stage_change("c9"))
        .await
        .unwrap();
    let expected = |person: &str| Action::WouldInvite {
        key: LedgerKey::new(
            "smartrecruiters",
            format!("{person}:j1").as_str(),
            INTERVIEW_A,
        ),
    };
    assert_eq!(action, expected("c9"));

    // A job webhook says j1 changed: its attributes are read again at the next use.
    engine
        .handle_ats_event(
            &name,
            &AtsEvent::JobStatusChanged {
                job: "j1".into(),
                state: JobState::Open,
            },
        )
        .await
        .unwrap();
    let action = engine
        .handle_ats_event(&name, &stage_change("c8"))
        .await
        .unwrap();
    assert_eq!(action, expected("c8"));
}

#[tokio::test]
async fn a_deleted_job_read_for_its_attributes_is_recorded_closed_and_invites_nothing() {
    let server = strict_server().await;
    mount_exactly(
        &server,
        1,
        sr("GET", "/jobs/gone").respond_with(
            wiremock::ResponseTemplate::new(404).set_body_json(
                json!({"errors": [{"code": "NOT_FOUND", "message": "Job not found"}]}),
            ),
        ),
    )
    .await;
    let adapter = adapter_with(&server, SmartRecruitersAtsConfig::new());
    let store = Arc::new(MemoryStore::new());
    let willo = strict_server().await;
    let engine = engine_over(&willo, store.clone(), Arc::new(adapter), rules())
        .config(dry_run())
        .build()
        .unwrap();
    let action = engine
        .handle_ats_event(
            &"smartrecruiters".into(),
            &AtsEvent::StageChanged {
                application: SmartRecruitersAts::application_ref("c1", "gone"),
                stage: StageId::from(STAGE),
                details: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(action, Action::Ignored(ats_bridge::engine::Ignored::NoRule));
    let state = ats_bridge::store::ReconcilerState::job_state(
        store.as_ref(),
        &"smartrecruiters".into(),
        &"gone".into(),
    )
    .await
    .unwrap();
    assert_eq!(state, Some(JobState::Closed));
}
