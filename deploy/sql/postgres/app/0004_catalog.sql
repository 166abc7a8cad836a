-- Catalog read model: only active, listed or restricted datasets, only their public fields.
CREATE TABLE catalog_datasets (
    dataset_id         text NOT NULL PRIMARY KEY,
    tenant_id          text NOT NULL,
    visibility         text NOT NULL,
    source_modality    text NOT NULL,
    monetization_mode  text NOT NULL,
    pricing_model      text NOT NULL,
    search_text        text NOT NULL,
    document           text NOT NULL
);

-- Tenants granted access to restricted datasets (also read by search).
CREATE TABLE dataset_grants (
    dataset_id  text        NOT NULL,
    tenant_id   text        NOT NULL,
    granted_at  timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, tenant_id)
);

CREATE INDEX dataset_grants_by_tenant ON dataset_grants (tenant_id);
