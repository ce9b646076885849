//! Message templates (`/message-templates/`): the invite, reminder and success
//! messages, by email and SMS. Field names are not confirmed (willo.md §5).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::MessageTemplateKey;
use crate::lenient;
use crate::resource::{Collection, create_call, delete_call, get_call, list_calls, write_calls};

client_core::open_enum! {
    /// What a template is for. Wire values are guessed from the product's wording
    /// (invite, reminder, success); anything else is kept in `Other`.
    MessageKind {
        /// The first invitation.
        Invite = "invite",
        /// A reminder to a participant who has not answered.
        Reminder = "reminder",
        /// The thank-you after completion.
        Success = "success",
    }
}

/// A message template as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MessageTemplate {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<MessageTemplateKey>,
    /// Its name (field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Its kind, when sent as `type` (field name unconfirmed).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MessageKind>,
    /// Every other field, as received (subject, body, channel…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of a message-template create, replace or update. Unset fields are not
/// sent; put the subject, body and channel in `extra` under the names your account's
/// templates use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageTemplateInput {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kind, sent as `type`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MessageKind>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MessageTemplateInput {
    /// A body that sets nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Set the kind (sent as `type`).
    pub fn kind(mut self, kind: MessageKind) -> Self {
        self.kind = Some(kind);
        self
    }

    crate::resource::extra_field_setter!();
}

/// Calls on `/message-templates/`. Obtain with [`WilloClient::message_templates`].
#[derive(Debug, Clone, Copy)]
pub struct MessageTemplates<'a> {
    client: &'a WilloClient,
}

impl<'a> MessageTemplates<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/message-templates/")
    }

    list_calls!(MessageTemplate, "message templates");
    create_call!(MessageTemplateInput => MessageTemplate, "message template");
    get_call!(MessageTemplateKey => MessageTemplate, "message template");
    write_calls!(MessageTemplateKey, MessageTemplateInput => MessageTemplate, "message template");
    delete_call!(MessageTemplateKey, "message template");
}
