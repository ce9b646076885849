//! Job postings: list (with filters), get, create, update, the application questions,
//! and applying on a candidate's behalf.

use client_core::pagination::{ItemStream, Page};
use client_core::{Idempotency, Method, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Call, Expandable, Listing, data, failed, null_default};
use crate::enums::Confidentiality;
use crate::form_fields::FormField;
use crate::ids::{ApplicationId, PerformAs, PostingId, UserId};
use crate::users::User;

client_core::open_enum! {
    /// A posting's state.
    PostingState {
        /// Published.
        Published = "published",
        /// Internal ("unlisted" in the UI).
        Internal = "internal",
        /// Closed.
        Closed = "closed",
        /// Draft.
        Draft = "draft",
        /// Awaiting approval.
        Pending = "pending",
        /// Rejected in approval.
        Rejected = "rejected",
    }
}

client_core::open_enum! {
    /// Where the work happens.
    WorkplaceType {
        /// On site.
        Onsite = "onsite",
        /// Remote.
        Remote = "remote",
        /// Hybrid.
        Hybrid = "hybrid",
        /// Not stated.
        Unspecified = "unspecified",
    }
}

client_core::open_enum! {
    /// Fields `expand` can replace with user objects on postings.
    PostingExpand {
        /// `user` (creator).
        User = "user",
        /// `owner`.
        Owner = "owner",
        /// `hiringManager`.
        HiringManager = "hiringManager",
        /// `followers`.
        Followers = "followers",
    }
}

/// A posting.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Posting {
    /// The posting id.
    pub id: PostingId,
    /// Title.
    #[serde(default)]
    pub text: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<PostingState>,
    /// `public` and/or `internal`; `null` for unpublished postings.
    #[serde(default, deserialize_with = "null_default")]
    pub distribution_channels: Vec<String>,
    /// Confidentiality.
    #[serde(default)]
    pub confidentiality: Option<Confidentiality>,
    /// Creator.
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// Owner.
    #[serde(default)]
    pub owner: Option<Expandable<UserId, User>>,
    /// Hiring manager.
    #[serde(default)]
    pub hiring_manager: Option<Expandable<UserId, User>>,
    /// Team, department, location, commitment, level (any may be null).
    #[serde(default)]
    pub categories: Option<Map<String, Value>>,
    /// Tags.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// Description, lists and closing (with `include=content`).
    #[serde(default)]
    pub content: Option<Value>,
    /// ISO 3166 alpha-2 country.
    #[serde(default)]
    pub country: Option<String>,
    /// Followers.
    #[serde(default, deserialize_with = "null_default")]
    pub followers: Vec<Expandable<UserId, User>>,
    /// Requisition codes.
    #[serde(default, deserialize_with = "null_default")]
    pub requisition_codes: Vec<String>,
    /// Salary range `{min, max, currency, interval}`.
    #[serde(default)]
    pub salary_range: Option<Value>,
    /// Job-site URLs (null for drafts).
    #[serde(default)]
    pub urls: Option<Map<String, Value>>,
    /// Workplace type.
    #[serde(default)]
    pub workplace_type: Option<WorkplaceType>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Updated (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filters for `GET /postings`. Note Lever's rule: `updated_at_*` may only be combined
/// with `confidentiality`; to get every published posting pass both distribution channels.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PostingFilter {
    /// States.
    pub state: Vec<PostingState>,
    /// `public` and/or `internal`.
    pub distribution_channel: Vec<String>,
    /// Confidentiality.
    pub confidentiality: Option<Confidentiality>,
    /// Team.
    pub team: Vec<String>,
    /// Department.
    pub department: Vec<String>,
    /// Location.
    pub location: Vec<String>,
    /// Commitment.
    pub commitment: Vec<String>,
    /// Tags.
    pub tag: Vec<String>,
    /// Group results by `location`, `team`, `department` or `commitment`.
    pub group: Option<String>,
    /// Updated at or after (ms).
    #[serde(rename = "updated_at_start")]
    pub updated_at_start: Option<u64>,
    /// Updated at or before (ms).
    #[serde(rename = "updated_at_end")]
    pub updated_at_end: Option<u64>,
    /// Optional fields to include (`content`, `followers`).
    pub include: Vec<String>,
    /// Ids to expand.
    pub expand: Vec<PostingExpand>,
    /// Page size, 1–100.
    pub limit: Option<u32>,
}

impl PostingFilter {
    /// Nothing set yet (Lever's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// States. Call again to add more.
    pub fn state(mut self, value: PostingState) -> Self {
        self.state.push(value);
        self
    }

    /// `public` and/or `internal`. Call again to add more.
    pub fn distribution_channel(mut self, value: impl Into<String>) -> Self {
        self.distribution_channel.push(value.into());
        self
    }

