-- What search filters on, per dataset, in the datasets read model: every silo caches these columns (the
-- searchable-dataset view) and polls search_seq for changes (see the PostgreSQL migration for the ordering rule).
ALTER TABLE datasets ADD COLUMN source_modality TEXT    NOT NULL DEFAULT 'document';
ALTER TABLE datasets ADD COLUMN grantees        TEXT    NOT NULL DEFAULT '';
ALTER TABLE datasets ADD COLUMN search_seq      INTEGER NOT NULL DEFAULT 0;

UPDATE datasets SET
    source_modality = COALESCE(json_extract(document, '$.SourceModality'), 'document'),
    grantees = COALESCE((SELECT group_concat(tenant_id, ',') FROM (SELECT g.tenant_id FROM dataset_grants g
                         WHERE g.dataset_id = datasets.dataset_id ORDER BY g.tenant_id)), ''),
    search_seq = 1;

CREATE INDEX datasets_by_search_seq ON datasets (search_seq);

CREATE TABLE search_view_version (
    id       INTEGER NOT NULL PRIMARY KEY,
    version  INTEGER NOT NULL
);

INSERT INTO search_view_version (id, version) VALUES (1, 1);

CREATE TABLE index_shards (
    shard       INTEGER NOT NULL PRIMARY KEY,
    generation  INTEGER NOT NULL,
    shard_count INTEGER NOT NULL
);

CREATE TABLE index_shard_objects (
    shard         INTEGER NOT NULL,
    object_id     TEXT    NOT NULL,
    dataset_id    TEXT    NOT NULL,
    tenant_id     TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    uploaded_at   TEXT    NOT NULL,
    approved_at   TEXT,
    PRIMARY KEY (shard, object_id)
);

CREATE INDEX index_shard_objects_by_dataset ON index_shard_objects (shard, dataset_id);
