//! Jobs, the hiring process, candidates, applications (status and history) and tags.

use super::*;

pub(super) async fn list_jobs(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let statuses = params.all("statuses");
    let title = params.get("q").map(str::to_lowercase);
    let items = {
        let data = lock(&shared.data);
        data.jobs
            .iter()
            .filter(|j| statuses.is_empty() || statuses.contains(&j.status.as_str()))
            .filter(|j| {
                title
                    .as_deref()
                    .is_none_or(|t| j.title.to_lowercase().contains(t))
            })
            .map(|j| job_json(j, &shared.base_url))
            .collect()
    };
    page(&params, items, std::convert::identity)
}

pub(super) async fn get_job(
    State(shared): State<Arc<Shared>>,
    Path(job): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.jobs.iter().find(|j| j.id == job) {
        Some(job) => Json(job_json(job, &shared.base_url)).into_response(),
        None => not_found("Job"),
    }
}

pub(super) async fn hiring_processes() -> Response {
    let sub_statuses: Map<String, Value> = SUB_STATUSES
        .iter()
        .map(|(status, subs)| ((*status).to_owned(), json!(subs)))
        .collect();
    Json(json!({
        "totalFound": 1,
        "content": [{
            "id": "sandbox-hiring-process",
            "name": "Default hiring process",
            "active": true,
            "subStatuses": sub_statuses,
        }],
    }))
    .into_response()
}

/// `GET /candidates`: filters `jobId`, `status`, `subStatus` (all on the same
/// application), `tag`, and `q` over names and email.
pub(super) async fn search_candidates(
    State(shared): State<Arc<Shared>>,
    params: Params,
) -> Response {
    let jobs = params.all("jobId");
    let statuses = params.all("status");
    let sub_status = params.get("subStatus");
    let tags = params.all("tag");
    let text = params
        .get("q")
        .map(|t| t.trim_matches('"').trim().to_lowercase())
        .filter(|t| !t.is_empty());
    {
        let data = lock(&shared.data);
        let matches = data
            .candidates
            .iter()
            .filter(|c| {
                c.applications.iter().any(|a| {
                    (jobs.is_empty() || jobs.contains(&a.job.as_str()))
                        && (statuses.is_empty() || statuses.contains(&a.status.as_str()))
                        && sub_status.is_none_or(|s| a.sub_status.as_deref() == Some(s))
                })
            })
            .filter(|c| {
                tags.iter()
                    .all(|t| c.tags.iter().any(|ct| ct.eq_ignore_ascii_case(t)))
            })
            .filter(|c| {
                text.as_deref().is_none_or(|t| {
                    c.person.email.to_lowercase().contains(t)
                        || c.person.full_name().to_lowercase().contains(t)
                })
            })
            .collect::<Vec<_>>();
        page(&params, matches, |c| {
            candidate_json(c, jobs.first().copied(), &data, &shared.base_url)
        })
    }
}

pub(super) async fn get_candidate(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(&candidate) {
        Some(&i) => Json(candidate_details_json(
            &data.candidates[i],
            &data,
            &shared.base_url,
        ))
        .into_response(),
        None => not_found("Candidate"),
    }
}

/// `POST /jobs/{id}/candidates`: first name, last name and email required; 201 with
/// the candidate's details; subscribers hear `application.created`.
///
/// SmartRecruiters keeps e-mail and last name unique per candidate, so the sandbox
/// treats a body with both of a known candidate as that candidate: the application is
/// added to them (nothing is added when they already applied to the job), and their
/// profile stays as it is.
pub(super) async fn create_on_job(
    State(shared): State<Arc<Shared>>,
    Path(job): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let (Some(first), Some(last), Some(email)) = (
        text(&body, "firstName"),
        text(&body, "lastName"),
        text(&body, "email"),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "firstName, lastName and email are required",
        );
    };
    let (json, candidate, added) = {
        let mut data = lock(&shared.data);
        if !data.jobs.iter().any(|j| j.id == job) {
            return not_found("Job");
        }
        let now = now_iso();
        let known = data.candidates.iter().position(|c| {
            c.person.email.eq_ignore_ascii_case(email.trim())
                && c.person.last.eq_ignore_ascii_case(last.trim())
        });
        let index = match known {
            Some(index) => index,
            None => {
                let id = data.generator.uuid();
                let candidate = Candidate {
                    id: id.clone(),
                    person: Person {
                        first,
                        last,
                        email,
                        phone: text(&body, "phoneNumber").unwrap_or_default(),
                    },
                    created_on: now.clone(),
                    updated_on: now.clone(),
                    tags: strings(body.get("tags")),
                    applications: Vec::new(),
                };
                let index = data.candidates.len();
                data.by_id.insert(id, index);
                data.candidates.push(candidate);
                index
            }
        };
        let added = !data.candidates[index]
            .applications
            .iter()
            .any(|a| a.job == job);
        if added {
            let application = data.generator.uuid();
            let candidate = &mut data.candidates[index];
            candidate.updated_on = now.clone();
            candidate.applications.push(Application {
                id: application,
                job: job.clone(),
                status: "NEW".to_owned(),
                sub_status: None,
                history: vec![(now, "NEW".to_owned(), None)],
            });
        }
        let json = candidate_details_json(&data.candidates[index], &data, &shared.base_url);
        (json, data.candidates[index].id.clone(), added)
    };
    if added {
        emit(&shared, APPLICATION_CREATED, &candidate, &job);
    }
    (StatusCode::CREATED, Json(json)).into_response()
}

