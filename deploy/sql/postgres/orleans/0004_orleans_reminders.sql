-- Orleans reminders (Microsoft.Orleans.Reminders.AdoNet 10.4.x) for PostgreSQL.
--
-- One row per (service, grain, reminder name). GrainId is the grain id as text; GrainHash is its uniform
-- hash, sent as a signed 32-bit integer, by which each silo loads the reminders of its slice of the
-- hash ring. Version is the ETag: an upsert returns it, and a delete succeeds only at the same version.
-- Result columns the provider reads: GrainId, ReminderName, StartTime, Period (milliseconds, bigint) and
-- Version; one column holding true/false for DeleteReminderRowKey.

CREATE TABLE OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      text           NOT NULL,
    ReminderName text           NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,

    CONSTRAINT orleans_reminders_pk PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Range loads filter on the service and a window of grain hashes.
CREATE INDEX orleans_reminders_by_hash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'UpsertReminderRowKey',
    $$
    INSERT INTO OrleansRemindersTable AS r
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = excluded.StartTime,
            Period = excluded.Period,
            GrainHash = excluded.GrainHash,
            Version = r.Version + 1
    RETURNING r.Version AS Version;
    $$
),
(
    'ReadReminderRowsKey',
    $$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
    $$
),
(
    'ReadReminderRowKey',
    $$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
    $$
),
(
    -- The ring slice (@BeginHash, @EndHash] when it does not wrap around in signed order.
    'ReadRangeRows1Key',
    $$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
    $$
),
(
    -- The ring slice when it wraps around (also the whole ring, when @BeginHash = @EndHash).
    'ReadRangeRows2Key',
    $$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
    $$
),
(
    'DeleteReminderRowKey',
    $$
    WITH removed AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
          AND Version = @Version
        RETURNING 1
    )
    SELECT count(*) > 0 AS Deleted FROM removed;
    $$
),
(
    'DeleteReminderRowsKey',
    $$
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId;
    $$
);
