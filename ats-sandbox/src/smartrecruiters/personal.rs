//! `PATCH /candidates/{id}`: a candidate's personal details (smartrecruiters.md,
//! "Update personal info"). Only the fields sent change; the answer is the candidate's
//! details, as `GET /candidates/{id}` then shows them. E-mail plus last name stay
//! unique across candidates: a change that would make two alike is refused with 409
//! `CANDIDATE_DATA_CONFLICT`, as SmartRecruiters does.

use super::*;

/// What the seeded person does not hold: web profiles and a structured location,
/// once a `PATCH` sets them.
#[derive(Default)]
pub(super) struct Profile {
    /// `web`, as last sent (SmartRecruiters replaces the object).
    pub web: Map<String, Value>,
    /// `location`, as last sent.
    pub location: Option<Value>,
}

/// The one sandbox answer SmartRecruiters documents for a duplicate: 409 with the
/// code the client's `is_candidate_data_conflict` looks for.
fn data_conflict() -> Response {
    let message = "Candidate with the same email and last name already exists";
    (
        StatusCode::CONFLICT,
        Json(json!({
            "message": message,
            "errors": [{ "code": "CANDIDATE_DATA_CONFLICT", "message": message }],
        })),
    )
        .into_response()
}

/// A string field that was sent: `Ok(None)` when absent; why not, when it is not
/// text, or empty where SmartRecruiters requires a value.
fn sent(body: &Value, field: &str, required: bool) -> Result<Option<String>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if required && text.trim().is_empty() => {
            Err(format!("{field} must not be empty"))
        }
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

/// `PATCH /candidates/{id}` `{firstName?, lastName?, email?, phoneNumber?, location?,
/// web?}` → 200 with the candidate's details; unknown fields are ignored.
pub(super) async fn update_personal_details(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body.filter(|Json(b)| b.is_object()) else {
        return error(StatusCode::BAD_REQUEST, "A JSON object is required");
    };
    let fields = (|| {
        Ok::<_, String>((
            sent(&body, "firstName", true)?,
            sent(&body, "lastName", true)?,
            sent(&body, "email", true)?,
            sent(&body, "phoneNumber", false)?,
        ))
    })();
    let (first, last, email, phone) = match fields {
        Ok(fields) => fields,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    let web = match body.get("web") {
        None | Some(Value::Null) => None,
        Some(Value::Object(web)) => Some(
            web.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        Some(_) => return error(StatusCode::BAD_REQUEST, "web must be an object"),
    };
    let location = body.get("location").filter(|l| l.is_object()).cloned();

    let mut data = lock(&shared.data);
    let Some(&index) = data.by_id.get(&candidate) else {
        return not_found("Candidate");
    };
    let person = &data.candidates[index].person;
    let new_email = email.clone().unwrap_or_else(|| person.email.clone());
    let new_last = last.clone().unwrap_or_else(|| person.last.clone());
    let duplicate = data.candidates.iter().any(|other| {
        other.id != candidate
            && other.person.email.eq_ignore_ascii_case(&new_email)
            && other.person.last.eq_ignore_ascii_case(&new_last)
    });
    if duplicate {
        return data_conflict();
    }
    let c = &mut data.candidates[index];
    if let Some(first) = first {
        c.person.first = first;
    }
    if let Some(last) = last {
        c.person.last = last;
    }
    if let Some(email) = email {
        c.person.email = email;
    }
    if let Some(phone) = phone {
        c.person.phone = phone;
    }
    c.updated_on = now_iso();
    if web.is_some() || location.is_some() {
        let profile = data.profiles.entry(candidate).or_default();
        if let Some(web) = web {
            profile.web = web;
        }
        if location.is_some() {
            profile.location = location;
        }
    }
    let c = &data.candidates[index];
    Json(candidate_details_json(c, &data, &shared.base_url)).into_response()
}
