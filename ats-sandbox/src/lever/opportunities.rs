//! Opportunities: listing with filters, `expand`, stage changes (with their signed deliveries), tags and notes with `perform_as`.

use super::*;

/// `GET /opportunities`: `posting_id`, `stage_id`, `tag`, `email`, `contact_id`
/// (each repeatable, any of), `archived`, `expand`.
pub(super) async fn list_opportunities(
    State(shared): State<Arc<Shared>>,
    params: Params,
) -> Response {
    let postings = params.all("posting_id");
    let stages = params.all("stage_id");
    let tags = params.all("tag");
    let contacts = params.all("contact_id");
    let email = params.get("email").map(str::to_lowercase);
    let expand = params.all("expand");
    // Nothing in the sandbox is archived.
    let archived_only = params.get("archived") == Some("true");
    let data = lock(&shared.data);
    let matches: Vec<&Opportunity> = data
        .opportunities
        .iter()
        .filter(|_| !archived_only)
        .filter(|o| postings.is_empty() || postings.contains(&o.posting.as_str()))
        .filter(|o| stages.is_empty() || stages.contains(&o.stage.as_str()))
        .filter(|o| contacts.is_empty() || contacts.contains(&o.contact.as_str()))
        .filter(|o| tags.is_empty() || o.tags.iter().any(|t| tags.contains(&t.as_str())))
        // Any of the contact's e-mails, as Lever matches them.
        .filter(|o| {
            email
                .as_deref()
                .is_none_or(|e| super::contacts::has_email(o, &data, e))
        })
        .collect();
    list(&params, matches, |o| opportunity_json(o, &data, &expand))
}

pub(super) async fn get_opportunity(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(&id) {
        Some(&i) => self::data(opportunity_json(
            &data.opportunities[i],
            &data,
            &params.all("expand"),
        )),
        None => not_found("opportunities", &id),
    }
}

/// Move `opportunity` to `stage` and tell the webhooks. The one path for the API and
/// for [`LeverSandbox::move_opportunity`].
pub(super) fn move_stage(
    shared: &Shared,
    opportunity: &str,
    stage: &str,
    user: &str,
) -> Result<(), SandboxError> {
    if stage_index(stage).is_none() {
        return Err(SandboxError::NotFound {
            what: format!("stages {stage}"),
        });
    }
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = *data
            .by_id
            .get(opportunity)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("opportunities {opportunity}"),
            })?;
        let now = now_millis();
        let o = &mut data.opportunities[index];
        let from = std::mem::replace(&mut o.stage, stage.to_owned());
        o.stage_changes.push(stage_change(stage, user, now));
        o.updated_at = now;
        let (id, contact) = (o.id.clone(), o.contact.clone());
        let mut event = EventData::default();
        event.opportunity_id = Some(id.as_str().into());
        event.candidate_id = Some(id.clone());
        event.contact_id = Some(contact.as_str().into());
        event.to_stage_id = Some(stage.into());
        event.from_stage_id = Some(from.as_str().into());
        signed_deliveries(&mut data, Event::CandidateStageChange, &event, now)
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

/// One signed delivery of `event` per webhook for it whose origin condition the
/// opportunity meets, each with its own token (Lever's `token` is per delivery).
fn signed_deliveries(data: &mut Data, event: Event, body: &EventData, now: u64) -> Vec<Outgoing> {
    let targets: Vec<(String, SecretString)> = data
        .webhooks
        .iter()
        .filter(|w| w.event == event.as_str())
        .filter(|w| w.origins.is_empty() || w.origins.iter().any(|o| o == ORIGIN))
        .map(|w| (w.url.clone(), w.token.clone()))
        .collect();
    targets
        .into_iter()
        .map(|(url, signature_token)| {
            let token = data.generator.secret(24);
            let body = TestDelivery::new(event.clone(), &token, now)
                .data(body.clone())
                .sign(&signature_token)
                .body;
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Outgoing { url, headers, body }
        })
        .collect()
}

/// Remove `opportunity` (the Data API cannot; a recruiter or a GDPR request can) and
/// send `candidateDeleted` with its opportunity, candidate and contact ids.
pub(super) fn delete(shared: &Shared, opportunity: &str) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = data
            .by_id
            .remove(opportunity)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("opportunities {opportunity}"),
            })?;
        let removed = data.opportunities.remove(index);
        data.sources.remove(&removed.id);
        if !data
            .opportunities
            .iter()
            .any(|o| o.contact == removed.contact)
        {
            data.contacts.remove(&removed.contact);
        }
        let moved: Vec<(String, usize)> = data.opportunities[index..]
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), index + i))
            .collect();
        data.by_id.extend(moved);
        let mut event = EventData::default();
        event.opportunity_id = Some(removed.id.as_str().into());
        event.candidate_id = Some(removed.id.clone());
        event.contact_id = Some(removed.contact.as_str().into());
        signed_deliveries(&mut data, Event::CandidateDeleted, &event, now_millis())
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

