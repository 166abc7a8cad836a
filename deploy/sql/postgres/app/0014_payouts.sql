-- Payout statements read model: one row per statement (the grain's snapshot as JSON plus the columns lists filter on).
CREATE TABLE payout_statements (
    statement_id  text        NOT NULL PRIMARY KEY,
    grain_key     text        NOT NULL,
    tenant_id     text        NOT NULL,
    status        text        NOT NULL,
    period_start  timestamptz NOT NULL,
    document      text        NOT NULL,
    version       bigint      NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX payout_statements_by_tenant ON payout_statements (tenant_id, statement_id DESC);
CREATE INDEX payout_statements_by_status ON payout_statements (status, statement_id DESC);

-- Events committed with the state change that causes them (written in the transaction of the grain's projection),
-- for consumers such as webhooks to deliver at least once; ids are deterministic, so a repeated write is a no-op.
CREATE TABLE outbox_events (
    event_id       text        NOT NULL PRIMARY KEY,
    type           text        NOT NULL,
    tenant_id      text        NOT NULL,
    subject_id     text        NOT NULL,
    data           text        NOT NULL,
    created_at     timestamptz NOT NULL,
    dispatched_at  timestamptz
);

CREATE INDEX outbox_events_undispatched ON outbox_events (created_at) WHERE dispatched_at IS NULL;
