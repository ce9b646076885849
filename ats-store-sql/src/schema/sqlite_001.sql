-- The ledger: one row per (ATS, application, interview). Ids only, no personal data.
CREATE TABLE ledger (
    ats                TEXT    NOT NULL,
    application        TEXT    NOT NULL,
    interview          TEXT    NOT NULL,
    candidate          TEXT    NOT NULL,
    job                TEXT    NOT NULL,
    state              TEXT    NOT NULL,
    failed_from        TEXT,
    participant        TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    last_error         TEXT,
    lease_owner        TEXT,
    lease_until_ms     INTEGER,
    synced_outcome     TEXT,
    created_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL,
    PRIMARY KEY (ats, application, interview)
);
CREATE INDEX ledger_participant ON ledger (participant);
CREATE INDEX ledger_candidate ON ledger (ats, candidate);
CREATE INDEX ledger_state_due ON ledger (state, next_attempt_at_ms);

-- Received webhook events, deduplicated on the sender's event id.
CREATE TABLE inbox (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    source             TEXT    NOT NULL,
    dedupe_key         TEXT    NOT NULL,
    payload            BLOB    NOT NULL,
    received_at_ms     INTEGER NOT NULL,
    processed_at_ms    INTEGER,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    lease_owner        TEXT,
    lease_until_ms     INTEGER,
    last_error         TEXT,
    UNIQUE (source, dedupe_key)
);
CREATE INDEX inbox_unprocessed ON inbox (processed_at_ms, id);

-- Where each reconciler pass stopped.
CREATE TABLE cursors (
    name          TEXT    PRIMARY KEY,
    value         TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
