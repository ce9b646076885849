//! Connect an ATS the bridge does not know: implement [`Ats`] for it, prove the
//! implementation with the conformance suite, then let the engine use it.
//!
//! The "ATS" here is a shared spreadsheet: one row per candidacy (name, email, job,
//! stage, labels, notes), kept in memory. When a recruiter changes a row's stage, the
//! sheet posts a one-line CSV webhook (`event id,row,stage`) signed with HMAC-SHA256
//! over `<timestamp>.<body>`. Replace the
//! `Mutex<Vec<Row>>` with your system's API calls and the webhook scheme with your
//! vendor's, and the rest of this file stays as it is.
//!
//! The program
//! 1. runs the `ats-testkit` conformance suite against the sheet and prints the report;
//! 2. wires the sheet and Willo (the sandbox, or `WILLO_API_KEY` with `INTERVIEW_KEY`)
//!    into an engine, moves a candidate to the trigger stage, and shows the invite
//!    and the results written back onto the row.
//!
//! ```sh
//! cargo run -p examples --example custom_ats
//! ```

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use ats_bridge::engine::{Action, Engine, EngineConfig, ParticipantChecks};
use ats_bridge::late_results::render_follow_up_note;
use ats_bridge::model::{
    ApplicationRef, ApplicationsPage, AtsEvent, AtsName, CandidateDetails, CandidateMatch,
    Capabilities, CreatedApplication, Job, JobId, JobState, Stage, StageId, WriteBack,
    WriteBackReceipt,
};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::{
    Ats, AtsError, AtsResult, AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookRejection,
    WebhookRequest, WebhookSource,
};
use ats_sandbox::SandboxConfig;
use ats_testkit::{Conformance, Delivery, Fixture, Report};
use client_core::header::{HeaderMap, HeaderValue};
use client_core::webhook::{constant_time_eq, hmac_sha256_hex};
use client_core::{ExposeSecret, SecretString};
use examples::{Connections, env, open_store};

/// The sheet's name in the bridge: part of every ledger key, so never change it.
const NAME: &str = "sheet";
const JOB: &str = "job-barista";
/// Moving a row here sends the Willo interview.
const TRIGGER: &str = "video-interview";
const SIGNATURE_HEADER: &str = "x-sheet-signature";
const TIMESTAMP_HEADER: &str = "x-sheet-timestamp";
/// Deliveries older (or newer) than this are refused, so a captured one cannot be
/// replayed later.
const TOLERANCE: Duration = Duration::from_secs(300);
/// Rows per page of `applications_at_stage`; small, so the suite checks the cursor.
const PAGE_SIZE: usize = 2;
/// The sheet keeps notes short, like many ATSs.
const NOTE_LIMIT: usize = 4_000;
/// How long the end-to-end part waits for the candidate's answer.
const WAIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> examples::Result<()> {
    examples::log_from(tracing::Level::WARN);
    run(&mut std::io::stdout()).await?;
    Ok(())
}

/// What the run produced, for the test to check.
#[derive(Debug)]
pub struct Finished {
    /// The conformance report.
    pub report: Report,
    /// Notes on the invited row at the end.
    pub notes: Vec<String>,
    /// Labels on the invited row at the end.
    pub labels: Vec<String>,
}

// ------------------------------------------------------------------ the sheet

/// One row: one person applying to one job.
#[derive(Clone)]
struct Row {
    id: String,
    name: String,
    email: String,
    job: String,
    stage: String,
    labels: Vec<String>,
    notes: Vec<String>,
}

impl Row {
    fn application(&self) -> ApplicationRef {
        ApplicationRef {
            application: self.id.as_str().into(),
            // One row per candidacy: the person has no id of their own in a sheet.
            candidate: format!("person-{}", self.id).into(),
            job: self.job.as_str().into(),
        }
    }

    fn details(&self) -> CandidateDetails {
        CandidateDetails::new(self.name.clone()).email(self.email.clone())
    }
}

/// The webhook body the sheet posts on a stage change: `event id,row,stage`.
struct StageChange {
    /// Unique per change, repeated on retries: the dedupe key.
    event_id: String,
    row: String,
    stage: String,
}

impl StageChange {
    fn to_csv(&self) -> Vec<u8> {
        format!("{},{},{}", self.event_id, self.row, self.stage).into_bytes()
    }

    /// Exactly three non-empty fields, or a reason.
    fn parse(body: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(body).map_err(|_| "not UTF-8".to_owned())?;
        let fields: Vec<&str> = text.split(',').collect();
        match fields[..] {
            [event_id, row, stage] if fields.iter().all(|f| !f.trim().is_empty()) => Ok(Self {
                event_id: event_id.to_owned(),
                row: row.to_owned(),
                stage: stage.to_owned(),
            }),
            _ => Err("expected `event id,row,stage`".to_owned()),
        }
    }
}

