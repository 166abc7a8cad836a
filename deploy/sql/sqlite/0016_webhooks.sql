-- Webhook endpoints read model: the endpoint grain's view (without secrets) plus what the outbox dispatcher matches on.
-- event_types is the filter as ",type,type," (or ",*,") so one LIKE finds the endpoints of an event.
CREATE TABLE webhook_endpoints (
    webhook_id   TEXT        NOT NULL PRIMARY KEY,
    tenant_id    TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    event_types  TEXT        NOT NULL,
    document     TEXT        NOT NULL,
    created_at   TEXT        NOT NULL,
    deleted      INTEGER     NOT NULL DEFAULT 0,
    version      INTEGER     NOT NULL,
    updated_at   TEXT        NOT NULL
);

CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, webhook_id DESC) WHERE deleted = 0;

-- One event to one endpoint: made by the dispatcher from the outbox (once per endpoint and event), attempted by the
-- endpoint's grain in seq order; next_attempt_at is the durable retry schedule.
CREATE TABLE webhook_deliveries (
    seq              INTEGER     PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT        NOT NULL UNIQUE,
    webhook_id       TEXT        NOT NULL,
    event_id         TEXT        NOT NULL,
    event_type       TEXT        NOT NULL,
    status           TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    schedule_start   INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    created_at       TEXT        NOT NULL,
    UNIQUE (webhook_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_by_endpoint ON webhook_deliveries (webhook_id, seq) WHERE status = 'pending';

-- The delivery log: one row per attempt, listed newest first.
CREATE TABLE webhook_attempts (
    attempt_seq      INTEGER     PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT        NOT NULL,
    attempt          INTEGER     NOT NULL,
    webhook_id       TEXT        NOT NULL,
    event_id         TEXT        NOT NULL,
    event_type       TEXT        NOT NULL,
    status_code      INTEGER,
    error            TEXT,
    duration_ms      INTEGER     NOT NULL,
    attempted_at     TEXT        NOT NULL,
    next_attempt_at  TEXT,
    UNIQUE (delivery_id, attempt)
);

CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (webhook_id, attempt_seq DESC);

CREATE INDEX outbox_events_dispatch_order ON outbox_events (created_at, event_id) WHERE dispatched_at IS NULL;
DROP INDEX outbox_events_undispatched;
