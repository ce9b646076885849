-- Connections' scoped queries (issue 16): a bridge serving many connections reads
-- each one's due ledger rows and claims and counts its deliveries by the prefix of
-- `ats` / `source` (`{id}/`), a range compared byte by byte (the "C" collation).
-- Without these, one connection's backlog (or history) would be scanned by every
-- other connection's query.
--
-- Due and stale rows of one connection: a state, then the connection's range (the
-- due rule is an OR over states, each term served by its own index scan). `ats` is
-- in the "C" collation already.
CREATE INDEX ledger_scope_due ON ledger (state, ats, next_attempt_at_ms);
-- Unprocessed deliveries of one connection.
CREATE INDEX inbox_unprocessed_by_source ON inbox (source COLLATE "C", id)
    WHERE processed_at_ms IS NULL;
