-- Typed homes for what the cursors table used to hold besides cursors, and the
-- inbox's event column.

-- The state each job was last reported in (was the cursor `job-state/{ats}/{job}`).
CREATE TABLE job_states (
    ats           TEXT COLLATE "C" NOT NULL,
    job           TEXT COLLATE "C" NOT NULL,
    state         TEXT   NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (ats, job)
);
INSERT INTO job_states (ats, job, state, updated_at_ms)
SELECT left(rest, position('/' IN rest) - 1), substring(rest FROM position('/' IN rest) + 1),
       value, updated_at_ms
FROM (SELECT substring(name FROM 11) AS rest, value, updated_at_ms FROM cursors
      WHERE left(name, 10) = 'job-state/') AS moved
WHERE position('/' IN rest) > 1;
DELETE FROM cursors
WHERE left(name, 10) = 'job-state/' AND position('/' IN substring(name FROM 11)) > 1;

-- The application created in the ATS for a screening row (was the cursor
-- `screening/{ats}/{application}/{interview}` holding it as JSON).
CREATE TABLE screenings (
    ats                 TEXT COLLATE "C" NOT NULL,
    application         TEXT COLLATE "C" NOT NULL,
    interview           TEXT COLLATE "C" NOT NULL,
    created_application TEXT   NOT NULL,
    created_candidate   TEXT   NOT NULL,
    created_job         TEXT   NOT NULL,
    updated_at_ms       BIGINT NOT NULL,
    PRIMARY KEY (ats, application, interview)
);
INSERT INTO screenings
SELECT l.ats, l.application, l.interview, c.value::json ->> 'application',
       c.value::json ->> 'candidate', c.value::json ->> 'job', c.updated_at_ms
FROM cursors c
JOIN ledger l ON c.name = 'screening/' || l.ats || '/' || l.application || '/' || l.interview
WHERE left(c.value, 1) = '{';
DELETE FROM cursors c USING screenings s
WHERE c.name = 'screening/' || s.ats || '/' || s.application || '/' || s.interview;

-- The event a delivery announces when the sender names it outside the body (Willo).
ALTER TABLE inbox ADD COLUMN event TEXT;
-- Willo deliveries were kept as {"event": …, "body": "…"}: the event moves to its
-- column and the body is kept as it came (the dedupe key stays as it was).
UPDATE inbox
SET event = convert_from(payload, 'UTF8')::json ->> 'event',
    payload = convert_to(convert_from(payload, 'UTF8')::json ->> 'body', 'UTF8')
WHERE source = 'willo' AND substring(payload FROM 1 FOR 9) = '\x7b226576656e74223a'::bytea;
