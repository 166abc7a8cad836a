-- Webhook endpoints read model: the endpoint grain's view (without secrets) plus what the outbox dispatcher matches on.
-- event_types is the filter as ",type,type," (or ",*,") so one LIKE finds the endpoints of an event.
CREATE TABLE webhook_endpoints (
    webhook_id   text        NOT NULL PRIMARY KEY,
    tenant_id    text        NOT NULL,
    status       text        NOT NULL,
    event_types  text        NOT NULL,
    document     text        NOT NULL,
    created_at   timestamptz NOT NULL,
    deleted      boolean     NOT NULL DEFAULT false,
    version      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, webhook_id DESC) WHERE NOT deleted;

-- One event to one endpoint: made by the dispatcher from the outbox (once per endpoint and event), attempted by the
-- endpoint's grain in seq order; next_attempt_at is the durable retry schedule.
CREATE TABLE webhook_deliveries (
    seq              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      text        NOT NULL UNIQUE,
    webhook_id       text        NOT NULL,
    event_id         text        NOT NULL,
    event_type       text        NOT NULL,
    status           text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    schedule_start   integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL,
    UNIQUE (webhook_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_by_endpoint ON webhook_deliveries (webhook_id, seq) WHERE status = 'pending';

-- The delivery log: one row per attempt, listed newest first.
CREATE TABLE webhook_attempts (
    attempt_seq      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      text        NOT NULL,
    attempt          integer     NOT NULL,
    webhook_id       text        NOT NULL,
    event_id         text        NOT NULL,
    event_type       text        NOT NULL,
    status_code      integer,
    error            text,
    duration_ms      bigint      NOT NULL,
    attempted_at     timestamptz NOT NULL,
    next_attempt_at  timestamptz,
    UNIQUE (delivery_id, attempt)
);

CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (webhook_id, attempt_seq DESC);

CREATE INDEX outbox_events_dispatch_order ON outbox_events (created_at, event_id) WHERE dispatched_at IS NULL;
DROP INDEX outbox_events_undispatched;
