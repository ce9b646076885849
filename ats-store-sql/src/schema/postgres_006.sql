-- Connections' scoped queries (issue 16): a bridge serving many connections claims
-- and counts each one's deliveries by the prefix of their source (`{id}/`), a range
-- compared byte by byte, hence the collation. The ledger needs nothing new: its
-- primary key starts with `ats`, already in the "C" collation.
CREATE INDEX inbox_unprocessed_by_source ON inbox (source COLLATE "C", id)
    WHERE processed_at_ms IS NULL;
