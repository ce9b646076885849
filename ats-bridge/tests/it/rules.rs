//! Rules: loading from TOML and JSON, lookups, and validation errors that name the
//! bad entry.

use ats_bridge::model::{AtsName, Job, JobAttributes, JobId, JobState, StageId};
use ats_bridge::rules::{
    Choice, Decision, InterviewDirectory, JobConditions, JobSelector, Labels, RuleRef, Rules,
    RulesError, Trigger,
};

const INTERVIEW_A: &str = "1e2048a686804049b128f1357c559cbf";
const INTERVIEW_B: &str = "d62a87cd963f46a0b6d020947fd1dcf5";

fn ats(name: &str) -> AtsName {
    AtsName::from(name)
}

#[test]
fn toml_rules_load_and_a_named_job_wins_over_every_job() {
    let rules = Rules::from_toml(&format!(
        r#"
        [[trigger]]
        ats = "smartrecruiters"
        stages = ["INTERVIEW", "IN_REVIEW/Video screen"]
        interview = "{INTERVIEW_A}"

        [[trigger]]
        ats = "smartrecruiters"
        job = "job-7"
        stages = ["INTERVIEW"]
        interview = "{INTERVIEW_B}"

        [labels]
        invited = "Video: invited"
        responded = "Video: to review"
        accepted = "Video: yes"
        rejected = "Video: no"

        [[auto_progress]]
        ats = "smartrecruiters"
        job = "job-7"
        decision = "rejected"
        move_to = "REJECTED"
        "#
    ))
    .unwrap();
    let sr = ats("smartrecruiters");
    let interview = |job: &str, stage: &str| {
        rules
            .interview_for(&sr, &JobId::from(job), &StageId::from(stage))
            .map(|k| k.as_str().to_owned())
    };
    assert_eq!(
        interview("job-7", "INTERVIEW").as_deref(),
        Some(INTERVIEW_B)
    );
    assert_eq!(
        interview("job-1", "INTERVIEW").as_deref(),
        Some(INTERVIEW_A)
    );
    assert_eq!(
        interview("job-1", "IN_REVIEW/Video screen").as_deref(),
        Some(INTERVIEW_A)
    );
    assert_eq!(interview("job-1", "OFFERED"), None);
    assert_eq!(
        rules.interview_for(
            &ats("lever"),
            &JobId::from("job-1"),
            &StageId::from("INTERVIEW")
        ),
        None
    );
    assert_eq!(rules.labels.for_decision(Decision::Accepted), "Video: yes");
    assert_eq!(
        rules.move_on_decision(&sr, &JobId::from("job-7"), Decision::Rejected),
        Some(&StageId::from("REJECTED"))
    );
    assert_eq!(
        rules.move_on_decision(&sr, &JobId::from("job-1"), Decision::Rejected),
        None
    );
}

#[test]
fn json_and_code_build_the_same_rules() {
    let from_json = Rules::from_json(&format!(
        r#"{{"trigger": [{{"ats": "lever", "job": "*", "stages": ["phone-screen"], "interview": "{INTERVIEW_A}"}}]}}"#
    ))
    .unwrap();
    let in_code = Rules::new().trigger("lever", JobSelector::Any, ["phone-screen"], INTERVIEW_A);
    assert_eq!(from_json, in_code);
    assert_eq!(from_json.labels, Labels::default());
    assert_eq!(
        Labels::default().all(),
        [
            "Willo:Invited",
            "Willo:To Review",
            "Willo:Accepted",
            "Willo:Rejected"
        ]
    );
}

fn invalid(result: Result<Rules, RulesError>) -> (String, String) {
    match result {
        Err(RulesError::Invalid { entry, reason }) => (entry, reason),
        other => panic!("expected an invalid entry, got {other:?}"),
    }
}

