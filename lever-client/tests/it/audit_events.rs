//! Audit events: the filters sent and a page with its offset token.

use crate::support;

use lever_client::{AuditEventFilter, UserId};
use support::*;

#[tokio::test]
async fn page_sends_the_filters_and_returns_the_next_token() {
    let server = server().await;
    as_key_user("GET", "/v1/audit_events")
        .and(QueryIs(vec![
            ("type", "api_credential_created"),
            ("type", "user_logged_in"),
            ("user_id", USER),
            ("target_type", "api_credential"),
            ("created_at_start", "1782900000000"),
            ("created_at_end", "1782999999999"),
        ]))
        .once(
            &server,
            json_response(200, "audit-event-list.composed.json"),
        )
        .await;
    let filter = AuditEventFilter::new()
        .kind("api_credential_created")
        .kind("user_logged_in")
        .user(UserId::from(USER))
        .target_type("api_credential")
        .created_between(Some(1782900000000), Some(1782999999999));
    let page = client(&server)
        .audit_events()
        .page(&filter, None)
        .await
        .unwrap();
    assert_eq!(
        page.next.as_deref(),
        Some("%5B1782975000000%2C%22b1c2d3e4%22%5D")
    );
    let event = &page.items[0];
    assert_eq!(event.kind.as_deref(), Some("api_credential_created"));
    assert_eq!(
        event.user.as_ref().unwrap().role.as_deref(),
        Some("super admin")
    );
    assert_eq!(event.target.as_ref().unwrap()["label"], "Willo bridge");
    assert!(event.extra.contains_key("ipAddress"));
}
