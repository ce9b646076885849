//! What a note template can read (the variables, documented in the crate README and on
//! each field here) and the structured results record custom [`Ats`](crate::Ats)
//! implementations receive.
//!
//! Every field is present in every context (a missing value is `none`), so a template
//! that names a field checked at load never meets an undefined value at run time.

use std::fmt;

use serde::{Deserialize, Serialize};
use willo_client::Recognition;

use super::NoteEvent;
use crate::model::{ApplicationRef, AtsName, InterviewKey, InterviewOutcome, ParticipantKey};
use crate::rules::Decision;

/// The variables a note template is rendered with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NoteContext {
    /// `event`: which event the note is about (`invited`, `completed`, `results_updated`,
    /// `decision`, `expired`, `withdrawn`).
    pub event: NoteEvent,
    /// `candidate.id`, `candidate.first_name`.
    pub candidate: CandidateVars,
    /// `application.ats`, `application.id`, `application.job`.
    pub application: ApplicationVars,
    /// `interview.key`, `interview.name`.
    pub interview: InterviewVars,
    /// `participant.key`, `participant.link`; `none` when no participant exists yet.
    pub participant: Option<ParticipantVars>,
    /// `results.*`: what Willo's record holds; `none` for `invited`.
    pub results: Option<ResultsVars>,
    /// `decision`: `accepted` or `rejected` for the `decision` event, else `none`.
    pub decision: Option<Decision>,
    /// `update.*`: what changed, for `results_updated` only.
    pub update: Option<UpdateVars>,
    /// `dates.now`, `dates.invited`, `dates.completed`.
    pub dates: DateVars,
    /// `record`: the structured results record (see [`ResultsRecord`]).
    pub record: ResultsRecord,
}

/// `candidate.*`. The first name is personal data: `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CandidateVars {
    /// The ATS's candidate id.
    pub id: String,
    /// The first word of the candidate's name, as the ATS (invites) or Willo's record
    /// (later events) gives it; `none` when neither holds a name.
    pub first_name: Option<String>,
}

impl fmt::Debug for CandidateVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CandidateVars")
            .field("id", &self.id)
            .field(
                "first_name",
                &self.first_name.as_ref().map(|_| "[personal data]"),
            )
            .finish()
    }
}

impl CandidateVars {
    /// The candidate `id`, with the first word of `full_name` as first name.
    pub fn new(id: impl Into<String>, full_name: Option<&str>) -> Self {
        Self {
            id: id.into(),
            first_name: full_name
                .and_then(|name| name.split_whitespace().next())
                .map(str::to_owned),
        }
    }
}

/// `application.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApplicationVars {
    /// The ATS connection's name (`smartrecruiters`, `lever`…).
    pub ats: String,
    /// The application (candidacy) id.
    pub id: String,
    /// The job id.
    pub job: String,
}

/// `interview.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InterviewVars {
    /// The Willo interview key.
    pub key: String,
    /// Its title in Willo. Read from Willo only when a template uses it (one request
    /// per note); `none` when Willo does not say.
    pub name: Option<String>,
}

/// `participant.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantVars {
    /// The Willo participant key.
    pub key: String,
    /// Where a reviewer sees them: the review link in Willo's record, else their page
    /// in the Willo app.
    pub link: Option<String>,
}

/// `results.*`: a participant's record, read best effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResultsVars {
    /// The Willo stage (raw text).
    pub stage: Option<String>,
    /// When they completed, as Willo formats it.
    pub completed_at: Option<String>,
    /// The overall score (a number; `| score` prints `4` or `4.5`).
    pub score: Option<f64>,
    /// The review link in Willo's record.
    pub review_url: Option<String>,
    /// The review link, else the participant's page in Willo.
    pub link: Option<String>,
    /// `recognised`, `no_answers` or `unrecognised` (answers under names this
    /// version does not read: send the reader to `link`).
    pub recognition: String,
    /// The answers, in Willo's order.
    pub responses: Vec<ResponseVars>,
}

/// One answer in `results.responses` (or `update.responses`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseVars {
    /// Its place, from 1.
    pub number: usize,
    /// The question.
    pub question: Option<String>,
    /// The link to the answer.
    pub media_url: Option<String>,
    /// The transcript; `none` when Willo has none or it was left out to fit.
    pub transcript: Option<String>,
    /// `true` when the transcript was left out to fit the ATS's length limit.
    pub transcript_left_out: bool,
    /// The AI summary.
    pub summary: Option<String>,
    /// The answer's score.
    pub score: Option<f64>,
}

