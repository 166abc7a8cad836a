using System.Data.Common;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>The daily spend rollup (<c>spend_daily</c>): per buyer tenant, UTC day, dataset, key ('' for a session) and type.</summary>
public sealed class SpendRollup(AppDatabase database) : ILedgerRollup
{
    public string Name => "spend_daily";

    public async Task ClearAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var clear = connection.Command("DELETE FROM spend_daily", transaction);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(DbConnection connection, DbTransaction transaction, long after, long upTo, CancellationToken cancellationToken)
    {
        var day = database.UtcDayOf("occurred_at");
        await using var add = connection.Command($"""
            INSERT INTO spend_daily (tenant_id, day, dataset_id, api_key_id, type, events, amount)
            SELECT tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
            FROM access_events WHERE seq > @after AND seq <= @up_to GROUP BY tenant_id, {day}, dataset_id, COALESCE(api_key_id, ''), type
            ON CONFLICT (tenant_id, day, dataset_id, api_key_id, type)
            DO UPDATE SET events = spend_daily.events + excluded.events, amount = spend_daily.amount + excluded.amount
            """, transaction).With("@after", after).With("@up_to", upTo);
        await add.ExecuteNonQueryAsync(cancellationToken);
    }
}
