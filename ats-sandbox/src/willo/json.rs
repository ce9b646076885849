//! The JSON shapes of the Willo simulator and its DRF pages (`next` an absolute URL).

use super::*;

/// A DRF page of every item `items` reads from the data, as a plain `GET` on `path`
/// lists it (`params` only page).
pub(super) fn whole_list(
    shared: &Shared,
    path: &str,
    params: &Params,
    items: impl FnOnce(&Data) -> Vec<Value>,
) -> Response {
    let items = items(&lock(&shared.data));
    drf_page(
        &shared.base_url,
        path,
        params,
        items,
        std::convert::identity,
    )
}

/// One DRF page of `items` (`page_size` 1–30, default 10; `page` from 1; an out of
/// range page is DRF's 404 `Invalid page.`). Only the page's items become JSON.
pub(super) fn drf_page<T>(
    base_url: &str,
    path: &str,
    params: &Params,
    items: Vec<T>,
    to_json: impl FnMut(T) -> Value,
) -> Response {
    let size = params
        .number("page_size", DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let page = params.number("page", 1).max(1);
    let count = items.len();
    let start = (page - 1) * size;
    if start >= count && page > 1 {
        return Vendor::Willo.error(StatusCode::NOT_FOUND, "Invalid page.");
    }
    let link = |to: usize| -> Value {
        let Ok(mut url) = Url::parse(&format!("{base_url}{path}")) else {
            return Value::Null;
        };
        url.query_pairs_mut()
            .extend_pairs(params.without(&["page"]))
            .append_pair("page", &to.to_string());
        Value::String(url.into())
    };
    let next = if start + size < count {
        link(page + 1)
    } else {
        Value::Null
    };
    let previous = if page > 1 {
        link(page - 1)
    } else {
        Value::Null
    };
    let results: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(size)
        .map(to_json)
        .collect();
    Json(json!({ "count": count, "next": next, "previous": previous, "results": results }))
        .into_response()
}

pub(super) fn interview_json(i: &Interview) -> Value {
    json!({
        "key": i.key,
        "title": i.title,
        "owner": {
            "key": i.owner_key,
            "email": "owner@example.com",
            "full_name": "Sandbox Owner",
        },
        "department": Value::Null,
        "questions": QUESTIONS
            .iter()
            .enumerate()
            .map(|(n, q)| json!({ "order": n + 1, "title": q, "answer_type": "video" }))
            .collect::<Vec<_>>(),
    })
}

pub(super) fn participant_json(p: &Participant, base_url: &str) -> Value {
    json!({
        "key": p.key,
        "interview": p.interview,
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "stage": p.stage,
        "created_at": p.created_at,
        "completed_at": p.completed_at,
        "score": p.score,
        "share_url": format!("{base_url}/share/{}/", p.key),
        "responses": p.responses,
        "comments": p.comments,
    })
}

pub(super) fn webhook_json(w: &Webhook) -> Value {
    json!({
        "key": w.key,
        "url": w.url,
        "event": w.event,
        "interviews": w.interviews,
        "follow_all_interviews": w.follow_all,
        "departments": [],
        "users": [],
        "payload_configuration": Value::Null,
        "api_version": "v1",
        "status": "active",
    })
}