/// `PUT /opportunities/{id}/stage` `{"stage"}` → 200 `{data: opportunity}`; an unknown
/// stage is Lever's documented 404 `stages … was not found`.
pub(super) async fn change_stage(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    let Some(stage) = body
        .as_ref()
        .and_then(|Json(b)| b.get("stage"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return error(StatusCode::BAD_REQUEST, "stage is required");
    };
    let user = match actor(&lock(&shared.data), &params) {
        Ok(user) => user,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    match move_stage(&shared, &id, &stage, &user) {
        Ok(()) => opportunity_response(&shared, &id),
        Err(e) => error(StatusCode::NOT_FOUND, &format!("{e}")),
    }
}

pub(super) fn opportunity_response(shared: &Shared, id: &str) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(id) {
        Some(&i) => self::data(opportunity_json(&data.opportunities[i], &data, &[])),
        None => not_found("opportunities", id),
    }
}

/// Apply `edit` to the opportunity's tags after checking `perform_as`.
fn edit_tags(
    shared: &Shared,
    id: &str,
    params: &Params,
    body: Option<Json<Value>>,
    edit: impl FnOnce(&mut Vec<String>, Vec<String>),
) -> Response {
    let Some(tags) = string_array(body.as_ref().and_then(|Json(b)| b.get("tags"))) else {
        return error(StatusCode::BAD_REQUEST, "tags must be a list");
    };
    {
        let mut data = lock(&shared.data);
        if let Err(message) = actor(&data, params) {
            return error(StatusCode::BAD_REQUEST, message);
        }
        let Some(&i) = data.by_id.get(id) else {
            return not_found("opportunities", id);
        };
        let o = &mut data.opportunities[i];
        edit(&mut o.tags, tags);
        o.updated_at = now_millis();
    }
    opportunity_response(shared, id)
}

pub(super) async fn add_tags(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    edit_tags(&shared, &id, &params, body, |current, tags| {
        for tag in tags {
            if !current.contains(&tag) {
                current.push(tag);
            }
        }
    })
}

pub(super) async fn remove_tags(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    edit_tags(&shared, &id, &params, body, |current, tags| {
        current.retain(|t| !tags.contains(t));
    })
}

pub(super) async fn list_notes(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
) -> Response {
    let items = {
        let data = lock(&shared.data);
        let Some(&i) = data.by_id.get(&id) else {
            return not_found("opportunities", &id);
        };
        data.opportunities[i].notes.iter().map(note_json).collect()
    };
    list(&params, items, std::convert::identity)
}

/// `POST /opportunities/{id}/notes` `{value, secret?, score?}` → 201 with `noteId`.
pub(super) async fn create_note(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "value is required");
    };
    let Some(value) = body
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
    else {
        return error(StatusCode::BAD_REQUEST, "value is required");
    };
    let score = body.get("score").and_then(Value::as_u64);
    if score.is_some_and(|s| !(1..=4).contains(&s)) {
        return error(StatusCode::BAD_REQUEST, "score must be 1 to 4");
    }
    let mut data = lock(&shared.data);
    let user = match actor(&data, &params) {
        Ok(user) => user,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let Some(&i) = data.by_id.get(&id) else {
        return not_found("opportunities", &id);
    };
    let note = Note {
        id: data.generator.uuid(),
        value: value.to_owned(),
        user: Some(user),
        stage: data.opportunities[i].stage.clone(),
        created_at: now_millis(),
        secret: body.get("secret").and_then(Value::as_bool).unwrap_or(false),
        score,
    };
    let mut json = note_json(&note);
    json["noteId"] = json!(note.id);
    data.opportunities[i].notes.push(note);
    (StatusCode::CREATED, Json(json!({ "data": json }))).into_response()
}

