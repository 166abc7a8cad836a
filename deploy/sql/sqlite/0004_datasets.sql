-- Datasets read model: one row per dataset (the grain's snapshot as JSON plus the columns lists filter on).
CREATE TABLE datasets (
    dataset_id  TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    visibility  TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE INDEX datasets_by_tenant ON datasets (tenant_id, dataset_id DESC);
