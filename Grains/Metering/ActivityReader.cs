using System.Text.Json;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

public sealed record SearchActivityQuery(string TenantId, string? ApiKeyId, DateTimeOffset? From, DateTimeOffset? To);

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

    /// <summary>What an API key was charged from <paramref name="from"/> on (the spend counter's rebuild).</summary>
    public async Task<long> SpentMicrosAsync(string apiKeyId, DateTimeOffset from)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
            "SELECT COALESCE(SUM(charged_micros), 0) FROM access_events WHERE api_key_id = @key AND occurred_at >= @from")
            .With("@key", apiKeyId).With("@from", from.ToUniversalTime());
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static System.Data.Common.DbCommand Parameters(System.Data.Common.DbCommand command, SearchActivityQuery query) =>
        command.With("@tenant", query.TenantId).With("@key", query.ApiKeyId).With("@from", query.From?.ToUniversalTime()).With("@to", query.To?.ToUniversalTime());
}