/// A spreadsheet ATS in memory.
pub struct SheetAts {
    secret: SecretString,
    rows: Mutex<Vec<Row>>,
}

/// No rows: they hold names and emails (the suite checks this).
impl fmt::Debug for SheetAts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SheetAts").finish_non_exhaustive()
    }
}

impl SheetAts {
    /// A sheet with four applicants at `new` (example.com addresses: nobody real).
    pub fn new(secret: SecretString) -> Self {
        let rows = [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
        ]
        .iter()
        .enumerate()
        .map(|(n, name)| Row {
            id: format!("row-{}", n + 1),
            name: (*name).to_owned(),
            email: format!("applicant{}@example.com", n + 1),
            job: JOB.to_owned(),
            stage: "new".to_owned(),
            labels: Vec::new(),
            notes: Vec::new(),
        })
        .collect();
        Self {
            secret,
            rows: Mutex::new(rows),
        }
    }

    fn rows(&self) -> MutexGuard<'_, Vec<Row>> {
        self.rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn row(&self, id: &str) -> AtsResult<Row> {
        self.rows()
            .iter()
            .find(|row| row.id == id)
            .cloned()
            .ok_or_else(|| AtsError::NotFound {
                what: format!("row {id}"),
            })
    }

    /// The recruiter side: change a row's stage; returns the webhook the sheet posts.
    pub fn move_row(&self, id: &str, stage: &str) -> AtsResult<Delivery> {
        let mut rows = self.rows();
        let row = rows
            .iter_mut()
            .find(|row| row.id == id)
            .ok_or_else(|| AtsError::NotFound {
                what: format!("row {id}"),
            })?;
        row.stage = stage.to_owned();
        Ok(signed_stage_change(
            &self.secret,
            &row.application(),
            &stage.into(),
        ))
    }

    /// What a recruiter sees on a row: its labels and notes.
    pub fn labels_and_notes(&self, id: &str) -> (Vec<String>, Vec<String>) {
        self.row(id)
            .map(|row| (row.labels, row.notes))
            .unwrap_or_default()
    }
}

/// The sheet's webhook for "`application` moved to `stage`", signed as it signs them.
fn signed_stage_change(
    secret: &SecretString,
    application: &ApplicationRef,
    stage: &StageId,
) -> Delivery {
    static NEXT_EVENT: AtomicU64 = AtomicU64::new(1);
    let change = StageChange {
        event_id: format!("evt-{}", NEXT_EVENT.fetch_add(1, Ordering::Relaxed)),
        row: application.application.to_string(),
        stage: stage.to_string(),
    };
    let body = change.to_csv();
    let timestamp = unix_seconds().to_string();
    let mut headers = HeaderMap::new();
    let signature = signature(secret, &timestamp, &body);
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).expect("hex"),
    );
    headers.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_str(&timestamp).expect("digits"),
    );
    Delivery::new(headers, body)
}

