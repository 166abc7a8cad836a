-- API keys read model: lists and the id → prefix lookup. Written by the key grain after its state write.
CREATE TABLE api_keys (
    key_id               text             NOT NULL PRIMARY KEY,
    prefix               text             NOT NULL UNIQUE,
    tenant_id            text             NOT NULL,
    name                 text             NOT NULL,
    scopes               text             NOT NULL,
    dataset_access_mode  text             NOT NULL,
    dataset_ids          text             NOT NULL,
    spend_limit_micros   bigint,
    spend_limit_period   text,
    rate_limit_per_second double precision,
    expires_at           timestamptz,
    revoked_at           timestamptz,
    last_used_at         timestamptz,
    created_by           text             NOT NULL,
    created_at           timestamptz      NOT NULL,
    version              bigint           NOT NULL
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, key_id DESC);
