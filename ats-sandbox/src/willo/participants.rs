//! Interviews and participants: invite, list (filtered by interview or search), get, and completion with `new_response`.

use super::*;

pub(super) async fn list_interviews(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    whole_list(&shared, "/interviews/", &params, |data| {
        data.interviews.iter().map(interview_json).collect()
    })
}

pub(super) async fn get_interview(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.interviews.iter().find(|i| i.key == key) {
        Some(interview) => Json(interview_json(interview)).into_response(),
        None => not_found(),
    }
}

pub(super) async fn list_participants(
    State(shared): State<Arc<Shared>>,
    params: Params,
) -> Response {
    let interview = params.get("interview");
    let search = params.get("search").map(str::to_lowercase);
    let data = lock(&shared.data);
    let matches: Vec<&Participant> = data
        .participants
        .iter()
        .filter(|p| interview.is_none_or(|k| p.interview == k))
        .filter(|p| {
            search.as_deref().is_none_or(|term| {
                p.name.to_lowercase().contains(term)
                    || p.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(term))
            })
        })
        .collect();
    drf_page(&shared.base_url, "/participants/", &params, matches, |p| {
        participant_json(p, &shared.base_url)
    })
}

pub(super) async fn get_participant(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.by_key.get(&key) {
        Some(&i) => Json(participant_json(&data.participants[i], &shared.base_url)).into_response(),
        None => not_found(),
    }
}

/// `POST /participants/`: `interview` and `name` required (the 400 shapes are the
/// ones seen live, willo.md §4), `email` and `phone` optional.
pub(super) async fn invite(
    State(shared): State<Arc<Shared>>,
    ObjectBody(body): ObjectBody,
) -> Response {
    let Some(name) = text(&body, "name") else {
        return field_error("name", "This field is required.");
    };
    let Some(interview) = text(&body, "interview") else {
        return field_error("interview", "This field is required.");
    };
    let participant = {
        let mut data = lock(&shared.data);
        if !data.interviews.iter().any(|i| i.key == interview) {
            return field_error(
                "interview",
                &format!("Invalid pk \"{interview}\" - object does not exist."),
            );
        }
        let key = data.generator.hex_key();
        let participant = Participant {
            key: key.clone(),
            interview,
            name,
            email: text(&body, "email"),
            phone: text(&body, "phone"),
            created_at: now_iso(),
            stage: STAGE_INVITED.to_owned(),
            completed_at: None,
            responses: Vec::new(),
            score: None,
            comments: Vec::new(),
        };
        let json = participant_json(&participant, &shared.base_url);
        let index = data.participants.len();
        data.participants.push(participant);
        data.by_key.insert(key.clone(), index);
        (key, json)
    };
    if let Some(delay) = shared.completion_delay {
        let shared = Arc::clone(&shared);
        let key = participant.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // The participant cannot vanish (there is no delete): completion cannot fail.
            let _ = complete(&shared, &key);
        });
    }
    (StatusCode::CREATED, Json(participant.1)).into_response()
}

/// Record answers for `key` and send `new_response` to the matching webhooks.
pub(super) fn complete(shared: &Shared, key: &str) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = index_of(&data, key)?;
        if data.participants[index].completed_at.is_some() {
            return Ok(());
        }
        let scores: Vec<u32> = (0..QUESTIONS.len())
            .map(|_| 2 + data.generator.below(4))
            .collect();
        let hold_transcripts = data.hold_transcripts;
        let participant = &mut data.participants[index];
        participant.responses = QUESTIONS
            .iter()
            .zip(&scores)
            .enumerate()
            .map(|(n, (question, score))| {
                let mut answer = json!({
                    "question": question,
                    "media_url": format!("{}/media/{key}/{}.mp4", shared.base_url, n + 1),
                    "score": f64::from(*score),
                });
                if !hold_transcripts {
                    super::late::transcribe(&mut answer, n);
                }
                answer
            })
            .collect();
        let total: u32 = scores.iter().sum();
        participant.score = Some(f64::from(total) / scores.len() as f64);
        participant.completed_at = Some(now_iso());
        if participant.stage == STAGE_INVITED {
            participant.stage = STAGE_RECEIVED.to_owned();
        }
        notifications(&data, index, "new_response")
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

/// Move `key` to `stage` (a reviewer's decision such as `Accepted`) and send
/// `stage_change` to the matching webhooks. Moving to the current stage sends nothing.
pub(super) fn change_stage(shared: &Shared, key: &str, stage: &str) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = index_of(&data, key)?;
        if data.participants[index].stage == stage {
            return Ok(());
        }
        data.participants[index].stage = stage.to_owned();
        notifications(&data, index, "stage_change")
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

pub(super) fn index_of(data: &Data, key: &str) -> Result<usize, SandboxError> {
    data.by_key
        .get(key)
        .copied()
        .ok_or_else(|| SandboxError::NotFound {
            what: format!("Willo participant {key}"),
        })
}

/// One delivery of `event` about participant `index` per matching webhook. The body
/// carries the participant's key, interview and stage (willo.md §6: keys somewhere,
/// name and email best effort).
pub(super) fn notifications(data: &Data, index: usize, event: &str) -> Vec<Outgoing> {
    let participant = &data.participants[index];
    let title = data
        .interviews
        .iter()
        .find(|i| i.key == participant.interview)
        .map(|i| i.title.clone());
    let body = json!({
        "participant": {
            "key": participant.key,
            "interview": participant.interview,
            "name": participant.name,
            "email": participant.email,
            "stage": participant.stage,
        },
        "interview": { "key": participant.interview, "title": title },
    });
    let body = serde_json::to_vec(&body).unwrap_or_default();
    data.webhooks
        .iter()
        .filter(|w| w.event == event)
        .filter(|w| w.follow_all || w.interviews.contains(&participant.interview))
        .map(|w| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Outgoing {
                url: w.url.clone(),
                headers,
                body: body.clone(),
            }
        })
        .collect()
}

/// `PATCH`/`PUT /participants/{key}/`: `name`, `email`, `phone` and `stage` (the field
/// name of the stage is uncertain, willo.md §5; a changed stage sends `stage_change`).
pub(super) async fn update_participant(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    ObjectBody(body): ObjectBody,
) -> Response {
    {
        let mut data = lock(&shared.data);
        let Some(&index) = data.by_key.get(&key) else {
            return not_found();
        };
        let participant = &mut data.participants[index];
        if let Some(name) = text(&body, "name") {
            participant.name = name;
        }
        if let Some(email) = text(&body, "email") {
            participant.email = Some(email);
        }
        if let Some(phone) = text(&body, "phone") {
            participant.phone = Some(phone);
        }
    }
    if let Some(stage) = text(&body, "stage") {
        // The key was found above and participants are never removed.
        let _ = change_stage(&shared, &key, &stage);
    }
    let data = lock(&shared.data);
    match data.by_key.get(&key) {
        Some(&i) => Json(participant_json(&data.participants[i], &shared.base_url)).into_response(),
        None => not_found(),
    }
}
