-- Idempotency records, one per hash of (tenant, principal, Idempotency-Key), written by the idempotency grain. A record
-- is dead once expires_at passes; the sweeper deletes such rows in batches along the expires_at index.
-- response_body is the Api's sealed (AES-GCM) body, stored as it came.
CREATE TABLE idempotency_records (
    grain_key              text        NOT NULL PRIMARY KEY,
    fingerprint            text        NOT NULL,
    first_started_at       timestamptz NOT NULL,
    id_seed                bytea       NOT NULL,
    expires_at             timestamptz NOT NULL,
    response_status        integer,
    response_content_type  text,
    response_location      text,
    response_body          bytea
);

CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);

-- The records' former home (grain state 'idempotency' in the ADO.NET provider's table), which nothing reads any more
-- and nothing ever deleted.
DELETE FROM OrleansStorage WHERE GrainTypeString = 'idempotency';