/// The timestamp is signed with the body, so an old delivery cannot be re-dated.
fn signature(secret: &SecretString, timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    hmac_sha256_hex(secret.expose_secret().as_bytes(), &message)
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, WebhookRejection> {
    headers
        .get(name)
        .ok_or_else(|| WebhookRejection::MissingHeader(name.to_owned()))?
        .to_str()
        .map_err(|_| WebhookRejection::Malformed(format!("`{name}` is not text")))
}

#[async_trait]
impl Ats for SheetAts {
    fn name(&self) -> AtsName {
        NAME.into()
    }

    /// A sheet can do everything the workflow asks.
    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }

    async fn jobs(&self) -> AtsResult<Vec<Job>> {
        Ok(vec![
            Job::new(JOB, "Barista", JobState::Open),
            Job::new("job-baker", "Baker", JobState::Closed),
        ])
    }

    async fn stages(&self, _job: &JobId) -> AtsResult<Vec<Stage>> {
        Ok(vec![
            Stage::new("new", "New"),
            Stage::new(TRIGGER, "Video interview"),
            Stage::new("offer", "Offer"),
        ])
    }

    async fn candidate(&self, application: &ApplicationRef) -> AtsResult<CandidateDetails> {
        Ok(self.row(application.application.as_str())?.details())
    }

    /// Its webhooks are below.
    fn webhooks(&self) -> Option<&dyn AtsWebhooks> {
        Some(self)
    }

    /// The cursor is the offset of the next row, so a restart resumes where it stopped.
    async fn applications_at_stage(
        &self,
        job: &JobId,
        stage: &StageId,
        cursor: Option<&str>,
    ) -> AtsResult<ApplicationsPage> {
        let start: usize = match cursor {
            None => 0,
            Some(text) => text
                .parse()
                .map_err(|_| AtsError::Invalid(format!("cursor {text}")))?,
        };
        let matching: Vec<ApplicationRef> = self
            .rows()
            .iter()
            .filter(|row| row.job == job.as_str() && row.stage == stage.as_str())
            .map(Row::application)
            .collect();
        let end = (start + PAGE_SIZE).min(matching.len());
        let next = (end < matching.len()).then(|| end.to_string());
        Ok(ApplicationsPage::new(
            matching.get(start..end).unwrap_or_default().to_vec(),
            next,
        ))
    }

    /// Labels are a set (the engine may repeat a write after a failure); a note is
    /// appended each time the engine asks, which it does once per outcome.
    async fn write_back(
        &self,
        application: &ApplicationRef,
        write: &WriteBack,
    ) -> AtsResult<WriteBackReceipt> {
        let mut rows = self.rows();
        let row = rows
            .iter_mut()
            .find(|row| row.id == application.application.as_str())
            .ok_or_else(|| AtsError::NotFound {
                what: format!("row {}", application.application),
            })?;
        let mut receipt = WriteBackReceipt::default();
        row.labels
            .retain(|label| !write.remove_labels.contains(label));
        receipt.labels_removed = write.remove_labels.clone();
        for label in &write.add_labels {
            if !row.labels.contains(label) {
                row.labels.push(label.clone());
            }
        }
        receipt.labels_added = write.add_labels.clone();
        // The note the rules' `[notes]` settings made (its text fitted to the limit);
        // `write.record` holds the same interview as structured data, for an ATS with
        // a field to keep it in.
        if let Some(text) = write.note_text(NOTE_LIMIT)? {
            row.notes.push(text);
            receipt.note_id = Some(format!("{}-note-{}", row.id, row.notes.len()));
        }
        // Late results (a transcript that came after the note): one follow-up note
        // with only what is new. (A sheet whose notes can be edited could instead
        // replace `update.amend_note_id` with `render_amended_note`.)
        if let Some(update) = &write.update {
            row.notes.push(render_follow_up_note(update, NOTE_LIMIT));
            receipt.note_id = Some(format!("{}-note-{}", row.id, row.notes.len()));
        }
        if let Some(stage) = &write.move_to {
            row.stage = stage.to_string();
            receipt.moved_to = Some(stage.clone());
        }
        Ok(receipt)
    }

    async fn create_application(
        &self,
        job: &JobId,
        candidate: &CandidateDetails,
    ) -> AtsResult<CreatedApplication> {
        let email = candidate
            .email
            .clone()
            .ok_or_else(|| AtsError::Invalid("the sheet needs an email".into()))?;
        let mut rows = self.rows();
        let row = Row {
            id: format!("row-{}", rows.len() + 1),
            name: candidate.name.clone(),
            email,
            job: job.to_string(),
            stage: "new".to_owned(),
            labels: Vec::new(),
            notes: Vec::new(),
        };
        let application = row.application();
        rows.push(row);
        // The sheet matches nobody by e-mail: every creation is a new person.
        Ok(CreatedApplication::new(application).matched(CandidateMatch::New))
    }
}

impl WebhookSource for SheetAts {
    /// Signature first (a forged body is never parsed), then age, then shape. Sync and
    /// without API calls: the intake runs it before storing anything.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        let (headers, body) = (request.headers(), request.body());
        let sent = header(headers, SIGNATURE_HEADER)?;
        let timestamp = header(headers, TIMESTAMP_HEADER)?;
        let expected = signature(&self.secret, timestamp, body);
        if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(WebhookRejection::BadSignature);
        }
        let sent_at: u64 = timestamp
            .parse()
            .map_err(|_| WebhookRejection::Malformed("timestamp is not a number".into()))?;
        if unix_seconds().abs_diff(sent_at) > TOLERANCE.as_secs() {
            return Err(WebhookRejection::Stale);
        }
        let change = StageChange::parse(body).map_err(WebhookRejection::Malformed)?;
        // Verified already: the body alone is enough to resolve it later.
        Ok(VerifiedDelivery::new(
            change.event_id,
            StoredDelivery::new(body),
        ))
    }
}

#[async_trait]
impl AtsWebhooks for SheetAts {
    /// Rows are read back so the event carries the row's job as the sheet has it now,
    /// and the person on it, so the engine need not ask for them again.
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let change = StageChange::parse(&delivery.body)
            .map_err(|e| AtsError::Invalid(format!("stored delivery: {e}")))?;
        let row = self.row(&change.row)?;
        Ok(vec![AtsEvent::StageChanged {
            application: row.application(),
            stage: change.stage.into(),
            details: Some(row.details()),
        }])
    }
}

