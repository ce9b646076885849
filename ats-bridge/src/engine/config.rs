//! The engine's knobs, with defaults chosen for the vendors' limits.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::model::AtsName;

/// How the engine runs. `EngineConfig::default()` suits production; tests shorten the
/// intervals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// This engine's name in leases. Must differ between replicas sharing a store;
    /// the default combines the process id, 32 random bits and a per-process counter
    /// (replicas in containers often share a process id: 1).
    pub worker_id: String,
    /// How long a claim holds a row. A step (an invite with its label, a write-back)
    /// may use 80% of it, including the clients' waits on throttling, and is
    /// rescheduled if it needs longer; a crashed replica's rows wait this long before
    /// another takes them over. Keep it well above the vendors' `Retry-After` waits.
    pub lease: Duration,
    /// Items handled at once by one engine (events, due rows, reconciled
    /// applications). The vendors' in-flight limits are enforced by the clients;
    /// this only needs to keep them busy.
    pub concurrency: usize,
    /// Inbox items taken by one [`Engine::process_inbox`](super::Engine::process_inbox)
    /// call, and due rows per retry round. ([`Engine::run`](super::Engine::run) keeps
    /// `concurrency` deliveries in progress instead, taking more as each finishes.)
    pub inbox_batch: usize,
    /// Backoff for retryable failures.
    pub retry: RetrySchedule,
    /// How often the worker looks for due retries (and for inbox items it was not
    /// woken for).
    pub tick: Duration,
    /// How often the reconciler runs; `None` turns it off.
    pub reconcile_interval: Option<Duration>,
    /// How often Willo's interview list is read again for `[[interview_tags]]` rules
    /// (a new or renamed interview's tag then selects it without a restart); `None`
    /// reads it only at start and on [`Engine::refresh_interviews`]. Unused without
    /// interview tag rules.
    ///
    /// [`Engine::refresh_interviews`]: super::Engine::refresh_interviews
    pub interview_refresh: Option<Duration>,
    /// Pages read per (job, stage) in one reconciler pass; the next pass resumes from
    /// the stored cursor.
    pub reconcile_pages_per_pass: usize,
    /// Polling of invited participants who did not answer (Willo throttles polling,
    /// so this is rare and bounded).
    pub participant_checks: ParticipantChecks,
    /// Results that arrive after the results note (transcripts, AI summaries,
    /// reviewers' scores and comments): when to check for them and what to write.
    pub late_results: LateResults,
    /// The default region (ISO 3166 code, such as `GB`) per ATS connection, for
    /// reading candidates' phone numbers written without a country code
    /// (`07700 900123`). Needs the `phone-numbers` feature. Without a region (or the
    /// feature), a number not in E.164 form is left out of the invite, which goes by
    /// e-mail, and the ledger row gets a warning.
    pub phone_regions: BTreeMap<AtsName, String>,
    /// Record what would be sent and send nothing.
    pub dry_run: bool,
    /// Look for the candidate's email among the interview's Willo participants before
    /// *every* invite, including a first one. Off by default: the ledger already
    /// knows when nothing can have been sent (a row created by this claim, with no
    /// other application of the same candidate for the interview), and the look-up
    /// pages through the interview's participants, 30 a page, so its cost grows with
    /// the interview. Turn it on when one person can reach the same interview as
    /// *different* candidates: several ATS connections sharing an interview, or
    /// duplicate candidate records. Retries, rows taken over from a crashed worker
    /// and redrives always look first, whatever this says.
    pub look_up_before_first_invite: bool,
    /// For this long after the ledger's history starts
    /// ([`ReconcilerState::history_start`](crate::store::ReconcilerState::history_start)),
    /// first invites look the candidate up in Willo as retries do. A ledger that was
    /// lost (a SQLite file in a container without a volume, a database restored
    /// empty) or is new to an account the bridge served before cannot vouch that
    /// nothing was sent; without this, the reconciler would invite again everyone
    /// still at a trigger stage. Default 7 days: long enough for the reconciler to
    /// meet every candidate already at a trigger stage, whose rows then hold what
    /// the look-up found. `Duration::ZERO` trusts a new ledger at once.
    pub young_ledger_window: Duration,
    /// When a candidate is deleted in the ATS (a privacy request), also delete in
    /// Willo the participants the bridge created for them (name, e-mail, phone and
    /// recorded answers), unless another candidate's row shares one. On by default;
    /// off keeps them in Willo (the ledger still forgets them), for teams whose Willo
    /// account has its own retention.
    pub erase_willo_participants: bool,
    /// How long work waits after a vendor refused the credentials (401, a revoked
    /// OAuth grant) before it is tried again: `initial` after the first refusal,
    /// doubling to `max`. Parked work never counts attempts (`max_attempts` is not
    /// used), so an outage of any length fails nothing.
    pub credential_probes: RetrySchedule,
    /// How long processed webhook deliveries are kept before
    /// [`Engine::run`](super::Engine::run) deletes them (checked hourly); `None` keeps
    /// them. Deliveries can carry personal data (a Willo participant's name or
    /// e-mail), so they should not be kept for ever; a vendor's repeat of a delivery
    /// older than this is stored again, and the ledger still keeps it from acting
    /// twice.
    pub inbox_retention: Option<Duration>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            worker_id: default_worker_id(),
            lease: Duration::from_secs(300),
            concurrency: 8,
            inbox_batch: 32,
            retry: RetrySchedule::default(),
            tick: Duration::from_secs(1),
            reconcile_interval: Some(Duration::from_secs(300)),
            interview_refresh: Some(Duration::from_secs(300)),
            reconcile_pages_per_pass: 20,
            participant_checks: ParticipantChecks::default(),
            late_results: LateResults::default(),
            phone_regions: BTreeMap::new(),
            dry_run: false,
            look_up_before_first_invite: false,
            young_ledger_window: Duration::from_secs(7 * 24 * 3600),
            erase_willo_participants: true,
            credential_probes: RetrySchedule::new(
                Duration::from_secs(15),
                Duration::from_secs(300),
                u32::MAX,
            ),
            inbox_retention: Some(Duration::from_secs(7 * 24 * 3600)),
        }
    }
}

