//! The sandbox driven by the real clients and adapters: listings and paging, the Willo
//! invite → completion → `new_response` loop, SmartRecruiters' activation handshake and
//! signed deliveries, Lever's signed deliveries, write-backs visible through
//! inspection, 401/429/5xx, webhook faults, and reproducibility with a seed.

use std::time::Duration;

use ats_bridge::Ats;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::{ApplicationRef, AtsEvent, CandidateDetails, WriteBack};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::{AtsWebhooks, WebhookRequest};
use ats_sandbox::{Faults, Sandbox, SandboxConfig, Seed, Vendor};
use axum::http::{HeaderMap, StatusCode};
use client_core::{RetryPolicy, SecretString, Url};
use futures::TryStreamExt as _;
use lever_client::NewWebhook;
use lever_client::OpportunityFilter;
use lever_client::webhooks::Event;
use smartrecruiters_client::webhooks::WebhookVerifier;
use smartrecruiters_client::{
    ApplicationStatus, CandidateFilter, EventName, JobFilter, NewSubscription,
};
use willo_client::webhooks::{Delivery, DeliveryUrl, WebhookEvent};
use willo_client::{Candidate, ParticipantFilter, SendInterview, Subscription, SubscriptionScope};

use crate::support::{next, receiver, refusal};

fn small() -> SandboxConfig {
    SandboxConfig::new()
        .seed(42)
        .willo_completion_delay(Some(Duration::from_millis(20)))
}

fn invite(interview: &str, email: &str) -> SendInterview {
    SendInterview::new(
        interview,
        Candidate::new("Ada Lovelace", email).phone("+447700900123"),
    )
}

#[tokio::test]
async fn willo_invite_completes_and_new_response_reaches_the_receiver() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let willo = sandbox.willo_client().unwrap();
    let (endpoint, mut rx) = receiver().await;
    let token = SecretString::from("receiver-token");
    let registered = willo
        .webhooks()
        .subscribe(
            &Subscription::new(endpoint, token, SubscriptionScope::AllInterviews)
                .events([WebhookEvent::NewResponse]),
        )
        .await
        .unwrap();
    assert_eq!(registered.len(), 1);

    let interviews: Vec<_> = willo
        .interviews()
        .list(willo_client::ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(interviews.len(), 2);
    let interview = interviews[0].key.clone().unwrap();
    assert!(willo_client::looks_like_key(interview.as_str()));

    let sent = willo
        .send_interview(&invite(interview.as_str(), "ada@example.com"))
        .await
        .unwrap();
    assert!(sent.created);
    let key = sent.participant.key.clone().unwrap();
    let again = willo
        .send_interview(&invite(interview.as_str(), "ADA@example.com"))
        .await
        .unwrap();
    assert!(!again.created, "the same email is not invited twice");
    assert_eq!(again.participant.key.as_ref(), Some(&key));

    let delivery = next(&mut rx).await;
    let parsed = willo_client::WebhookVerifier::new(SecretString::from("receiver-token"))
        .verify(
            &WebhookRequest::new(&HeaderMap::new(), &delivery.body).query(Some(&delivery.query)),
        )
        .unwrap();
    assert_eq!(parsed.event, Some(WebhookEvent::NewResponse));
    assert_eq!(parsed.participant_key(), Some(&key));
    assert_eq!(parsed.interview_key.as_ref(), Some(&interview));

    let results = willo.interview_results(&key).await.unwrap();
    assert_eq!(results.responses.len(), 3);
    assert!(results.completed_at.is_some());
    assert!(results.score.is_some());
    let first = &results.responses[0];
    assert_eq!(first.question.as_deref(), Some("Tell us about yourself."));
    assert!(first.media_url.as_deref().unwrap().ends_with(".mp4"));
    assert!(first.transcript.is_some() && first.summary.is_some() && first.score.is_some());

    let seen = sandbox.willo().participant(key.as_str()).unwrap();
    assert_eq!(seen.responses, 3);
    sandbox.willo().deliveries_idle().await;
    let stats = sandbox.willo().deliveries();
    assert_eq!((stats.emitted, stats.delivered), (1, 1));
    assert_eq!(
        sandbox.willo().requests().endpoint("POST /participants/"),
        1
    );
}

