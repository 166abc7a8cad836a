using System.Text.Json;
using Ipto.Billing;
using Ipto.Grains.Storage;
using Ipto.Metering;
using Ipto.Search;

namespace Ipto.Grains.Billing;

/// <summary>A retrieval event as citations and outcomes need it.</summary>
public sealed record RetrievalEvent(string RetrievalEventId, string TenantId, string ProviderTenantId, string DatasetId, string? ObjectId, CitationLocator? Locator);

/// <summary>Reads the billable events the charging grains build on (the ledger is the truth; they cache only what they read).</summary>
public sealed class BillableEvents(AppDatabase database)
{
    public async Task<RetrievalEvent?> FindRetrievalAsync(string retrievalEventId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
                "SELECT tenant_id, provider_tenant_id, dataset_id, object_id, locator FROM access_events WHERE access_id = @id AND type = @type")
            .With("@id", retrievalEventId).With("@type", AccessTypes.Retrieval);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new RetrievalEvent(retrievalEventId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : JsonSerializer.Deserialize(reader.GetString(4), ProjectionJson.Default.CitationLocator));
    }

    public async Task<Citation?> FindCitationAsync(string retrievalEventId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
                SELECT access_id, dataset_id, object_id, locator, charged_micros, context, occurred_at FROM access_events
                WHERE retrieval_event_id = @id AND type = @type
                """).With("@id", retrievalEventId).With("@type", AccessTypes.Citation);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new Citation(reader.GetString(0), retrievalEventId, reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2),
            reader.IsDBNull(3) ? null : JsonSerializer.Deserialize(reader.GetString(3), ProjectionJson.Default.CitationLocator),
            reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetUtcTimestamp(6)!.Value);
    }

    /// <summary>The principal's latest charged download of the object at or after <paramref name="since"/>.</summary>
    public async Task<(string AccessId, DateTimeOffset At)?> LastDownloadAsync(string principalId, string objectId, DateTimeOffset since)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
                SELECT access_id, occurred_at FROM access_events
                WHERE type = @type AND principal_id = @principal AND object_id = @object AND occurred_at >= @since
                ORDER BY occurred_at DESC LIMIT 1
                """).With("@type", AccessTypes.Download).With("@principal", principalId).With("@object", objectId).With("@since", since.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetUtcTimestamp(1)!.Value) : null;
    }

    public async Task<Outcome?> FindOutcomeAsync(string outcomeId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT document FROM outcomes WHERE outcome_id = @id").With("@id", outcomeId);
        return await command.ExecuteScalarAsync() is string document ? JsonSerializer.Deserialize(document, ProjectionJson.Default.Outcome) : null;
    }
}
