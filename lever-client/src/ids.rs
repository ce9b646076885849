//! Identifier newtypes. Lever ids are strings: mostly UUIDs, but built-in stage ids are
//! slugs (`lead-new`, `applicant-new`, `offer`), so nothing here assumes a format.

client_core::string_id! {
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
    /// An interview.
    InterviewId,
    /// An interview panel (one or more interviews scheduled together).
    PanelId,
    /// A submitted feedback form.
    FeedbackId,
    /// A feedback form template.
    FeedbackTemplateId,
    /// A profile form on an opportunity.
    FormId,
    /// A profile form template.
    FormTemplateId,
    /// An offer.
    OfferId,
    /// A file on an opportunity.
    FileId,
    /// A resume on an opportunity.
    ResumeId,
    /// An audit event.
    AuditEventId,
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