pub(super) async fn get_application(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
) -> Response {
    let data = lock(&shared.data);
    let application = data.application(&candidate, &job);
    match application {
        Some(a) => Json(application_json(a, &candidate, &shared.base_url)).into_response(),
        None => not_found("Application"),
    }
}

pub(super) async fn status_history(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
) -> Response {
    let data = lock(&shared.data);
    let application = data.application(&candidate, &job);
    let Some(a) = application else {
        return not_found("Application");
    };
    let content: Vec<Value> = a
        .history
        .iter()
        .map(|(on, status, sub)| json!({ "changedOn": on, "status": status, "subStatus": sub }))
        .collect();
    Json(json!({ "totalFound": content.len(), "content": content })).into_response()
}

/// `PUT /candidates/{id}/jobs/{jobId}/status` → 204.
pub(super) async fn set_status(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(status) = body.as_ref().and_then(|Json(b)| text(b, "status")) else {
        return error(StatusCode::BAD_REQUEST, "status is required");
    };
    let sub_status = body.as_ref().and_then(|Json(b)| text(b, "subStatus"));
    match change_status(&shared, &candidate, &job, &status, sub_status.as_deref()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(SandboxError::NotFound { .. }) => not_found("Application"),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

pub(super) async fn get_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(&candidate) {
        Some(&i) => Json(json!({ "tags": data.candidates[i].tags })).into_response(),
        None => not_found("Candidate"),
    }
}

/// Apply `edit` to the candidate's tags → 204.
fn edit_tags(shared: &Shared, candidate: &str, edit: impl FnOnce(&mut Vec<String>)) -> Response {
    let mut data = lock(&shared.data);
    let Some(&i) = data.by_id.get(candidate) else {
        return not_found("Candidate");
    };
    edit(&mut data.candidates[i].tags);
    data.candidates[i].updated_on = now_iso();
    StatusCode::NO_CONTENT.into_response()
}

/// The `tags` list a `PUT`/`POST` on a candidate's tags sends. No body is a 400; a
/// body that is not JSON keeps axum's own rejection.
pub(super) struct SentTags(Vec<String>);

impl<S: Send + Sync> FromRequest<S> for SentTags {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match Option::<Json<Value>>::from_request(request, state).await {
            Ok(Some(Json(body))) => Ok(Self(string_list(&body, "tags"))),
            Ok(None) => Err(error(StatusCode::BAD_REQUEST, "tags are required")),
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}

pub(super) async fn replace_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
    SentTags(tags): SentTags,
) -> Response {
    edit_tags(&shared, &candidate, |current| *current = tags)
}

pub(super) async fn add_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
    SentTags(tags): SentTags,
) -> Response {
    edit_tags(&shared, &candidate, |current| {
        for tag in tags {
            if !current.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                current.push(tag);
            }
        }
    })
}

pub(super) async fn delete_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
) -> Response {
    edit_tags(&shared, &candidate, Vec::clear)
}

/// Remove `candidate` and tell the subscribers. The one path for the API and for
/// [`SmartRecruitersSandbox::delete_candidate`].
pub(super) fn remove_candidate(shared: &Shared, candidate: &str) -> Result<(), SandboxError> {
    {
        let mut data = lock(&shared.data);
        let index = data
            .by_id
            .remove(candidate)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("candidate {candidate}"),
            })?;
        data.candidates.remove(index);
        data.profiles.remove(candidate);
        let moved: Vec<(String, usize)> = data.candidates[index..]
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), index + i))
            .collect();
        data.by_id.extend(moved);
    }
    emit_body(shared, CANDIDATE_DELETED, &json!({ "id": candidate }), None);
    Ok(())
}

/// `DELETE /candidates/{id}` → 204.
pub(super) async fn delete_candidate(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
) -> Response {
    match remove_candidate(&shared, &candidate) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => not_found("Candidate"),
    }
}
