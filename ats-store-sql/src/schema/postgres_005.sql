-- Connections: one bridge serving many customers (issue 16). A table per concern:
-- the connections' settings and state, and their sealed secrets.

CREATE TABLE connections (
    id            TEXT COLLATE "C" PRIMARY KEY,
    -- `ats_bridge::connection::ConnectionConfig` as JSON: no secret in it.
    config        TEXT   NOT NULL,
    state         TEXT   NOT NULL,
    state_reason  TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

-- Every secret sealed on its own (`ats_bridge::connection::SecretSealer`): the key
-- that sealed it, the ciphertext, and for an OAuth grant its access token's expiry.
-- A refresh locks its grant's row (`SELECT … FOR UPDATE`) across replicas.
CREATE TABLE connection_secrets (
    connection    TEXT COLLATE "C" NOT NULL REFERENCES connections (id),
    name          TEXT COLLATE "C" NOT NULL,
    key_id        TEXT   NOT NULL,
    sealed        BYTEA  NOT NULL,
    expires_at_ms BIGINT,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (connection, name)
);
