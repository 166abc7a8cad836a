-- API keys read model: lists and the id → prefix lookup. Written by the key grain after its state write.
CREATE TABLE api_keys (
    key_id               TEXT    NOT NULL PRIMARY KEY,
    prefix               TEXT    NOT NULL UNIQUE,
    tenant_id            TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    scopes               TEXT    NOT NULL,
    dataset_access_mode  TEXT    NOT NULL,
    dataset_ids          TEXT    NOT NULL,
    spend_limit_micros   INTEGER,
    spend_limit_period   TEXT,
    rate_limit_per_second REAL,
    expires_at           TEXT,
    revoked_at           TEXT,
    last_used_at         TEXT,
    created_by           TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,
    version              INTEGER NOT NULL
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, key_id DESC);
