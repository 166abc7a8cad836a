-- Secrets the platform generates once and shares between nodes (HMAC keys for cursors and local presigned URLs).
CREATE TABLE platform_secrets (
    name        text        NOT NULL PRIMARY KEY,
    value       text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Jobs projection: written by the job grain after its state write, guarded by version.
CREATE TABLE jobs (
    job_id      text        NOT NULL PRIMARY KEY,
    tenant_id   text        NOT NULL,
    type        text        NOT NULL,
    status      text        NOT NULL,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE INDEX jobs_by_tenant ON jobs (tenant_id, job_id DESC);
CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running');
