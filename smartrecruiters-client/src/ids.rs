//! The id newtypes: each a string on the wire, typed so ids of different resources
//! cannot be swapped.

client_core::string_id!(
    /// A candidate id (UUID).
    CandidateId
);
client_core::string_id!(
    /// A job id (UUID).
    JobId
);
client_core::string_id!(
    /// A user id (24-hex for users).
    UserId
);
client_core::string_id!(
    /// The id of an application in the Job Applications API (webhook `application_id`).
    ApplicationId
);
client_core::string_id!(
    /// An attachment id.
    AttachmentId
);
client_core::string_id!(
    /// A note (message) id.
    MessageId
);
client_core::string_id!(
    /// A webhook subscription id.
    SubscriptionId
);
