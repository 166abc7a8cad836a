-- Payout statements read model: one row per statement (the grain's snapshot as JSON plus the columns lists filter on).
CREATE TABLE payout_statements (
    statement_id  TEXT    NOT NULL PRIMARY KEY,
    grain_key     TEXT    NOT NULL,
    tenant_id     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    period_start  TEXT    NOT NULL,
    document      TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX payout_statements_by_tenant ON payout_statements (tenant_id, statement_id DESC);
CREATE INDEX payout_statements_by_status ON payout_statements (status, statement_id DESC);

-- Events committed with the state change that causes them (written in the transaction of the grain's projection),
-- for consumers such as webhooks to deliver at least once; ids are deterministic, so a repeated write is a no-op.
CREATE TABLE outbox_events (
    event_id       TEXT NOT NULL PRIMARY KEY,
    type           TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    dispatched_at  TEXT
);

CREATE INDEX outbox_events_undispatched ON outbox_events (created_at) WHERE dispatched_at IS NULL;
