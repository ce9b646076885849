//! The seed guide's "send an interview" step as one call.
//!
//! The guide shows `POST /v1/interviews/send` with
//! `{"interview_id", "candidate": {"name", "email"}, "metadata": {"ats_candidate_id"}}`.
//! That endpoint appears nowhere else; the real call is `POST /participants/`
//! (willo.md §9). [`SendInterview`] accepts the guide's JSON as is, and
//! [`WilloClient::send_interview`] maps it onto the real API, checking first that the
//! candidate was not already invited so a repeat never sends a second email.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use client_core::{Error, Result};

use crate::client::WilloClient;
use crate::ids::InterviewKey;
use crate::participants::{InviteParticipant, Participant};

/// "Send interview `interview_id` to `candidate`", in the seed guide's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendInterview {
    /// Key of the Willo interview.
    pub interview_id: InterviewKey,
    /// Who to invite.
    pub candidate: Candidate,
    /// The ATS side of the link.
    #[serde(default)]
    pub metadata: Metadata,
}

/// The candidate to invite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Candidate {
    /// Full name (required by Willo).
    pub name: String,
    /// Email address; also the key for duplicate detection.
    pub email: String,
    /// Phone number for SMS invites, E.164 with the country code (`+447700900123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// ATS metadata. Willo has no confirmed field to store it, so it is **not sent**; it is
/// handed back in [`SendInterviewOutcome`] for the caller to store next to the
/// participant key (the only reliable link between the two systems).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metadata {
    /// The candidate's id in the ATS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ats_candidate_id: Option<String>,
    /// Anything else the caller attached.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What [`WilloClient::send_interview`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SendInterviewOutcome {
    /// The participant: the one created, or the one already invited with that email.
    pub participant: Participant,
    /// `true` if a participant was created (and Willo sent an invite); `false` if the
    /// candidate had already been invited to this interview.
    pub created: bool,
    /// The ATS id from the request's metadata, to store with the participant key.
    pub ats_candidate_id: Option<String>,
}

impl SendInterview {
    /// Send `interview_id` to `candidate`, without metadata.
    pub fn new(interview_id: impl Into<InterviewKey>, candidate: Candidate) -> Self {
        Self {
            interview_id: interview_id.into(),
            candidate,
            metadata: Metadata::default(),
        }
    }

    /// Set the ATS metadata handed back in the outcome.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }
}

impl Candidate {
    /// A candidate with a full name and an email address.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            phone: None,
        }
    }

    /// Set the phone number (E.164, for SMS invites).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

impl Metadata {
    /// No metadata.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the candidate's id in the ATS.
    pub fn ats_candidate_id(mut self, id: impl Into<String>) -> Self {
        self.ats_candidate_id = Some(id.into());
        self
    }

    crate::resource::extra_field_setter!();
}

/// Whether `phone` is E.164: `+`, then 8 to 15 digits, the first not `0`.
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

impl SendInterview {
    /// Check what can be checked without asking Willo. Nothing is sent on failure.
    pub fn validate(&self) -> Result<()> {
        if self.interview_id.as_str().trim().is_empty() {
            return Err(Error::InvalidInput("the interview id is empty".into()));
        }
        if self.candidate.name.trim().is_empty() {
            return Err(Error::InvalidInput(
                "the candidate's name is empty; Willo requires a full name".into(),
            ));
        }
        if !self.candidate.email.contains('@') {
            return Err(Error::InvalidInput(
                "the candidate's email address is not valid".into(),
            ));
        }
        if let Some(phone) = &self.candidate.phone
            && !is_e164(phone)
        {
            // The number itself is personal data: keep it out of the message.
            return Err(Error::InvalidInput(
                "the phone number must be E.164 with the country code: `+` then 8 to 15 \
                     digits, no spaces (for example +447700900123); SMS invites fail otherwise"
                    .into(),
            ));
        }
        Ok(())
    }

    fn invite(&self) -> InviteParticipant {
        InviteParticipant {
            interview: self.interview_id.clone(),
            name: self.candidate.name.trim().to_owned(),
            email: Some(self.candidate.email.trim().to_owned()),
            phone: self.candidate.phone.clone(),
            extra: Map::new(),
        }
    }
}

impl WilloClient {
    /// Send an interview to a candidate, at most once per email and interview.
    ///
    /// 1. Validates the request (name present, phone E.164) before any request.
    /// 2. Lists the interview's participants (`GET /participants/?interview=<key>`, all
    ///    pages) and returns the existing one if the email matches (trimmed,
    ///    case-insensitive) — `created: false`, no email sent.
    /// 3. Otherwise invites with `POST /participants/` (`interview`, `name`, `email`,
    ///    `phone`), which is not retried after a server error.
    ///
    /// The check and the create are not atomic: two concurrent calls for the same
    /// candidate can both create. Serialise calls per candidate if that matters.
    pub async fn send_interview(&self, request: &SendInterview) -> Result<SendInterviewOutcome> {
        request.validate()?;
        if let Some(existing) = self
            .participants()
            .find_by_email(&request.interview_id, &request.candidate.email)
            .await?
        {
            return Ok(SendInterviewOutcome {
                participant: existing,
                created: false,
                ats_candidate_id: request.metadata.ats_candidate_id.clone(),
            });
        }
        self.send_new_interview(request).await
    }

    /// Send an interview without first looking for a participant with the same email:
    /// validates, then one `POST /participants/` (not retried after a server error).
    ///
    /// Only for callers that know nothing was sent to this candidate for this
    /// interview — for example because their own ledger row for the candidate was
    /// created just now. The look-up in [`WilloClient::send_interview`] reads every
    /// page of the interview's participants, so skipping it saves requests that grow
    /// with the interview; calling this twice for one candidate sends two invites.
    pub async fn send_new_interview(
        &self,
        request: &SendInterview,
    ) -> Result<SendInterviewOutcome> {
        request.validate()?;
        let participant = self.participants().invite(&request.invite()).await?;
        Ok(SendInterviewOutcome {
            participant,
            created: true,
            ats_candidate_id: request.metadata.ats_candidate_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert!(is_e164("+447700900123"));
        assert!(is_e164("+12025550123"));
        assert!(!is_e164("447700900123"));
        assert!(!is_e164("+0447700900"));
        assert!(!is_e164("+44 7700 900123"));
        assert!(!is_e164("+1234567"));
        assert!(!is_e164("+1234567890123456"));
    }

    #[test]
    fn seed_json_is_accepted() {
        let request: SendInterview = serde_json::from_str(
            r#"{"interview_id": "INTERVIEW_ID",
                "candidate": {"name": "Jane Doe", "email": "jane@example.com"},
                "metadata": {"ats_candidate_id": "12345"}}"#,
        )
        .unwrap();
        assert_eq!(request.metadata.ats_candidate_id.as_deref(), Some("12345"));
        assert!(request.validate().is_ok());
    }
}
