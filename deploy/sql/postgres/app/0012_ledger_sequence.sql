-- The ledger's commit order, for rollups flushed in the background: every access event gets a sequence number, and a
-- rollup holds exactly the events up to its watermark. Writers allocate sequence numbers only while holding the
-- ledger's shared advisory lock, so a flusher that briefly takes it exclusively sees every number up to the maximum
-- committed (see LedgerSequence).
ALTER TABLE access_events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX access_events_by_seq ON access_events (seq);

CREATE TABLE rollup_watermarks (
    name  text   NOT NULL PRIMARY KEY,
    seq   bigint NOT NULL
);

-- The rollup was written with its events until now, so it holds every event there is.
INSERT INTO rollup_watermarks (name, seq) SELECT 'spend_daily', COALESCE(max(seq), 0) FROM access_events;

-- The same per UTC hour (key YYYY-MM-DDTHH), for the partial days at a range's ends; flushed with spend_daily under its watermark.
CREATE TABLE spend_hourly (
    tenant_id   text   NOT NULL,
    hour        text   NOT NULL,
    day         text   NOT NULL,
    dataset_id  text   NOT NULL,
    api_key_id  text   NOT NULL,
    type        text   NOT NULL,
    events      bigint NOT NULL,
    amount      bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, dataset_id, api_key_id, type)
);

INSERT INTO spend_hourly (tenant_id, hour, day, dataset_id, api_key_id, type, events, amount)
SELECT tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
       dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
FROM access_events GROUP BY 1, 2, 3, 4, 5, 6;

-- Unused (history pages by time, then id) and a prefix of access_events_history: every index costs each append.
DROP INDEX access_events_by_tenant;
DROP INDEX access_events_by_tenant_time;
