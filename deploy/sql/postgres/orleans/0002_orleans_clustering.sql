-- Orleans cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4.x) for PostgreSQL.
--
-- The membership protocol keeps one version counter per cluster (DeploymentId = ClusterOptions.ClusterId).
-- Inserting or updating a silo row is a conditional write: it succeeds only if the caller still holds
-- the current version, and then the version moves on by one, in the same transaction. Heartbeats
-- (IAmAliveTime) and the removal of long-dead rows leave the version alone.
--
-- Result columns the provider reads: Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
-- SuspectTimes, StartTime, IAmAliveTime and Version for membership reads (a read returns the version
-- row even when no silo row matches, with NULL silo columns); Address, ProxyPort and Generation for the
-- gateway list; one column holding 1/0 (or true/false) for the conditional writes.
-- Status values are those of Orleans.Runtime.SiloStatus: 3 = Active, 6 = Dead.

CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT orleans_membership_version_pk PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NOT NULL DEFAULT 0,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,

    CONSTRAINT orleans_membership_pk PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT orleans_membership_cluster_fk FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE
);

-- Adds a silo row if the table version is still p_expected_version; on success bumps the version.
-- Returns 1 when the row was added, 0 when the version had moved on or the silo row already existed.
CREATE FUNCTION orleans_membership_add_silo(
    p_cluster        varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_silo_name      varchar,
    p_host_name      varchar,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
BEGIN
    -- Lock the cluster version row first: a concurrent writer holding the same version waits here and
    -- then finds the version changed.
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_cluster AND Version = p_expected_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_cluster, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         coalesce(p_proxy_port, 0), p_start_time, p_i_am_alive)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_cluster;
    RETURN 1;
END
$$;

-- Changes a silo row (status, suspicions, heartbeat) if the table version is still p_expected_version;
-- on success bumps the version. Returns 1 on success, 0 otherwise (nothing is changed then).
CREATE FUNCTION orleans_membership_change_silo(
    p_cluster        varchar,
    p_address        varchar,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_cluster AND Version = p_expected_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive
    WHERE DeploymentId = p_cluster AND Address = p_address AND Port = p_port AND Generation = p_generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_cluster;
    RETURN 1;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'InsertMembershipVersionKey',
    $$
    WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer AS Created FROM created;
    $$
),
(
    'InsertMembershipKey',
    $$
    SELECT orleans_membership_add_silo(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS Succeeded;
    $$
),
(
    'UpdateMembershipKey',
    $$
    SELECT orleans_membership_change_silo(
        @DeploymentId, @Address, @Port, @Generation,
        @Status, @SuspectTimes, @IAmAliveTime, @Version) AS Succeeded;
    $$
),
(
    'UpdateIAmAlivetimeKey',
    $$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address AND Port = @Port AND Generation = @Generation;
    $$
),
(
    'MembershipReadRowKey',
    $$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
           ON m.DeploymentId = v.DeploymentId
          AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
    $$
),
(
    'MembershipReadAllKey',
    $$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
    $$
),
(
    'GatewaysQueryKey',
    $$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
    $$
),
(
    -- Removes a whole cluster: the silo rows go with the version row (ON DELETE CASCADE).
    'DeleteMembershipTableEntriesKey',
    $$
    DELETE FROM OrleansMembershipVersionTable
    WHERE DeploymentId = @DeploymentId;
    $$
),
(
    -- Bulk clean-up of dead silos, used only when CleanupDefunctSiloEntryKey is absent: rows that are
    -- Dead, not suspected, and neither started nor heartbeated since the cut-off (@IAmAliveTime).
    'CleanupDefunctSiloEntriesKey',
    $$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = 6
      AND IAmAliveTime < @IAmAliveTime
      AND StartTime < @IAmAliveTime
      AND coalesce(SuspectTimes, '') = '';
    $$
),
(
    -- Per-row clean-up: the provider reads the table, picks Dead rows older than its cut-off and deletes
    -- each one only if it is still exactly as read (same start, heartbeat and suspicions; no suspicions
    -- may come as NULL or as an empty list), so a row that changed in between survives. The table version
    -- is left unchanged.
    'CleanupDefunctSiloEntryKey',
    $$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address AND Port = @Port AND Generation = @Generation
      AND Status = 6
      AND StartTime = @StartTime
      AND IAmAliveTime = @IAmAliveTime
      AND coalesce(SuspectTimes, '') = coalesce(@SuspectTimes, '');
    $$
);
