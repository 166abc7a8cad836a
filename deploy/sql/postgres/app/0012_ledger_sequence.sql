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

-- Unused (history pages by time, then id) and a prefix of access_events_history: every index costs each append.
DROP INDEX access_events_by_tenant;
DROP INDEX access_events_by_tenant_time;
