-- Fencing tokens, and screenings keyed by their participant.

-- A per-row counter, one higher with every lease granted; every result recorded
-- under a lease must name the latest one (see `ats_bridge::store::Fence`).
ALTER TABLE ledger ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;

-- A screening's intent, claimed like a ledger row, until its candidate exists.
-- Screening rows used to live in the ledger under the made-up application id
-- `willo-participant:<participant key>`.
ALTER TABLE screenings RENAME TO screenings_002;
ALTER TABLE screenings_002 RENAME CONSTRAINT screenings_pkey TO screenings_002_pkey;
CREATE TABLE screenings (
    ats                 TEXT COLLATE "C" NOT NULL,
    interview           TEXT COLLATE "C" NOT NULL,
    participant         TEXT COLLATE "C" NOT NULL,
    job                 TEXT   NOT NULL,
    created_application TEXT,
    created_candidate   TEXT,
    created_job         TEXT,
    attempts            BIGINT NOT NULL DEFAULT 0,
    last_error          TEXT,
    lease_owner         TEXT,
    lease_until_ms      BIGINT,
    fence               BIGINT NOT NULL DEFAULT 0,
    created_at_ms       BIGINT NOT NULL,
    updated_at_ms       BIGINT NOT NULL,
    PRIMARY KEY (ats, interview, participant)
);
INSERT INTO screenings (ats, interview, participant, job, created_application,
                        created_candidate, created_job, attempts, last_error,
                        created_at_ms, updated_at_ms)
SELECT l.ats, l.interview, substring(l.application FROM 19), l.job, s.created_application,
       s.created_candidate, s.created_job, l.attempts, l.last_error,
       l.created_at_ms, l.updated_at_ms
FROM ledger l
LEFT JOIN screenings_002 s
  ON s.ats = l.ats AND s.application = l.application AND s.interview = l.interview
WHERE left(l.application, 18) = 'willo-participant:';
-- A screening whose candidate exists becomes the row of the real application
-- (invited: the participant took the interview before it existed).
UPDATE ledger l
SET participant = COALESCE(l.participant, substring(l.application FROM 19)),
    state = CASE WHEN l.state = 'pending' THEN 'invited' ELSE l.state END,
    candidate = s.created_candidate,
    job = s.created_job,
    application = s.created_application
FROM screenings_002 s
WHERE s.ats = l.ats AND s.application = l.application AND s.interview = l.interview
  AND left(l.application, 18) = 'willo-participant:';
-- The rest had no candidate yet: their intent is in `screenings` now.
DELETE FROM ledger WHERE left(application, 18) = 'willo-participant:';
DROP TABLE screenings_002;

-- What the ledger knows about itself: when its history starts. Before that time it
-- cannot vouch that nothing was sent (it was lost, or is new to an account the bridge
-- served already), so first invites look the candidate up in Willo. An existing
-- ledger's history starts with its oldest row; a new one's at its first use.
CREATE TABLE ledger_meta (
    name  TEXT    PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO ledger_meta (name, value)
SELECT 'history_starts_at_ms', MIN(created_at_ms) FROM ledger HAVING COUNT(*) > 0;
