-- Connections: one bridge serving many customers (issue 16). A table per concern:
-- the connections' settings and state, and their sealed secrets.

CREATE TABLE connections (
    id            TEXT    PRIMARY KEY,
    -- `ats_bridge::connection::ConnectionConfig` as JSON: no secret in it.
    config        TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    state_reason  TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

-- Every secret sealed on its own (`ats_bridge::connection::SecretSealer`): the key
-- that sealed it, the ciphertext, and for an OAuth grant its access token's expiry.
CREATE TABLE connection_secrets (
    connection    TEXT    NOT NULL REFERENCES connections (id),
    name          TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    sealed        BLOB    NOT NULL,
    expires_at_ms INTEGER,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (connection, name)
);
