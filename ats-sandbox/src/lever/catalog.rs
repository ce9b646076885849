//! Postings, pipeline stages, users and the tag list.

use super::*;

pub(super) async fn list_postings(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let states = params.all("state");
    let items = lock(&shared.data)
        .postings
        .iter()
        .filter(|p| states.is_empty() || states.contains(&p.state.as_str()))
        .map(posting_json)
        .collect();
    list(&params, items, std::convert::identity)
}

pub(super) async fn get_posting(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.postings.iter().find(|p| p.id == id) {
        Some(p) => self::data(posting_json(p)),
        None => not_found("postings", &id),
    }
}

pub(super) async fn list_stages(params: Params) -> Response {
    let items = STAGES
        .iter()
        .map(|(id, text)| json!({ "id": id, "text": text }))
        .collect();
    list(&params, items, std::convert::identity)
}

pub(super) async fn get_stage(Path(id): Path<String>) -> Response {
    match STAGES.iter().find(|(s, _)| *s == id) {
        Some((id, text)) => data(json!({ "id": id, "text": text })),
        None => not_found("stages", &id),
    }
}

pub(super) async fn list_users(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let items = lock(&shared.data).users.iter().map(user_json).collect();
    list(&params, items, std::convert::identity)
}

pub(super) async fn get_user(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.users.iter().find(|u| u.id == id) {
        Some(u) => self::data(user_json(u)),
        None => not_found("users", &id),
    }
}

pub(super) async fn list_tags(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for tag in lock(&shared.data)
        .opportunities
        .iter()
        .flat_map(|o| &o.tags)
    {
        match counts.iter_mut().find(|(t, _)| t == tag) {
            Some((_, n)) => *n += 1,
            None => counts.push((tag.clone(), 1)),
        }
    }
    let items = counts
        .into_iter()
        .map(|(text, count)| json!({ "text": text, "count": count }))
        .collect();
    list(&params, items, std::convert::identity)
}