#[tokio::test]
async fn willo_completes_only_when_told_and_validates_invites() {
    let sandbox = Sandbox::start(small().willo_completion_delay(None))
        .await
        .unwrap();
    let willo = sandbox.willo_client().unwrap();
    let interview = sandbox.willo().interviews()[1].key.clone();
    for n in 0..3 {
        let request = invite(&interview, &format!("p{n}@example.com"));
        willo.send_interview(&request).await.unwrap();
    }
    let listed: Vec<_> = willo
        .participants()
        .list(ParticipantFilter::new().page_size(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 3, "followed DRF `next` across two pages");
    let key = listed[0].key.clone().unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(
        sandbox
            .willo()
            .participant(key.as_str())
            .unwrap()
            .completed_at
            .is_none()
    );
    sandbox.willo().complete_participant(key.as_str()).unwrap();
    assert!(
        sandbox
            .willo()
            .participant(key.as_str())
            .unwrap()
            .completed_at
            .is_some()
    );
    assert!(
        sandbox
            .willo()
            .complete_participant("0".repeat(32).as_str())
            .is_err()
    );

    assert_eq!(
        refusal(
            willo
                .participants()
                .invite(&willo_client::InviteParticipant::new(
                    interview.as_str(),
                    " ",
                ))
        )
        .await,
        Some(StatusCode::BAD_REQUEST)
    );
    assert_eq!(
        refusal(
            willo
                .participants()
                .invite(&willo_client::InviteParticipant::new("f".repeat(32), "Ada"))
        )
        .await,
        Some(StatusCode::BAD_REQUEST)
    );
}

#[tokio::test]
async fn willo_late_transcripts_scores_and_comments_appear_later_with_their_webhooks() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let willo = sandbox.willo_client().unwrap();
    let (endpoint, mut rx) = receiver().await;
    let scope =
        SubscriptionScope::Interviews(vec![sandbox.willo().interviews()[0].key.as_str().into()]);
    willo
        .webhooks()
        .subscribe(
            &Subscription::new(endpoint, SecretString::from("t"), scope)
                .events([WebhookEvent::NewScore, WebhookEvent::NewComment]),
        )
        .await
        .unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let sent = willo
        .send_interview(&invite(&interview, "ada@example.com"))
        .await
        .unwrap();
    let key = sent.participant.key.unwrap();
    assert!(
        sandbox.willo().add_transcripts(key.as_str()).is_err(),
        "nothing answered yet"
    );

    // Answers first, without transcripts and summaries.
    sandbox.willo().hold_transcripts(true);
    sandbox.willo().complete_participant(key.as_str()).unwrap();
    let results = willo.interview_results(&key).await.unwrap();
    assert!(!results.responses.is_empty());
    assert!(
        results
            .responses
            .iter()
            .all(|r| r.transcript.is_none() && r.summary.is_none())
    );

    // Then the transcripts and summaries (Willo sends no webhook for them).
    sandbox.willo().add_transcripts(key.as_str()).unwrap();
    let results = willo.interview_results(&key).await.unwrap();
    assert!(
        results
            .responses
            .iter()
            .all(|r| r.transcript.is_some() && r.summary.is_some())
    );

    // A reviewer's score and comment, each with its webhook.
    sandbox.willo().add_score(key.as_str(), 4.5).unwrap();
    let delivery = next(&mut rx).await;
    let parsed = Delivery::parse(
        &delivery.body,
        DeliveryUrl::from_query(&delivery.query).event,
    )
    .unwrap();
    assert_eq!(parsed.event, Some(WebhookEvent::NewScore));
    assert_eq!(parsed.participant_key(), Some(&key));
    sandbox
        .willo()
        .add_comment(key.as_str(), "Sam Reviewer", "Great energy")
        .unwrap();
    let delivery = next(&mut rx).await;
    let parsed = Delivery::parse(
        &delivery.body,
        DeliveryUrl::from_query(&delivery.query).event,
    )
    .unwrap();
    assert_eq!(parsed.event, Some(WebhookEvent::NewComment));
    let results = willo.interview_results(&key).await.unwrap();
    assert_eq!(results.score, Some(4.5));
    assert_eq!(results.comments.len(), 1);
    assert_eq!(results.comments[0].text, "Great energy");
    assert_eq!(results.comments[0].author.as_deref(), Some("Sam Reviewer"));
}

#[tokio::test]
async fn willo_stage_changes_are_decisions_with_stage_change_webhooks() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let willo = sandbox.willo_client().unwrap();
    let (endpoint, mut rx) = receiver().await;
    let scope =
        SubscriptionScope::Interviews(vec![sandbox.willo().interviews()[0].key.as_str().into()]);
    willo
        .webhooks()
        .subscribe(
            &Subscription::new(endpoint, SecretString::from("t"), scope)
                .events([WebhookEvent::StageChange]),
        )
        .await
        .unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let sent = willo
        .send_interview(&invite(&interview, "grace@example.com"))
        .await
        .unwrap();
    let key = sent.participant.key.unwrap();
    sandbox.willo().set_stage(key.as_str(), "Accepted").unwrap();
    let delivery = next(&mut rx).await;
    let url = DeliveryUrl::from_query(&delivery.query);
    let parsed = Delivery::parse(&delivery.body, url.event).unwrap();
    assert_eq!(parsed.event, Some(WebhookEvent::StageChange));
    assert_eq!(parsed.participant_key(), Some(&key));
    assert_eq!(parsed.stage.as_deref(), Some("Accepted"));
    assert_eq!(
        willo
            .interview_results(&key)
            .await
            .unwrap()
            .stage
            .as_deref(),
        Some("Accepted")
    );

    let mut input = willo_client::ParticipantInput::default();
    input.extra.insert("stage".into(), "Rejected".into());
    willo.participants().update(&key, &input).await.unwrap();
    let delivery = next(&mut rx).await;
    let parsed = Delivery::parse(&delivery.body, None).unwrap();
    assert_eq!(parsed.stage.as_deref(), Some("Rejected"));
    assert_eq!(
        sandbox.willo().participant(key.as_str()).unwrap().stage,
        "Rejected"
    );
    // Completing later keeps the reviewer's stage; new_response has no subscriber here.
    sandbox.willo().complete_participant(key.as_str()).unwrap();
    let done = sandbox.willo().participant(key.as_str()).unwrap();
    assert_eq!((done.stage.as_str(), done.responses), ("Rejected", 3));
    sandbox.willo().deliveries_idle().await;
    let stats = sandbox.deliveries(Vendor::Willo);
    assert_eq!((stats.emitted, stats.delivered), (2, 2));
    assert_eq!(
        sandbox
            .requests(Vendor::Willo)
            .endpoint("PATCH /participants/{key}/"),
        1
    );
}

