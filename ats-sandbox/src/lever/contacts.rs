//! The contact behind opportunities (lever.md §5.9): `GET`/`PUT /contacts/{id}`, and
//! the lists the Data API edits on an opportunity besides tags: links (kept on the
//! contact, as Lever says) and sources (`POST /opportunities/{id}/addLinks`,
//! `removeLinks`, `addSources`, `removeSources`). Every change shows in the
//! opportunity's own `GET` (and in `expand=contact`), which is what a client reads
//! before writing.

use super::opportunities::opportunity_response;
use super::*;

/// What a contact holds beyond the seeded person: every e-mail and phone in order,
/// its headline, location and links. Made from the person on the first change.
#[derive(Clone)]
pub(super) struct ContactRecord {
    pub headline: String,
    pub location: String,
    pub emails: Vec<String>,
    pub phones: Vec<Value>,
    pub links: Vec<String>,
}

impl ContactRecord {
    fn of(person: &Person) -> Self {
        Self {
            headline: String::new(),
            location: "London".to_owned(),
            emails: vec![person.email.clone()],
            phones: vec![json!({ "type": "mobile", "value": person.phone })],
            links: Vec::new(),
        }
    }
}

/// The contact of `o`, as the opportunity's JSON shows it.
pub(super) fn contact_of(o: &Opportunity, data: &Data) -> ContactRecord {
    data.contacts
        .get(&o.contact)
        .cloned()
        .unwrap_or_else(|| ContactRecord::of(&o.person))
}

/// Whether `email` is one of the e-mails of `o`'s contact (any case).
pub(super) fn has_email(o: &Opportunity, data: &Data, email: &str) -> bool {
    match data.contacts.get(&o.contact) {
        Some(record) => record.emails.iter().any(|e| e.eq_ignore_ascii_case(email)),
        None => o.person.email.eq_ignore_ascii_case(email),
    }
}

/// The opportunity's sources (`Sandbox` until one is added).
pub(super) fn sources_of(o: &Opportunity, data: &Data) -> Vec<String> {
    data.sources
        .get(&o.id)
        .cloned()
        .unwrap_or_else(|| vec!["Sandbox".to_owned()])
}

fn contact_json(id: &str, person: &Person, record: &ContactRecord) -> Value {
    json!({
        "id": id,
        "name": person.full_name(),
        "headline": record.headline,
        "isAnonymized": false,
        "location": { "name": record.location },
        "emails": record.emails,
        "phones": record.phones,
    })
}

/// Any opportunity of `contact` (they share the person).
fn opportunity_of<'a>(data: &'a Data, contact: &str) -> Option<&'a Opportunity> {
    data.opportunities.iter().find(|o| o.contact == contact)
}

/// `GET /contacts/{id}` → `{data: contact}`.
pub(super) async fn get_contact(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match opportunity_of(&data, &id) {
        Some(o) => self::data(contact_json(&id, &o.person, &contact_of(o, &data))),
        None => not_found("contacts", &id),
    }
}

/// A `PUT /contacts/{id}` body, checked before anything changes.
struct ContactChange {
    name: Option<String>,
    headline: Option<String>,
    location: Option<String>,
    emails: Option<Vec<String>>,
    phones: Option<Vec<Value>>,
}

impl ContactChange {
    fn read(body: &Value) -> Result<Self, &'static str> {
        let text = |field: &str| match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err("name, headline and location must be strings"),
        };
        let name = text("name")?;
        if name.as_deref().is_some_and(str::is_empty) {
            return Err("name must not be empty");
        }
        let emails = match body.get("emails") {
            None | Some(Value::Null) => None,
            some => Some(
                string_array(some)
                    .ok_or("emails must be a list")?
                    .into_iter()
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty())
                    .collect(),
            ),
        };
        let phones = match body.get("phones") {
            None | Some(Value::Null) => None,
            Some(Value::Array(phones)) => {
                if phones
                    .iter()
                    .any(|p| p.get("value").and_then(Value::as_str).is_none())
                {
                    return Err("every phone needs a value");
                }
                Some(phones.clone())
            }
            Some(_) => return Err("phones must be a list"),
        };
        Ok(Self {
            name,
            headline: text("headline")?,
            location: text("location")?,
            emails,
            phones,
        })
    }
}