/// Exponential backoff for retryable failures, then a permanent failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetrySchedule {
    /// Delay after the first failure.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Failures after which the row is marked failed (an operator may re-drive it).
    pub max_attempts: u32,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            max_attempts: 10,
        }
    }
}

impl RetrySchedule {
    /// A schedule with the given delays and limit.
    pub fn new(initial: Duration, max: Duration, max_attempts: u32) -> Self {
        Self {
            initial,
            max,
            max_attempts,
        }
    }

    /// The delay before attempt `attempts + 1`, with up to a fifth added as jitter
    /// derived from `spread` (so rows failing together do not retry together, and the
    /// same row always gets the same delay: tests stay deterministic).
    pub fn delay(&self, attempts: u32, spread: &str) -> Duration {
        let exponent = attempts.saturating_sub(1).min(20);
        let base = self.initial.saturating_mul(1 << exponent).min(self.max);
        let hash = spread.bytes().fold(u64::from(attempts), |h, b| {
            h.wrapping_mul(31).wrapping_add(u64::from(b))
        });
        let jitter_ms = (base.as_millis() / 5) as u64;
        let jitter = if jitter_ms == 0 { 0 } else { hash % jitter_ms };
        base + Duration::from_millis(jitter)
    }
}

/// When and how often invited participants without an answer are checked in Willo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParticipantChecks {
    /// First check this long after the invite (or the last change).
    pub after: Duration,
    /// Delay between checks (doubled each time, capped at a week).
    pub interval: Duration,
    /// Checks per participant; after them only Willo's webhook brings the answer.
    pub max_checks: u32,
    /// Rows checked per reconciler pass.
    pub per_pass: usize,
}

impl Default for ParticipantChecks {
    fn default() -> Self {
        Self {
            after: Duration::from_secs(6 * 3600),
            interval: Duration::from_secs(12 * 3600),
            max_checks: 4,
            per_pass: 50,
        }
    }
}

impl ParticipantChecks {
    /// Checks at these times and this many.
    pub fn new(after: Duration, interval: Duration, max_checks: u32) -> Self {
        Self {
            after,
            interval,
            max_checks,
            ..Self::default()
        }
    }

