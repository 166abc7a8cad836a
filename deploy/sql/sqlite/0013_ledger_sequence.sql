-- The ledger's commit order, for rollups flushed in the background: every access event gets a sequence number (an
-- INTEGER PRIMARY KEY, so VACUUM never renumbers it), and a rollup holds exactly the events up to its watermark.
-- SQLite has one writer at a time, so the largest committed number is always a safe watermark.
CREATE TABLE access_events_sequenced (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    access_id           TEXT    NOT NULL UNIQUE,
    type                TEXT    NOT NULL,
    tenant_id           TEXT    NOT NULL,
    provider_tenant_id  TEXT    NOT NULL,
    dataset_id          TEXT    NOT NULL,
    object_id           TEXT,
    api_key_id          TEXT,
    search_activity_id  TEXT,
    charged_micros      INTEGER NOT NULL,
    occurred_at         TEXT    NOT NULL,
    principal_id        TEXT,
    retrieval_event_id  TEXT,
    outcome_id          TEXT,
    rank                INTEGER,
    chunk_index         INTEGER,
    locator             TEXT,
    context             TEXT
);

INSERT INTO access_events_sequenced (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id,
    search_activity_id, charged_micros, occurred_at, principal_id, retrieval_event_id, outcome_id, rank, chunk_index, locator, context)
SELECT access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id,
    search_activity_id, charged_micros, occurred_at, principal_id, retrieval_event_id, outcome_id, rank, chunk_index, locator, context
FROM access_events ORDER BY occurred_at, access_id;

DROP TABLE access_events;
ALTER TABLE access_events_sequenced RENAME TO access_events;

CREATE INDEX access_events_by_provider ON access_events (provider_tenant_id, occurred_at);
CREATE INDEX access_events_by_key ON access_events (api_key_id, occurred_at);
CREATE UNIQUE INDEX access_events_one_citation ON access_events (retrieval_event_id) WHERE type = 'citation';
CREATE INDEX access_events_downloads ON access_events (principal_id, object_id, occurred_at) WHERE type = 'download';
CREATE INDEX access_events_history ON access_events (tenant_id, occurred_at DESC, access_id DESC);

CREATE TABLE rollup_watermarks (
    name  TEXT    NOT NULL PRIMARY KEY,
    seq   INTEGER NOT NULL
);

-- The rollup was written with its events until now, so it holds every event there is.
INSERT INTO rollup_watermarks (name, seq) SELECT 'spend_daily', COALESCE(max(seq), 0) FROM access_events;

-- The same per UTC hour (key YYYY-MM-DDTHH), for the partial days at a range's ends; flushed with spend_daily under its watermark.
CREATE TABLE spend_hourly (
    tenant_id   TEXT    NOT NULL,
    hour        TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    dataset_id  TEXT    NOT NULL,
    api_key_id  TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    events      INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, hour, dataset_id, api_key_id, type)
);

INSERT INTO spend_hourly (tenant_id, hour, day, dataset_id, api_key_id, type, events, amount)
SELECT tenant_id, substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12, 2), substr(occurred_at, 1, 10),
       dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
FROM access_events GROUP BY 1, 2, 3, 4, 5, 6;
