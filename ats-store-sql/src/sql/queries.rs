//! Every statement of the SQL store, rendered once per dialect.

use super::Dialect;
use super::scope::{Scoped, key_of};

/// The ledger's key columns, bound first by inserts and last by updates.
const KEY_COLUMNS: [&str; 3] = ["ats", "application", "interview"];

/// The other ledger columns, in the order the store binds them.
const DATA_COLUMNS: [&str; 19] = [
    "candidate",
    "job",
    "state",
    "failed_from",
    "participant",
    "attempts",
    "next_attempt_at_ms",
    "last_error",
    "lease_owner",
    "lease_until_ms",
    "fence",
    "synced_outcome",
    "results_fingerprint",
    "results_note_id",
    "recheck_at_ms",
    "rechecks",
    "warning",
    "created_at_ms",
    "updated_at_ms",
];

const INBOX_COLUMNS: &str = "id, source, dedupe_key, event, payload, attempts, fence";

/// The `ledger_meta` entry of the ledger's history start.
const HISTORY_START: &str = "history_starts_at_ms";

/// The screenings' key columns, bound first by inserts and last by updates.
const SCREENING_KEY_COLUMNS: [&str; 3] = ["ats", "interview", "participant"];

/// The other screening columns, in the order the store binds them.
const SCREENING_DATA_COLUMNS: [&str; 11] = [
    "job",
    "created_application",
    "created_candidate",
    "created_job",
    "attempts",
    "last_error",
    "lease_owner",
    "lease_until_ms",
    "fence",
    "created_at_ms",
    "updated_at_ms",
];

/// The SQL store's statements in one dialect.
#[derive(Debug)]
pub(crate) struct Queries {
    pub(crate) row: String,
    pub(crate) row_for_update: String,
    pub(crate) insert_if_absent: String,
    pub(crate) update_row: String,
    pub(crate) siblings: String,
    pub(crate) candidate_rows_for_update: String,
    pub(crate) forget_deliveries: String,
    pub(crate) lock_person: Option<String>,
    pub(crate) rows_by_participant: String,
    pub(crate) find_by_participant: String,
    pub(crate) rows_of_candidate: String,
    pub(crate) rows_of_application: String,
    pub(crate) rows_due: Scoped,
    /// How many rows `rows_due` would return, per connection.
    pub(crate) rows_due_by_scope: String,
    pub(crate) stale_invites: Scoped,
    pub(crate) failed_rows: Scoped,
    pub(crate) warned_rows: Scoped,
    pub(crate) waiting_rows: Scoped,
    pub(crate) status_counts: Scoped,
    pub(crate) inbox_insert: String,
    pub(crate) inbox_claim: Scoped,
    /// The inbox claim granting and comparing leases at the database's clock.
    pub(crate) inbox_claim_at_database_clock: Option<Scoped>,
    /// How many deliveries an inbox claim could take, per connection.
    pub(crate) inbox_ready_by_scope: String,
    pub(crate) inbox_done: String,
    pub(crate) inbox_retry: String,
    pub(crate) inbox_park: String,
    pub(crate) inbox_fence: String,
    pub(crate) inbox_prune: String,
    pub(crate) inbox_backlog: Scoped,
    pub(crate) cursor_get: String,
    pub(crate) cursor_set: String,
    pub(crate) job_state_get: String,
    pub(crate) job_state_set: String,
    pub(crate) screening: String,
    pub(crate) screening_for_update: String,
    pub(crate) screening_insert: String,
    pub(crate) screening_update: String,
    pub(crate) clock_ms: Option<String>,
    pub(crate) history_start_insert: String,
    pub(crate) history_start_get: String,
    pub(crate) history_start_set: String,
    pub(crate) schema_version: String,
    pub(crate) record_version: String,
}

