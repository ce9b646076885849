-- The ledger: one row per (ATS, application, interview). Ids only, no personal data.
-- Keys sort bytewise (COLLATE "C"), as in the other backends.
CREATE TABLE ledger (
    ats                TEXT COLLATE "C" NOT NULL,
    application        TEXT COLLATE "C" NOT NULL,
    interview          TEXT COLLATE "C" NOT NULL,
    candidate          TEXT   NOT NULL,
    job                TEXT   NOT NULL,
    state              TEXT   NOT NULL,
    failed_from        TEXT,
    participant        TEXT,
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT,
    last_error         TEXT,
    lease_owner        TEXT,
    lease_until_ms     BIGINT,
    synced_outcome     TEXT,
    created_at_ms      BIGINT NOT NULL,
    updated_at_ms      BIGINT NOT NULL,
    PRIMARY KEY (ats, application, interview)
);
CREATE INDEX ledger_participant ON ledger (participant);
CREATE INDEX ledger_candidate ON ledger (ats, candidate);
CREATE INDEX ledger_state_due ON ledger (state, next_attempt_at_ms);

-- Received webhook events, deduplicated on the sender's event id.
CREATE TABLE inbox (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source             TEXT   NOT NULL,
    dedupe_key         TEXT   NOT NULL,
    payload            BYTEA  NOT NULL,
    received_at_ms     BIGINT NOT NULL,
    processed_at_ms    BIGINT,
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT,
    lease_owner        TEXT,
    lease_until_ms     BIGINT,
    last_error         TEXT,
    UNIQUE (source, dedupe_key)
);
CREATE INDEX inbox_unprocessed ON inbox (id) WHERE processed_at_ms IS NULL;

-- Where each reconciler pass stopped.
CREATE TABLE cursors (
    name          TEXT   PRIMARY KEY,
    value         TEXT   NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
