//! The JSON shapes of the SmartRecruiters simulator (smartrecruiters.md §5, examples/), and its `nextPageId` pages.

use super::*;

/// A page of `items` after the opaque `pageId` (`o<offset>`); `nextPageId` when more.
/// Only the page's items are turned into JSON (listings of thousands stay cheap).
pub(super) fn page<T>(params: &Params, items: Vec<T>, to_json: impl FnMut(T) -> Value) -> Response {
    let limit = params.number("limit", DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let offset = match params.get("pageId") {
        None => 0,
        Some(id) => match id.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()) {
            Some(offset) => offset,
            None => return error(StatusCode::BAD_REQUEST, "Invalid pageId"),
        },
    };
    let total = items.len();
    let content: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(to_json)
        .collect();
    let mut body = json!({
        "limit": limit,
        "offset": offset,
        "totalFound": total,
        "content": content,
    });
    if offset + limit < total {
        body["nextPageId"] = json!(format!("o{}", offset + limit));
    }
    Json(body).into_response()
}

pub(super) fn job_json(job: &Job, base_url: &str) -> Value {
    json!({
        "id": job.id,
        "title": job.title,
        "refNumber": job.ref_number,
        "createdOn": job.created_on,
        "updatedOn": job.created_on,
        "lastActivityOn": job.created_on,
        "department": { "id": "engineering", "label": "Engineering" },
        "location": { "country": "United Kingdom", "countryCode": "gb", "city": "London", "remote": true },
        "status": job.status,
        "postingStatus": "PUBLIC",
        "actions": {
            "details": { "url": format!("{base_url}/jobs/{}", job.id), "method": "GET" }
        },
    })
}

pub(super) fn application_json(a: &Application, candidate: &str, base_url: &str) -> Value {
    json!({
        "status": a.status,
        "subStatus": a.sub_status,
        "startsOn": Value::Null,
        "source": "Sandbox",
        "actions": {
            "statusHistory": {
                "url": format!("{base_url}/candidates/{candidate}/jobs/{}/status/history", a.job),
                "method": "GET",
            }
        },
    })
}

fn assignment_json(a: &Application, data: &Data, candidate: &str, base_url: &str) -> Value {
    let title = data
        .jobs
        .iter()
        .find(|j| j.id == a.job)
        .map(|j| j.title.clone());
    let mut assignment = application_json(a, candidate, base_url);
    assignment["job"] = json!({
        "id": a.job,
        "title": title,
        "actions": { "details": { "url": format!("{base_url}/jobs/{}", a.job), "method": "GET" } },
    });
    assignment
}

/// The candidate as `GET /candidates` lists it; `primary` is the application shown as
/// the primary assignment (the searched job's, else the first).
pub(super) fn candidate_json(
    c: &Candidate,
    primary: Option<&str>,
    data: &Data,
    base_url: &str,
) -> Value {
    let primary_index = primary
        .and_then(|job| c.applications.iter().position(|a| a.job == job))
        .unwrap_or(0);
    let primary = c
        .applications
        .get(primary_index)
        .map(|a| assignment_json(a, data, &c.id, base_url));
    let secondary: Vec<Value> = c
        .applications
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != primary_index)
        .map(|(_, a)| assignment_json(a, data, &c.id, base_url))
        .collect();
    json!({
        "id": c.id,
        "internal": false,
        "firstName": c.person.first,
        "lastName": c.person.last,
        "email": c.person.email,
        "createdOn": c.created_on,
        "updatedOn": c.updated_on,
        "location": data
            .profiles
            .get(&c.id)
            .and_then(|p| p.location.clone())
            .unwrap_or_else(|| json!({ "country": "United Kingdom", "countryCode": "gb", "city": "London" })),
        "tags": c.tags,
        "consent": { "status": "ACQUIRED" },
        "primaryAssignment": primary,
        "secondaryAssignments": secondary,
        "actions": {
            "details": { "url": format!("{base_url}/candidates/{}", c.id), "method": "GET" }
        },
    })
}

/// `GET /candidates/{id}`: the list shape plus phone, web, education, experience.
pub(super) fn candidate_details_json(c: &Candidate, data: &Data, base_url: &str) -> Value {
    let mut details = candidate_json(c, None, data, base_url);
    details["phoneNumber"] = json!(c.person.phone);
    details["web"] = json!(
        data.profiles
            .get(&c.id)
            .map(|p| p.web.clone())
            .unwrap_or_default()
    );
    details["education"] = json!([]);
    details["experience"] = json!([]);
    details
}

pub(super) fn subscription_json(s: &Subscription) -> Value {
    json!({
        "id": s.id,
        "callbackUrl": s.callback_url,
        "events": s.events.iter().map(|e| json!({ "name": e, "version": "v1" })).collect::<Vec<_>>(),
        "status": if s.active { "active" } else { "inactive" },
    })
}
