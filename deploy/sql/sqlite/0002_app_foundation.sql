-- Secrets the platform generates once and shares between nodes (HMAC keys for cursors and local presigned URLs).
CREATE TABLE platform_secrets (
    name        TEXT NOT NULL PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Jobs projection: written by the job grain after its state write, guarded by version.
CREATE TABLE jobs (
    job_id      TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE INDEX jobs_by_tenant ON jobs (tenant_id, job_id DESC);
CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running');