#[test]
fn validation_names_the_bad_entry() {
    let (entry, reason) = invalid(Rules::from_toml(&format!(
        r#"
        [[trigger]]
        ats = "lever"
        stages = ["a"]
        interview = "{INTERVIEW_A}"

        [[trigger]]
        ats = "lever"
        job = "p-1"
        stages = []
        interview = "{INTERVIEW_A}"
        "#
    )));
    assert_eq!(entry, "trigger[1] (lever, job p-1)");
    assert!(reason.contains("at least one stage"), "{reason}");

    let clash = Rules::new()
        .trigger("lever", JobSelector::Any, ["a", "b"], INTERVIEW_A)
        .trigger("lever", JobSelector::Any, ["b"], INTERVIEW_B);
    let (entry, reason) = invalid(clash.validate().map(|()| clash.clone()));
    assert_eq!(entry, "trigger[1] (lever, job *)");
    assert!(reason.contains("trigger[0]"), "{reason}");

    let mut labels = Labels::default();
    labels.rejected = "Willo:Accepted".into();
    let same_labels = Rules::new().labels(labels);
    let (entry, reason) = invalid(same_labels.validate().map(|()| same_labels.clone()));
    assert_eq!(entry, "labels.rejected");
    assert!(reason.contains("labels.accepted"), "{reason}");

    let twice = Rules::new()
        .progress("lever", JobSelector::Any, Decision::Accepted, "onsite")
        .progress("lever", JobSelector::Any, Decision::Accepted, "offer");
    let (entry, _) = invalid(twice.validate().map(|()| twice.clone()));
    assert_eq!(entry, "auto_progress[1] (lever, job *)");

    let (entry, reason) = invalid(Rules::from_json(
        r#"{"trigger": [{"ats": "lever", "stages": ["x"], "interview": " "}]}"#,
    ));
    assert_eq!(entry, "trigger[0] (lever, job *)");
    assert!(reason.contains("interview"), "{reason}");
}

#[test]
fn unknown_keys_and_bad_syntax_are_parse_errors() {
    let err = Rules::from_toml("[[trigger]]\nats = \"lever\"\nstage = [\"typo\"]\n").unwrap_err();
    assert!(
        matches!(&err, RulesError::Parse { format: "TOML", message } if message.contains("stage")),
        "{err}"
    );
    let err = Rules::from_json("{").unwrap_err();
    assert!(matches!(err, RulesError::Parse { format: "JSON", .. }));
}

fn job(id: &str, title: &str, attributes: JobAttributes) -> Job {
    Job::new(id, title, JobState::Open).with_attributes(attributes)
}

#[test]
fn conditions_combine_with_and_and_the_first_matching_rule_wins() {
    let rules = Rules::from_toml(&format!(
        r#"
        [[trigger]]
        ats = "smartrecruiters"
        stages = ["INTERVIEW"]
        interview = "{INTERVIEW_A}"
        [trigger.when]
        department = "Nursing"
        city = "Leeds"
        title = "^(senior )?nurse$"

        [[trigger]]
        ats = "smartrecruiters"
        stages = ["INTERVIEW"]
        interview = "{INTERVIEW_B}"
        when = {{ department = "Nursing" }}
        "#
    ))
    .unwrap();
    let sr = ats("smartrecruiters");
    let stage = StageId::from("INTERVIEW");
    let none = InterviewDirectory::default();
    let choose = |job: &Job| rules.choose(&sr, job, &stage, &none);
    let leeds = JobAttributes::new().department("nursing").city("LEEDS");
    assert_eq!(
        choose(&job("j1", "Senior Nurse", leeds.clone())),
        Choice::Send {
            rule: RuleRef::Trigger(0),
            interview: INTERVIEW_A.into()
        }
    );
    // One condition fails (the title is anchored): the next rule decides.
    assert_eq!(
        choose(&job("j2", "Nurse practitioner", leeds)).interview(),
        Some(&INTERVIEW_B.into())
    );
    assert_eq!(
        choose(&job(
            "j3",
            "Nurse",
            JobAttributes::new().department("Kitchen")
        )),
        Choice::NoRule
    );
    // Known by id alone, a rule with conditions cannot be told to match.
    assert_eq!(rules.interview_for(&sr, &JobId::from("j1"), &stage), None);
    // The conditions survive a round trip.
    let text = serde_json::to_string(&rules).unwrap();
    assert_eq!(Rules::from_json(&text).unwrap(), rules);
}