/// `POST /opportunities?perform_as=…` (`perform_as` required, as Lever documents):
/// `name`, `emails`, `phones`, `postings` (at most one), `stage` (default the "New
/// lead" stage). Lever dedupes by e-mail: an opportunity whose e-mail is already
/// known joins that contact, whose data wins, and the answer says `"deduped": true`.
/// 201 `{deduped, data}`; subscribers hear `applicationCreated`.
pub(super) async fn create_opportunity(
    State(shared): State<Arc<Shared>>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    if params.get("perform_as").is_none() {
        return error(StatusCode::BAD_REQUEST, "perform_as is required");
    }
    let postings = string_array(body.get("postings")).unwrap_or_default();
    if postings.len() > 1 {
        return error(
            StatusCode::BAD_REQUEST,
            "an opportunity can be created for one posting at most",
        );
    }
    let email = string_array(body.get("emails"))
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.trim().to_owned())
        .find(|e| !e.is_empty());
    let phone = body
        .get("phones")
        .and_then(Value::as_array)
        .and_then(|phones| phones.first())
        .and_then(|p| p.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let (json, deliveries) = {
        let mut data = lock(&shared.data);
        let user = match actor(&data, &params) {
            Ok(user) => user,
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        };
        let Some(posting) = postings.first().cloned() else {
            // The sandbox keeps opportunities by posting; Lever allows none.
            return error(
                StatusCode::BAD_REQUEST,
                "the sandbox creates opportunities on a posting only",
            );
        };
        if !data.postings.iter().any(|p| p.id == posting) {
            return not_found("postings", &posting);
        }
        let stage = match body.get("stage").and_then(Value::as_str) {
            Some(stage) if stage_index(stage).is_none() => return not_found("stages", stage),
            Some(stage) => stage.to_owned(),
            None => STAGES[0].0.to_owned(),
        };
        let known = email.as_deref().and_then(|email| {
            data.opportunities
                .iter()
                .find(|o| super::contacts::has_email(o, &data, email))
                .map(|o| (o.contact.clone(), o.person.clone()))
        });
        let deduped = known.is_some();
        let (contact, person) = match known {
            Some(found) => found,
            None => {
                if name.is_empty() {
                    return error(StatusCode::BAD_REQUEST, "name is required");
                }
                let (first, last) = match name.rsplit_once(' ') {
                    Some((first, last)) => (first.to_owned(), last.to_owned()),
                    None => (name.clone(), String::new()),
                };
                let person = Person {
                    first,
                    last,
                    email: email.clone().unwrap_or_default(),
                    phone,
                };
                (data.generator.uuid(), person)
            }
        };
        let now = now_millis();
        let opportunity = Opportunity {
            id: data.generator.uuid(),
            contact,
            application: data.generator.uuid(),
            posting,
            person,
            stage_changes: vec![stage_change(&stage, &user, now)],
            stage,
            tags: strings(body.get("tags")),
            notes: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        let index = data.opportunities.len();
        data.by_id.insert(opportunity.id.clone(), index);
        let mut event = EventData::default();
        event.opportunity_id = Some(opportunity.id.as_str().into());
        event.candidate_id = Some(opportunity.id.clone());
        event.contact_id = Some(opportunity.contact.as_str().into());
        event.application_id = Some(opportunity.application.as_str().into());
        data.opportunities.push(opportunity);
        let json = json!({
            "deduped": deduped,
            "data": opportunity_json(&data.opportunities[index], &data, &[]),
        });
        let deliveries = signed_deliveries(&mut data, Event::ApplicationCreated, &event, now);
        (json, deliveries)
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    (StatusCode::CREATED, Json(json)).into_response()
}

/// `PUT /opportunities/{id}/notes/{note}` `{values: [{value}], …}`: replaces the note's
/// thread (the sandbox keeps one comment per note, so the first value) → 200 with
/// `noteId`. Lever allows this for notes created through the API; every sandbox note
/// is.
pub(super) async fn update_note(
    State(shared): State<Arc<Shared>>,
    Path((id, note)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let value = body.as_ref().and_then(|Json(body)| {
        body.get("values")?
            .as_array()?
            .first()?
            .get("value")?
            .as_str()
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    });
    let Some(value) = value else {
        return error(StatusCode::BAD_REQUEST, "values[0].value is required");
    };
    let mut data = lock(&shared.data);
    let Some(&i) = data.by_id.get(&id) else {
        return not_found("opportunities", &id);
    };
    let Some(found) = data.opportunities[i]
        .notes
        .iter_mut()
        .find(|n| n.id == note)
    else {
        return not_found("notes", &note);
    };
    found.value = value;
    (StatusCode::OK, Json(json!({ "data": { "noteId": note } }))).into_response()
}