#[tokio::test]
async fn smartrecruiters_handshake_then_signed_status_deliveries() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let client = sandbox.smartrecruiters_client().unwrap();
    let (endpoint, mut rx) = receiver().await;
    let subscription = client
        .subscriptions()
        .create(&NewSubscription::new(
            endpoint.as_str(),
            vec![
                EventName::ApplicationStatusUpdated,
                EventName::CandidateDeleted,
                EventName::JobStatusUpdated,
            ],
        ))
        .await
        .unwrap();
    let secret = client
        .subscriptions()
        .generate_secret_key(&subscription.id)
        .await
        .unwrap()
        .secret_key;
    assert_eq!(sandbox.smartrecruiters().active_subscriptions(), 0);
    client
        .subscriptions()
        .activate(&subscription.id)
        .await
        .unwrap();
    assert_eq!(sandbox.smartrecruiters().active_subscriptions(), 1);

    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let candidate = sandbox.smartrecruiters().candidates(&job)[0].clone();
    sandbox
        .smartrecruiters()
        .move_candidate(
            &candidate,
            &job,
            ApplicationStatus::Interview,
            Some("Video interview"),
        )
        .unwrap();
    let delivery = next(&mut rx).await;
    let verified = WebhookVerifier::new(secret.clone())
        .verify(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .unwrap();
    assert_eq!(verified.meta.event_name, "application.status.updated");
    assert!(verified.meta.link.as_deref().unwrap().contains(&candidate));

    let ats = SmartRecruitersAts::new(
        client.clone(),
        SmartRecruitersAtsConfig::new().webhook_secret(secret),
    );
    let events = ats
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await
        .unwrap();
    match &events[..] {
        [
            AtsEvent::StageChanged {
                application, stage, ..
            },
        ] => {
            assert_eq!(stage.as_str(), "INTERVIEW/Video interview");
            assert_eq!(application.candidate.as_str(), candidate);
            assert_eq!(application.job.as_str(), job);
        }
        other => panic!("unexpected events {other:?}"),
    }

    sandbox
        .smartrecruiters()
        .set_job_status(&job, smartrecruiters_client::JobStatus::Filled)
        .unwrap();
    let delivery = next(&mut rx).await;
    let events = ats
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::JobStatusChanged {
            job: job.as_str().into(),
            state: ats_bridge::model::JobState::Closed,
        }]
    );

    sandbox
        .smartrecruiters()
        .delete_candidate(&candidate)
        .unwrap();
    let delivery = next(&mut rx).await;
    assert!(
        delivery.headers.get("link").is_none(),
        "no Link on *.deleted"
    );
    let events = ats
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::CandidateDeleted {
            candidate: candidate.as_str().into(),
        }]
    );
    let gone = client.candidates().get(&candidate.as_str().into()).await;
    assert_eq!(gone.unwrap_err().status(), Some(StatusCode::NOT_FOUND));
}

