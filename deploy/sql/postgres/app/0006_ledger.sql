-- Ledger: search activities and billable access events, written by the group-commit ledger writer.
CREATE TABLE search_activities (
    search_activity_id  text        NOT NULL PRIMARY KEY,
    tenant_id           text        NOT NULL,
    api_key_id          text,
    principal_id        text        NOT NULL,
    query_text          text        NOT NULL,
    dataset_ids         text        NOT NULL,
    result_count        integer     NOT NULL,
    charged_micros      bigint      NOT NULL,
    occurred_at         timestamptz NOT NULL
);

CREATE INDEX search_activities_by_tenant ON search_activities (tenant_id, search_activity_id DESC);

CREATE TABLE access_events (
    access_id           text        NOT NULL PRIMARY KEY,
    type                text        NOT NULL,
    tenant_id           text        NOT NULL,
    provider_tenant_id  text        NOT NULL,
    dataset_id          text        NOT NULL,
    object_id           text,
    api_key_id          text,
    search_activity_id  text,
    charged_micros      bigint      NOT NULL,
    occurred_at         timestamptz NOT NULL
);

CREATE INDEX access_events_by_tenant ON access_events (tenant_id, access_id DESC);
CREATE INDEX access_events_by_provider ON access_events (provider_tenant_id, occurred_at);
