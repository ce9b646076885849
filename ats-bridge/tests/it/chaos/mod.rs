//! The chaos suite (issue 13): the real engine against a fake Willo and an in-memory
//! ATS, on SQLite and PostgreSQL, with faults injected — crashes and pauses at every
//! step boundary, skewed replicas, racing Willo news, lost ledgers, credential
//! outages, Lever's retries. Each scenario runs `CHAOS_RUNS` seeded runs (3 by
//! default) per backend, prints one summary line (`chaos: scenario=… duplicates=…
//! losses=… rows_failed=…`, shown with `--nocapture`) and fails on any duplicate,
//! loss or failed row. RELIABILITY.md records the figures.

mod harness;

mod crash_points;
mod credential_outage;
mod lever_retries;
mod lost_ledger;
mod paused_worker;
mod racing_news;
mod skewed_replicas;