    /// The delay before check `done + 1`.
    pub(crate) fn delay_after(&self, done: u32) -> Duration {
        const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
        self.interval
            .saturating_mul(1 << done.saturating_sub(1).min(16))
            .min(WEEK)
    }
}

/// Late results: Willo often produces transcripts, AI summaries and scores minutes
/// after the answers, and reviewers score and comment later still. After the results
/// note, the engine checks the participant again on a short bounded schedule (stored on
/// the ledger row, so it survives restarts) until every answer has its transcript and
/// summary or the schedule ends; Willo's `new_score` and `new_comment` webhooks are
/// looked at whenever they come. What is new is written once, as the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LateResults {
    /// When to check again, counted from the results note: default +5 min, +30 min,
    /// +3 h. Empty: no scheduled checks (webhooks still bring news).
    pub checks_after: Vec<Duration>,
    /// Write reviewers' scores (the overall score and each answer's) as late news
    /// (default true).
    pub scores: bool,
    /// Write reviewers' comments as late news (default true).
    pub comments: bool,
}

impl Default for LateResults {
    fn default() -> Self {
        Self {
            checks_after: vec![
                Duration::from_secs(5 * 60),
                Duration::from_secs(30 * 60),
                Duration::from_secs(3 * 3600),
            ],
            scores: true,
            comments: true,
        }
    }
}

impl LateResults {
    /// Checks at these times after the results note; scores and comments written.
    pub fn new(checks_after: Vec<Duration>) -> Self {
        Self {
            checks_after,
            ..Self::default()
        }
    }

    /// Whether reviewers' scores are written.
    pub fn scores(mut self, on: bool) -> Self {
        self.scores = on;
        self
    }

    /// Whether reviewers' comments are written.
    pub fn comments(mut self, on: bool) -> Self {
        self.comments = on;
        self
    }

    /// The delay from check `done` (0: the results note) to the next one; `None`
    /// when the schedule is over.
    pub(crate) fn delay_after(&self, done: u32) -> Option<Duration> {
        let done = usize::try_from(done).ok()?;
        let next = *self.checks_after.get(done)?;
        let previous = done
            .checked_sub(1)
            .and_then(|i| self.checks_after.get(i).copied())
            .unwrap_or_default();
        Some(next.saturating_sub(previous))
    }
}

fn default_worker_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 4];
    // Without randomness two containers' engines (both pid 1) would share leases; a
    // failing source leaves the counter and the pid, as before.
    let random = match getrandom::getrandom(&mut random) {
        Ok(()) => u32::from_le_bytes(random),
        Err(_) => 0,
    };
    format!(
        "engine-{}-{random:08x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let schedule = RetrySchedule::new(Duration::from_secs(10), Duration::from_secs(60), 5);
        let first = schedule.delay(1, "row-a");
        assert!(first >= Duration::from_secs(10) && first < Duration::from_secs(12));
        let second = schedule.delay(2, "row-a");
        assert!(second >= Duration::from_secs(20) && second < Duration::from_secs(24));
        let late = schedule.delay(9, "row-a");
        assert!(late >= Duration::from_secs(60) && late < Duration::from_secs(72));
        assert_eq!(schedule.delay(2, "row-a"), second, "deterministic");
    }

    #[test]
    fn late_result_checks_count_from_the_results_note() {
        let late = LateResults::default();
        assert_eq!(late.delay_after(0), Some(Duration::from_secs(300)));
        assert_eq!(late.delay_after(1), Some(Duration::from_secs(1500)));
        assert_eq!(late.delay_after(2), Some(Duration::from_secs(9000)));
        assert_eq!(late.delay_after(3), None);
        assert_eq!(LateResults::new(Vec::new()).delay_after(0), None);
    }

    #[test]
    fn worker_ids_differ_within_a_process() {
        assert_ne!(default_worker_id(), default_worker_id());
    }

    #[test]
    fn worker_ids_differ_between_processes_with_one_pid() {
        // Two containers' first engines: the same pid, the same counter (0). Only the
        // rest of the id can tell them apart.
        let without_counter = |id: String| id.rsplit_once('-').map(|(rest, _)| rest.to_owned());
        assert_ne!(
            without_counter(default_worker_id()),
            without_counter(default_worker_id())
        );
    }
}
