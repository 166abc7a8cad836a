-- Orleans ADO.NET providers, PostgreSQL (invariant "Npgsql"), written for Microsoft.Orleans 10.4.x:
-- Clustering.AdoNet, Persistence.AdoNet and Reminders.AdoNet.
--
-- The providers carry no SQL of their own. When a provider starts it runs
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and from then on executes only the texts stored here, looked up by key. A text may name parameters
-- (@DeploymentId, @GrainId and so on); the provider binds them by name. It reads result columns by name
-- (case-insensitively), so the column names in the SELECT lists of the later scripts are part of the
-- contract, while table, function and index names are ours to choose.
--
-- Scripts 0002 to 0004 create the tables and functions of each provider and add their rows here.
-- They run once each, in order, each in its own transaction (the application journals them).
-- Dollar quoting is always the anonymous kind: the migration runner treats a dollar sign followed by a
-- word and another dollar sign as one of its variables.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT orleans_query_pk PRIMARY KEY (QueryKey)
);

COMMENT ON TABLE OrleansQuery IS
    'Statements the Orleans ADO.NET providers load at start-up, by key (deploy/sql/postgres/orleans).';