// ------------------------------------------------------------------ the program

/// Run the suite, then one candidate through the bridge; prints to `out`.
pub async fn run(out: &mut impl Write) -> examples::Result<Finished> {
    let secret = SecretString::from("sheet-webhook-secret");

    writeln!(out, "1. The conformance suite against the sheet\n")?;
    let report = conformance(secret.clone()).await;
    writeln!(out, "{report}")?;
    if !report.passed() {
        return Err("the sheet fails the conformance suite".into());
    }

    let connections = Connections::from_env_or_sandbox(SandboxConfig::new()).await?;
    writeln!(
        out,
        "2. The sheet and Willo through the engine, on {}\n",
        connections.describe()
    )?;
    let result = end_to_end(&connections, secret, out).await;
    connections.close().await;
    let (labels, notes) = result?;
    Ok(Finished {
        report,
        notes,
        labels,
    })
}

/// The suite, on a sheet of its own: it adds and removes a label and creates a row.
async fn conformance(secret: SecretString) -> Report {
    let sheet = Arc::new(SheetAts::new(secret.clone()));
    let first = sheet.row("row-1").expect("seeded");
    sheet.move_row(&first.id, TRIGGER).expect("seeded");
    let read = sheet.clone();
    let fixture = Fixture::new(JOB, TRIGGER, first.application())
        .deliveries(move |application, stage| signed_stage_change(&secret, application, stage))
        .labels_of(move |application| {
            let (labels, _) = read.labels_and_notes(application.application.as_str());
            async move { labels }
        })
        .new_candidate(CandidateDetails::new("Walk In").email("walk-in@example.com"));
    Conformance::new(sheet, fixture).run().await
}

/// Move one row to the trigger stage and follow it until its results are on the row.
async fn end_to_end(
    connections: &Connections,
    secret: SecretString,
    out: &mut impl Write,
) -> examples::Result<(Vec<String>, Vec<String>)> {
    let interview = match (env("INTERVIEW_KEY"), &connections.sandbox) {
        (Some(key), _) => key,
        (None, Some(sandbox)) => sandbox.willo().interviews()[0].key.clone(),
        (None, None) => return Err("set INTERVIEW_KEY to the Willo interview to send".into()),
    };
    let sheet = Arc::new(SheetAts::new(secret));
    let dir = tempfile::tempdir()?;
    let store = open_store(
        env("DATABASE_URL").as_deref(),
        &dir.path().join("bridge.db"),
    )
    .await?;
    let rules = Rules::new().trigger(NAME, JobSelector::Job(JOB.into()), [TRIGGER], interview);
    // Short intervals so the example finishes quickly; the defaults suit production.
    let mut config = EngineConfig::default();
    config.participant_checks =
        ParticipantChecks::new(Duration::from_millis(100), Duration::from_millis(100), 20);
    let engine = Engine::builder(connections.willo.clone(), store)
        .ats(sheet.clone())
        .rules(rules)
        .config(config)
        .build()?;

    // The recruiter moves Alan to the trigger stage; the sheet posts its webhook. In a
    // deployment the intake receives it (verify, store, resolve); here we do the same
    // in-process.
    let delivery = sheet.move_row("row-2", TRIGGER)?;
    let events = sheet
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await?;
    for event in &events {
        match engine.handle_ats_event(&NAME.into(), event).await? {
            Action::Invited { participant, .. } => {
                writeln!(
                    out,
                    "  row-2 moved to {TRIGGER}: invited in Willo as {participant}"
                )?;
            }
            other => return Err(format!("expected an invite, got {other:?}").into()),
        }
    }

    // No Willo webhook here: the reconciler checks invited participants who have been
    // quiet for `participant_checks.after`, and due retries repeat the check until they
    // answer. (`engine.run` does both on its own; a deployment also gets Willo's
    // `new_response` through the intake.)
    let started = Instant::now();
    loop {
        engine.reconcile().await?;
        engine.retry_due().await?;
        let (labels, notes) = sheet.labels_and_notes("row-2");
        if !notes.is_empty() {
            writeln!(
                out,
                "  answered: results written back after {:.1}s",
                started.elapsed().as_secs_f64()
            )?;
            writeln!(out, "  labels on row-2: {}", labels.join(", "))?;
            let heading = notes[0].lines().next().unwrap_or_default();
            writeln!(out, "  note on row-2: {heading} …")?;
            return Ok((labels, notes));
        }
        if started.elapsed() > WAIT {
            return Err("the candidate did not answer in time".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