/// `update.*`: what a follow-up note reports (the `results_updated` event): the news
/// since the results note, and only that. Built from a late-results change by
/// [`ResultsUpdate::vars`](crate::late_results::ResultsUpdate::vars).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateVars {
    /// What is new, in words (`transcript and AI summary added`).
    pub summary: String,
    /// The kinds of news, each once, in this order: `answer`, `transcript`,
    /// `summary`, `score`, `comment` (for `{% if "comment" in update.kinds %}`).
    pub kinds: Vec<String>,
    /// The new overall score, when it changed.
    pub score: Option<f64>,
    /// The answers with news, each with only its new parts set (a whole new answer
    /// has them all).
    pub responses: Vec<ResponseVars>,
    /// Reviewers' comments new since the last note.
    pub comments: Vec<CommentVars>,
}

impl UpdateVars {
    /// News described as `summary`, with the other parts added by their fields.
    pub fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            ..Self::default()
        }
    }
}

/// A reviewer's comment in `update.comments`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommentVars {
    /// Who wrote it, as Willo names them.
    pub author: Option<String>,
    /// The comment.
    pub text: String,
    /// The score given with it.
    pub score: Option<f64>,
    /// When it was written, as Willo formats it.
    pub created_at: Option<String>,
}

impl CommentVars {
    /// A comment with `text`, by `author` when known, with `score` when given.
    pub fn new(text: impl Into<String>, author: Option<String>, score: Option<f64>) -> Self {
        Self {
            author,
            text: text.into(),
            score,
            created_at: None,
        }
    }

    /// Also written at `created_at` (as Willo formats it).
    pub fn created_at(mut self, created_at: impl Into<String>) -> Self {
        self.created_at = Some(created_at.into());
        self
    }
}

/// `dates.*`, each as text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DateVars {
    /// When the note is written (`Sat, 05 Dec 2026 09:57:28 GMT`).
    pub now: String,
    /// When the bridge first tried the invite, same form; `none` when unknown.
    pub invited: Option<String>,
    /// When the candidate completed, as Willo formats it.
    pub completed: Option<String>,
}

/// The structured record of an interview, shaped like the Willo integration guide's
/// example ATS record (`candidate_id`, `interview_status`, `responses` with
/// `question`, `video_url`, `transcript`), with the ids and scores beside it. Templates
/// read it as `record`; custom [`Ats`](crate::Ats) implementations find it on
/// [`WriteBack::record`](crate::model::WriteBack::record), for example to store it in
/// a field of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResultsRecord {
    /// The ATS's candidate id.
    pub candidate_id: String,
    /// `invited`, `completed`, `accepted`, `rejected`, `expired` or `withdrawn`.
    pub interview_status: String,
    /// The answers.
    pub responses: Vec<RecordResponse>,
    /// The ATS connection.
    pub ats: String,
    /// The application id.
    pub application_id: String,
    /// The job id.
    pub job_id: String,
    /// The Willo interview key.
    pub interview_key: String,
    /// The Willo participant key, once invited.
    pub participant_key: Option<String>,
    /// The stage as Willo names it.
    pub willo_stage: Option<String>,
    /// When the candidate completed, as Willo formats it.
    pub completed_at: Option<String>,
    /// The overall score.
    pub score: Option<f64>,
    /// Where a reviewer sees the participant.
    pub review_url: Option<String>,
}

/// One answer of a [`ResultsRecord`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordResponse {
    /// The question.
    pub question: Option<String>,
    /// The link to the answer (video, audio or file).
    pub video_url: Option<String>,
    /// The transcript.
    pub transcript: Option<String>,
    /// The AI summary.
    pub summary: Option<String>,
    /// The score.
    pub score: Option<f64>,
}

/// Where a note's facts come from, gathered by the engine (or by a caller rendering
/// a note itself) and turned into a [`NoteContext`] with [`NoteFacts::context`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NoteFacts<'a> {
    /// The event.
    pub event: NoteEvent,
    /// The ATS connection.
    pub ats: &'a AtsName,
    /// The application.
    pub application: &'a ApplicationRef,
    /// The interview.
    pub interview: &'a InterviewKey,
    /// The candidate's full name, when known (the first word becomes `first_name`).
    pub full_name: Option<&'a str>,
    /// The interview's title, when known.
    pub interview_name: Option<String>,
    /// The participant, once invited.
    pub participant: Option<&'a ParticipantKey>,
    /// Willo's record of the participant, when read.
    pub results: Option<&'a InterviewOutcome>,
    /// The decision, for [`NoteEvent::Decision`].
    pub decision: Option<Decision>,
    /// What changed, for [`NoteEvent::ResultsUpdated`].
    pub update: Option<UpdateVars>,
    /// Now, epoch milliseconds.
    pub now_ms: i64,
    /// When the invite was first tried, epoch milliseconds.
    pub invited_ms: Option<i64>,
}

