-- What search filters on, per dataset, in the datasets read model: every silo caches these columns (the
-- searchable-dataset view) and polls search_seq for changes. search_seq comes from search_view_version, whose row
-- lock makes the sequence follow commit order, so "search_seq > last seen" never skips a change.
ALTER TABLE datasets ADD COLUMN source_modality text   NOT NULL DEFAULT 'document';
ALTER TABLE datasets ADD COLUMN grantees        text   NOT NULL DEFAULT '';
ALTER TABLE datasets ADD COLUMN search_seq      bigint NOT NULL DEFAULT 0;

UPDATE datasets SET
    source_modality = COALESCE((document::jsonb) ->> 'SourceModality', 'document'),
    grantees = COALESCE((SELECT string_agg(g.tenant_id, ',' ORDER BY g.tenant_id) FROM dataset_grants g
                         WHERE g.dataset_id = datasets.dataset_id), ''),
    search_seq = 1;

CREATE INDEX datasets_by_search_seq ON datasets (search_seq);

CREATE TABLE search_view_version (
    id       integer NOT NULL PRIMARY KEY,
    version  bigint  NOT NULL
);

INSERT INTO search_view_version (id, version) VALUES (1, 1);

-- The objects each search shard holds (what a rebuild re-reads from the object store) and the generation stamped
-- into the shard's Lucene commits (a local index whose commit carries another generation is not trusted), and the
-- shard count the placement was computed with.
CREATE TABLE index_shards (
    shard       integer NOT NULL PRIMARY KEY,
    generation  bigint  NOT NULL,
    shard_count integer NOT NULL
);

CREATE TABLE index_shard_objects (
    shard         integer     NOT NULL,
    object_id     text        NOT NULL,
    dataset_id    text        NOT NULL,
    tenant_id     text        NOT NULL,
    filename      text        NOT NULL,
    content_type  text        NOT NULL,
    uploaded_at   timestamptz NOT NULL,
    approved_at   timestamptz,
    PRIMARY KEY (shard, object_id)
);

CREATE INDEX index_shard_objects_by_dataset ON index_shard_objects (shard, dataset_id);
