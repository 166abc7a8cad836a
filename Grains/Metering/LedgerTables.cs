using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Storage;
using Npgsql;

namespace Ipto.Grains.Metering;

/// <summary>
/// Where each ledger row goes: its table, columns and values, in one place. On PostgreSQL a batch of fresh rows is one
/// round trip (column arrays through <c>unnest</c>); otherwise rows go by multi-row
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>. Rollups follow in the background (<see cref="LedgerRollups"/>).
/// </summary>
public static class LedgerTables
{
    /// <param name="Types">The PostgreSQL type of each column (for the array parameters of a one-statement batch).</param>
    private sealed record Table(string Name, string[] Columns, string[] Types);

    private static readonly Table SearchActivities = new("search_activities",
        ["search_activity_id", "tenant_id", "api_key_id", "principal_id", "query_text", "dataset_ids", "result_count", "charged_micros", "occurred_at"],
        ["text", "text", "text", "text", "text", "text", "integer", "bigint", "timestamptz"]);

    private static readonly Table AccessEvents = new("access_events",
        ["access_id", "type", "tenant_id", "provider_tenant_id", "dataset_id", "object_id", "api_key_id", "search_activity_id", "charged_micros", "occurred_at",
            "principal_id", "retrieval_event_id", "outcome_id", "rank", "chunk_index", "locator", "context", "first_of_dataset", "first_of_provider"],
        ["text", "text", "text", "text", "text", "text", "text", "text", "bigint", "timestamptz", "text", "text", "text", "integer", "integer", "text", "text",
            "integer", "integer"]);

    private static readonly Table SearchReplays = new("search_replays", ["search_activity_id", "page", "expires_at"], ["text", "bytea", "timestamptz"]);

    private static readonly Table Outcomes = new("outcomes", ["outcome_id", "tenant_id", "document", "created_at"], ["text", "text", "text", "timestamptz"]);

    /// <summary>Parameters per statement at most (PostgreSQL binds 65,535, SQLite 32,766); more rows go in the next statement.</summary>
    private const int MaxParameters = 30_000;

    private static (Table Table, object?[] Values) Of(LedgerRow row) => row switch
    {
        SearchActivityRow s => (SearchActivities, [s.SearchActivityId, s.TenantId, s.ApiKeyId, s.PrincipalId, s.QueryText,
            JsonSerializer.Serialize(s.DatasetIds.ToArray(), ProjectionJson.Default.StringArray), s.ResultCount, s.ChargedMicros, s.OccurredAt.ToUniversalTime()]),
        AccessEventRow a => (AccessEvents, [a.AccessId, a.Type, a.TenantId, a.ProviderTenantId, a.DatasetId, a.ObjectId, a.ApiKeyId, a.SearchActivityId,
            a.ChargedMicros, a.OccurredAt.ToUniversalTime(), a.PrincipalId, a.RetrievalEventId, a.OutcomeId, a.Rank, a.ChunkIndex,
            a.Locator is null ? null : JsonSerializer.Serialize(a.Locator, ProjectionJson.Default.CitationLocator), a.Context, Flag(a.FirstOfDataset),
            Flag(a.FirstOfProvider)]),
        SearchReplayRow r => (SearchReplays, [r.SearchActivityId, r.Page, r.ExpiresAt.ToUniversalTime()]),
        OutcomeRow o => (Outcomes, [o.OutcomeId, o.TenantId, o.Document, o.CreatedAt.ToUniversalTime()]),
        _ => throw new ArgumentException($"Unknown ledger row {row.GetType().Name}.", nameof(row)),
    };

    private static int? Flag(bool? value) => value is null ? null : value.Value ? 1 : 0;

    /// <summary>Inserts one row; 0 when a row with its key (or its unique citation) is already there.</summary>
    public static async Task<int> InsertAsync(DbConnection connection, DbTransaction transaction, LedgerRow row)
    {
        var (table, values) = Of(row);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        Fill(command, table, [values]);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// PostgreSQL: the rows of a batch in one round trip, atomic by itself (one implicit transaction): the ledger's
    /// shared lock (<see cref="LedgerSequence"/>), then each table's rows as one array per column (<c>unnest</c>),
    /// skipping rows already there.
    /// </summary>
    public static async Task InsertFreshAsync(NpgsqlConnection connection, IEnumerable<LedgerRow> rows)
    {
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { LedgerSequence.TakeShared() } };
        foreach (var group in rows.Select(Of).GroupBy(r => r.Table))
        {
            var table = group.Key;
            var values = group.Select(r => r.Values).ToArray();
            var insert = new NpgsqlBatchCommand();
            var columns = new string[table.Columns.Length];
            for (var c = 0; c < table.Columns.Length; c++)
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = ArrayOf(table.Types[c], values.Select(v => v[c])) });
                columns[c] = string.Create(CultureInfo.InvariantCulture, $"${c + 1}::{table.Types[c]}[]");
            }

            insert.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) SELECT * FROM unnest({string.Join(", ", columns)}) ON CONFLICT DO NOTHING";
            batch.BatchCommands.Add(insert);
        }

        if (batch.BatchCommands.Count > 1) await batch.ExecuteNonQueryAsync();
    }

    private static Array ArrayOf(string type, IEnumerable<object?> values) => type switch
    {
        "text" => values.Select(v => (string?)v).ToArray(),
        "bigint" => values.Select(v => (long?)v).ToArray(),
        "integer" => values.Select(v => (int?)v).ToArray(),
        "timestamptz" => values.Select(v => ((DateTimeOffset?)v)?.UtcDateTime).ToArray(),
        "bytea" => values.Select(v => (byte[]?)v).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No array type."),
    };

    /// <summary>Inserts rows grouped by table in multi-row statements; a row already there is skipped.</summary>
    public static async Task InsertAllAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<LedgerRow> rows)
    {
        foreach (var group in rows.Select(Of).GroupBy(r => r.Table))
        {
            foreach (var chunk in group.Chunk(MaxParameters / group.Key.Columns.Length))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                Fill(command, group.Key, chunk.Select(r => r.Values).ToList());
                await command.ExecuteNonQueryAsync();
            }
        }
    }

    private static void Fill(DbCommand command, Table table, IReadOnlyList<object?[]> rows)
    {
        command.CommandText = Sql(table, rows.Count);
        foreach (var (name, value) in Parameters(rows)) command.With(name, value);
    }

    private static string Sql(Table table, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES ");
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            for (var c = 0; c < table.Columns.Length; c++) sql.Append(c == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"@p{r}_{c}");
            sql.Append(')');
        }

        return sql.Append(" ON CONFLICT DO NOTHING").ToString();
    }

    private static IEnumerable<(string Name, object? Value)> Parameters(IReadOnlyList<object?[]> rows)
    {
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Length; c++)
            yield return (string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}"), rows[r][c]);
    }
}