/// `PUT /contacts/{id}` `{name?, headline?, location?, emails?, phones?}` → 200
/// `{data: contact}`. Fields left out are kept; the first e-mail and phone become the
/// person's (what searches by e-mail and the opportunity show first).
pub(super) async fn update_contact(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body.filter(|Json(b)| b.is_object()) else {
        return error(StatusCode::BAD_REQUEST, "A JSON object is required");
    };
    let change = match ContactChange::read(&body) {
        Ok(change) => change,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let mut data = lock(&shared.data);
    let Some(o) = opportunity_of(&data, &id) else {
        return not_found("contacts", &id);
    };
    let mut record = contact_of(o, &data);
    let mut person = o.person.clone();
    if let Some(name) = change.name {
        (person.first, person.last) = match name.rsplit_once(' ') {
            Some((first, last)) => (first.to_owned(), last.to_owned()),
            None => (name, String::new()),
        };
    }
    if let Some(headline) = change.headline {
        record.headline = headline;
    }
    if let Some(location) = change.location {
        record.location = location;
    }
    if let Some(emails) = change.emails {
        person.email = emails.first().cloned().unwrap_or_default();
        record.emails = emails;
    }
    if let Some(phones) = change.phones {
        person.phone = phones
            .first()
            .and_then(|p| p.get("value"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        record.phones = phones;
    }
    let now = now_millis();
    for o in data.opportunities.iter_mut().filter(|o| o.contact == id) {
        o.person = person.clone();
        o.updated_at = now;
    }
    let json = contact_json(&id, &person, &record);
    data.contacts.insert(id, record);
    self::data(json)
}

/// Which list of an opportunity an `add…`/`remove…` call edits.
#[derive(Clone, Copy)]
enum List {
    Links,
    Sources,
}

impl List {
    fn field(self) -> &'static str {
        match self {
            List::Links => "links",
            List::Sources => "sources",
        }
    }
}

/// Add (`adding`) or remove the body's items of `list` on opportunity `id`, after
/// checking `perform_as`; answers the opportunity.
fn edit_list(
    shared: &Shared,
    id: &str,
    params: &Params,
    body: Option<Json<Value>>,
    list: List,
    adding: bool,
) -> Response {
    let field = list.field();
    let Some(items) = string_array(body.as_ref().and_then(|Json(b)| b.get(field))) else {
        return error(StatusCode::BAD_REQUEST, &format!("{field} must be a list"));
    };
    {
        let mut data = lock(&shared.data);
        if let Err(message) = actor(&data, params) {
            return error(StatusCode::BAD_REQUEST, message);
        }
        let Some(&i) = data.by_id.get(id) else {
            return not_found("opportunities", id);
        };
        let o = &data.opportunities[i];
        let (contact, opportunity) = (o.contact.clone(), o.id.clone());
        let mut current = match list {
            List::Links => contact_of(o, &data).links,
            List::Sources => sources_of(o, &data),
        };
        if adding {
            for item in items {
                if !current.contains(&item) {
                    current.push(item);
                }
            }
        } else {
            current.retain(|c| !items.contains(c));
        }
        match list {
            List::Links => {
                let mut record = contact_of(&data.opportunities[i], &data);
                record.links = current;
                data.contacts.insert(contact, record);
            }
            List::Sources => {
                data.sources.insert(opportunity, current);
            }
        }
        data.opportunities[i].updated_at = now_millis();
    }
    opportunity_response(shared, id)
}

macro_rules! list_handler {
    ($name:ident, $list:expr, $adding:expr, $doc:literal) => {
        #[doc = $doc]
        pub(super) async fn $name(
            State(shared): State<Arc<Shared>>,
            Path(id): Path<String>,
            params: Params,
            body: Option<Json<Value>>,
        ) -> Response {
            edit_list(&shared, &id, &params, body, $list, $adding)
        }
    };
}

list_handler!(
    add_links,
    List::Links,
    true,
    "`POST /opportunities/{id}/addLinks` `{links}` → 200 `{data: opportunity}`."
);
list_handler!(
    remove_links,
    List::Links,
    false,
    "`POST /opportunities/{id}/removeLinks` `{links}` → 200 `{data: opportunity}`."
);
list_handler!(
    add_sources,
    List::Sources,
    true,
    "`POST /opportunities/{id}/addSources` `{sources}` → 200 `{data: opportunity}`."
);
list_handler!(
    remove_sources,
    List::Sources,
    false,
    "`POST /opportunities/{id}/removeSources` `{sources}` → 200 `{data: opportunity}`."
);

impl LeverSandbox {
    /// The opportunity's links (its contact's), as `GET /opportunities/{id}` shows them.
    pub fn links(&self, opportunity: &str) -> Vec<String> {
        let data = lock(&self.shared.data);
        data.by_id
            .get(opportunity)
            .map(|&i| contact_of(&data.opportunities[i], &data).links)
            .unwrap_or_default()
    }

    /// The opportunity's sources.
    pub fn sources(&self, opportunity: &str) -> Vec<String> {
        let data = lock(&self.shared.data);
        data.by_id
            .get(opportunity)
            .map(|&i| sources_of(&data.opportunities[i], &data))
            .unwrap_or_default()
    }

    /// The e-mails of the opportunity's contact, first the one shown first.
    pub fn emails(&self, opportunity: &str) -> Vec<String> {
        let data = lock(&self.shared.data);
        data.by_id
            .get(opportunity)
            .map(|&i| contact_of(&data.opportunities[i], &data).emails)
            .unwrap_or_default()
    }
}
