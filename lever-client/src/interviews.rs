//! Interviews and panels of one opportunity. A panel groups interviews scheduled
//! together; every interview belongs to one. Lever requires `perform_as` on every write.
//!
//! Lever documents the interview endpoints as changing only panels created through the
//! API (`externallyManaged`); which panels a key may change beyond that is not
//! documented, so expect a `403`/`400` for panels scheduled in Lever's UI.

use client_core::pagination::{ItemStream, Page};
use client_core::{Error, Method, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Expandable, Nested, data, null_default};
use crate::ids::{
    ApplicationId, FeedbackId, FeedbackTemplateId, InterviewId, OpportunityId, PanelId, PerformAs,
    PostingId, StageId, UserId,
};
use crate::stages::Stage;
use crate::users::User;

/// An interview.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Interview {
    /// The interview id.
    pub id: InterviewId,
    /// The panel it belongs to (absent inside a panel's own list).
    #[serde(default)]
    pub panel: Option<PanelId>,
    /// Subject (calendar title).
    #[serde(default)]
    pub subject: Option<String>,
    /// Note for the interviewers.
    #[serde(default)]
    pub note: Option<String>,
    /// Interviewers.
    #[serde(default, deserialize_with = "null_default")]
    pub interviewers: Vec<Interviewer>,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Start (ms).
    #[serde(default)]
    pub date: Option<u64>,
    /// Length in minutes.
    #[serde(default)]
    pub duration: Option<u32>,
    /// Where (free text or a URL).
    #[serde(default)]
    pub location: Option<String>,
    /// The feedback template id, or `no-feedback`.
    #[serde(default)]
    pub feedback_template: Option<String>,
    /// Feedback forms filed on it; objects with `expand=feedbackForms`.
    #[serde(default, deserialize_with = "null_default")]
    pub feedback_forms: Vec<Expandable<FeedbackId, Value>>,
    /// How often Lever reminds interviewers (`once`, `daily`, `frequently`, `none`).
    #[serde(default)]
    pub feedback_reminder: Option<String>,
    /// Who scheduled it; an object with `expand=user`.
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// The stage the opportunity was in; an object with `expand=stage`.
    #[serde(default)]
    pub stage: Option<Expandable<StageId, Stage>>,
    /// Canceled (ms).
    #[serde(default)]
    pub canceled_at: Option<u64>,
    /// Postings it is for; objects with `expand=postings`.
    #[serde(default, deserialize_with = "null_default")]
    pub postings: Vec<Expandable<PostingId, Value>>,
    /// Everything else (`gcalEventUrl`, `opportunityId`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One interviewer of an interview.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Interviewer {
    /// The user.
    pub id: UserId,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Their feedback template id, or `no-feedback`.
    #[serde(default)]
    pub feedback_template: Option<String>,
    /// Everything else (`responseStatus`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A panel: interviews scheduled together.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Panel {
    /// The panel id.
    pub id: PanelId,
    /// Applications it is for.
    #[serde(default, deserialize_with = "null_default")]
    pub applications: Vec<ApplicationId>,
    /// Canceled (ms).
    #[serde(default)]
    pub canceled_at: Option<u64>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Start of the first interview (ms).
    #[serde(default)]
    pub start: Option<u64>,
    /// End of the last interview (ms).
    #[serde(default)]
    pub end: Option<u64>,
    /// IANA time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Created through the API and managed outside Lever.
    #[serde(default)]
    pub externally_managed: Option<bool>,
    /// The external system's page for it.
    #[serde(default)]
    pub external_url: Option<String>,
    /// Reminder frequency.
    #[serde(default)]
    pub feedback_reminder: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Stage of the opportunity when scheduled.
    #[serde(default)]
    pub stage: Option<StageId>,
    /// Who scheduled it.
    #[serde(default)]
    pub user: Option<UserId>,
    /// Its interviews.
    #[serde(default, deserialize_with = "null_default")]
    pub interviews: Vec<Interview>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An interviewer to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewInterviewer {
    /// The user.
    pub id: UserId,
    /// Their feedback template (default: the interview's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_template: Option<FeedbackTemplateId>,
}

impl NewInterviewer {
    /// Interviewer `user`.
    pub fn new(user: UserId) -> Self {
        Self {
            id: user,
            feedback_template: None,
        }
    }

    /// With their own feedback template.
    pub fn feedback_template(mut self, template: FeedbackTemplateId) -> Self {
        self.feedback_template = Some(template);
        self
    }
}

/// An interview to schedule: inside a [`NewPanel`], or on its own with
/// [`NewInterview::panel`] set (`POST …/interviews` requires the panel).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewInterview {
    /// The panel (required by `POST …/interviews`, not sent inside a panel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelId>,
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Note for the interviewers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Interviewers.
    pub interviewers: Vec<NewInterviewer>,
    /// Start (ms).
    pub date: u64,
    /// Length in minutes.
    pub duration: u32,
    /// Where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Feedback template for every interviewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_template: Option<FeedbackTemplateId>,
    /// Reminder frequency (`once`, `daily`, `frequently`, `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_reminder: Option<String>,
}

impl NewInterview {
    /// An interview at `date` (ms) lasting `duration` minutes with `interviewers`.
    pub fn new(date: u64, duration: u32, interviewers: Vec<NewInterviewer>) -> Self {
        Self {
            panel: None,
            subject: None,
            note: None,
            interviewers,
            date,
            duration,
            location: None,
            feedback_template: None,
            feedback_reminder: None,
        }
    }

