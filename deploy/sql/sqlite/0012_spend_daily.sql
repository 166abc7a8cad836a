-- Spend rolled up per buyer tenant, UTC day, dataset, API key ('' for a session) and event type, written by the ledger
-- writer in the same transaction as the events it counts; a cache of access_events that rebuilds from it.
CREATE TABLE spend_daily (
    tenant_id   TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    dataset_id  TEXT    NOT NULL,
    api_key_id  TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    events      INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, dataset_id, api_key_id, type)
);

INSERT INTO spend_daily (tenant_id, day, dataset_id, api_key_id, type, events, amount)
SELECT tenant_id, substr(occurred_at, 1, 10), dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
FROM access_events GROUP BY 1, 2, 3, 4, 5;

-- The access history's order (newest first, keyset on time then id).
CREATE INDEX access_events_history ON access_events (tenant_id, occurred_at DESC, access_id DESC);
