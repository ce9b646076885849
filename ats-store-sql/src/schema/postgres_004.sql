-- Late results and warnings (issue 17).

-- What the results write-back put in the ATS (a fingerprint of each part), so a late
-- transcript, summary, score or comment is written as a difference, once.
ALTER TABLE ledger ADD COLUMN results_fingerprint TEXT;
-- The ATS's id of the results note, for an ATS that can amend it.
ALTER TABLE ledger ADD COLUMN results_note_id TEXT;
-- The next late-results check of a synced row, and the checks made so far: stored,
-- so the schedule survives a restart.
ALTER TABLE ledger ADD COLUMN recheck_at_ms BIGINT;
ALTER TABLE ledger ADD COLUMN rechecks BIGINT NOT NULL DEFAULT 0;
-- Something that went wrong without stopping the workflow (a phone number left out
-- of an invite), for operators. No personal data.
ALTER TABLE ledger ADD COLUMN warning TEXT;
-- The retry loop looks for due checks.
CREATE INDEX ledger_recheck_due ON ledger (state, recheck_at_ms);
