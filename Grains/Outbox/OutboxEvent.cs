using System.Data.Common;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Outbox;

/// <summary>
/// An event as the grain that causes it recorded it: made with the state change, kept in the grain's state until a
/// projection has written it to <c>outbox_events</c> (in the projection's transaction), so a silo that dies between
/// the state write and the projection loses none: activation projects again, and the id makes a repeat a no-op.
/// </summary>
[GenerateSerializer, Alias("Ipto.OutboxEvent")]
public sealed record OutboxEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Type,
    [property: Id(2)] string TenantId,
    [property: Id(3)] string SubjectId,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string Data);

/// <summary>Appends events to <c>outbox_events</c> inside a caller's transaction; an event already there is left alone.</summary>
public static class OutboxWriter
{
    public static async Task AppendAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<OutboxEvent> events, DateTimeOffset? dispatchedAt = null)
    {
        foreach (var e in events)
        {
            await using var insert = connection.Command("""
                INSERT INTO outbox_events (event_id, type, tenant_id, subject_id, data, created_at, dispatched_at)
                VALUES (@id, @type, @tenant, @subject, @data, @at, @dispatched)
                ON CONFLICT (event_id) DO NOTHING
                """, transaction)
                .With("@id", e.EventId).With("@type", e.Type).With("@tenant", e.TenantId).With("@subject", e.SubjectId)
                .With("@data", e.Data).With("@at", e.CreatedAt.ToUniversalTime()).With("@dispatched", dispatchedAt?.ToUniversalTime());
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Writes <paramref name="events"/> in a transaction of their own (for a grain with no read-model row).</summary>
    public static async Task AppendAsync(AppDatabase database, IReadOnlyCollection<OutboxEvent> events)
    {
        if (events.Count == 0) return;
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await AppendAsync(connection, transaction, events);
        await transaction.CommitAsync();
    }
}
