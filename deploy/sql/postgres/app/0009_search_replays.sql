-- The served page of a search made under an Idempotency-Key, written in the same transaction as its search activity,
-- so a retry after an ambiguous failure answers the same page instead of searching (and charging) again.
CREATE TABLE search_replays (
    search_activity_id  text        NOT NULL PRIMARY KEY,
    page                bytea       NOT NULL,
    expires_at          timestamptz NOT NULL
);

CREATE INDEX search_replays_by_expiry ON search_replays (expires_at);