    /// On this panel.
    pub fn panel(mut self, panel: PanelId) -> Self {
        self.panel = Some(panel);
        self
    }

    /// Subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Feedback template.
    pub fn feedback_template(mut self, template: FeedbackTemplateId) -> Self {
        self.feedback_template = Some(template);
        self
    }

    /// Reminder frequency.
    pub fn feedback_reminder(mut self, reminder: impl Into<String>) -> Self {
        self.feedback_reminder = Some(reminder.into());
        self
    }
}

/// A panel to schedule (`POST …/panels`) or the replacement of one (`PUT …/panels/:id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewPanel {
    /// Applications it is for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<ApplicationId>,
    /// IANA time zone.
    pub timezone: String,
    /// Reminder frequency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_reminder: Option<String>,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The external system's page for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    /// The interviews.
    pub interviews: Vec<NewInterview>,
}

impl NewPanel {
    /// A panel in `timezone` of these interviews.
    pub fn new(timezone: impl Into<String>, interviews: Vec<NewInterview>) -> Self {
        Self {
            applications: Vec::new(),
            timezone: timezone.into(),
            feedback_reminder: None,
            note: None,
            external_url: None,
            interviews,
        }
    }

    /// For these applications.
    pub fn applications(mut self, applications: Vec<ApplicationId>) -> Self {
        self.applications = applications;
        self
    }

    /// Note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The external page.
    pub fn external_url(mut self, url: impl Into<String>) -> Self {
        self.external_url = Some(url.into());
        self
    }

    /// Reminder frequency.
    pub fn feedback_reminder(mut self, reminder: impl Into<String>) -> Self {
        self.feedback_reminder = Some(reminder.into());
        self
    }
}

/// Interviews of one opportunity. Obtain with [`crate::LeverClient::interviews`].
/// Scopes `interviews:read:admin` and, for writes, `interviews:write:admin`.
#[derive(Debug, Clone)]
pub struct Interviews<'a> {
    nested: Nested<'a>,
}

impl<'a> Interviews<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "interviews"),
        }
    }

    /// Every interview.
    pub fn list(&self) -> ItemStream<'static, Interview> {
        self.nested.listing().items()
    }

    /// One page of interviews.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Interview, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One interview.
    pub async fn get(&self, id: &InterviewId) -> Result<Interview> {
        self.nested.get(id.as_str()).await
    }

    /// Schedule an interview on an existing panel ([`NewInterview::panel`] is
    /// required; refused before sending without it). Not retried after a server error.
    pub async fn create(&self, perform_as: &PerformAs, new: &NewInterview) -> Result<Interview> {
        if new.panel.is_none() {
            return Err(Error::InvalidInput(
                "Lever creates an interview only on a panel: set NewInterview::panel".into(),
            ));
        }
        let base = self.nested.base.clone();
        data(
            self.nested
                .write_as(Method::POST, base, perform_as, Some(new))
                .await?,
        )
    }

    /// Replace an interview.
    pub async fn update(
        &self,
        id: &InterviewId,
        perform_as: &PerformAs,
        interview: &NewInterview,
    ) -> Result<Interview> {
        let path = self.nested.item(id.as_str());
        data(
            self.nested
                .write_as(Method::PUT, path, perform_as, Some(interview))
                .await?,
        )
    }

    /// Delete an interview.
    pub async fn delete(&self, id: &InterviewId, perform_as: &PerformAs) -> Result<()> {
        let path = self.nested.item(id.as_str());
        self.nested
            .write_as::<()>(Method::DELETE, path, perform_as, None)
            .await
            .map(drop)
    }
}

/// Panels of one opportunity. Obtain with [`crate::LeverClient::panels`]. Scopes
/// `panels:read:admin` and, for writes, `panels:write:admin`.
#[derive(Debug, Clone)]
pub struct Panels<'a> {
    nested: Nested<'a>,
}

impl<'a> Panels<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "panels"),
        }
    }

    /// Every panel.
    pub fn list(&self) -> ItemStream<'static, Panel> {
        self.nested.listing().items()
    }

    /// One page of panels.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Panel, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One panel.
    pub async fn get(&self, id: &PanelId) -> Result<Panel> {
        self.nested.get(id.as_str()).await
    }

    /// Schedule a panel with its interviews. Not retried after a server error.
    pub async fn create(&self, perform_as: &PerformAs, new: &NewPanel) -> Result<Panel> {
        let base = self.nested.base.clone();
        data(
            self.nested
                .write_as(Method::POST, base, perform_as, Some(new))
                .await?,
        )
    }

    /// Replace a panel (and its interviews).
    pub async fn update(
        &self,
        id: &PanelId,
        perform_as: &PerformAs,
        panel: &NewPanel,
    ) -> Result<Panel> {
        let path = self.nested.item(id.as_str());
        data(
            self.nested
                .write_as(Method::PUT, path, perform_as, Some(panel))
                .await?,
        )
    }

    /// Delete a panel.
    pub async fn delete(&self, id: &PanelId, perform_as: &PerformAs) -> Result<()> {
        let path = self.nested.item(id.as_str());
        self.nested
            .write_as::<()>(Method::DELETE, path, perform_as, None)
            .await
            .map(drop)
    }
}
