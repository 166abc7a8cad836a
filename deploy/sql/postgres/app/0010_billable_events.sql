-- Every billable event type (SPEC §13): who used it (principal), what it refers to (a citation's retrieval event, an
-- outcome share's outcome), a retrieval's rank and chunk index and locator, a citation's context.
ALTER TABLE access_events ADD COLUMN principal_id text;
ALTER TABLE access_events ADD COLUMN retrieval_event_id text;
ALTER TABLE access_events ADD COLUMN outcome_id text;
ALTER TABLE access_events ADD COLUMN rank integer;
ALTER TABLE access_events ADD COLUMN chunk_index integer;
ALTER TABLE access_events ADD COLUMN locator text;
ALTER TABLE access_events ADD COLUMN context text;

-- One citation per retrieval event, whatever races.
CREATE UNIQUE INDEX access_events_one_citation ON access_events (retrieval_event_id) WHERE type = 'citation';
-- A principal's last download of an object (the rolling 24 h charge window).
CREATE INDEX access_events_downloads ON access_events (principal_id, object_id, occurred_at) WHERE type = 'download';
-- Spend and activity by buyer and time.
CREATE INDEX access_events_by_tenant_time ON access_events (tenant_id, occurred_at);

-- An outcome report: its revenue and every dataset's share (shares that charge nothing have no access event).
CREATE TABLE outcomes (
    outcome_id  text        NOT NULL PRIMARY KEY,
    tenant_id   text        NOT NULL,
    document    text        NOT NULL,
    created_at  timestamptz NOT NULL
);