    /// Confidentiality.
    pub fn confidentiality(mut self, value: Confidentiality) -> Self {
        self.confidentiality = Some(value);
        self
    }

    /// Team. Call again to add more.
    pub fn team(mut self, value: impl Into<String>) -> Self {
        self.team.push(value.into());
        self
    }

    /// Department. Call again to add more.
    pub fn department(mut self, value: impl Into<String>) -> Self {
        self.department.push(value.into());
        self
    }

    /// Location. Call again to add more.
    pub fn location(mut self, value: impl Into<String>) -> Self {
        self.location.push(value.into());
        self
    }

    /// Commitment. Call again to add more.
    pub fn commitment(mut self, value: impl Into<String>) -> Self {
        self.commitment.push(value.into());
        self
    }

    /// Tags. Call again to add more.
    pub fn tag(mut self, value: impl Into<String>) -> Self {
        self.tag.push(value.into());
        self
    }

    /// Group results by `location`, `team`, `department` or `commitment`.
    pub fn group(mut self, value: impl Into<String>) -> Self {
        self.group = Some(value.into());
        self
    }

    /// Updated at or after (ms).
    pub fn updated_at_start(mut self, value: u64) -> Self {
        self.updated_at_start = Some(value);
        self
    }

    /// Updated at or before (ms).
    pub fn updated_at_end(mut self, value: u64) -> Self {
        self.updated_at_end = Some(value);
        self
    }

    /// Optional fields to include (`content`, `followers`). Call again to add more.
    pub fn include(mut self, value: impl Into<String>) -> Self {
        self.include.push(value.into());
        self
    }

    /// Ids to expand. Call again to add more.
    pub fn expand(mut self, value: PostingExpand) -> Self {
        self.expand.push(value);
        self
    }

    /// Page size, 1–100.
    pub fn limit(mut self, value: u32) -> Self {
        self.limit = Some(value);
        self
    }
}

/// The fields of a posting to create (`POST /postings`, `text` required) or to change
/// (`POST /postings/:id`, a partial update: only the fields set are sent). Confidential
/// postings cannot be created through the API.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PostingInput {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// State (Lever's default on create: draft).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PostingState>,
    /// `public` and/or `internal` (default both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution_channels: Option<Vec<String>>,
    /// Owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Hiring manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hiring_manager: Option<UserId>,
    /// `{team, department, location, commitment, level}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Map<String, Value>>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// `{descriptionHtml, lists, closingHtml}` (only the HTML tags Lever allows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
    /// Workplace type (cannot be set back to `unspecified`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workplace_type: Option<WorkplaceType>,
    /// Requisition codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requisition_codes: Option<Vec<String>>,
    /// Salary description (HTML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_description_html: Option<String>,
    /// `{min, max, currency, interval}` (all or nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_range: Option<Value>,
}

impl PostingInput {
    /// A posting titled `text` (what create needs).
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// Title.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// State.
    pub fn state(mut self, state: PostingState) -> Self {
        self.state = Some(state);
        self
    }

    /// Owner.
    pub fn owner(mut self, owner: UserId) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Hiring manager.
    pub fn hiring_manager(mut self, manager: UserId) -> Self {
        self.hiring_manager = Some(manager);
        self
    }

    /// A category (`team`, `department`, `location`, `commitment`, `level`).
    pub fn category(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.categories
            .get_or_insert_with(Map::new)
            .insert(name.into(), Value::String(value.into()));
        self
    }

    /// Tags.
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.tags = Some(tags);
        self
    }

    /// Content (`{descriptionHtml, lists, closingHtml}`).
    pub fn content(mut self, content: Value) -> Self {
        self.content = Some(content);
        self
    }

    /// Workplace type.
    pub fn workplace_type(mut self, workplace: WorkplaceType) -> Self {
        self.workplace_type = Some(workplace);
        self
    }
}

