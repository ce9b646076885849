//! What the simulators start with, and the seeded generator of ids, names, emails and
//! phone numbers they share. The vendor modules read from here, never the other way
//! round: data two of them share (the public views of jobs and people, the Lever
//! pipeline the seed's defaults name) is defined here. Everything derives from
//! [`crate::SandboxConfig::seed`], so two sandboxes started with the same seed hold the
//! same data.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use client_core::webhook::hex;
use smartrecruiters_client::ApplicationStatus;

/// Lever's "New applicant" stage: where seeded opportunities start by default.
pub const STAGE_NEW_APPLICANT: &str = "applicant-new";
/// Lever's "Recruiter screen" stage.
pub const STAGE_RECRUITER_SCREEN: &str = "2ca03d97-d4f2-4a97-89de-96c8b0d07924";
/// Lever's "On-site interview" stage.
pub const STAGE_ON_SITE: &str = "25cba92d-7eaf-4d42-83f9-38874c95ef1b";
/// Lever's "Offer" stage.
pub const STAGE_OFFER: &str = "offer";
/// The Lever account's pipeline stages, in order (ids and names as in Lever's sandbox,
/// examples/sandbox-stage-list.json).
pub const STAGES: &[(&str, &str)] = &[
    ("lead-new", "New lead"),
    ("lead-reached-out", "Reached out"),
    ("lead-responded", "Responded"),
    (STAGE_NEW_APPLICANT, "New applicant"),
    ("49422c7e-5b86-4a06-9386-d432f6e98d57", "HM Review"),
    (STAGE_RECRUITER_SCREEN, "Recruiter screen"),
    ("68f08350-a035-4d89-83c2-79164dbf2cf8", "HM Screen"),
    (STAGE_ON_SITE, "On-site interview"),
    ("1d8976ae-3fd9-44ed-bf5b-4aa019929779", "Reference check"),
    (STAGE_OFFER, "Offer"),
];

/// How much data each simulator is seeded with. Generation is cheap (no I/O, a few
/// string formats per candidate), so thousands of candidates start in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// SmartRecruiters jobs and Lever postings, each (default 2).
    pub jobs: usize,
    /// Candidates on every SmartRecruiters job and opportunities on every Lever
    /// posting (default 5).
    pub candidates_per_job: usize,
    /// Status every seeded SmartRecruiters application starts in (default `NEW`).
    pub smartrecruiters_status: ApplicationStatus,
    /// Sub-status of the seeded applications (default none).
    pub smartrecruiters_sub_status: Option<String>,
    /// Stage id every seeded Lever opportunity starts in (default
    /// [`STAGE_NEW_APPLICANT`]).
    pub lever_stage: String,
    /// Willo interviews (default 2; at least 1).
    pub willo_interviews: usize,
}

impl Default for Seed {
    fn default() -> Self {
        Self {
            jobs: 2,
            candidates_per_job: 5,
            smartrecruiters_status: ApplicationStatus::New,
            smartrecruiters_sub_status: None,
            lever_stage: STAGE_NEW_APPLICANT.to_owned(),
            willo_interviews: 2,
        }
    }
}

impl Seed {
    /// The defaults: 2 jobs of 5 candidates per ATS, 2 Willo interviews.
    pub fn new() -> Self {
        Self::default()
    }

    /// Nothing to start with: no jobs, postings or candidates, and the one Willo
    /// interview every account has. The cheapest account
    /// ([`crate::SandboxAccount::data`]).
    pub fn empty() -> Self {
        Self {
            jobs: 0,
            candidates_per_job: 0,
            willo_interviews: 1,
            ..Self::default()
        }
    }

    /// Jobs (and postings) per ATS.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// Candidates per job.
    pub fn candidates_per_job(mut self, candidates: usize) -> Self {
        self.candidates_per_job = candidates;
        self
    }

    /// Where seeded SmartRecruiters applications start (a benchmark puts them all at
    /// the trigger stage).
    pub fn smartrecruiters_stage(
        mut self,
        status: ApplicationStatus,
        sub_status: Option<&str>,
    ) -> Self {
        self.smartrecruiters_status = status;
        self.smartrecruiters_sub_status = sub_status.map(str::to_owned);
        self
    }

