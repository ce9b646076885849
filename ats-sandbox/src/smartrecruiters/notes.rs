//! Notes: `POST /messages/shares` tagged `#[CANDIDATE:id]`, and `GET /messages`.

use super::*;

/// The ids in every `#[CANDIDATE:id]` of a note.
pub(super) fn tagged_candidates(content: &str) -> Vec<String> {
    content
        .split("#[CANDIDATE:")
        .skip(1)
        .filter_map(|rest| rest.split_once(']').map(|(id, _)| id.to_owned()))
        .collect()
}

/// `POST /messages/shares` → 201 `{id, shareRequired}`. A note tagged with an unknown
/// candidate is refused with 404 (the sandbox's choice; SmartRecruiters documents no
/// code for it).
pub(super) async fn create_note(
    State(shared): State<Arc<Shared>>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let chars = content.chars().count();
    if chars == 0 || chars > NOTE_LIMIT {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("content must have 1 to {NOTE_LIMIT} characters"),
        );
    }
    let jobs = body
        .get("shareWith")
        .map(|s| string_list(s, "hiringTeamOf"))
        .unwrap_or_default();
    let candidates = tagged_candidates(&content);
    let mut data = lock(&shared.data);
    if candidates.iter().any(|c| !data.by_id.contains_key(c)) {
        return not_found("Candidate");
    }
    if jobs
        .iter()
        .any(|j| !data.jobs.iter().any(|job| &job.id == j))
    {
        return not_found("Job");
    }
    let id = data.generator.uuid();
    data.notes.push(Note {
        id: id.clone(),
        content,
        candidates,
        jobs,
        created_on: now_iso(),
    });
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "shareRequired": false })),
    )
        .into_response()
}

/// `GET /messages?candidateId=&jobId=`: the notes tagged with the candidate.
pub(super) async fn list_notes(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let Some(candidate) = params.get("candidateId") else {
        return error(StatusCode::BAD_REQUEST, "candidateId is required");
    };
    let job = params.get("jobId");
    let items = {
        let data = lock(&shared.data);
        data.notes
            .iter()
            .filter(|n| n.candidates.iter().any(|c| c == candidate))
            .filter(|n| job.is_none_or(|j| n.jobs.is_empty() || n.jobs.iter().any(|nj| nj == j)))
            .map(|n| {
                let applications: Vec<Value> = if n.jobs.is_empty() {
                    vec![json!({ "candidateId": candidate })]
                } else {
                    n.jobs
                        .iter()
                        .map(|j| json!({ "candidateId": candidate, "jobId": j }))
                        .collect()
                };
                json!({
                    "id": n.id,
                    "content": n.content,
                    "createdOn": n.created_on,
                    "visibility": if n.jobs.is_empty() { "OPEN" } else { "DIRECT" },
                    "authorId": data.users[0].id,
                    "context": { "applications": applications },
                })
            })
            .collect()
    };
    page(&params, items, std::convert::identity)
}