#[tokio::test]
async fn smartrecruiters_listing_paging_and_write_back() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let client = sandbox.smartrecruiters_client().unwrap();
    let ats = SmartRecruitersAts::new(client.clone(), SmartRecruitersAtsConfig::new());
    let jobs = ats.jobs().await.unwrap();
    assert_eq!(jobs.len(), 2);
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let filter = CandidateFilter::new()
        .job(job.as_str())
        .status(ApplicationStatus::New)
        .limit(2);
    let candidates: Vec<_> = client
        .candidates()
        .list(&filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(candidates.len(), 5, "three pages of `nextPageId`");
    let stages = ats.stages(&job.as_str().into()).await.unwrap();
    assert!(
        stages
            .iter()
            .any(|s| s.id.as_str() == "INTERVIEW/Video interview")
    );

    let candidate = candidates[0].id.to_string();
    let application = ApplicationRef {
        application: format!("{candidate}:{job}").into(),
        candidate: candidate.as_str().into(),
        job: job.as_str().into(),
    };
    let details = ats.candidate(&application).await.unwrap();
    let person = sandbox.smartrecruiters().candidate(&candidate).unwrap();
    assert_eq!(details.name, person.name);
    assert_eq!(details.phone.as_deref(), Some(person.phone.as_str()));

    // Results from a real (simulated) Willo interview.
    let willo = sandbox.willo_client().unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let key = willo
        .send_interview(&invite(&interview, &person.email))
        .await
        .unwrap()
        .participant
        .key
        .unwrap();
    sandbox.willo().complete_participant(key.as_str()).unwrap();
    let outcome = willo.interview_results(&key).await.unwrap();

    let mut write = WriteBack::results(outcome, vec!["Willo:To Review".into()], Vec::new());
    write.move_to = Some("IN_REVIEW/Screening".into());
    let receipt = ats.write_back(&application, &write).await.unwrap();
    assert!(receipt.note_id.is_some());
    let notes = sandbox.smartrecruiters().notes(&candidate);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].starts_with(&format!("#[CANDIDATE:{candidate}]")));
    assert!(notes[0].contains("Tell us about yourself."));
    assert_eq!(
        sandbox.smartrecruiters().tags(&candidate),
        ["Willo:To Review"]
    );
    assert_eq!(
        sandbox.smartrecruiters().status(&candidate, &job),
        Some((ApplicationStatus::InReview, Some("Screening".into())))
    );
    let listed: Vec<_> = client
        .notes()
        .list(&candidate.as_str().into(), None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let me = client.users().me().await.unwrap();
    assert_eq!(listed[0].author_id.as_ref(), Some(&me.id));
    let users: Vec<_> = client
        .users()
        .list(&smartrecruiters_client::UserFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(client.users().get(&me.id).await.unwrap(), me);
}

#[tokio::test]
async fn lever_signed_deliveries_and_write_back() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let client = sandbox.lever_client().unwrap();
    let (endpoint, mut rx) = receiver().await;
    let webhook = client
        .webhooks()
        .create(&NewWebhook::new(
            Event::CandidateStageChange,
            endpoint.as_str(),
        ))
        .await
        .unwrap();
    let token = webhook.configuration.signature_token.clone().unwrap();
    let lever = sandbox.lever();
    let ats = LeverAts::new(
        client.clone(),
        LeverAtsConfig::new(lever.perform_as()).signature_token(token.clone()),
    );
    assert_eq!(ats.jobs().await.unwrap().len(), 2);
    assert_eq!(ats.stages(&"x".into()).await.unwrap().len(), 10);

    let posting = lever.postings()[1].id.clone();
    let filter = OpportunityFilter::new()
        .posting_id(posting.as_str().into())
        .limit(2);
    let opportunities: Vec<_> = client
        .opportunities()
        .list(&filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(opportunities.len(), 5, "followed `next` offsets");

    let opportunity = opportunities[0].id.to_string();
    lever
        .move_opportunity(&opportunity, ats_sandbox::lever::STAGE_RECRUITER_SCREEN)
        .unwrap();
    let delivery = next(&mut rx).await;
    lever_client::webhooks::WebhookVerifier::new(token)
        .verify(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .unwrap();
    let events = ats
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await
        .unwrap();
    let application = ApplicationRef {
        application: opportunity.as_str().into(),
        candidate: lever.contact(&opportunity).unwrap().as_str().into(),
        job: posting.as_str().into(),
    };
    let person = lever.opportunity(&opportunity).unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::StageChanged {
            application: application.clone(),
            stage: ats_sandbox::lever::STAGE_RECRUITER_SCREEN.into(),
            details: Some(
                CandidateDetails::new(person.name)
                    .email(person.email)
                    .phone(person.phone)
            ),
        }]
    );

    let page = ats
        .applications_at_stage(
            &posting.as_str().into(),
            &ats_sandbox::lever::STAGE_RECRUITER_SCREEN.into(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.applications, vec![application.clone()]);

    let write = WriteBack::labels(vec!["Willo:Invited".into()], Vec::new());
    ats.write_back(&application, &write).await.unwrap();
    // As the engine writes it: the next lifecycle label replaces the previous one.
    let mut write = WriteBack::labels(vec!["Willo:To Review".into()], vec!["Willo:Invited".into()]);
    write.move_to = Some(ats_sandbox::lever::STAGE_ON_SITE.into());
    ats.write_back(&application, &write).await.unwrap();
    assert_eq!(
        lever.tags(&opportunity),
        ["Willo:To Review"],
        "the lifecycle tag replaced"
    );
    assert_eq!(
        lever.stage(&opportunity).as_deref(),
        Some(ats_sandbox::lever::STAGE_ON_SITE)
    );

    let deleted_hook = client
        .webhooks()
        .create(&NewWebhook::new(Event::CandidateDeleted, endpoint.as_str()))
        .await
        .unwrap();
    let token = deleted_hook.configuration.signature_token.unwrap();
    let contact = lever.contact(&opportunity).unwrap();
    lever.deliveries_idle().await;
    lever.delete_opportunity(&opportunity).unwrap();
    // The write-back's stage move above was delivered first.
    let moved = next(&mut rx).await;
    assert!(String::from_utf8_lossy(&moved.body).contains("candidateStageChange"));
    let delivery = next(&mut rx).await;
    let deleted = lever_client::webhooks::WebhookVerifier::new(token)
        .verify(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .unwrap();
    assert_eq!(deleted.event, Event::CandidateDeleted);
    assert_eq!(deleted.data.contact_id.unwrap().as_str(), contact);
    assert!(lever.opportunity(&opportunity).is_none());
    let gone = client
        .opportunities()
        .get(&opportunity.as_str().into())
        .await;
    assert_eq!(gone.unwrap_err().status(), Some(StatusCode::NOT_FOUND));
}

#[tokio::test]
async fn lever_notes_written_with_perform_as_are_visible() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let client = sandbox.lever_client().unwrap();
    let lever = sandbox.lever();
    let posting = lever.postings()[0].id.clone();
    let opportunity = lever.opportunities(&posting)[0].clone();
    let created = client
        .notes(&opportunity.as_str().into())
        .create(&lever_client::NewNote::new("Interview done."))
        .perform_as(&lever.perform_as().into())
        .await
        .unwrap();
    let listed: Vec<_> = client
        .notes(&opportunity.as_str().into())
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed[0].id, created.note_id);
    assert_eq!(lever.notes(&opportunity), ["Interview done."]);
    assert_eq!(
        refusal(
            client
                .notes(&opportunity.as_str().into())
                .create(&lever_client::NewNote::new("x"))
                .perform_as(&"nobody".into())
        )
        .await,
        Some(StatusCode::BAD_REQUEST)
    );
}