    /// Where seeded Lever opportunities start.
    pub fn lever_stage(mut self, stage: impl Into<String>) -> Self {
        self.lever_stage = stage.into();
        self
    }

    /// Willo interviews to create (at least one is always created).
    pub fn willo_interviews(mut self, interviews: usize) -> Self {
        self.willo_interviews = interviews;
        self
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Edsger",
    "Frances",
    "Ken",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Annie",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Backus",
    "Easley",
];

/// A person the simulators put on a candidate record.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub first: String,
    pub last: String,
    pub email: String,
    /// E.164, as Willo requires for SMS invites.
    pub phone: String,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// The public view, under the record's `id`.
    pub fn view(&self, id: &str) -> SandboxPerson {
        SandboxPerson {
            id: id.to_owned(),
            name: self.full_name(),
            email: self.email.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// A job as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxJob {
    /// Job (or Lever posting) id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// A candidate (SmartRecruiters) or opportunity (Lever) as the sandbox holds it, for
/// tests that need the person's details. `Debug` shows the id only.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxPerson {
    /// Candidate or opportunity id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// E.164 phone.
    pub phone: String,
}

impl std::fmt::Debug for SandboxPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxPerson")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The seeded generator: one per simulator, so a vendor's data does not depend on how
/// much another vendor drew.
pub(crate) struct Generator {
    rng: fastrand::Rng,
}

impl Generator {
    pub fn new(seed: u64, salt: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed ^ salt),
        }
    }

    /// A UUID-shaped id (SmartRecruiters and Lever ids look like this).
    pub fn uuid(&mut self) -> String {
        let h = self.hex_key();
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..]
        )
    }

    /// 32 lowercase hex digits (a Willo key).
    pub fn hex_key(&mut self) -> String {
        hex(&self.rng.u128(..).to_be_bytes())
    }

    /// `bytes` random bytes as hex (signature tokens, secret keys).
    pub fn secret(&mut self, bytes: usize) -> String {
        let raw: Vec<u8> = (0..bytes).map(|_| self.rng.u8(..)).collect();
        hex(&raw)
    }

    /// A number below `bound` (at least 1).
    pub fn below(&mut self, bound: u32) -> u32 {
        self.rng.u32(..bound.max(1))
    }

    /// The `n`th person: names cycle through short lists, the email is unique by `n`.
    pub fn person(&mut self, n: usize) -> Person {
        let first = FIRST_NAMES[self.rng.usize(..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.usize(..LAST_NAMES.len())];
        let local: String = format!("{first}.{last}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Person {
            first: first.to_owned(),
            last: last.to_owned(),
            email: format!("{local}.{n}@example.com"),
            // +44 7700 900xxx is Ofcom's range reserved for drama: never a real phone.
            phone: format!("+447700{:06}", 900_000 + (n % 100_000)),
        }
    }
}

/// Milliseconds since the Unix epoch (Lever's timestamps).
pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    now_millis() / 1000
}

/// `2026-11-23T10:58:53.123Z` for a time since the epoch (SmartRecruiters and Willo
/// timestamps). Civil-from-days after Howard Hinnant's algorithm.
pub(crate) fn iso8601(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
}

/// Now as [`iso8601`].
pub(crate) fn now_iso() -> String {
    iso8601(Duration::from_millis(now_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(iso8601(Duration::ZERO), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601(Duration::from_millis(1_574_080_897_250)),
            "2019-11-18T12:41:37.250Z"
        );
        assert_eq!(
            iso8601(Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn generation_is_reproducible_and_well_formed() {
        let mut a = Generator::new(7, 1);
        let mut b = Generator::new(7, 1);
        assert_eq!(a.uuid(), b.uuid());
        let key = a.hex_key();
        assert!(willo_client::looks_like_key(&key), "{key}");
        let person = a.person(12);
        assert!(willo_client::is_e164(&person.phone), "{}", person.phone);
        assert!(person.email.ends_with(".12@example.com"));
        assert_eq!(a.uuid().len(), 36);
    }
}
