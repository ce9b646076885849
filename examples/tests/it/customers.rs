//! The three-customer example runs to completion on one sandbox, and each customer's
//! invite and results note land in that customer's own accounts.

#[path = "../../examples/customers.rs"]
#[allow(dead_code)]
mod example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_customer_is_invited_and_written_back_in_its_own_accounts() {
    let mut out = Vec::new();
    let result = example::run(&mut out).await;
    let text = String::from_utf8(out).unwrap();
    let (outcomes, default_invites) = result.unwrap_or_else(|error| panic!("{error}\n{text}"));
    let connections: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|o| (o.connection.as_str(), o.ats.as_str()))
        .collect();
    assert_eq!(
        connections,
        [
            ("acme", "smartrecruiters"),
            ("globex", "lever"),
            ("initech", "lever")
        ]
    );
    // One candidate moved per customer: one invite in each customer's own Willo
    // account and one results note in its own ATS account. An invite or note sent
    // with another customer's credentials would show as 2 here and 0 there.
    for outcome in &outcomes {
        assert_eq!(outcome.willo_participants, 1, "{outcome:?}\n{text}");
        assert_eq!(outcome.notes, 1, "{outcome:?}\n{text}");
    }
    assert_eq!(
        default_invites, 0,
        "nothing reached the default account\n{text}"
    );
    // Initech connected through the OAuth flow, the others with their API keys.
    let consents: Vec<u64> = outcomes.iter().map(|o| o.oauth_consents).collect();
    assert_eq!(consents, [0, 0, 1]);
    assert_eq!(outcomes[0].state_before_consent, None);
    assert_eq!(
        outcomes[2].state_before_consent.as_deref(),
        Some("needs_credentials")
    );
    assert!(text.contains("needs_credentials -> active"), "{text}");
    // The bridge registered each customer's webhooks: SmartRecruiters' subscription
    // and Willo's two for Acme, Lever's two and Willo's two for the others.
    for (name, created) in [
        ("Acme Care", 3),
        ("Globex Staffing", 4),
        ("Initech Health", 4),
    ] {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(
            line.ends_with(&format!("{created} webhooks registered")),
            "{line}"
        );
    }
    assert!(text.contains(r#"{"active":3}"#), "{text}");
}
