using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>
/// The daily spend rollup is a cache of the ledger: this rebuilds it from the events, in one transaction. On
/// PostgreSQL the rollup is locked first, so a batch committing meanwhile waits and then adds its events to the rebuilt
/// rows (its statement writes events and rollup together); SQLite has one writer anyway.
/// </summary>
public sealed class SpendRollups(AppDatabase database)
{
    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        var day = database.UtcDayOf("occurred_at");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (database.Dialect == SqlDialect.Postgres)
            await using (var lockRollup = connection.Command("LOCK TABLE spend_daily IN EXCLUSIVE MODE", transaction))
                await lockRollup.ExecuteNonQueryAsync(cancellationToken);
        await using (var clear = connection.Command("DELETE FROM spend_daily", transaction)) await clear.ExecuteNonQueryAsync(cancellationToken);
        await using (var fill = connection.Command($"""
                         INSERT INTO spend_daily (tenant_id, day, dataset_id, api_key_id, type, events, amount)
                         SELECT tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
                         FROM access_events GROUP BY tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type
                         """, transaction))
            await fill.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