impl Queries {
    /// Every statement for dialect `D`.
    pub(crate) fn new<D: Dialect>() -> Self {
        let sql = |text: String| placeholders::<D>(&text);
        let columns = [KEY_COLUMNS.as_slice(), DATA_COLUMNS.as_slice()]
            .concat()
            .join(", ");
        let select = format!("SELECT {columns} FROM ledger");
        let by_key = "ats = ? AND application = ? AND interview = ?";
        let key_order = KEY_COLUMNS.join(", ");
        let marks = vec!["?"; KEY_COLUMNS.len() + DATA_COLUMNS.len()].join(", ");
        let assignments = DATA_COLUMNS.map(|c| format!("{c} = ?")).join(", ");
        let for_update = D::FOR_UPDATE;
        let screening_columns = [
            SCREENING_KEY_COLUMNS.as_slice(),
            SCREENING_DATA_COLUMNS.as_slice(),
        ]
        .concat()
        .join(", ");
        let screening_select = format!("SELECT {screening_columns} FROM screenings");
        let screening_by_key = "ats = ? AND interview = ? AND participant = ?";
        let screening_key_order = SCREENING_KEY_COLUMNS.join(", ");
        let screening_marks =
            vec!["?"; SCREENING_KEY_COLUMNS.len() + SCREENING_DATA_COLUMNS.len()].join(", ");
        let screening_assignments = SCREENING_DATA_COLUMNS
            .map(|c| format!("{c} = ?"))
            .join(", ");
        // A statement over every row and over one connection's (see `Scoped`).
        let ledger = |render: &dyn Fn(&str) -> String| Scoped::new::<D>("ats", |s| sql(render(s)));
        let inbox =
            |render: &dyn Fn(&str) -> String| Scoped::new::<D>("source", |s| sql(render(s)));
        let (ats_scope, ats_has_scope) = key_of::<D>("ats");
        let (source_scope, source_has_scope) = key_of::<D>("source");
        Self {
            row: sql(format!("{select} WHERE {by_key}")),
            row_for_update: sql(format!("{select} WHERE {by_key}{for_update}")),
            insert_if_absent: sql(format!(
                "INSERT INTO ledger ({columns}) VALUES ({marks}) \
                 ON CONFLICT ({key_order}) DO NOTHING"
            )),
            update_row: sql(format!("UPDATE ledger SET {assignments} WHERE {by_key}")),
            siblings: sql(format!(
                "{select} WHERE ats = ? AND candidate = ? AND interview = ? AND application <> ?"
            )),
            candidate_rows_for_update: sql(format!(
                "{select} WHERE ats = ? AND candidate = ? ORDER BY {key_order}{for_update}"
            )),
            // A scan of the inbox, which the retention keeps short; deletions are rare.
            forget_deliveries: sql(format!(
                "DELETE FROM inbox WHERE {} \
                   AND (lease_until_ms IS NULL OR lease_until_ms <= ?) \
                   AND NOT EXISTS (SELECT 1 FROM ledger WHERE participant = ? \
                     AND NOT (ats = ? AND candidate = ?))",
                D::PAYLOAD_CONTAINS
            )),
            lock_person: D::LOCK_PERSON.map(|text| sql(text.to_owned())),
            rows_by_participant: sql(format!(
                "{select} WHERE participant = ? ORDER BY created_at_ms, {key_order}"
            )),
            find_by_participant: sql(format!("{select} WHERE participant = ? LIMIT 1")),
            rows_of_candidate: sql(format!(
                "{select} WHERE ats = ? AND candidate = ? ORDER BY {key_order}"
            )),
            rows_of_application: sql(format!(
                "{select} WHERE ats = ? AND application = ? ORDER BY {key_order}"
            )),
            // A plain read: the claim that follows is what is atomic.
            rows_due: ledger(&|scope| {
                format!(
                    "{select} WHERE {scope}{DUE} \
                     ORDER BY next_attempt_at_ms NULLS FIRST, updated_at_ms, {key_order} LIMIT ?"
                )
            }),
            rows_due_by_scope: sql(format!(
                "SELECT {ats_scope} AS scope, COUNT(*) AS n FROM ledger \
                 WHERE {ats_has_scope} AND {DUE} GROUP BY {ats_scope}"
            )),
            stale_invites: ledger(&|scope| {
                format!(
                    "{select} WHERE {scope}state = 'invited' AND next_attempt_at_ms IS NULL \
                       AND updated_at_ms < ? ORDER BY updated_at_ms, {key_order} LIMIT ?"
                )
            }),
            failed_rows: ledger(&|scope| {
                format!(
                    "{select} WHERE {scope}state = 'failed' \
                     ORDER BY updated_at_ms DESC, {key_order} LIMIT ?"
                )
            }),
            warned_rows: ledger(&|scope| {
                format!(
                    "{select} WHERE {scope}warning IS NOT NULL \
                     ORDER BY updated_at_ms DESC, {key_order} LIMIT ?"
                )
            }),
            // `LedgerRow::is_waiting`.
            waiting_rows: ledger(&|scope| {
                format!(
                    "{select} WHERE {scope}state NOT IN ('failed', 'cancelled') \
                       AND next_attempt_at_ms IS NOT NULL AND last_error IS NOT NULL \
                     ORDER BY updated_at_ms DESC, {key_order} LIMIT ?"
                )
            }),
            status_counts: ledger(&|scope| {
                format!(
                    "SELECT ats, job, state, COUNT(*) AS n FROM ledger \
                     WHERE {scope}TRUE GROUP BY ats, job, state"
                )
            }),
            inbox_insert: sql(
                "INSERT INTO inbox (source, dedupe_key, event, payload, received_at_ms) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, dedupe_key) DO NOTHING"
                    .to_owned(),
            ),
            inbox_claim: inbox(&|scope| inbox_claim::<D>(scope, "?")),
            inbox_claim_at_database_clock: D::CLOCK_MS
                .map(|now| inbox(&|scope| inbox_claim::<D>(scope, now))),
            // At the caller's time on every database: a count for scheduling, not a
            // claim.
            inbox_ready_by_scope: sql(format!(
                "SELECT {source_scope} AS scope, COUNT(*) AS n FROM inbox \
                 WHERE {source_has_scope} AND {} GROUP BY {source_scope}",
                claimable("?")
            )),
            inbox_done: sql("UPDATE inbox SET processed_at_ms = ?, lease_owner = NULL, \
                 lease_until_ms = NULL WHERE id = ? AND fence = ?"
                .to_owned()),
            inbox_retry: sql("UPDATE inbox SET attempts = attempts + 1, last_error = ?, \
                 next_attempt_at_ms = ?, lease_owner = NULL, lease_until_ms = NULL \
                 WHERE id = ? AND fence = ?"
                .to_owned()),
            inbox_park: sql("UPDATE inbox SET last_error = ?, next_attempt_at_ms = ?, \
                 lease_owner = NULL, lease_until_ms = NULL WHERE id = ? AND fence = ?"
                .to_owned()),
            inbox_fence: sql("SELECT fence FROM inbox WHERE id = ?".to_owned()),
            inbox_prune: sql(
                "DELETE FROM inbox WHERE processed_at_ms IS NOT NULL AND processed_at_ms < ?"
                    .to_owned(),
            ),
            // The unprocessed rows through the `inbox_unprocessed` index (a
            // connection's through `inbox_unprocessed_by_source`); the retention keeps
            // the rest of the table from mattering.
            inbox_backlog: inbox(&|scope| {
                format!(
                    "SELECT COUNT(*) AS n, MIN(received_at_ms) AS oldest FROM inbox \
                     WHERE {scope}processed_at_ms IS NULL"
                )
            }),
            cursor_get: sql("SELECT value FROM cursors WHERE name = ?".to_owned()),
            cursor_set: sql(
                "INSERT INTO cursors (name, value, updated_at_ms) VALUES (?, ?, ?) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                 updated_at_ms = excluded.updated_at_ms"
                    .to_owned(),
            ),
            job_state_get: sql("SELECT state FROM job_states WHERE ats = ? AND job = ?".to_owned()),
            job_state_set: sql(
                "INSERT INTO job_states (ats, job, state, updated_at_ms) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (ats, job) DO UPDATE SET state = excluded.state, \
                 updated_at_ms = excluded.updated_at_ms"
                    .to_owned(),
            ),
            screening: sql(format!("{screening_select} WHERE {screening_by_key}")),
            screening_for_update: sql(format!(
                "{screening_select} WHERE {screening_by_key}{for_update}"
            )),
            screening_insert: sql(format!(
                "INSERT INTO screenings ({screening_columns}) VALUES ({screening_marks}) \
                 ON CONFLICT ({screening_key_order}) DO NOTHING"
            )),
            screening_update: sql(format!(
                "UPDATE screenings SET {screening_assignments} WHERE {screening_by_key}"
            )),
            clock_ms: D::CLOCK_MS.map(|now| format!("SELECT {now}")),
            history_start_insert: sql(format!(
                "INSERT INTO ledger_meta (name, value) VALUES ('{HISTORY_START}', ?) \
                 ON CONFLICT (name) DO NOTHING"
            )),
            history_start_get: format!(
                "SELECT value FROM ledger_meta WHERE name = '{HISTORY_START}'"
            ),
            history_start_set: sql(format!(
                "INSERT INTO ledger_meta (name, value) VALUES ('{HISTORY_START}', ?) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value"
            )),
            schema_version: "SELECT MAX(version) FROM schema_version".to_owned(),
            record_version: sql("INSERT INTO schema_version (version) VALUES (?)".to_owned()),
        }
    }
}

