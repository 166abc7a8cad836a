-- Embedded mode keeps Orleans grain state and reminders in the same SQLite file as the read model.
-- One row per (state name, grain); etag is a counter used for optimistic concurrency.
CREATE TABLE grain_state (
    state_name  TEXT    NOT NULL,
    grain_id    TEXT    NOT NULL,
    etag        INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (state_name, grain_id)
) WITHOUT ROWID;

-- grain_hash is GrainId.GetUniformHashCode(), stored as a non-negative integer for range reads.
CREATE TABLE reminders (
    grain_id       TEXT    NOT NULL,
    reminder_name  TEXT    NOT NULL,
    grain_hash     INTEGER NOT NULL,
    start_at_ms    INTEGER NOT NULL,
    period_ms      INTEGER NOT NULL,
    etag           INTEGER NOT NULL,
    PRIMARY KEY (grain_id, reminder_name)
) WITHOUT ROWID;

CREATE INDEX reminders_by_hash ON reminders (grain_hash);
