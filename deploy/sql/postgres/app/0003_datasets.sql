-- Datasets read model: one row per dataset (the grain's snapshot as JSON plus the columns lists filter on).
CREATE TABLE datasets (
    dataset_id  text        NOT NULL PRIMARY KEY,
    tenant_id   text        NOT NULL,
    status      text        NOT NULL,
    visibility  text        NOT NULL,
    document    text        NOT NULL,
    version     bigint      NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE INDEX datasets_by_tenant ON datasets (tenant_id, dataset_id DESC);