/// What an application form asks (`GET /postings/:id/apply`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApplyQuestions {
    /// The posting.
    pub id: PostingId,
    /// Its title.
    #[serde(default)]
    pub text: Option<String>,
    /// Custom question forms (`{id, text, fields, distribution}`).
    #[serde(default, deserialize_with = "null_default")]
    pub custom_questions: Vec<CustomQuestions>,
    /// Name, email, phone, resume… (`name` is the key to answer with).
    #[serde(default, deserialize_with = "null_default")]
    pub personal_information: Vec<NamedField>,
    /// Links asked for.
    #[serde(default, deserialize_with = "null_default")]
    pub urls: Vec<NamedField>,
    /// US EEO questions, when the posting asks them.
    #[serde(default)]
    pub eeo_questions: Option<Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One custom question form of a posting.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomQuestions {
    /// The form id (answer with it).
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub text: Option<String>,
    /// Its fields.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<FormField>,
    /// Everything else (`distribution`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A field identified by `name` (personal information, URLs).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NamedField {
    /// The key to answer with (`fullName`, `email`, `LinkedIn`…).
    pub name: String,
    /// The label.
    #[serde(default)]
    pub text: Option<String>,
    /// The field type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Required or not.
    #[serde(default)]
    pub required: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An application to a posting (`POST /postings/:id/apply`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewApplication {
    /// Answers to personal information, `{name, value}` by field name.
    pub personal_information: Vec<NamedValue>,
    /// Links, `{name, value}`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<NamedValue>,
    /// Answers to custom questions: `{id, fields: [{value}]}` per form, as Lever asks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_questions: Vec<Value>,
    /// EEO answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eeo_responses: Option<Value>,
    /// Source to record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Consent (`{marketing: bool}`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Value>,
    /// Query `send_confirmation_email`.
    #[serde(skip)]
    pub send_confirmation_email: Option<bool>,
}

impl NewApplication {
    /// An application with these personal-information answers.
    pub fn new(personal_information: Vec<NamedValue>) -> Self {
        Self {
            personal_information,
            ..Self::default()
        }
    }

    /// A link.
    pub fn url(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.urls.push(NamedValue::new(name, value));
        self
    }

    /// The source to record.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Ask Lever to email the candidate a confirmation.
    pub fn send_confirmation_email(mut self, send: bool) -> Self {
        self.send_confirmation_email = Some(send);
        self
    }
}

/// An answer by field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NamedValue {
    /// The field name.
    pub name: String,
    /// The answer.
    pub value: String,
}

impl NamedValue {
    /// Answer `name` with `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// The answer to an application.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Applied {
    /// The new application.
    pub application_id: ApplicationId,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `/postings` calls.
#[derive(Debug, Clone, Copy)]
pub struct Postings<'a> {
    client: &'a LeverClient,
}

impl<'a> Postings<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every matching posting.
    pub fn list(&self, filter: &PostingFilter) -> ItemStream<'static, Posting> {
        match client_core::query_pairs(filter) {
            Ok(query) => Listing::new(self.client.transport(), "/postings")
                .query(query)
                .items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching postings: the first (`cursor` `None`) or the one a saved
    /// offset token (a previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &PostingFilter,
        cursor: Option<String>,
    ) -> Result<Page<Posting, String>> {
        Listing::new(self.client.transport(), "/postings")
            .query(client_core::query_pairs(filter)?)
            .page(cursor)
            .await
    }

    /// One posting.
    pub async fn get(&self, id: &PostingId) -> Result<Posting> {
        data(self.client.transport().get(path(id, "")).send_raw().await?)
    }

    /// Create a posting (scope `postings:write:admin`; Lever requires `perform_as`).
    /// Not retried after a server error.
    pub async fn create(&self, perform_as: &PerformAs, posting: &PostingInput) -> Result<Posting> {
        self.write(
            perform_as,
            "/postings".into(),
            posting,
            Idempotency::NotRepeatable,
        )
        .await
    }

    /// Change the fields set in `changes` (Lever's update is a `POST` to the posting,
    /// as recorded against the sandbox; `perform_as` required). Setting the same
    /// fields twice is harmless, so it is retried.
    pub async fn update(
        &self,
        id: &PostingId,
        perform_as: &PerformAs,
        changes: &PostingInput,
    ) -> Result<Posting> {
        self.write(perform_as, path(id, ""), changes, Idempotency::Guarded)
            .await
    }

    async fn write(
        &self,
        perform_as: &PerformAs,
        path: String,
        body: &PostingInput,
        idempotency: Idempotency,
    ) -> Result<Posting> {
        data(
            self.client
                .transport()
                .post(path)
                .query("perform_as", &perform_as.0)
                .idempotency(idempotency)
                .json(body)
                .send_raw()
                .await?,
        )
    }

    /// The questions of a posting's application form (scope `postings:read:admin`).
    pub async fn apply_questions(&self, id: &PostingId) -> Result<ApplyQuestions> {
        data(
            self.client
                .transport()
                .get(path(id, "/apply"))
                .send_raw()
                .await?,
        )
    }

    /// Apply to a posting on a candidate's behalf (scope `postings:write:admin` — the
    /// reference does not say which; `perform_as` optional). Not retried after a
    /// server error: a repeat would apply twice.
    pub fn apply(&self, id: &PostingId, application: &NewApplication) -> Call<'a, Applied> {
        let mut call = Call::new(
            self.client.transport(),
            Method::POST,
            path(id, "/apply"),
            data,
        )
        .json(application)
        .not_repeatable();
        if let Some(send) = application.send_confirmation_email {
            call = call.query("send_confirmation_email", send);
        }
        call
    }
}

fn path(id: &PostingId, suffix: &str) -> String {
    format!("/postings/{}{suffix}", encode_segment(id.as_str()))
}
