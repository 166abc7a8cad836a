using System.Text.Json;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

public sealed record SearchActivityQuery(string TenantId, string? ApiKeyId, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>A buyer tenant's billable events, filtered (null: any) by key, dataset, type and the half-open range [From, To).</summary>
public sealed record AccessActivityQuery(string TenantId, string? ApiKeyId, string? DatasetId, string? Type, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// A position in the access history, which is ordered by commit time and then id, newest first (ids of different
/// types carry different prefixes, so the id alone is not time order). <see cref="Text"/> is what a cursor carries.
/// </summary>
public sealed record AccessPosition(DateTimeOffset OccurredAt, string AccessId)
{
    public string Text => OccurredAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + AccessId;

    /// <summary>The position a cursor carried (cursors are tamper-evident, so anything else is a bug: answered as a bad cursor).</summary>
    public static AccessPosition Parse(string text)
    {
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar > 0 && long.TryParse(text.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            return new AccessPosition(new DateTimeOffset(ticks, TimeSpan.Zero), text[(bar + 1)..]);
        throw new Ipto.Common.IptoException(Ipto.Common.ErrorCodes.InvalidRequest, "The cursor is invalid or belongs to another list.");
    }
}

/// <summary>Reads a tenant's search activities from the ledger: newest first, keyset pages, and the total for the filter.</summary>
public sealed class ActivityReader(AppDatabase database)
{
    public async Task<(IReadOnlyList<SearchActivityRow> Rows, long Total)> SearchesAsync(SearchActivityQuery query, string? afterId, int limit)
    {
        var filter = " WHERE tenant_id = @tenant"
                     + (query.ApiKeyId is null ? "" : " AND api_key_id = @key")
                     + (query.From is null ? "" : " AND occurred_at >= @from")
                     + (query.To is null ? "" : " AND occurred_at < @to");
        await using var connection = await database.OpenAsync();
        long total;
        await using (var count = Parameters(connection.Command("SELECT count(*) FROM search_activities" + filter), query))
            total = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);

        await using var command = Parameters(connection.Command(
            "SELECT search_activity_id, tenant_id, api_key_id, principal_id, query_text, dataset_ids, result_count, charged_micros, occurred_at FROM search_activities"
            + filter + (afterId is null ? "" : " AND search_activity_id < @after") + " ORDER BY search_activity_id DESC LIMIT @limit"), query)
            .With("@after", afterId).With("@limit", limit);
        var rows = new List<SearchActivityRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new SearchActivityRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.GetString(4), JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [], reader.GetInt32(6), reader.GetInt64(7), reader.GetUtcTimestamp(8)!.Value));
        }

        return (rows, total);
    }

    /// <summary>
    /// A tenant's billable events as a buyer, newest first (commit time, then id), after <paramref name="after"/>, with
    /// the total for the filter; each with its dataset's current name.
    /// </summary>
    public async Task<(IReadOnlyList<Ipto.Metering.AccessActivity> Rows, long Total)> AccessesAsync(AccessActivityQuery query, AccessPosition? after, int limit)
    {
        var filter = " WHERE e.tenant_id = @tenant"
                     + (query.ApiKeyId is null ? "" : " AND e.api_key_id = @key")
                     + (query.DatasetId is null ? "" : " AND e.dataset_id = @dataset")
                     + (query.Type is null ? "" : " AND e.type = @type")
                     + (query.From is null ? "" : " AND e.occurred_at >= @from")
                     + (query.To is null ? "" : " AND e.occurred_at < @to");
        await using var connection = await database.OpenAsync();
        await using var snapshot = await database.BeginSnapshotAsync(connection);
        long total = 0;
        // The total from the daily rollup plus the events it does not hold yet, so it costs the same on any ledger size.
        await using (var count = await RollupSums.SpendAsync(database, connection, snapshot, query.TenantId, RollupSums.Column.Type,
                         new RollupSums.Filter(query.ApiKeyId, query.DatasetId, query.Type), query.From ?? RollupSums.Beginning, query.To ?? RollupSums.End,
                         sums => $"SELECT COALESCE(SUM(n), 0) FROM ({sums}) g"))
            total = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);

        await using var command = Parameters(connection.Command(
            """
            SELECT e.access_id, e.type, e.dataset_id, d.document, e.object_id, e.api_key_id, e.search_activity_id, e.retrieval_event_id,
                   e.outcome_id, e.rank, e.chunk_index, e.charged_micros, e.occurred_at
            FROM access_events e LEFT JOIN datasets d ON d.dataset_id = e.dataset_id
            """
            + filter
            + (after is null ? "" : " AND (e.occurred_at < @after_at OR (e.occurred_at = @after_at AND e.access_id < @after_id))")
            + " ORDER BY e.occurred_at DESC, e.access_id DESC LIMIT @limit", snapshot), query)
            .With("@after_at", after?.OccurredAt).With("@after_id", after?.AccessId).With("@limit", limit);
        var rows = new List<Ipto.Metering.AccessActivity>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var datasetId = reader.GetString(2);
            if (!names.TryGetValue(datasetId, out var name))
                names[datasetId] = name = DatasetName(reader.IsDBNull(3) ? null : reader.GetString(3));
            rows.Add(new Ipto.Metering.AccessActivity(reader.GetString(0), reader.GetString(1), datasetId, name, NullableString(reader, 4),
                NullableString(reader, 5), NullableString(reader, 6), NullableString(reader, 7), NullableString(reader, 8),
                reader.IsDBNull(9) ? null : reader.GetInt32(9), reader.IsDBNull(10) ? null : reader.GetInt32(10), reader.GetInt64(11),
                reader.GetUtcTimestamp(12)!.Value));
        }

        return (rows, total);
    }

    /// <summary>A dataset's name from its read-model document; empty when the dataset is not (or no longer) there.</summary>
    internal static string DatasetName(string? document) =>
        document is null ? "" : JsonSerializer.Deserialize(document, ProjectionJson.Default.DatasetSnapshot)?.Name ?? "";

    private static string? NullableString(System.Data.Common.DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>What an API key was charged from <paramref name="from"/> on (the spend counter's rebuild).</summary>
    public async Task<long> SpentMicrosAsync(string apiKeyId, DateTimeOffset from)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
            "SELECT COALESCE(SUM(charged_micros), 0) FROM access_events WHERE api_key_id = @key AND occurred_at >= @from")
            .With("@key", apiKeyId).With("@from", from.ToUniversalTime());
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static System.Data.Common.DbCommand Parameters(System.Data.Common.DbCommand command, AccessActivityQuery query) =>
        command.With("@tenant", query.TenantId).With("@key", query.ApiKeyId).With("@dataset", query.DatasetId).With("@type", query.Type)
            .With("@from", query.From?.ToUniversalTime()).With("@to", query.To?.ToUniversalTime());

    private static System.Data.Common.DbCommand Parameters(System.Data.Common.DbCommand command, SearchActivityQuery query) =>
        command.With("@tenant", query.TenantId).With("@key", query.ApiKeyId).With("@from", query.From?.ToUniversalTime()).With("@to", query.To?.ToUniversalTime());
}
