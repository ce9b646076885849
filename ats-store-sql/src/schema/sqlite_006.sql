-- Connections' scoped queries (issue 16): a bridge serving many connections claims
-- and counts each one's deliveries by the prefix of their source (`{id}/`). The
-- ledger needs nothing new: its primary key starts with `ats`.
CREATE INDEX inbox_unprocessed_by_source ON inbox (source, id) WHERE processed_at_ms IS NULL;
