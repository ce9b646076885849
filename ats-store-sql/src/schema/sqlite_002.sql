-- Typed homes for what the cursors table used to hold besides cursors, and the
-- inbox's event column.

-- The state each job was last reported in (was the cursor `job-state/{ats}/{job}`).
CREATE TABLE job_states (
    ats           TEXT    NOT NULL,
    job           TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (ats, job)
);
INSERT INTO job_states (ats, job, state, updated_at_ms)
SELECT substr(rest, 1, instr(rest, '/') - 1), substr(rest, instr(rest, '/') + 1),
       value, updated_at_ms
FROM (SELECT substr(name, 11) AS rest, value, updated_at_ms FROM cursors
      WHERE substr(name, 1, 10) = 'job-state/')
WHERE instr(rest, '/') > 1;
DELETE FROM cursors
WHERE substr(name, 1, 10) = 'job-state/' AND instr(substr(name, 11), '/') > 1;

-- The application created in the ATS for a screening row (was the cursor
-- `screening/{ats}/{application}/{interview}` holding it as JSON).
CREATE TABLE screenings (
    ats                 TEXT    NOT NULL,
    application         TEXT    NOT NULL,
    interview           TEXT    NOT NULL,
    created_application TEXT    NOT NULL,
    created_candidate   TEXT    NOT NULL,
    created_job         TEXT    NOT NULL,
    updated_at_ms       INTEGER NOT NULL,
    PRIMARY KEY (ats, application, interview)
);
INSERT INTO screenings
SELECT l.ats, l.application, l.interview, json_extract(c.value, '$.application'),
       json_extract(c.value, '$.candidate'), json_extract(c.value, '$.job'), c.updated_at_ms
FROM cursors c
JOIN ledger l ON c.name = 'screening/' || l.ats || '/' || l.application || '/' || l.interview
WHERE json_valid(c.value)
  AND json_type(c.value, '$.application') = 'text'
  AND json_type(c.value, '$.candidate') = 'text'
  AND json_type(c.value, '$.job') = 'text';
DELETE FROM cursors
WHERE name IN (SELECT 'screening/' || ats || '/' || application || '/' || interview
               FROM screenings);

-- The event a delivery announces when the sender names it outside the body (Willo).
ALTER TABLE inbox ADD COLUMN event TEXT;
-- Willo deliveries were kept as {"event": …, "body": "…"}: the event moves to its
-- column and the body is kept as it came (the dedupe key stays as it was).
UPDATE inbox
SET event = json_extract(CAST(payload AS TEXT), '$.event'),
    payload = CAST(json_extract(CAST(payload AS TEXT), '$.body') AS BLOB)
WHERE source = 'willo'
  AND substr(payload, 1, 9) = X'7b226576656e74223a'
  AND json_valid(CAST(payload AS TEXT))
  AND json_type(CAST(payload AS TEXT), '$.body') = 'text';
