-- Idempotency records, one per hash of (tenant, principal, Idempotency-Key), written by the idempotency grain. A record
-- is dead once expires_at passes; the sweeper deletes such rows in batches along the expires_at index.
-- response_body is the Api's sealed (AES-GCM) body, stored as it came.
CREATE TABLE idempotency_records (
    grain_key              TEXT    NOT NULL PRIMARY KEY,
    fingerprint            TEXT    NOT NULL,
    first_started_at       TEXT    NOT NULL,
    id_seed                BLOB    NOT NULL,
    expires_at             TEXT    NOT NULL,
    response_status        INTEGER,
    response_content_type  TEXT,
    response_location      TEXT,
    response_body          BLOB
);

CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);

-- The records' former home (grain state 'idempotency'), which nothing reads any more and nothing ever deleted.
DELETE FROM grain_state WHERE state_name = 'idempotency';
