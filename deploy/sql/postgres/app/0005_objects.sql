-- Objects read model: a dataset's object list and the review queue. Written by the object grain, version-guarded.
CREATE TABLE objects (
    object_id     text        NOT NULL PRIMARY KEY,
    dataset_id    text        NOT NULL,
    tenant_id     text        NOT NULL,
    status        text        NOT NULL,
    review_state  text,
    document      text        NOT NULL,
    version       bigint      NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX objects_by_dataset ON objects (dataset_id, object_id DESC);
CREATE INDEX objects_by_review ON objects (review_state, object_id);
