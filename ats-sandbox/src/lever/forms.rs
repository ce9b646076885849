//! Profile forms: the account's form templates (`/form_templates`) and the forms
//! filled in on an opportunity (`GET`/`POST /opportunities/{id}/forms`). Lever cannot
//! edit a form, so a new answer is a new form.

use super::*;

/// The account's one profile form template.
pub const FORM_TEMPLATE: &str = "c1a5a6c3-1f4e-4b1e-9f1a-77a0f9e1b001";
/// Its fields: `(id, type, question, options)`.
pub const FORM_FIELDS: &[(&str, &str, &str, &[&str])] = &[
    ("willo-summary", "textarea", "AI summary", &[]),
    ("willo-score", "text", "Willo score", &[]),
    ("willo-verdict", "dropdown", "Verdict", &["Advance", "Hold"]),
];

fn template_json() -> Value {
    let fields: Vec<Value> = FORM_FIELDS
        .iter()
        .map(|(id, kind, text, options)| {
            let options: Vec<Value> = options.iter().map(|o| json!({"text": o})).collect();
            json!({"id": id, "type": kind, "text": text, "required": false, "options": options})
        })
        .collect();
    json!({
        "id": FORM_TEMPLATE, "text": "Willo results", "instructions": "",
        "fields": fields, "createdAt": 1_700_000_000_000u64, "updatedAt": 1_700_000_000_000u64
    })
}

pub(super) async fn list_templates(params: Params) -> Response {
    list(&params, vec![template_json()], std::convert::identity)
}

pub(super) async fn get_template(Path(id): Path<String>) -> Response {
    if id == FORM_TEMPLATE {
        data(template_json())
    } else {
        not_found("form_templates", &id)
    }
}

pub(super) async fn list_forms(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
) -> Response {
    let items = {
        let data = lock(&shared.data);
        if !data.by_id.contains_key(&id) {
            return not_found("opportunities", &id);
        }
        data.forms.get(&id).cloned().unwrap_or_default()
    };
    list(&params, items, std::convert::identity)
}

/// `POST /opportunities/{id}/forms` `{baseTemplateId, fieldValues: [{id, value}]}` →
/// 201 with the form. Every field must be the template's, a choice one of its options.
pub(super) async fn create_form(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    params: Params,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "baseTemplateId is required");
    };
    if body.get("baseTemplateId").and_then(Value::as_str) != Some(FORM_TEMPLATE) {
        return error(
            StatusCode::BAD_REQUEST,
            "baseTemplateId names no form template",
        );
    }
    let empty = Vec::new();
    let answers = body
        .get("fieldValues")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    for answer in answers {
        let field = answer.get("id").and_then(Value::as_str).unwrap_or_default();
        let Some((_, _, _, options)) = FORM_FIELDS.iter().find(|(f, ..)| *f == field) else {
            return error(
                StatusCode::BAD_REQUEST,
                "fieldValues names a field the template lacks",
            );
        };
        let value = answer.get("value").and_then(Value::as_str);
        if value.is_none() || (!options.is_empty() && !options.contains(&value.unwrap_or(""))) {
            return error(
                StatusCode::BAD_REQUEST,
                "a field value does not fit its field",
            );
        }
    }
    let mut data = lock(&shared.data);
    let user = match actor(&data, &params) {
        Ok(user) => user,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let Some(&i) = data.by_id.get(&id) else {
        return not_found("opportunities", &id);
    };
    let mut form = template_json();
    let created = now_millis();
    form["id"] = json!(data.generator.uuid());
    form["type"] = json!("form");
    form["baseTemplateId"] = json!(FORM_TEMPLATE);
    form["user"] = json!(user);
    form["stage"] = json!(data.opportunities[i].stage);
    form["secret"] = json!(body.get("secret").and_then(Value::as_bool).unwrap_or(false));
    form["createdAt"] = json!(created);
    form["completedAt"] = json!(created);
    form["deletedAt"] = Value::Null;
    if let Some(fields) = form["fields"].as_array_mut() {
        for field in fields {
            let value = answers
                .iter()
                .find(|a| a.get("id") == field.get("id"))
                .and_then(|a| a.get("value").cloned());
            field["value"] = value.unwrap_or(Value::Null);
        }
    }
    data.forms.entry(id).or_default().push(form.clone());
    (StatusCode::CREATED, Json(json!({ "data": form }))).into_response()
}

impl LeverSandbox {
    /// The profile forms filled in on `opportunity`, oldest first.
    pub fn profile_forms(&self, opportunity: &str) -> Vec<Value> {
        let data = lock(&self.shared.data);
        data.forms.get(opportunity).cloned().unwrap_or_default()
    }
}
