using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Storage;
using Npgsql;

namespace Ipto.Grains.Metering;

/// <summary>
/// Where each ledger row goes: its table, columns and values, in one place. On PostgreSQL a batch of fresh rows and its
/// rollup are one statement (column arrays through <c>unnest</c>); otherwise rows go by multi-row
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> and the access events written are added to the daily spend rollup
/// in the same transaction.
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
            "principal_id", "retrieval_event_id", "outcome_id", "rank", "chunk_index", "locator", "context"],
        ["text", "text", "text", "text", "text", "text", "text", "text", "bigint", "timestamptz", "text", "text", "text", "integer", "integer", "text", "text"]);

    private static readonly Table SearchReplays = new("search_replays", ["search_activity_id", "page", "expires_at"], ["text", "bytea", "timestamptz"]);

    private static readonly Table Outcomes = new("outcomes", ["outcome_id", "tenant_id", "document", "created_at"], ["text", "text", "text", "timestamptz"]);

    private static readonly Table SpendDaily = new("spend_daily", ["tenant_id", "day", "dataset_id", "api_key_id", "type", "events", "amount"],
        ["text", "text", "text", "text", "text", "bigint", "bigint"]);

    /// <summary>Parameters per statement at most (PostgreSQL binds 65,535, SQLite 32,766); more rows go in the next statement.</summary>
    private const int MaxParameters = 30_000;

    private static (Table Table, object?[] Values) Of(LedgerRow row) => row switch
    {
        SearchActivityRow s => (SearchActivities, [s.SearchActivityId, s.TenantId, s.ApiKeyId, s.PrincipalId, s.QueryText,
            JsonSerializer.Serialize(s.DatasetIds.ToArray(), ProjectionJson.Default.StringArray), s.ResultCount, s.ChargedMicros, s.OccurredAt.ToUniversalTime()]),
        AccessEventRow a => (AccessEvents, [a.AccessId, a.Type, a.TenantId, a.ProviderTenantId, a.DatasetId, a.ObjectId, a.ApiKeyId, a.SearchActivityId,
            a.ChargedMicros, a.OccurredAt.ToUniversalTime(), a.PrincipalId, a.RetrievalEventId, a.OutcomeId, a.Rank, a.ChunkIndex,
            a.Locator is null ? null : JsonSerializer.Serialize(a.Locator, ProjectionJson.Default.CitationLocator), a.Context]),
        SearchReplayRow r => (SearchReplays, [r.SearchActivityId, r.Page, r.ExpiresAt.ToUniversalTime()]),
        OutcomeRow o => (Outcomes, [o.OutcomeId, o.TenantId, o.Document, o.CreatedAt.ToUniversalTime()]),
        _ => throw new ArgumentException($"Unknown ledger row {row.GetType().Name}.", nameof(row)),
    };

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
    /// PostgreSQL: the rows of a batch and their spend rollup in one statement — one round trip, atomic by itself. Each
    /// table's rows go in as one array per column (<c>unnest</c>), skipping rows already there; the rollup adds exactly
    /// the access events inserted (<c>RETURNING</c>).
    /// </summary>
    public static async Task InsertWithRollupAsync(NpgsqlConnection connection, IEnumerable<LedgerRow> rows)
    {
        var tables = rows.Select(Of).GroupBy(r => r.Table).ToArray();
        if (tables.Length == 0) return;
        await using var command = connection.CreateCommand();
        var ctes = new List<string>();
        var events = false;
        for (var t = 0; t < tables.Length; t++)
        {
            var table = tables[t].Key;
            var values = tables[t].Select(r => r.Values).ToArray();
            var columns = new string[table.Columns.Length];
            for (var c = 0; c < table.Columns.Length; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"a{t}_{c}");
                command.Parameters.Add(new NpgsqlParameter(name, ArrayOf(table.Types[c], values.Select(v => v[c]))));
                columns[c] = $"@{name}::{table.Types[c]}[]";
            }

            var returning = table == AccessEvents ? " RETURNING tenant_id, occurred_at, dataset_id, api_key_id, type, charged_micros" : "";
            events |= table == AccessEvents;
            ctes.Add($"{(table == AccessEvents ? "inserted_events" : "t" + t.ToString(CultureInfo.InvariantCulture))} AS (INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) " +
                     $"SELECT * FROM unnest({string.Join(", ", columns)}) ON CONFLICT DO NOTHING{returning})");
        }

        command.CommandText = "WITH " + string.Join(", ", ctes) + (events
            ? $"""
               INSERT INTO spend_daily (tenant_id, day, dataset_id, api_key_id, type, events, amount)
              SELECT tenant_id, {AppDatabase.UtcDayOf(SqlDialect.Postgres, "occurred_at")}, dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
              FROM inserted_events GROUP BY 1, 2, 3, 4, 5
              """ + AddToRollup
            : " SELECT 1");
        await command.ExecuteNonQueryAsync();
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

    /// <summary>Inserts rows grouped by table in multi-row statements; answers the rows actually written (a row already there is skipped).</summary>
    public static async Task<IReadOnlyList<LedgerRow>> InsertAllAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<LedgerRow> rows)
    {
        var written = new List<LedgerRow>();
        foreach (var group in rows.Select(r => (Row: r, Shape: Of(r))).Select(r => (r.Row, r.Shape.Table, r.Shape.Values)).GroupBy(r => r.Table))
        {
            foreach (var chunk in group.Chunk(MaxParameters / group.Key.Columns.Length))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                Fill(command, group.Key, chunk.Select(r => r.Values).ToList());
                command.CommandText += $" RETURNING {group.Key.Columns[0]}";
                var keys = new HashSet<string>(StringComparer.Ordinal);
                await using (var reader = await command.ExecuteReaderAsync())
                    while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
                written.AddRange(chunk.Where(r => keys.Contains((string)r.Values[0]!)).Select(r => r.Row));
            }
        }

        return written;
    }

    /// <summary>
    /// Adds written access events to the daily spend rollup (per buyer tenant, UTC day, dataset, key, type) in the
    /// caller's transaction, so the rollup holds exactly the committed events.
    /// </summary>
    public static async Task AddToRollupAsync(DbConnection connection, DbTransaction transaction, IEnumerable<LedgerRow> written)
    {
        var sums = written.OfType<AccessEventRow>()
            .GroupBy(a => (a.TenantId, Day: DayOf(a.OccurredAt), a.DatasetId, ApiKeyId: a.ApiKeyId ?? "", a.Type))
            .Select(g => new object?[] { g.Key.TenantId, g.Key.Day, g.Key.DatasetId, g.Key.ApiKeyId, g.Key.Type, (long)g.Count(), Money.Sum(g.Select(a => a.ChargedMicros)) })
            .ToList();
        foreach (var chunk in sums.Chunk(MaxParameters / SpendDaily.Columns.Length))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Sql(SpendDaily, chunk.Length, AddToRollup);
            foreach (var (name, value) in Parameters(chunk)) command.With(name, value);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>How a rollup row already there takes a batch's counts: added, never replaced.</summary>
    private const string AddToRollup =
        " ON CONFLICT (tenant_id, day, dataset_id, api_key_id, type) DO UPDATE SET events = spend_daily.events + excluded.events, amount = spend_daily.amount + excluded.amount";

    /// <summary>The rollup's day of an event: its UTC date.</summary>
    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void Fill(DbCommand command, Table table, IReadOnlyList<object?[]> rows)
    {
        command.CommandText = Sql(table, rows.Count);
        foreach (var (name, value) in Parameters(rows)) command.With(name, value);
    }

    private static string Sql(Table table, int rows, string onConflict = " ON CONFLICT DO NOTHING")
    {
        var sql = new StringBuilder($"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES ");
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            for (var c = 0; c < table.Columns.Length; c++) sql.Append(c == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"@p{r}_{c}");
            sql.Append(')');
        }

        return sql.Append(onConflict).ToString();
    }

    private static IEnumerable<(string Name, object? Value)> Parameters(IReadOnlyList<object?[]> rows)
    {
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Length; c++)
            yield return (string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}"), rows[r][c]);
    }
}
