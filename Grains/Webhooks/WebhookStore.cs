using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Webhooks;

namespace Ipto.Grains.Webhooks;

/// <summary>A delivery that is due, with the event it carries.</summary>
public sealed record DueDelivery(string DeliveryId, string EventId, string EventType, DateTimeOffset EventCreatedAt, string Data, int Attempts, int ScheduleStart);

/// <summary>What an attempt did: the receiver's status code (none when no answer came), an error, and how long it took.</summary>
public sealed record AttemptResult(int? StatusCode, string? Error, long DurationMs)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// The webhook tables: <c>webhook_endpoints</c> (the endpoint grains' read model, what the dispatcher matches on),
/// <c>webhook_deliveries</c> (one per endpoint and event, with the durable retry schedule in <c>next_attempt_at</c>)
/// and <c>webhook_attempts</c> (the delivery log).
/// </summary>
public sealed class WebhookStore(AppDatabase database)
{
    /// <summary>Writes the endpoint's row; a deleted endpoint's pending deliveries end in the same transaction.</summary>
    public async Task UpsertEndpointAsync(string webhookId, WebhookEndpointState endpoint)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var view = View(webhookId, endpoint);
        await new VersionedRow("webhook_endpoints", "webhook_id", webhookId, endpoint.Version)
            .Set("tenant_id", endpoint.TenantId).Set("status", endpoint.Status).Set("event_types", Filter(endpoint.EventTypes))
            .Set("document", JsonSerializer.Serialize(view, ProjectionJson.Default.WebhookEndpointView))
            .Set("created_at", endpoint.CreatedAt).Set("deleted", endpoint.Deleted).Set("updated_at", endpoint.UpdatedAt)
            .WriteAsync(connection, transaction);
        if (endpoint.Deleted)
        {
            await using var end = connection.Command(
                "UPDATE webhook_deliveries SET status = @failed, next_attempt_at = NULL WHERE webhook_id = @webhook AND status = @pending", transaction)
                .With("@failed", WebhookDeliveryStatuses.Failed).With("@pending", WebhookDeliveryStatuses.Pending).With("@webhook", webhookId);
            await end.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public static WebhookEndpointView View(string webhookId, WebhookEndpointState endpoint) =>
        new(webhookId, endpoint.Url, endpoint.EventTypes.ToArray(), endpoint.Status, endpoint.Description, endpoint.CreatedAt, endpoint.UpdatedAt);

    /// <summary>A tenant's endpoints, newest first, after <paramref name="afterWebhookId"/>.</summary>
    public async Task<IReadOnlyList<WebhookEndpointView>> ListEndpointsAsync(string tenantId, string? afterWebhookId, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"""
            SELECT document FROM webhook_endpoints
            WHERE tenant_id = @tenant AND NOT deleted {(afterWebhookId is null ? "" : "AND webhook_id < @after")}
            ORDER BY webhook_id DESC LIMIT @limit
            """).With("@tenant", tenantId).With("@after", afterWebhookId).With("@limit", limit);
        var rows = new List<WebhookEndpointView>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(JsonSerializer.Deserialize(reader.GetString(0), ProjectionJson.Default.WebhookEndpointView)!);
        return rows;
    }

