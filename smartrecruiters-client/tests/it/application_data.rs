//! Data on an application: candidate properties (and their definitions), screening
//! answers, the source (and the sources configured).

use crate::support;

use serde_json::json;
use smartrecruiters_client::{
    CandidateId, Error, JobId, PropertyType, PropertyValue, PropertyValueInput, QuestionType,
    SourceDetails,
};
use support::{API_KEY, MountOnce, QueryIs, client, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header};

fn ids() -> (CandidateId, JobId) {
    ("c1".into(), "j1".into())
}

#[tokio::test]
async fn properties_of_an_application_are_read_typed() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1/properties")
        .and(header("x-smarttoken", API_KEY))
        .and(QueryIs(vec![("context", "PROFILE")]))
        .once(
            &server,
            ok(json!({"content": [
                {"id": "p-text", "label": "Assessment link", "type": "TEXT",
                 "value": "https://willo.example/r/1", "actions": {}},
                {"id": "p-num", "label": "Score", "type": "NUMBER", "value": 87},
                {"id": "p-ss", "label": "Result", "type": "SINGLE_SELECT",
                 "value": {"id": "v-pass", "label": "Pass"}, "valueLabel": {"label": "Pass"}},
                {"id": "p-cur", "type": "CURRENCY", "value": {"code": "GBP", "value": 23232}},
                {"id": "p-date", "type": "DATE", "value": "2015-11-17T23:00:00.000Z"},
                {"id": "p-new", "type": "MULTI_SELECT", "value": ["a", "b"], "hint": "kept"},
                {"id": "p-unset", "type": "TEXT"}
            ]})),
        )
        .await;
    let (c, j) = ids();
    let props = client(&server)
        .applications()
        .properties(&c, &j, Some("PROFILE"))
        .await
        .unwrap();
    let values: Vec<Option<PropertyValue>> = props.iter().map(|p| p.typed_value()).collect();
    assert_eq!(
        values,
        vec![
            Some(PropertyValue::text("https://willo.example/r/1")),
            Some(PropertyValue::number(87.0)),
            Some(PropertyValue::single_select("v-pass")),
            Some(PropertyValue::Currency {
                code: "GBP".into(),
                value: 23232.into()
            }),
            Some(PropertyValue::date("2015-11-17T23:00:00.000Z")),
            Some(PropertyValue::Other(json!(["a", "b"]))),
            None,
        ]
    );
    assert_eq!(props[0].label.as_deref(), Some("Assessment link"));
    assert_eq!(
        props[5].kind,
        Some(PropertyType::Other("MULTI_SELECT".into()))
    );
    assert_eq!(props[5].extra["hint"], "kept");
}

#[tokio::test]
async fn no_properties_is_the_documented_empty_object_and_another_shape_is_an_error() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1/properties")
        .and(QueryIs(vec![]))
        .once(&server, ok(json!({})))
        .await;
    on("GET", "/candidates/c1/jobs/j2/properties")
        .once(&server, ok(json!({"properties": []})))
        .await;
    let sr = client(&server);
    let (c, j) = ids();
    assert!(
        sr.applications()
            .properties(&c, &j, None)
            .await
            .unwrap()
            .is_empty()
    );
    let other = sr.applications().properties(&c, &"j2".into(), None).await;
    assert!(matches!(other, Err(Error::Decode { .. })), "{other:?}");
}

#[tokio::test]
async fn properties_are_set_in_one_batch_with_the_documented_value_shapes() {
    let server = server().await;
    // The value examples of SmartRecruiters' `PUT …/properties` reference.
    on("PUT", "/candidates/c1/jobs/j1/properties")
        .and(body_json(json!([
            {"id": "p-bool", "value": true},
            {"id": "p-country", "value": "us"},
            {"id": "p-cur", "value": {"code": "GBP", "value": 23232}},
            {"id": "p-date", "value": "2015-11-17T23:00:00.000Z"},
            {"id": "p-num", "value": 42},
            {"id": "p-pct", "value": 12.5},
            {"id": "p-region", "value": "us-wa"},
            {"id": "p-ss", "value": "f6fe768f-b5e6-4794-9938-c2f42ab0a572"},
            {"id": "p-text", "value": "Example text"},
            {"id": "p-user", "value": "50fe861de4b00265edec6775"},
            {"id": "p-reset"}
        ])))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let (c, j) = ids();
    let values = [
        PropertyValueInput::set("p-bool", PropertyValue::Boolean(true)),
        PropertyValueInput::set("p-country", PropertyValue::Country("us".into())),
        PropertyValueInput::set(
            "p-cur",
            PropertyValue::Currency {
                code: "GBP".into(),
                value: 23232.into(),
            },
        ),
        PropertyValueInput::set("p-date", PropertyValue::date("2015-11-17T23:00:00.000Z")),
        PropertyValueInput::set("p-num", PropertyValue::number(42.0)),
        PropertyValueInput::set(
            "p-pct",
            PropertyValue::Percent(serde_json::Number::from_f64(12.5).unwrap()),
        ),
        PropertyValueInput::set("p-region", PropertyValue::Region("us-wa".into())),
        PropertyValueInput::set(
            "p-ss",
            PropertyValue::single_select("f6fe768f-b5e6-4794-9938-c2f42ab0a572"),
        ),
        PropertyValueInput::set("p-text", PropertyValue::text("Example text")),
        PropertyValueInput::set(
            "p-user",
            PropertyValue::User("50fe861de4b00265edec6775".into()),
        ),
        PropertyValueInput::reset("p-reset"),
    ];
    client(&server)
        .applications()
        .set_properties(&c, &j, &values)
        .await
        .unwrap();
}

