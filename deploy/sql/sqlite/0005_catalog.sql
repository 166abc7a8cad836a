-- Catalog read model: only active, listed or restricted datasets, only their public fields.
CREATE TABLE catalog_datasets (
    dataset_id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id          TEXT    NOT NULL,
    visibility         TEXT    NOT NULL,
    source_modality    TEXT    NOT NULL,
    monetization_mode  TEXT    NOT NULL,
    pricing_model      TEXT    NOT NULL,
    search_text        TEXT    NOT NULL,
    document           TEXT    NOT NULL
);

-- Tenants granted access to restricted datasets (also read by search).
CREATE TABLE dataset_grants (
    dataset_id  TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (dataset_id, tenant_id)
);

CREATE INDEX dataset_grants_by_tenant ON dataset_grants (tenant_id);
