//! The writes a field mapping makes, on the simulators, through the real clients:
//! SmartRecruiters personal details (`PATCH /candidates/{id}`), Lever contact updates,
//! links and sources. Each change is read back through the `GET` a client reads before
//! writing.

use ats_sandbox::{Sandbox, SandboxConfig};
use client_core::StatusCode;
use futures::TryStreamExt as _;
use lever_client::{ContactId, ContactUpdate, OpportunityFilter, OpportunityId, Phone, UserId};
use smartrecruiters_client::{CandidateId, PersonalDetails, WebProfiles};

fn config() -> SandboxConfig {
    SandboxConfig::new().seed(7)
}

#[tokio::test]
async fn smartrecruiters_personal_details_change_and_read_back() {
    let sandbox = Sandbox::start(config()).await.unwrap();
    let client = sandbox.smartrecruiters_client().unwrap();
    let sr = sandbox.smartrecruiters();
    let job = sr.jobs()[0].id.clone();
    let ids = sr.candidates(&job);
    let (id, other) = (CandidateId::from(ids[0].as_str()), ids[1].clone());
    let before = client.candidates().get(&id).await.unwrap();

    let mut web = WebProfiles::default();
    web.linkedin = Some("https://www.linkedin.com/in/ada".into());
    let mut details = PersonalDetails::new()
        .email("ada.corrected@example.com")
        .first_name("Ada");
    details.phone_number = Some("+447700900999".into());
    details.web = Some(web);
    let answered = client
        .candidates()
        .update_personal_details(&id, &details)
        .await
        .unwrap();
    assert_eq!(
        answered.candidate.email.as_deref(),
        Some("ada.corrected@example.com")
    );

    // What a later GET shows: the fields sent changed, the others kept.
    let after = client.candidates().get(&id).await.unwrap();
    assert_eq!(after.candidate.first_name.as_deref(), Some("Ada"));
    assert_eq!(after.candidate.last_name, before.candidate.last_name);
    assert_eq!(
        after.candidate.email.as_deref(),
        Some("ada.corrected@example.com")
    );
    assert_eq!(after.phone_number.as_deref(), Some("+447700900999"));
    let linkedin = after.web.as_ref().and_then(|w| w.linkedin.as_deref());
    assert_eq!(linkedin, Some("https://www.linkedin.com/in/ada"));
    assert_eq!(
        sr.candidate(id.as_str()).unwrap().email,
        "ada.corrected@example.com"
    );

    // Another candidate's e-mail and last name together: SmartRecruiters' 409.
    let taken = sr.candidate(&other).unwrap();
    let last = taken.name.rsplit_once(' ').unwrap().1.to_owned();
    let clash = PersonalDetails::new().email(taken.email).last_name(last);
    let refused = client
        .candidates()
        .update_personal_details(&id, &clash)
        .await
        .unwrap_err();
    assert!(
        smartrecruiters_client::is_candidate_data_conflict(&refused),
        "{refused:?}"
    );
    let unchanged = client.candidates().get(&id).await.unwrap();
    assert_eq!(
        unchanged.candidate.email.as_deref(),
        Some("ada.corrected@example.com")
    );

    // A required field emptied is refused, and nothing changes.
    let emptied = client
        .candidates()
        .update_personal_details(&id, &PersonalDetails::new().first_name(" "))
        .await
        .unwrap_err();
    assert_eq!(emptied.status(), Some(StatusCode::BAD_REQUEST));
    let first = client
        .candidates()
        .get(&id)
        .await
        .unwrap()
        .candidate
        .first_name;
    assert_eq!(first.as_deref(), Some("Ada"));

    let missing = client
        .candidates()
        .update_personal_details(&"no-such-candidate".into(), &PersonalDetails::new())
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn lever_contact_updates_links_and_sources_show_on_the_opportunity() {
    let sandbox = Sandbox::start(config()).await.unwrap();
    let client = sandbox.lever_client().unwrap();
    let lever = sandbox.lever();
    let user = UserId::from(lever.perform_as().as_str());
    let posting = lever.postings()[0].id.clone();
    let opportunity = lever.opportunities(&posting)[0].clone();
    let id = OpportunityId::from(opportunity.as_str());
    let contact = ContactId::from(lever.contact(&opportunity).unwrap().as_str());
    let old_email = lever.opportunity(&opportunity).unwrap().email;

    let update = ContactUpdate::new()
        .emails(vec!["grace.new@example.com".into(), old_email.clone()])
        .phones(vec![Phone::untyped("+447700900555")])
        .location("Leeds");
    let answered = client.contacts().update(&contact, &update).await.unwrap();
    assert_eq!(
        answered.emails,
        ["grace.new@example.com", old_email.as_str()]
    );

    let read = client.opportunities().get(&id).await.unwrap();
    assert_eq!(read.emails, ["grace.new@example.com", old_email.as_str()]);
    assert_eq!(read.phones, [Phone::untyped("+447700900555")]);
    assert_eq!(read.location.as_deref(), Some("Leeds"));
    assert_eq!(
        read.name,
        Some(lever.opportunity(&opportunity).unwrap().name)
    );
    let got = client.contacts().get(&contact).await.unwrap();
    assert_eq!(got.emails, read.emails);
    assert_eq!(got.location.and_then(|l| l.name).as_deref(), Some("Leeds"));
    // Lever's search by e-mail finds the contact under either address.
    assert_eq!(lever.emails(&opportunity)[0], "grace.new@example.com");
    for email in ["grace.new@example.com", old_email.as_str()] {
        let found: Vec<_> = client
            .opportunities()
            .list(&OpportunityFilter::new().email(email))
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<String> = found.iter().map(|o| o.id.to_string()).collect();
        assert_eq!(ids, [opportunity.as_str()], "{email}");
    }

    let links = ["https://app.willotalent.com/share/p-1"];
    client
        .opportunities()
        .add_links(&id, &links)
        .perform_as(&user)
        .send()
        .await
        .unwrap();
    let sources = ["Willo"];
    let answered = client
        .opportunities()
        .add_sources(&id, &sources)
        .perform_as(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(answered.sources, ["Sandbox", "Willo"]);
    let read = client.opportunities().get(&id).await.unwrap();
    assert_eq!(read.links, links);
    assert_eq!(read.sources, ["Sandbox", "Willo"]);
    // Adding again adds nothing; removing takes it away.
    client
        .opportunities()
        .add_links(&id, &links)
        .perform_as(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(lever.links(&opportunity), links);
    client
        .opportunities()
        .remove_sources(&id, &["Sandbox"])
        .perform_as(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(lever.sources(&opportunity), ["Willo"]);

    let refused = client
        .contacts()
        .update(&"no-such-contact".into(), &ContactUpdate::new().name("X"))
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(StatusCode::NOT_FOUND));
    let bad_user = client
        .opportunities()
        .add_links(&id, &links)
        .perform_as(&"nobody".into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad_user.status(), Some(StatusCode::BAD_REQUEST));
    sandbox.shutdown().await;
}
