using Microsoft.Data.Sqlite;

/// <summary>
/// The ledger's write pattern — a pooled connection opened with the Api's pragmas, one transaction of a row per hit
/// plus one, commit — timed on scratch SQLite files in each journal mode, to show what the journal costs per search.
/// The table has the columns and indexes of <c>access_events</c>.
/// </summary>
internal static class SqliteJournalProbe
{
    public static readonly (string Journal, string Synchronous)[] Settings = [("DELETE", "FULL"), ("WAL", "FULL"), ("WAL", "NORMAL")];

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS access_events (
            access_id TEXT NOT NULL PRIMARY KEY, type TEXT NOT NULL, tenant_id TEXT NOT NULL, provider_tenant_id TEXT NOT NULL,
            dataset_id TEXT NOT NULL, object_id TEXT, api_key_id TEXT, search_activity_id TEXT, charged_micros INTEGER NOT NULL,
            occurred_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS by_tenant ON access_events (tenant_id, access_id DESC);
        CREATE INDEX IF NOT EXISTS by_provider ON access_events (provider_tenant_id, occurred_at);
        CREATE INDEX IF NOT EXISTS by_key ON access_events (api_key_id, occurred_at);
        """;

    public static async Task<LatencySeries> TimeAsync(string directory, string journal, string synchronous, int commits, int rowsPerCommit)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, $"journal-probe-{journal}-{synchronous}.db".ToLowerInvariant()),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync();
            await ExecuteAsync(setup, null, $"PRAGMA journal_mode = {journal};" + Schema);
        }

        var series = new LatencySeries();
        for (var i = 0; i < commits; i++)
        {
            await series.TimeAsync(async () =>
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync();
                await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous};");
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                for (var row = 0; row < rowsPerCommit; row++)
                {
                    await using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = """
                        INSERT INTO access_events (access_id, type, tenant_id, provider_tenant_id, dataset_id, object_id, api_key_id, search_activity_id, charged_micros, occurred_at)
                        VALUES ($id, 'retrieval', 'tnt_buyer', 'tnt_provider', 'dset_bench', 'obj_bench', 'key_bench', 'sa_bench', 30000, $at) ON CONFLICT (access_id) DO NOTHING
                        """;
                    insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
                    insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    await insert.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
                return 0;
            });
        }

        return series;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
