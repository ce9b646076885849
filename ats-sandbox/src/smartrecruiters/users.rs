//! Users (`/user-api/v201804`): the sandbox company's recruiter (the API key's user,
//! author of the notes written through it) and a hiring manager.

use super::*;

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "firstName": user.first,
        "lastName": user.last,
        "systemRole": { "id": "ADMINISTRATOR", "name": "Administrator" },
        "active": true,
        "updatedOn": "2026-01-01T00:00:00.000Z",
        "location": { "country": "United Kingdom", "countryCode": "gb", "city": "London" },
    })
}

/// `GET /users`: `q` over names and email, paged like every list.
pub(super) async fn list_users(State(shared): State<Arc<Shared>>, params: Params) -> Response {
    let text = params.get("q").map(str::to_lowercase);
    let data = lock(&shared.data);
    let matches: Vec<&User> = data
        .users
        .iter()
        .filter(|u| {
            text.as_deref().is_none_or(|t| {
                format!("{} {} {}", u.first, u.last, u.email)
                    .to_lowercase()
                    .contains(t)
            })
        })
        .collect();
    page(&params, matches, user_json)
}

/// `GET /users/me`: the API key's user.
pub(super) async fn me(State(shared): State<Arc<Shared>>) -> Response {
    Json(user_json(&lock(&shared.data).users[0])).into_response()
}

pub(super) async fn get_user(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.users.iter().find(|u| u.id == id) {
        Some(user) => Json(user_json(user)).into_response(),
        None => not_found("User"),
    }
}