#[test]
fn a_rule_an_earlier_one_always_pre_empts_is_refused() {
    // `*` with no condition first: the Nursing rule after it can never match.
    let (entry, reason) = invalid(Rules::from_toml(&format!(
        r#"
        [[trigger]]
        ats = "lever"
        stages = ["screen"]
        interview = "{INTERVIEW_A}"

        [[trigger]]
        ats = "lever"
        stages = ["screen"]
        interview = "{INTERVIEW_B}"
        when = {{ department = "Nursing" }}
        "#
    )));
    assert_eq!(
        entry,
        "trigger[1] (lever, job *, when department = Nursing)"
    );
    assert!(reason.contains("trigger[0]"), "{reason}");

    // The same interview at every stage an earlier rule already takes: never used.
    let redundant = Rules::new()
        .with_trigger(
            Trigger::new("lever", JobSelector::Any, ["screen", "onsite"], INTERVIEW_A)
                .when(JobConditions::new().department("Nursing")),
        )
        .with_trigger(
            Trigger::new("lever", JobSelector::Any, ["screen"], INTERVIEW_A)
                .when(JobConditions::new().department("nursing").city("Leeds")),
        );
    let (entry, reason) = invalid(redundant.validate().map(|()| redundant.clone()));
    assert!(entry.starts_with("trigger[1]"), "{entry}");
    assert!(reason.contains("can never match"), "{reason}");

    // Narrower first is the way to write it; a named job is tried before `*` rules.
    Rules::new()
        .with_trigger(
            Trigger::new("lever", JobSelector::Any, ["screen"], INTERVIEW_B)
                .when(JobConditions::new().department("Nursing")),
        )
        .trigger("lever", JobSelector::Any, ["screen"], INTERVIEW_A)
        .trigger(
            "lever",
            JobSelector::Job("p-1".into()),
            ["screen"],
            INTERVIEW_B,
        )
        .validate()
        .unwrap();
}

#[test]
fn bad_conditions_and_interview_tag_rules_are_named() {
    let err = Rules::from_toml(&format!(
        "[[trigger]]\nats = \"lever\"\nstages = [\"s\"]\ninterview = \"{INTERVIEW_A}\"\nwhen = {{ title = \"(\" }}\n"
    ))
    .unwrap_err();
    assert!(
        matches!(&err, RulesError::Parse { message, .. } if message.contains("title pattern")),
        "{err}"
    );
    let err = Rules::from_toml(&format!(
        "[[trigger]]\nats = \"lever\"\nstages = [\"s\"]\ninterview = \"{INTERVIEW_A}\"\nwhen = {{ departement = \"x\" }}\n"
    ))
    .unwrap_err();
    assert!(matches!(err, RulesError::Parse { .. }), "{err}");
    let (entry, reason) = invalid(Rules::from_toml(&format!(
        "[[trigger]]\nats = \"lever\"\nstages = [\"s\"]\ninterview = \"{INTERVIEW_A}\"\nwhen = {{ city = \" \" }}\n"
    )));
    assert!(entry.starts_with("trigger[0]"), "{entry}");
    assert!(reason.contains("when.city"), "{reason}");

    let (entry, reason) = invalid(Rules::from_toml(
        "[[interview_tags]]\nats = \"lever\"\naccount = \"Acme\"\nstages = [\"s\"]\n\n\
         [[interview_tags]]\nats = \"lever\"\naccount = \"Acme\"\nstages = [\"t\", \"s\"]\n",
    ));
    assert_eq!(entry, "interview_tags[1] (lever, account Acme)");
    assert!(reason.contains("interview_tags[0]"), "{reason}");
    let (entry, _) = invalid(Rules::from_toml(
        "[[interview_tags]]\nats = \"lever\"\naccount = \" \"\nstages = [\"s\"]\n",
    ));
    assert_eq!(entry, "interview_tags[0] (lever, account  )");
}
