-- Credential outages of connections (issue 16): a credential a vendor refuses (an API
-- key answered 401/403), recorded by the engine that saw it, so that every replica and
-- a process started later show it in the connection's status. Written when the outage
-- starts and refreshed at most once per probe; deleted when the credential works
-- again, when the connection's secrets are replaced, and when it is removed.
CREATE TABLE connection_outages (
    connection      TEXT COLLATE "C" NOT NULL REFERENCES connections (id),
    -- `willo`, or the ATS account's name within the connection.
    credential      TEXT COLLATE "C" NOT NULL,
    since_ms        BIGINT NOT NULL,
    last_refusal_ms BIGINT NOT NULL,
    refusals        BIGINT NOT NULL,
    -- What the vendor said, as the engine logs it: never a secret.
    reason          TEXT   NOT NULL,
    PRIMARY KEY (connection, credential)
);
