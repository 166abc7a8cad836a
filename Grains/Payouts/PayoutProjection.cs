using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Payouts;

namespace Ipto.Grains.Payouts;

/// <summary>Where a statement lives: its grain key and owner, found by its <c>pay_</c> id.</summary>
public sealed record StatementLocation(string GrainKey, string TenantId);

/// <summary>
/// The <c>payout_statements</c> read model (the lists; older versions never win) and the statement's outbox events,
/// written in one transaction, so an event exists exactly when a projection at or after its transition does.
/// </summary>
public sealed class PayoutProjection(AppDatabase database)
{
    public async Task UpsertAsync(string grainKey, PayoutStatement statement, long version, IReadOnlyList<PayoutEvent> events)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new VersionedRow("payout_statements", "statement_id", statement.StatementId, version)
            .Set("grain_key", grainKey).Set("tenant_id", statement.TenantId).Set("status", statement.Status)
            .Set("period_start", statement.PeriodStart.ToUniversalTime())
            .Set("document", JsonSerializer.Serialize(statement, PayoutJson.Default.PayoutStatement)).Set("updated_at", DateTimeOffset.UtcNow)
            .WriteAsync(connection, transaction);
        await OutboxWriter.AppendAsync(connection, transaction,
            events.Select(e => new OutboxEvent(e.EventId, e.Type, statement.TenantId, statement.StatementId, e.CreatedAt, e.Data)));
        await transaction.CommitAsync();
    }

    public async Task<StatementLocation?> FindAsync(string statementId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT grain_key, tenant_id FROM payout_statements WHERE statement_id = @id").With("@id", statementId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new StatementLocation(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Statements newest period first (then id), after <paramref name="afterId"/>; <paramref name="tenantId"/> null: every tenant.</summary>
    public async Task<IReadOnlyList<(string GrainKey, PayoutStatement Statement)>> ListAsync(PayoutFilter filter, string? afterId, int limit)
    {
        var sql = "SELECT grain_key, document FROM payout_statements WHERE 1 = 1"
                  + (filter.TenantId is null ? "" : " AND tenant_id = @tenant")
                  + (filter.Status is null ? "" : " AND status = @status")
                  + (filter.From is null ? "" : " AND period_start >= @from")
                  + (filter.To is null ? "" : " AND period_start < @to")
                  + (afterId is null ? "" : " AND statement_id < @after")
                  + " ORDER BY statement_id DESC LIMIT @limit";
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(sql)
            .With("@tenant", filter.TenantId).With("@status", filter.Status).With("@from", filter.From?.ToUniversalTime()).With("@to", filter.To?.ToUniversalTime())
            .With("@after", afterId).With("@limit", limit);
        var rows = new List<(string, PayoutStatement)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), JsonSerializer.Deserialize(reader.GetString(1), PayoutJson.Default.PayoutStatement)!));
        return rows;
    }
}

/// <summary>A provider's earnings in a period, from the ledger: its billable events by dataset, with the datasets' names.</summary>
public sealed class PayoutLedger(AppDatabase database)
{
    public async Task<IReadOnlyList<(string DatasetId, string DatasetName, long GrossMicros)>> GrossByDatasetAsync(
        string providerTenantId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT g.dataset_id, g.gross, d.document FROM (
                SELECT dataset_id, SUM(charged_micros) AS gross FROM access_events
                WHERE provider_tenant_id = @provider AND occurred_at >= @from AND occurred_at < @to
                GROUP BY dataset_id) g
            LEFT JOIN datasets d ON d.dataset_id = g.dataset_id
            """).With("@provider", providerTenantId).With("@from", from.ToUniversalTime()).With("@to", to.ToUniversalTime());
        var rows = new List<(string, string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), ActivityReader.DatasetName(reader.IsDBNull(2) ? null : reader.GetString(2)),
                Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)));
        return rows;
    }
}

/// <summary>The data of a <c>payout.closed</c> or <c>payout.released</c> event: the statement at its transition, amounts in USD.</summary>
public sealed record PayoutEventData(
    string StatementId, string TenantId, string PeriodStart, string PeriodEnd, string Status, decimal GrossRevenue, decimal PlatformFee,
    decimal Earnings, decimal HeldAmount, decimal ReleasedAmount, string Currency, string? ClosedAt, string? HoldUntil, string? ReleasedAt)
{
    public static PayoutEventData Of(PayoutStatement s) => new(s.StatementId, s.TenantId, Format(s.PeriodStart), Format(s.PeriodEnd), s.Status,
        Money.FromMicros(s.GrossMicros), Money.FromMicros(s.PlatformFeeMicros), Money.FromMicros(s.EarningsMicros),
        Money.FromMicros(s.HeldMicros), Money.FromMicros(s.ReleasedMicros), Money.Currency, Format(s.ClosedAt), Format(s.HoldUntil),
        Format(s.ReleasedAt));

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? Format(DateTimeOffset? at) => at is { } value ? Format(value) : null;
}

/// <summary>Statement documents (declared names) and event data (snake_case, as webhooks will deliver it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
[JsonSerializable(typeof(PayoutStatement))]
public sealed partial class PayoutJson : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PayoutEventData))]
public sealed partial class PayoutEventJson : JsonSerializerContext;