    /// <summary>
    /// Turns up to <paramref name="batch"/> undispatched outbox events, oldest first, into deliveries for the enabled
    /// endpoints of their tenant that subscribe to them and existed when they happened, and marks them dispatched, in
    /// one transaction (so an event is matched exactly once, and a crash before the commit leaves it undispatched).
    /// Answers the endpoints that got deliveries and whether the batch was full.
    /// </summary>
    public async Task<(IReadOnlyCollection<string> Endpoints, bool Full)> DispatchAsync(DateTimeOffset now, int batch)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var events = new List<(string Id, string Type, string TenantId, DateTimeOffset CreatedAt)>();
        await using (var select = connection.Command($"""
            SELECT event_id, type, tenant_id, created_at FROM outbox_events WHERE dispatched_at IS NULL
            ORDER BY created_at, event_id LIMIT @batch{(database.Dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "")}
            """, transaction).With("@batch", batch))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                events.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetUtcTimestamp(3)!.Value));
        }

        if (events.Count == 0) return ([], false);
        var endpoints = await SubscribersAsync(connection, transaction, events.Select(e => e.TenantId).Distinct().ToArray());
        var poked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            foreach (var endpoint in endpoints.Where(s => s.TenantId == e.TenantId && s.CreatedAt <= e.CreatedAt && Subscribes(s.Filter, e.Type)))
                if (await InsertDeliveryAsync(connection, transaction, endpoint.WebhookId, e.Id, e.Type, e.CreatedAt, now)) poked.Add(endpoint.WebhookId);
            await using var mark = connection.Command("UPDATE outbox_events SET dispatched_at = @now WHERE event_id = @id", transaction)
                .With("@now", now).With("@id", e.Id);
            await mark.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return (poked, events.Count == batch);
    }

    private static async Task<List<(string WebhookId, string TenantId, string Filter, DateTimeOffset CreatedAt)>> SubscribersAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<string> tenantIds)
    {
        var names = tenantIds.Select((_, i) => "@t" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await using var command = connection.Command($"""
            SELECT webhook_id, tenant_id, event_types, created_at FROM webhook_endpoints
            WHERE NOT deleted AND status = @enabled AND tenant_id IN ({string.Join(", ", names)})
            """, transaction).With("@enabled", WebhookStatuses.Enabled);
        for (var i = 0; i < names.Length; i++) command.With(names[i], tenantIds[i]);
        var rows = new List<(string, string, string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetUtcTimestamp(3)!.Value));
        return rows;
    }

    /// <summary>The stored filter: <c>,type,type,</c>, so a type matches by its comma-delimited name.</summary>
    public static string Filter(IEnumerable<string> eventTypes) => "," + string.Join(",", eventTypes) + ",";

    public static bool Subscribes(string filter, string eventType) =>
        filter.Contains("," + WebhookEventTypes.All + ",", StringComparison.Ordinal) || filter.Contains("," + eventType + ",", StringComparison.Ordinal);

    /// <summary>The id of the delivery of an event to an endpoint: derived from both, so making it twice makes the same one.</summary>
    public static string DeliveryId(string webhookId, string eventId, DateTimeOffset eventCreatedAt) =>
        Ids.Derived(IdPrefixes.WebhookDelivery, eventCreatedAt, SHA256.HashData(Encoding.UTF8.GetBytes($"{webhookId}|{eventId}")));

    private static async Task<bool> InsertDeliveryAsync(DbConnection connection, DbTransaction transaction, string webhookId, string eventId,
        string eventType, DateTimeOffset eventCreatedAt, DateTimeOffset now)
    {
        await using var insert = connection.Command("""
            INSERT INTO webhook_deliveries (delivery_id, webhook_id, event_id, event_type, status, attempts, schedule_start, next_attempt_at, created_at)
            VALUES (@delivery, @webhook, @event, @type, @pending, 0, 0, @now, @now)
            ON CONFLICT (webhook_id, event_id) DO NOTHING
            """, transaction)
            .With("@delivery", DeliveryId(webhookId, eventId, eventCreatedAt)).With("@webhook", webhookId).With("@event", eventId)
            .With("@type", eventType).With("@pending", WebhookDeliveryStatuses.Pending).With("@now", now);
        return await insert.ExecuteNonQueryAsync() > 0;
    }

    /// <summary>Writes a <c>webhook.test</c> event (already dispatched) and its one delivery, to this endpoint only.</summary>
    public async Task QueueTestAsync(string webhookId, OutboxEvent test, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await OutboxWriter.AppendAsync(connection, transaction, [test], dispatchedAt: now);
        await InsertDeliveryAsync(connection, transaction, webhookId, test.EventId, test.Type, test.CreatedAt, now);
        await transaction.CommitAsync();
    }

    /// <summary>The endpoint's first due delivery in event order, or null.</summary>
    public async Task<DueDelivery?> NextDueAsync(string webhookId, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT d.delivery_id, d.event_id, d.event_type, o.created_at, o.data, d.attempts, d.schedule_start
            FROM webhook_deliveries d JOIN outbox_events o ON o.event_id = d.event_id
            WHERE d.webhook_id = @webhook AND d.status = @pending AND d.next_attempt_at <= @now
            ORDER BY d.seq LIMIT 1
            """).With("@webhook", webhookId).With("@pending", WebhookDeliveryStatuses.Pending).With("@now", now);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new DueDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetUtcTimestamp(3)!.Value, reader.GetString(4),
            reader.GetInt32(5), reader.GetInt32(6));
    }

    /// <summary>When the endpoint's next pending delivery is due, or null when none is pending.</summary>
    public async Task<DateTimeOffset?> NextAttemptAtAsync(string webhookId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command(
            "SELECT next_attempt_at FROM webhook_deliveries WHERE webhook_id = @webhook AND status = @pending ORDER BY next_attempt_at LIMIT 1")
            .With("@webhook", webhookId).With("@pending", WebhookDeliveryStatuses.Pending);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetUtcTimestamp(0) : null;
    }

    /// <summary>
    /// Logs attempt number <paramref name="attempt"/> and moves the delivery on (pending with its next time, succeeded
    /// or failed) in one transaction; a repeat of the same attempt changes nothing.
    /// </summary>
    public async Task RecordAttemptAsync(string webhookId, DueDelivery delivery, int attempt, AttemptResult result, DateTimeOffset attemptedAt,
        string status, DateTimeOffset? nextAttemptAt)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var log = connection.Command("""
            INSERT INTO webhook_attempts (delivery_id, attempt, webhook_id, event_id, event_type, status_code, error, duration_ms, attempted_at, next_attempt_at)
            VALUES (@delivery, @attempt, @webhook, @event, @type, @code, @error, @duration, @at, @next)
            ON CONFLICT (delivery_id, attempt) DO NOTHING
            """, transaction)
            .With("@delivery", delivery.DeliveryId).With("@attempt", attempt).With("@webhook", webhookId).With("@event", delivery.EventId)
            .With("@type", delivery.EventType).With("@code", result.StatusCode).With("@error", result.Error).With("@duration", result.DurationMs)
            .With("@at", attemptedAt).With("@next", nextAttemptAt))
        {
            await log.ExecuteNonQueryAsync();
        }

        await using (var move = connection.Command("""
            UPDATE webhook_deliveries SET attempts = @attempt, status = @status, next_attempt_at = @next
            WHERE delivery_id = @delivery AND attempts = @previous
            """, transaction)
            .With("@attempt", attempt).With("@status", status).With("@next", nextAttemptAt).With("@delivery", delivery.DeliveryId)
            .With("@previous", attempt - 1))
        {
            await move.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Whether the endpoint's last <paramref name="count"/> finished deliveries all failed every attempt.</summary>
    public async Task<bool> LastDeliveriesAllFailedAsync(string webhookId, int count)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT status FROM webhook_deliveries WHERE webhook_id = @webhook AND status <> @pending ORDER BY seq DESC LIMIT @count
            """).With("@webhook", webhookId).With("@pending", WebhookDeliveryStatuses.Pending).With("@count", count);
        var statuses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) statuses.Add(reader.GetString(0));
        return statuses.Count == count && statuses.All(s => s == WebhookDeliveryStatuses.Failed);
    }

    /// <summary>The endpoint's attempts, newest first, after the attempt at <paramref name="afterSeq"/>, each with its position.</summary>
    public async Task<IReadOnlyList<(long Seq, WebhookAttemptView Attempt)>> ListAttemptsAsync(string webhookId, long? afterSeq, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"""
            SELECT attempt_seq, delivery_id, event_id, event_type, attempt, status_code, error, duration_ms, attempted_at, next_attempt_at
            FROM webhook_attempts WHERE webhook_id = @webhook {(afterSeq is null ? "" : "AND attempt_seq < @after")}
            ORDER BY attempt_seq DESC LIMIT @limit
            """).With("@webhook", webhookId).With("@after", afterSeq).With("@limit", limit);
        var rows = new List<(long, WebhookAttemptView)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), new WebhookAttemptView(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7),
                reader.GetUtcTimestamp(8)!.Value, reader.GetUtcTimestamp(9))));
        return rows;
    }

    /// <summary>Makes a delivery of this endpoint pending and due now, its retry schedule starting over; false when there is none.</summary>
    public async Task<bool> RedeliverAsync(string webhookId, string deliveryId, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            UPDATE webhook_deliveries SET status = @pending, schedule_start = attempts, next_attempt_at = @now
            WHERE delivery_id = @delivery AND webhook_id = @webhook
            """).With("@pending", WebhookDeliveryStatuses.Pending).With("@now", now).With("@delivery", deliveryId).With("@webhook", webhookId);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    /// <summary>Enabled endpoints with a delivery due by <paramref name="now"/> (after a restart, nothing else remembers them).</summary>
    public async Task<IReadOnlyList<string>> EndpointsWithDueDeliveriesAsync(DateTimeOffset now, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT DISTINCT d.webhook_id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.webhook_id = d.webhook_id
            WHERE d.status = @pending AND d.next_attempt_at <= @now AND e.status = @enabled AND NOT e.deleted
            LIMIT @limit
            """).With("@pending", WebhookDeliveryStatuses.Pending).With("@now", now).With("@enabled", WebhookStatuses.Enabled).With("@limit", limit);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }
}