#[tokio::test]
async fn property_definitions_and_single_select_values() {
    let server = server().await;
    on("GET", "/configuration/candidate-properties")
        .once(
            &server,
            ok(json!({"totalFound": 1, "content": [
                {"id": "p-ss", "label": "Result", "type": "SINGLE_SELECT",
                 "availability": {"toUsers": "ALL"}, "actions": {"values": {"url": "u"}}}
            ]})),
        )
        .await;
    on("GET", "/configuration/candidate-properties/p-ss")
        .once(
            &server,
            ok(json!({"id": "p-ss", "label": "Result", "type": "SINGLE_SELECT"})),
        )
        .await;
    on("GET", "/configuration/candidate-properties/p-ss/values")
        .once(
            &server,
            ok(json!({"totalFound": 2, "content": [
                {"id": "v-pass", "label": "Pass"}, {"id": "v-fail", "label": "Fail"}
            ]})),
        )
        .await;
    let config = client(&server);
    let config = config.configuration();
    let defs = config.candidate_properties().await.unwrap();
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].kind, Some(PropertyType::SingleSelect));
    assert_eq!(defs[0].availability.as_ref().unwrap()["toUsers"], "ALL");
    let one = config.candidate_property("p-ss").await.unwrap();
    assert_eq!(one.label.as_deref(), Some("Result"));
    let values = config.candidate_property_values("p-ss").await.unwrap();
    let labels: Vec<_> = values.iter().map(|v| v.label.as_deref().unwrap()).collect();
    assert_eq!(labels, ["Pass", "Fail"]);
}

#[tokio::test]
async fn screening_answers_are_read_with_their_fields() {
    let server = server().await;
    // Built from the answer schema and the questions of SmartRecruiters' example text.
    on("GET", "/candidates/c1/jobs/j1/screening-answers")
        .and(header("x-smarttoken", API_KEY))
        .once(
            &server,
            ok(json!({"totalFound": 2, "content": [
                {"id": "q1", "type": "radio", "category": "a0c4bd6e-2f0e-4d9e-9d3f-1b2c3d4e5f60",
                 "name": "license", "label": "Do you have a current driver's license?",
                 "records": [{"fields": {"value": {"label": "Do you have a current driver's license?",
                    "values": [{"id": "no", "label": "No"}]}}}]},
                {"id": "q2", "type": "languages", "category": "LANGUAGES", "name": "languages",
                 "label": "Languages",
                 "records": [
                    {"fields": {"language": {"label": "Language", "values": [{"label": "English"}]},
                                "level": {"label": "Proficiency level", "values": [{"label": "Advanced"}]}}},
                    {"fields": {"language": {"label": "Language", "values": [{"label": "Spanish"}]},
                                "level": {"label": "Proficiency level", "values": [{"label": "Beginner"}]}}}
                 ]}
            ]})),
        )
        .await;
    let (c, j) = ids();
    let answers = client(&server)
        .applications()
        .screening_answers(&c, &j)
        .await
        .unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].kind, Some(QuestionType::Radio));
    assert_eq!(
        answers[0].records[0].fields["value"].values[0]
            .label
            .as_deref(),
        Some("No")
    );
    assert_eq!(answers[1].kind, Some(QuestionType::Languages));
    let spoken: Vec<&str> = answers[1]
        .records
        .iter()
        .map(|r| r.fields["language"].values[0].label.as_deref().unwrap())
        .collect();
    assert_eq!(spoken, ["English", "Spanish"]);
}

#[tokio::test]
async fn sources_configured_and_an_application_source_changed() {
    let server = server().await;
    on("GET", "/configuration/sources")
        .once(
            &server,
            ok(json!({"totalFound": 1, "content": [
                {"id": "JOB_BOARD", "label": "Job Board",
                 "subtypes": [{"id": "FREE", "label": "Free"}], "actions": {}}
            ]})),
        )
        .await;
    let first: Vec<_> = (0..100)
        .map(|i| json!({"id": format!("s{i}"), "label": format!("Source {i}")}))
        .collect();
    on("GET", "/configuration/sources/JOB_BOARD/values")
        .and(QueryIs(vec![
            ("sourceSubType", "FREE"),
            ("limit", "100"),
            ("offset", "0"),
        ]))
        .once(
            &server,
            ok(json!({"totalFound": 101, "limit": 100, "offset": 0, "content": first})),
        )
        .await;
    on("GET", "/configuration/sources/JOB_BOARD/values")
        .and(QueryIs(vec![
            ("sourceSubType", "FREE"),
            ("limit", "100"),
            ("offset", "100"),
        ]))
        .once(
            &server,
            ok(json!({"totalFound": 101, "limit": 100, "offset": 100,
                      "content": [{"id": "willo", "label": "Willo", "sourceSubType": "FREE"}]})),
        )
        .await;
    on("PUT", "/candidates/c1/jobs/j1/source")
        .and(body_json(
            json!({"sourceTypeId": "JOB_BOARD", "sourceSubTypeId": "FREE", "sourceId": "willo"}),
        ))
        .once(&server, ResponseTemplate::new(204))
        .await;

    let sr = client(&server);
    let types = sr.configuration().sources().await.unwrap();
    assert_eq!(types[0].id, "JOB_BOARD");
    assert_eq!(types[0].subtypes[0].id.as_deref(), Some("FREE"));
    let sources = sr
        .configuration()
        .source_values("JOB_BOARD", Some("FREE"))
        .await
        .unwrap();
    assert_eq!(sources.len(), 101);
    assert_eq!(sources[100].source_sub_type.as_deref(), Some("FREE"));
    let (c, j) = ids();
    let source = SourceDetails::new("JOB_BOARD", "willo").sub_type("FREE");
    sr.applications().set_source(&c, &j, &source).await.unwrap();
}
