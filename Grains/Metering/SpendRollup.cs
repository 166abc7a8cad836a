using System.Data.Common;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>
/// The spend rollups: per buyer tenant, UTC day (<c>spend_daily</c>) or hour (<c>spend_hourly</c>, for the partial days
/// at a range's ends), dataset, key ('' for a session) and type.
/// </summary>
public sealed class SpendRollup(AppDatabase database) : ILedgerRollup
{
    public string Name => "spend_daily";

    public async Task ClearAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var clear = connection.Command("DELETE FROM spend_daily; DELETE FROM spend_hourly", transaction);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(DbConnection connection, DbTransaction transaction, long after, long upTo, CancellationToken cancellationToken)
    {
        foreach (var period in RollupPeriod.Of(database))
        {
            await using var add = connection.Command($"""
                INSERT INTO spend_{period.Suffix} ({period.Columns}, tenant_id, dataset_id, api_key_id, type, events, amount)
                SELECT {period.Values}, tenant_id, dataset_id, COALESCE(api_key_id, ''), type, count(*), SUM(charged_micros)
                FROM access_events WHERE seq > @after AND seq <= @up_to GROUP BY {period.Values}, tenant_id, dataset_id, COALESCE(api_key_id, ''), type
                ON CONFLICT (tenant_id, {period.Key}, dataset_id, api_key_id, type)
                DO UPDATE SET events = spend_{period.Suffix}.events + excluded.events, amount = spend_{period.Suffix}.amount + excluded.amount
                """, transaction).With("@after", after).With("@up_to", upTo);
            await add.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>
/// The two periods every rollup keeps: UTC days, and UTC hours (which also carry their day). <see cref="Key"/> is the
/// period's column in the table's key, <see cref="Columns"/> the period columns and <see cref="Values"/> their values
/// from <c>access_events.occurred_at</c>.
/// </summary>
public sealed record RollupPeriod(string Suffix, string Key, string Columns, string Values)
{
    public static IReadOnlyList<RollupPeriod> Of(AppDatabase database) =>
    [
        new("daily", "day", "day", database.UtcDayOf("occurred_at")),
        new("hourly", "hour", "hour, day", $"{database.UtcHourOf("occurred_at")}, {database.UtcDayOf("occurred_at")}"),
    ];
}
