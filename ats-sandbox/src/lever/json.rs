//! The JSON shapes of the Lever simulator (lever.md §5, examples/), with `expand`.

use super::*;

pub(super) fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "username": u.email.split('@').next(),
        "email": u.email,
        "accessRole": "admin",
        "photo": Value::Null,
        "createdAt": 0,
        "deactivatedAt": Value::Null,
    })
}

pub(super) fn posting_json(p: &Posting) -> Value {
    json!({
        "id": p.id,
        "text": p.text,
        "state": p.state,
        "distributionChannels": ["public", "internal"],
        "user": p.owner,
        "owner": p.owner,
        "hiringManager": Value::Null,
        "categories": {
            "commitment": "Full-time",
            "department": "Engineering",
            "location": "London",
            "team": "Platform",
            "allLocations": ["London"],
        },
        "tags": p.tags,
        "confidentiality": "non-confidential",
        "createdAt": p.created_at,
        "updatedAt": p.created_at,
        "workplaceType": "hybrid",
    })
}

pub(super) fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "text": "Note",
        "fields": [{
            "createdAt": n.created_at,
            "score": n.score,
            "stage": n.stage,
            "text": "Comment",
            "type": "note",
            "user": n.user,
            "value": n.value,
        }],
        "user": n.user,
        "secret": n.secret,
        "completedAt": n.created_at,
        "deletedAt": Value::Null,
        "createdAt": n.created_at,
    })
}

/// The opportunity, with the `expand`ed fields as objects and the others as ids.
pub(super) fn opportunity_json(o: &Opportunity, data: &Data, expand: &[&str]) -> Value {
    let expanded = |field: &str| expand.contains(&field);
    let owner = &data.users[0];
    let user = |u: &User| {
        if expanded("owner") {
            user_json(u)
        } else {
            json!(u.id)
        }
    };
    let details = contacts::contact_of(o, data);
    let contact = if expanded("contact") {
        json!({
            "id": o.contact,
            "name": o.person.full_name(),
            "headline": details.headline,
            "isAnonymized": false,
            "location": { "name": details.location },
            "emails": details.emails,
            "phones": details.phones,
        })
    } else {
        json!(o.contact)
    };
    let stage = if expanded("stage") {
        let text = STAGES
            .iter()
            .find(|(id, _)| *id == o.stage)
            .map(|(_, t)| *t);
        json!({ "id": o.stage, "text": text })
    } else {
        json!(o.stage)
    };
    let applications = if expanded("applications") {
        json!([{
            "id": o.application,
            "type": "posting",
            "posting": o.posting,
            "opportunityId": o.id,
            "candidateId": o.id,
            "createdAt": o.created_at,
            "user": owner.id,
            "postingOwner": owner.id,
            "archived": Value::Null,
        }])
    } else {
        json!([o.application])
    };
    json!({
        "id": o.id,
        "name": o.person.full_name(),
        "headline": details.headline,
        "contact": contact,
        "emails": details.emails,
        "phones": details.phones,
        "confidentiality": "non-confidential",
        "location": details.location,
        "links": details.links,
        "archived": Value::Null,
        "tags": o.tags,
        "sources": contacts::sources_of(o, data),
        "stage": stage,
        "stageChanges": o.stage_changes,
        "origin": ORIGIN,
        "sourcedBy": Value::Null,
        "owner": user(owner),
        "followers": [user(owner)],
        "applications": applications,
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
        "lastInteractionAt": o.updated_at,
        "lastAdvancedAt": o.stage_changes.last().and_then(|c| c.get("updatedAt")).cloned(),
        "snoozedUntil": Value::Null,
        "urls": {
            "list": "https://hire.sandbox.lever.co/candidates",
            "show": format!("https://hire.sandbox.lever.co/candidates/{}", o.id),
        },
        "isAnonymized": false,
        "dataProtection": Value::Null,
    })
}

pub(super) fn webhook_json(w: &Webhook, with_token: bool) -> Value {
    use client_core::ExposeSecret as _;
    let mut configuration = json!({ "conditions": { "origins": w.origins } });
    if with_token {
        configuration["signatureToken"] = json!(w.token.expose_secret());
    }
    json!({
        "id": w.id,
        "event": w.event,
        "url": w.url,
        "configuration": configuration,
        "createdAt": w.created_at,
        "updatedAt": w.updated_at,
    })
}
