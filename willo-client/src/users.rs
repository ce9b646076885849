//! Users of the Willo account (`/users/`): list, invite, get, update, delete. There is
//! no `PUT` on users. Each user has their own API key carrying their permissions;
//! removing a user hands their interviews and responses to the account owner.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::UserKey;
use crate::lenient;
use crate::resource::{Collection, delete_call, get_call, list_calls};

client_core::open_enum! {
    /// A user's role. The roles are confirmed (Owner, Admin, Standard); their wire
    /// values are not, so these lowercase guesses fall back to `Other`.
    UserRole {
        /// Account owner.
        Owner = "owner",
        /// Administrator.
        Admin = "admin",
        /// Standard user.
        Standard = "standard",
    }
}

/// A user as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct User {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<UserKey>,
    /// Email address.
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    /// Full name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub full_name: Option<String>,
    /// Role (field name unconfirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<UserRole>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of a user invite (`POST`) or update (`PATCH`). Unset fields are not sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserInput {
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<UserRole>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserInput {
    /// A body that sets nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Set the full name.
    pub fn full_name(mut self, full_name: impl Into<String>) -> Self {
        self.full_name = Some(full_name.into());
        self
    }

    /// Set the role.
    pub fn role(mut self, role: UserRole) -> Self {
        self.role = Some(role);
        self
    }

    crate::resource::extra_field_setter!();
}

/// Calls on `/users/`. Obtain with [`WilloClient::users`].
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    client: &'a WilloClient,
}

impl<'a> Users<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/users/")
    }

    list_calls!(User, "users");
    get_call!(UserKey => User, "user");
    delete_call!(UserKey, "user");

    /// `POST /users/`: invite a user to the account (Willo emails them). Not retried
    /// after a server error.
    pub async fn invite(&self, input: &UserInput) -> client_core::Result<User> {
        self.collection().create(input).await
    }

    /// `PATCH /users/{key}/`: change only the fields set in `input`.
    pub async fn update(&self, key: &UserKey, input: &UserInput) -> client_core::Result<User> {
        self.collection().update(key.as_str(), input).await
    }
}
