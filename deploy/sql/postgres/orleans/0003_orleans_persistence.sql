-- Orleans grain state (Microsoft.Orleans.Persistence.AdoNet 10.4.x) for PostgreSQL.
--
-- Every statement receives the grain identity as @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1 and
-- @GrainIdExtensionString (NULL when the grain key has no string part), plus two 32-bit hashes of it,
-- @GrainIdHash and @GrainTypeHash. Writes also get @GrainStateVersion (the ETag the grain holds, NULL if
-- it never saw a stored row) and @PayloadBinary.
--
-- Versions are the ETags. A write or clear must return the new version; the provider treats "no row",
-- NULL, or an unchanged version as a conflict (InconsistentStateException). Reads return PayloadBinary
-- and Version (no row = no state; a row with NULL payload = cleared state that keeps its version).
--
-- Rows are identified by state_key, a SHA-256 over the full identity (see orleans_grain_state_key).
-- Its primary key makes a concurrent first write of the same grain fail cleanly instead of adding a
-- second row, and it serves every lookup with a single index probe. The hashes the provider sends are
-- kept for reference only.

-- The identity, length-prefixed so that no two identities encode alike, hashed to 32 bytes.
-- convert_to is only STABLE in the catalogue, but converting text to UTF-8 gives the same bytes every
-- time within a database, so the function is declared IMMUTABLE.
CREATE FUNCTION orleans_grain_state_key(
    p_service_id text,
    p_grain_type text,
    p_n0         bigint,
    p_n1         bigint,
    p_key_ext    text)
RETURNS bytea
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT sha256(convert_to(
        length(p_service_id)::text || ':' || p_service_id || '|' ||
        length(p_grain_type)::text || ':' || p_grain_type || '|' ||
        p_n0::text || '|' || p_n1::text || '|' ||
        coalesce(length(p_key_ext)::text || ':' || p_key_ext, '-'),
        'UTF8'))
$$;

CREATE TABLE OrleansStorage
(
    state_key              bytea       NOT NULL,
    ServiceId              text        NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainIdExtensionString text        NULL,
    GrainIdHash            integer     NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    PayloadBinary          bytea       NULL,
    Version                integer     NOT NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT orleans_storage_pk PRIMARY KEY (state_key)
);

-- Stores a grain state. With p_expected_version NULL the grain believes no row exists: insert with
-- version 1, unless a row is there already. Otherwise replace the payload of the row at exactly that
-- version and bump it. Returns the new version, or NULL when nothing was written (a conflict).
CREATE FUNCTION orleans_grain_state_write(
    p_grain_id_hash    integer,
    p_n0               bigint,
    p_n1               bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_key_ext          text,
    p_service_id       text,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_key     bytea := orleans_grain_state_key(p_service_id, p_grain_type, p_n0, p_n1, p_key_ext);
    v_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO OrleansStorage AS s
            (state_key, ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
             GrainIdHash, GrainTypeHash, PayloadBinary, Version, ModifiedOn)
        VALUES
            (v_key, p_service_id, p_grain_type, p_n0, p_n1, p_key_ext,
             p_grain_id_hash, p_grain_type_hash, p_payload, 1, now())
        ON CONFLICT (state_key) DO NOTHING
        RETURNING s.Version INTO v_version;
    ELSE
        UPDATE OrleansStorage AS s
        SET PayloadBinary = p_payload,
            Version = s.Version + 1,
            GrainIdHash = p_grain_id_hash,
            GrainTypeHash = p_grain_type_hash,
            ModifiedOn = now()
        WHERE s.state_key = v_key AND s.Version = p_expected_version
        RETURNING s.Version INTO v_version;
    END IF;
    RETURN v_version;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    $$
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE state_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString);
    $$
),
(
    'WriteToStorageKey',
    $$
    SELECT orleans_grain_state_write(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;
    $$
),
(
    -- ClearStateAsync with DeleteStateOnClear = false: keep the row, drop the payload, bump the version.
    'ClearStorageKey',
    $$
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
    WHERE state_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
      AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
    $$
),
(
    -- ClearStateAsync with DeleteStateOnClear = true: remove the row. The returned value only has to
    -- differ from the version the grain held; the provider forgets its ETag afterwards.
    'DeleteStorageKey',
    $$
    DELETE FROM OrleansStorage
    WHERE state_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
      AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
    $$
);
