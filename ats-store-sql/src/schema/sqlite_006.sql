-- Connections' scoped queries (issue 16): a bridge serving many connections reads
-- each one's due ledger rows and claims and counts its deliveries by the prefix of
-- `ats` / `source` (`{id}/`), a range. Without these, one connection's backlog would
-- be scanned by every other connection's query.
--
-- Due and stale rows of one connection: a state, then the connection's range (the
-- due rule is an OR over states, each term served by its own search).
CREATE INDEX ledger_scope_due ON ledger (state, ats, next_attempt_at_ms);
-- Unprocessed deliveries of one connection. `processed_at_ms` first, like
-- `inbox_unprocessed`: SQLite (no statistics) then prefers this index for a
-- connection's claim over scanning every unprocessed delivery in id order.
CREATE INDEX inbox_unprocessed_by_source ON inbox (processed_at_ms, source, id);