/// `text` with its `?` placeholders numbered if the dialect wants `$1`, `$2`, …
/// (no statement here has a `?` inside a string literal).
pub(crate) fn placeholders<D: Dialect>(text: &str) -> String {
    if !D::NUMBERED_PLACEHOLDERS {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The same rule as `ledger::is_due`, as SQL so the database does the filtering:
/// four parameters, each the caller's time.
const DUE: &str = "(lease_until_ms IS NULL OR lease_until_ms <= ?) AND ( \
       (state IN ('pending', 'responded') \
         AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= ?)) \
       OR (state IN ('invited', 'synced') AND next_attempt_at_ms <= ?) \
       OR (state = 'synced' AND recheck_at_ms <= ?))";

/// An inbox item a claim may take at `now` (for leases) and the caller's time (the
/// one parameter, for retry times, which callers write): unprocessed, due, not
/// leased.
fn claimable(now: &str) -> String {
    format!(
        "processed_at_ms IS NULL \
         AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= ?) \
         AND (lease_until_ms IS NULL OR lease_until_ms <= {now})"
    )
}

/// The inbox claim of the items in `scope` (a condition on `source`, or nothing)
/// with leases granted and compared at `now` (a placeholder bound to the caller's
/// time, or the database's clock): parameters worker, [now,] lease length, [the
/// scope's two bounds,] the caller's time, [now,] limit.
///
/// One statement: select and lease atomically. Rows another worker is leasing right
/// now are skipped where the dialect can (not waited for); rows it has just leased
/// fail the re-check of the lease condition.
fn inbox_claim<D: Dialect>(scope: &str, now: &str) -> String {
    format!(
        "UPDATE inbox SET lease_owner = ?, lease_until_ms = {now} + ?, fence = fence + 1 \
         WHERE id IN ( \
           SELECT id FROM inbox WHERE {scope}{} \
           ORDER BY id LIMIT ?{}) \
         RETURNING {INBOX_COLUMNS}",
        claimable(now),
        D::SKIP_LOCKED
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Numbered;
    impl Dialect for Numbered {
        const NUMBERED_PLACEHOLDERS: bool = true;
        const BEGIN_WRITE: &'static str = "BEGIN";
        const FOR_UPDATE: &'static str = " FOR UPDATE";
        const SKIP_LOCKED: &'static str = "";
        const LOCK_PERSON: Option<&'static str> = None;
        const CLOCK_MS: Option<&'static str> = None;
        const BYTE_ORDER: &'static str = " COLLATE \"C\"";
        const POSITION: &'static str = "strpos";
        const PAYLOAD_CONTAINS: &'static str = "position(? IN payload) > 0";
        const MIGRATIONS: &'static [(i64, &'static str)] = &[];
    }

    /// A connection's statements put its range first among the parameters of the
    /// condition it narrows, and compare bytes.
    #[test]
    fn scoped_statements_add_the_range_before_their_own_parameters() {
        use crate::sql::Scope;
        let queries = Queries::new::<Numbered>();
        let acme = Scope::starting_with("acme/").unwrap();
        let due = queries.rows_due.sql(&acme);
        assert!(
            due.contains(
                "WHERE ats COLLATE \"C\" >= $1 AND ats COLLATE \"C\" < $2 \
                 AND (lease_until_ms IS NULL OR lease_until_ms <= $3)"
            ),
            "{due}"
        );
        assert!(due.ends_with("LIMIT $7"), "{due}");
        let all = queries.rows_due.sql(&Scope::All);
        assert!(
            all.contains("WHERE (lease_until_ms IS NULL OR lease_until_ms <= $1)"),
            "{all}"
        );
        let claim = queries.inbox_claim.sql(&acme);
        assert!(
            claim.starts_with(
                "UPDATE inbox SET lease_owner = $1, lease_until_ms = $2 + $3, fence = fence + 1 \
                 WHERE id IN ( SELECT id FROM inbox \
                 WHERE source COLLATE \"C\" >= $4 AND source COLLATE \"C\" < $5 AND"
            ),
            "{claim}"
        );
        assert!(claim.contains("LIMIT $8"), "{claim}");
        assert!(
            queries
                .rows_due_by_scope
                .starts_with("SELECT substr(ats, 1, strpos(ats, '/') - 1) AS scope"),
            "{}",
            queries.rows_due_by_scope
        );
        assert!(!queries.inbox_ready_by_scope.contains("LIKE"));
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            placeholders::<Numbered>("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        let queries = Queries::new::<Numbered>();
        assert!(
            queries
                .forget_deliveries
                .starts_with("DELETE FROM inbox WHERE position($1 IN payload) > 0")
        );
        assert!(
            queries
                .update_row
                .ends_with("WHERE ats = $20 AND application = $21 AND interview = $22"),
            "{}",
            queries.update_row
        );
    }
}
