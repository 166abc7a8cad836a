-- Ledger: search activities and billable access events, written by the group-commit ledger writer.
CREATE TABLE search_activities (
    search_activity_id  TEXT    NOT NULL PRIMARY KEY,
    tenant_id           TEXT    NOT NULL,
    api_key_id          TEXT,
    principal_id        TEXT    NOT NULL,
    query_text          TEXT    NOT NULL,
    dataset_ids         TEXT    NOT NULL,
    result_count        INTEGER NOT NULL,
    charged_micros      INTEGER NOT NULL,
    occurred_at         TEXT    NOT NULL
);

CREATE INDEX search_activities_by_tenant ON search_activities (tenant_id, search_activity_id DESC);

CREATE TABLE access_events (
    access_id           TEXT    NOT NULL PRIMARY KEY,
    type                TEXT    NOT NULL,
    tenant_id           TEXT    NOT NULL,
    provider_tenant_id  TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    object_id           TEXT,
    api_key_id          TEXT,
    search_activity_id  TEXT,
    charged_micros      INTEGER NOT NULL,
    occurred_at         TEXT    NOT NULL
);

CREATE INDEX access_events_by_tenant ON access_events (tenant_id, access_id DESC);
CREATE INDEX access_events_by_provider ON access_events (provider_tenant_id, occurred_at);