#[tokio::test]
async fn wrong_credentials_get_401_from_every_vendor() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let wrong = || SecretString::from("wrong-key");
    let willo = willo_client::WilloClient::builder()
        .api_key(SecretString::from(wrong()))
        .base_url(sandbox.willo_base_url())
        .build()
        .unwrap();
    assert_eq!(
        refusal(
            willo
                .interviews()
                .page(willo_client::ListParams::new(), None)
        )
        .await,
        Some(StatusCode::UNAUTHORIZED)
    );

    let sr = smartrecruiters_client::SmartRecruitersClient::builder()
        .base_url(sandbox.smartrecruiters_base_url())
        .api_key(wrong())
        .build()
        .unwrap();
    assert_eq!(
        refusal(sr.jobs().page(&JobFilter::new(), None)).await,
        Some(StatusCode::UNAUTHORIZED)
    );

    let lever = lever_client::LeverClient::builder()
        .base_url(sandbox.lever_base_url())
        .api_key(wrong())
        .build()
        .unwrap();
    assert_eq!(
        refusal(lever.stages().list().try_collect::<Vec<_>>()).await,
        Some(StatusCode::UNAUTHORIZED)
    );

    for vendor in [
        &sandbox.willo().requests(),
        &sandbox.smartrecruiters().requests(),
    ] {
        assert_eq!(vendor.unauthorized, vendor.total);
    }
    assert_eq!(sandbox.lever().requests().unauthorized, 1);
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_and_limit_headers() {
    let config = small()
        .faults(Vendor::SmartRecruiters, Faults::none().rate_limit(2, 8))
        .faults(Vendor::Lever, Faults::none().rate_limit(50, 4));
    let sandbox = Sandbox::start(config).await.unwrap();
    let http = client_core::HttpClient::new();
    let url = format!("{}/jobs", sandbox.smartrecruiters_base_url());
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let response = http
            .get(&url)
            .header("x-smarttoken", "sandbox-smartrecruiters-api-key0")
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        last = Some(response);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let last = last.unwrap();
    assert_eq!(last.headers()["retry-after"], "1");
    assert_eq!(last.headers()["x-ratelimit-limit"], "2");
    assert_eq!(last.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(sandbox.smartrecruiters().requests().rate_limited, 1);

    // The sandbox's own clients are paced under the configured limit: no 429 at all,
    // even with every request sent at once.
    let lever = sandbox.lever_client().unwrap();
    let offer = lever_client::StageId::from("offer");
    let calls = (0..60).map(|_| {
        let (lever, offer) = (lever.clone(), offer.clone());
        async move { lever.stages().get(&offer).await }
    });
    let stages = futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(stages.len(), 60);
    let requests = sandbox.lever().requests();
    assert_eq!((requests.total, requests.rate_limited), (60, 0));
}

#[tokio::test]
async fn an_injected_5xx_changes_nothing() {
    let config = small().all_faults(Faults::none().server_errors(1.0));
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = smartrecruiters_client::SmartRecruitersClient::builder()
        .base_url(sandbox.smartrecruiters_base_url())
        .api_key(sandbox.smartrecruiters_api_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let candidate = sandbox.smartrecruiters().candidates(&job)[0].clone();
    let change = smartrecruiters_client::StatusChange::new(ApplicationStatus::Hired);
    assert_eq!(
        refusal(client.applications().set_status(
            &candidate.as_str().into(),
            &job.as_str().into(),
            &change
        ))
        .await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(
        sandbox.smartrecruiters().status(&candidate, &job),
        Some((ApplicationStatus::New, None))
    );
    assert_eq!(
        refusal(
            client
                .candidates()
                .replace_tags(&candidate.as_str().into(), &["x"])
        )
        .await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert!(sandbox.smartrecruiters().tags(&candidate).is_empty());

    let willo = willo_client::WilloClient::builder()
        .api_key(SecretString::from(sandbox.willo_api_key()))
        .base_url(sandbox.willo_base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let invite = willo_client::InviteParticipant::new(interview, "Ada").email("a@example.com");
    assert!(willo.participants().invite(&invite).await.is_err());
    assert!(sandbox.willo().participants().is_empty());
    assert_eq!(sandbox.smartrecruiters().requests().server_errors, 2);
}

#[tokio::test]
async fn webhook_faults_drop_and_repeat_deliveries() {
    let lever_faults = Faults::none().drop_webhooks(1.0);
    let sr_faults = Faults::none().duplicate_webhooks(1.0, 2);
    let config = small()
        .faults(Vendor::Lever, lever_faults)
        .faults(Vendor::SmartRecruiters, sr_faults);
    let sandbox = Sandbox::start(config).await.unwrap();
    let (endpoint, mut rx) = receiver().await;

    let lever = sandbox.lever_client().unwrap();
    lever
        .webhooks()
        .create(&NewWebhook::new(
            Event::CandidateStageChange,
            endpoint.as_str(),
        ))
        .await
        .unwrap();
    let posting = sandbox.lever().postings()[0].id.clone();
    let opportunity = sandbox.lever().opportunities(&posting)[0].clone();
    sandbox
        .lever()
        .move_opportunity(&opportunity, "offer")
        .unwrap();
    sandbox.lever().deliveries_idle().await;
    let stats = sandbox.lever().deliveries();
    assert_eq!((stats.emitted, stats.dropped, stats.sent), (1, 1, 0));

    let sr = sandbox.smartrecruiters_client().unwrap();
    let subscription = sr
        .subscriptions()
        .create(&NewSubscription::new(
            endpoint.as_str(),
            vec![EventName::ApplicationStatusUpdated],
        ))
        .await
        .unwrap();
    sr.subscriptions().activate(&subscription.id).await.unwrap();
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let candidate = sandbox.smartrecruiters().candidates(&job)[0].clone();
    sandbox
        .smartrecruiters()
        .move_candidate(&candidate, &job, ApplicationStatus::InReview, None)
        .unwrap();
    sandbox.smartrecruiters().deliveries_idle().await;
    let ids: Vec<String> = (0..3)
        .map(|_| rx.try_recv().expect("three copies"))
        .map(|r| r.headers["event-id"].to_str().unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "copies of one event");
    assert!(
        rx.try_recv().is_err(),
        "the dropped Lever delivery never came"
    );
    let stats = sandbox.smartrecruiters().deliveries();
    assert_eq!((stats.duplicated, stats.sent, stats.delivered), (1, 3, 3));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_the_same_faults() {
    async fn run(seed: u64) -> (Vec<String>, Vec<String>, Vec<StatusCode>) {
        let faults = Faults::none().server_errors(0.4).too_many_requests(0.2);
        let config = SandboxConfig::new()
            .seed(seed)
            .data(Seed::new().jobs(3).candidates_per_job(4))
            .faults(Vendor::Lever, faults);
        let sandbox = Sandbox::start(config).await.unwrap();
        let jobs = sandbox.smartrecruiters().jobs();
        let candidates = sandbox.smartrecruiters().candidates(&jobs[2].id);
        let http = client_core::HttpClient::new();
        let mut statuses = Vec::new();
        for _ in 0..12 {
            let response = http
                .get(format!("{}/stages", sandbox.lever_base_url()))
                .basic_auth("sandbox-lever-api-key", Some(""))
                .send()
                .await
                .unwrap();
            statuses.push(response.status());
        }
        let ids = jobs.into_iter().map(|j| j.id).collect();
        (ids, candidates, statuses)
    }
    let first = run(9).await;
    assert_eq!(first, run(9).await);
    assert!(first.2.contains(&StatusCode::OK));
    assert!(
        first
            .2
            .iter()
            .any(|s| s.is_server_error() || *s == StatusCode::TOO_MANY_REQUESTS)
    );
    let other = run(10).await;
    assert_ne!(first.0, other.0);
}

#[tokio::test]
async fn a_large_seed_starts_fast_and_lists_every_candidate() {
    let data = Seed::new()
        .jobs(2)
        .candidates_per_job(1000)
        .smartrecruiters_stage(ApplicationStatus::Interview, Some("Video interview"));
    let started = std::time::Instant::now();
    let sandbox = Sandbox::start(SandboxConfig::new().data(data))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    let ats = SmartRecruitersAts::new(
        sandbox.smartrecruiters_client().unwrap(),
        SmartRecruitersAtsConfig::new(),
    );
    let job = sandbox.smartrecruiters().jobs()[0].id.clone();
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let page = ats
            .applications_at_stage(
                &job.as_str().into(),
                &"INTERVIEW/Video interview".into(),
                cursor.as_deref(),
            )
            .await
            .unwrap();
        seen += page.applications.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, 1000);
    assert_eq!(
        sandbox
            .smartrecruiters()
            .requests()
            .endpoint("GET /candidates"),
        10,
        "pages of 100"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn latency_delays_requests_and_in_flight_beyond_the_cap_is_429() {
    let faults = Faults::none()
        .rate_limit(1000, 1)
        .latency(Duration::from_millis(150));
    let sandbox = Sandbox::start(small().faults(Vendor::Willo, faults))
        .await
        .unwrap();
    let url = format!("{}/interviews/", sandbox.willo_base_url());
    let get = |url: String| async move {
        let started = std::time::Instant::now();
        let response = client_core::HttpClient::new()
            .get(url)
            .header("authorization", "sandbox-willo-api-key")
            .send()
            .await
            .unwrap();
        (response.status(), started.elapsed())
    };
    let first = tokio::spawn(get(url.clone()));
    while sandbox.willo().requests().total == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (second, _) = get(url).await;
    assert_eq!(
        second,
        StatusCode::TOO_MANY_REQUESTS,
        "one in flight at most"
    );
    let (first, took) = first.await.unwrap();
    assert_eq!(first, StatusCode::OK);
    assert!(took >= Duration::from_millis(150), "{took:?}");
    let requests = sandbox.willo().requests();
    assert_eq!((requests.total, requests.rate_limited), (2, 1));
}

#[tokio::test]
async fn stale_cursors_are_refused_as_each_vendor_does() {
    let sandbox = Sandbox::start(small()).await.unwrap();
    let lever = sandbox.lever();
    let ats = LeverAts::new(
        sandbox.lever_client().unwrap(),
        LeverAtsConfig::new(lever.perform_as()),
    );
    let posting = lever.postings()[0].id.clone();
    let stage = ats_sandbox::lever::STAGE_NEW_APPLICANT;
    let page = ats
        .applications_at_stage(&posting.as_str().into(), &stage.into(), Some("stale"))
        .await
        .unwrap();
    assert_eq!(
        page.applications.len(),
        5,
        "Lever's `Invalid offset token` makes the adapter start over"
    );

    let sr = sandbox.smartrecruiters_client().unwrap();
    assert_eq!(
        refusal(sr.jobs().page(&JobFilter::new(), Some("stale".into()))).await,
        Some(StatusCode::BAD_REQUEST)
    );

    let http = client_core::HttpClient::new();
    let response = http
        .get(format!("{}/interviews/?page=9", sandbox.willo_base_url()))
        .header("authorization", "sandbox-willo-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Invalid page.");
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_servers() {
    async fn refused(url: String) -> bool {
        let answer = client_core::HttpClient::new().get(url).send().await;
        answer.is_err_and(|e| e.is_connect())
    }
    let sandbox = Sandbox::start(small()).await.unwrap();
    let url = format!("{}/stages", sandbox.lever_base_url());
    assert!(!refused(url.clone()).await, "serving");
    sandbox.shutdown().await;
    assert!(refused(url).await, "stopped by shutdown");

    let sandbox = Sandbox::start(small()).await.unwrap();
    let url = format!("{}/jobs", sandbox.smartrecruiters_base_url());
    drop(sandbox);
    // Aborted tasks release their listeners when the runtime next polls them.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(refused(url).await, "stopped by drop");
}

#[tokio::test]
async fn smartrecruiters_candidate_search_is_one_at_a_time_as_documented() {
    // The first search must still be in flight when the second arrives: a latency long
    // enough for a loaded CI machine (100 ms was not, with every test binary running).
    let faults = Faults::none()
        .smartrecruiters_rate_limit(100, 8)
        .latency(Duration::from_millis(750));
    let sandbox = Sandbox::start(small().faults(Vendor::SmartRecruiters, faults))
        .await
        .unwrap();
    let base = sandbox.smartrecruiters_base_url().to_owned();
    let get = |path: &'static str| {
        let url = format!("{base}{path}");
        async move {
            client_core::HttpClient::new()
                .get(url)
                .header("x-smarttoken", "sandbox-smartrecruiters-api-key0")
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let first = tokio::spawn(get("/candidates"));
    while sandbox.smartrecruiters().requests().total == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (second, jobs) = tokio::join!(get("/candidates"), get("/jobs"));
    assert_eq!(second, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        jobs,
        StatusCode::OK,
        "other endpoints share only the overall cap"
    );
    assert_eq!(first.await.unwrap(), StatusCode::OK);

    // The sandbox's client carries the same one-at-a-time class: no 429.
    let client = sandbox.smartrecruiters_client().unwrap();
    let searches = (0..3).map(|_| {
        let client = client.clone();
        async move {
            client
                .candidates()
                .page(&CandidateFilter::new(), None)
                .await
        }
    });
    futures::future::try_join_all(searches).await.unwrap();
    assert_eq!(sandbox.smartrecruiters().requests().rate_limited, 1);
}

#[tokio::test]
async fn failed_deliveries_are_sent_again_when_redelivery_is_on() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A receiver that is down (503) for its first request.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let app = axum::Router::new().fallback(move || {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = Url::parse(&format!("http://{}/hooks", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = small()
        .willo_completion_delay(None)
        .webhook_redelivery(3, Duration::from_millis(5));
    let sandbox = Sandbox::start(config).await.unwrap();
    let willo = sandbox.willo_client().unwrap();
    willo
        .webhooks()
        .subscribe(
            &Subscription::new(
                endpoint,
                SecretString::from("t"),
                SubscriptionScope::AllInterviews,
            )
            .events([WebhookEvent::NewResponse]),
        )
        .await
        .unwrap();
    let interview = sandbox.willo().interviews()[0].key.clone();
    let key = willo
        .send_interview(&invite(&interview, "ada@example.com"))
        .await
        .unwrap()
        .participant
        .key
        .unwrap();
    sandbox.willo().complete_participant(key.as_str()).unwrap();
    sandbox.willo().deliveries_idle().await;
    let stats = sandbox.willo().deliveries();
    assert_eq!(
        (stats.sent, stats.failed, stats.delivered, stats.redelivered),
        (2, 1, 1, 1)
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

/// Screening on both simulators: a person known by e-mail gets the application on
/// their profile (SmartRecruiters: same e-mail and last name; Lever: same e-mail,
/// `deduped`), someone already on the job keeps their application, and a stranger is
/// a new person.
#[tokio::test]
async fn screened_candidates_are_matched_by_email_on_both_simulators() {
    use ats_bridge::model::CandidateMatch;
    let sandbox = Sandbox::start(small()).await.unwrap();

    let sr = sandbox.smartrecruiters();
    let ats = SmartRecruitersAts::new(
        sandbox.smartrecruiters_client().unwrap(),
        SmartRecruitersAtsConfig::new(),
    );
    let jobs = sr.jobs();
    let (first_job, second_job) = (jobs[0].id.clone(), jobs[1].id.clone());
    let known = sr.candidate(&sr.candidates(&first_job)[0]).unwrap();
    let again = CandidateDetails::new("Someone Else").email(known.email.to_uppercase());
    let created = ats
        .create_application(&second_job.as_str().into(), &again)
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingCandidate);
    assert_eq!(created.application.candidate.as_str(), known.id);
    assert!(sr.candidates(&second_job).contains(&known.id));
    assert_eq!(
        sr.candidate(&known.id).unwrap().name,
        known.name,
        "profile kept"
    );
    let repeat = ats
        .create_application(&second_job.as_str().into(), &again)
        .await
        .unwrap();
    assert_eq!(repeat.candidate, CandidateMatch::ExistingApplication);
    assert_eq!(repeat.application, created.application);
    let stranger = CandidateDetails::new("New Person").email("new.person@example.com");
    let fresh = ats
        .create_application(&second_job.as_str().into(), &stranger)
        .await
        .unwrap();
    assert_eq!(fresh.candidate, CandidateMatch::New);
    assert_ne!(fresh.application.candidate.as_str(), known.id);

    let lever = sandbox.lever();
    let ats = LeverAts::new(
        sandbox.lever_client().unwrap(),
        LeverAtsConfig::new(lever.perform_as()),
    );
    let postings = lever.postings();
    let (first, second) = (postings[0].id.clone(), postings[1].id.clone());
    let seeded = lever.opportunities(&first)[0].clone();
    let known = lever.opportunity(&seeded).unwrap();
    let again = CandidateDetails::new("Someone Else").email(known.email.clone());
    let created = ats
        .create_application(&second.as_str().into(), &again)
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingCandidate);
    assert_eq!(
        Some(created.application.candidate.to_string()),
        lever.contact(&seeded)
    );
    let opportunity = created.application.application.to_string();
    assert_eq!(lever.opportunity(&opportunity).unwrap().name, known.name);
    let repeat = ats
        .create_application(&second.as_str().into(), &again)
        .await
        .unwrap();
    assert_eq!(repeat.candidate, CandidateMatch::ExistingApplication);
    assert_eq!(repeat.application, created.application);
    let fresh = ats
        .create_application(
            &second.as_str().into(),
            &CandidateDetails::new("New Person").email("new.person@example.com"),
        )
        .await
        .unwrap();
    assert_eq!(fresh.candidate, CandidateMatch::New);
    sandbox.shutdown().await;
}
