//! Identifier newtypes. Lever ids are strings: mostly UUIDs, but built-in stage ids are
//! slugs (`lead-new`, `applicant-new`, `offer`), so nothing here assumes a format.

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wrap an id received from Lever or stored earlier.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

id_type! {
    /// An opportunity (one candidacy of a contact; Lever's "candidate" in the UI).
    OpportunityId,
    /// A contact: the person behind one or more opportunities.
    ContactId,
    /// A pipeline stage (`lead-new` or a UUID).
    StageId,
    /// A Lever user (recruiter, hiring manager, interviewer…).
    UserId,
    /// A job posting.
    PostingId,
    /// A note on an opportunity.
    NoteId,
    /// An archive reason.
    ArchiveReasonId,
    /// A webhook created through the API.
    WebhookId,
    /// An application (at most one per opportunity).
    ApplicationId,
    /// A requisition.
    RequisitionId,
}

/// The Lever user an action is attributed to (`perform_as`). Calls where Lever requires
/// it take this as an argument; calls where it is optional offer `.perform_as(&user)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PerformAs(pub UserId);

impl From<UserId> for PerformAs {
    fn from(user: UserId) -> Self {
        Self(user)
    }
}
