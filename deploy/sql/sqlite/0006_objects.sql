-- Objects read model: a dataset's object list and the review queue. Written by the object grain, version-guarded.
CREATE TABLE objects (
    object_id     TEXT    NOT NULL PRIMARY KEY,
    dataset_id    TEXT    NOT NULL,
    tenant_id     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    review_state  TEXT,
    document      TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX objects_by_dataset ON objects (dataset_id, object_id DESC);
CREATE INDEX objects_by_review ON objects (review_state, object_id);