impl<'a> NoteFacts<'a> {
    /// Facts for `event` on `application`: add the rest with the public fields.
    pub fn new(
        event: NoteEvent,
        ats: &'a AtsName,
        application: &'a ApplicationRef,
        interview: &'a InterviewKey,
        now_ms: i64,
    ) -> Self {
        Self {
            event,
            ats,
            application,
            interview,
            full_name: None,
            interview_name: None,
            participant: None,
            results: None,
            decision: None,
            update: None,
            now_ms,
            invited_ms: None,
        }
    }

    /// The template variables.
    pub fn context(&self) -> NoteContext {
        let results = self.results.map(results_vars);
        let participant = self
            .participant
            .or(self.results.map(|r| &r.participant_key))
            .map(|key| ParticipantVars {
                key: key.to_string(),
                link: self.results.and_then(|r| r.link().map(str::to_owned)),
            });
        let record = ResultsRecord {
            candidate_id: self.application.candidate.to_string(),
            interview_status: self.status().to_owned(),
            responses: self
                .results
                .map(|r| {
                    r.responses
                        .iter()
                        .map(|a| RecordResponse {
                            question: a.question.clone(),
                            video_url: a.media_url.clone(),
                            transcript: a.transcript.clone(),
                            summary: a.summary.clone(),
                            score: a.score,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ats: self.ats.to_string(),
            application_id: self.application.application.to_string(),
            job_id: self.application.job.to_string(),
            interview_key: self.interview.to_string(),
            participant_key: participant.as_ref().map(|p| p.key.clone()),
            willo_stage: self.results.and_then(|r| r.stage.clone()),
            completed_at: self.results.and_then(|r| r.completed_at.clone()),
            score: self.results.and_then(|r| r.score),
            review_url: self.results.and_then(|r| r.link().map(str::to_owned)),
        };
        NoteContext {
            event: self.event,
            candidate: CandidateVars::new(self.application.candidate.to_string(), self.full_name),
            application: ApplicationVars {
                ats: self.ats.to_string(),
                id: self.application.application.to_string(),
                job: self.application.job.to_string(),
            },
            interview: InterviewVars {
                key: self.interview.to_string(),
                name: self.interview_name.clone(),
            },
            participant,
            results,
            decision: self.decision,
            update: self.update.clone(),
            dates: DateVars {
                now: http_date(self.now_ms),
                invited: self.invited_ms.map(http_date),
                completed: self.results.and_then(|r| r.completed_at.clone()),
            },
            record,
        }
    }

    /// The record's `interview_status`.
    fn status(&self) -> &'static str {
        match (self.event, self.decision) {
            (NoteEvent::Invited, _) => "invited",
            (NoteEvent::Expired, _) => "expired",
            (NoteEvent::Withdrawn, _) => "withdrawn",
            (_, Some(Decision::Accepted)) => "accepted",
            (_, Some(Decision::Rejected)) => "rejected",
            _ => "completed",
        }
    }
}

/// `results.*` from Willo's record.
pub(crate) fn results_vars(results: &InterviewOutcome) -> ResultsVars {
    ResultsVars {
        stage: results.stage.clone(),
        completed_at: results.completed_at.clone(),
        score: results.score,
        review_url: results.review_url.clone(),
        link: results.link().map(str::to_owned),
        recognition: match results.recognition {
            Recognition::Recognised => "recognised",
            Recognition::NoAnswers => "no_answers",
            Recognition::Unrecognised => "unrecognised",
            _ => "other",
        }
        .to_owned(),
        responses: results
            .responses
            .iter()
            .enumerate()
            .map(|(i, r)| ResponseVars {
                number: i + 1,
                question: r.question.clone(),
                media_url: r.media_url.clone(),
                transcript: r.transcript.clone(),
                transcript_left_out: false,
                summary: r.summary.clone(),
                score: r.score,
            })
            .collect(),
    }
}

/// `Sat, 05 Dec 2026 09:57:28 GMT` for epoch milliseconds (before 1970: the epoch).
fn http_date(ms: i64) -> String {
    let since = std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + since)
}
