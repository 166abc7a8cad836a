using System.Data.Common;
using System.Globalization;
using Ipto.Common;
using Ipto.Grains.ApiKeys;
using Ipto.Grains.Storage;
using Ipto.Metering;

namespace Ipto.Grains.Metering;

/// <summary>
/// A buyer tenant's spend from the ledger, aggregated by the database (one row per group and event type, never one per
/// event), and its dashboard figures. Amounts are summed exactly: the database sums integers and the groups are added
/// with checked arithmetic, so a total is the sum of its events' charges to the micro-dollar or an error, never a
/// wrapped number.
/// </summary>
public sealed class SpendReader(AppDatabase database)
{
    /// <summary>
    /// The tenant's spend over [<paramref name="from"/>, <paramref name="to"/>) grouped by <paramref name="groupBy"/>
    /// (<see cref="SpendGroupings"/>), in report order: days ascending; datasets and keys by amount descending, then key.
    /// </summary>
    public async Task<IReadOnlyList<SpendGroup>> GroupsAsync(string tenantId, string groupBy, DateTimeOffset from, DateTimeOffset to)
    {
        var key = groupBy switch
        {
            SpendGroupings.Day => new LedgerSums.Key("day", database.UtcDayOf("occurred_at")),
            SpendGroupings.Dataset => new LedgerSums.Key("dataset_id", "dataset_id"),
            SpendGroupings.ApiKey => new LedgerSums.Key("NULLIF(api_key_id, '')", "api_key_id"),
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Unknown spend grouping."),
        };
        var (label, join) = groupBy switch
        {
            SpendGroupings.Dataset => ("d.document", " LEFT JOIN datasets d ON d.dataset_id = g.k"),
            SpendGroupings.ApiKey => ("a.name", " LEFT JOIN api_keys a ON a.key_id = g.k AND a.tenant_id = @tenant"),
            _ => ("NULL", ""),
        };
        await using var connection = await database.OpenAsync();
        await using var snapshot = await database.BeginSnapshotAsync(connection);
        await using var command = await LedgerSums.CommandAsync(database, connection, snapshot, tenantId, key, LedgerSums.Filter.None, from, to,
            sums => $"SELECT g.k, g.type, g.n, g.amount, {label} FROM ({sums}) g{join}");

        var groups = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var groupKey = reader.IsDBNull(0) ? SpendGroupings.SessionKey : reader.GetString(0);
                if (!groups.TryGetValue(groupKey, out var group))
                {
                    var labelValue = reader.IsDBNull(4) ? null : reader.GetString(4);
                    groups[groupKey] = group = new Accumulator(groupBy switch
                    {
                        SpendGroupings.Dataset => ActivityReader.DatasetName(labelValue),
                        SpendGroupings.ApiKey when reader.IsDBNull(0) => SpendGroupings.SessionLabel,
                        SpendGroupings.ApiKey => labelValue ?? "",
                        _ => groupKey,
                    });
                }

                group.Add(reader.GetString(1), Integer(reader.GetValue(2)), Integer(reader.GetValue(3)));
            }
        }

        var result = groups.Select(g => g.Value.ToGroup(g.Key));
        return (groupBy == SpendGroupings.Day
            ? result.OrderBy(g => g.Key, StringComparer.Ordinal)
            : result.OrderByDescending(g => g.AmountMicros).ThenBy(g => g.Key, StringComparer.Ordinal)).ToArray();
    }

    /// <summary>
    /// The tenant's API keys (all of them, and those neither revoked nor expired at <paramref name="now"/>), and its
    /// searches and spend in [<paramref name="from"/>, <paramref name="to"/>).
    /// </summary>
    public async Task<BuyerDashboard> DashboardAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        long keys = 0, active = 0;
        // A key's status by the same rule its grain answers with (ApiKeyState.Status), over the tenant's key rows.
        await using (var command = connection.Command("SELECT revoked_at, expires_at FROM api_keys WHERE tenant_id = @tenant").With("@tenant", tenantId))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys++;
                if (ApiKeyState.Status(reader.GetUtcTimestamp(0), reader.GetUtcTimestamp(1), now) == Ipto.ApiKeys.ApiKeyStatuses.Active) active++;
            }
        }

        long searches;
        await using (var command = connection.Command(
                         "SELECT count(*) FROM search_activities WHERE tenant_id = @tenant AND occurred_at >= @from AND occurred_at < @to")
                     .With("@tenant", tenantId).With("@from", from.ToUniversalTime()).With("@to", to.ToUniversalTime()))
            searches = Integer(await command.ExecuteScalarAsync());

        var spent = Money.Sum((await GroupsAsync(tenantId, SpendGroupings.Day, from, to)).Select(g => g.AmountMicros));
        return new BuyerDashboard(keys, active, searches, spent);
    }

    /// <summary>A count or sum as the database answers it (SQLite: a long; PostgreSQL: a bigint count, a numeric sum), checked.</summary>
    private static long Integer(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private sealed class Accumulator(string label)
    {
        private long _amount, _retrieval, _citation, _download, _outcome;

        public void Add(string type, long count, long amount)
        {
            _amount = checked(_amount + amount);
            switch (type)
            {
                case AccessTypes.Retrieval: _retrieval += count; break;
                case AccessTypes.Citation: _citation += count; break;
                case AccessTypes.Download: _download += count; break;
                case AccessTypes.Outcome: _outcome += count; break;
            }
        }

        public SpendGroup ToGroup(string key) => new(key, label, _amount, new SpendEventCounts(_retrieval, _citation, _download, _outcome));
    }
}

/// <summary>
/// Sums of a buyer tenant's access events by a key and type, exact whether or not the rollup is flushed: whole UTC days
/// from the daily rollup (the events up to its watermark) plus that range's events after the watermark, and the
/// partial days at the range's ends from the events. The watermark and the rollup are read in one snapshot.
/// </summary>
public static class LedgerSums
{
    /// <param name="Rollup">The key's expression over <c>spend_daily</c>.</param>
    /// <param name="Events">The same key's expression over <c>access_events</c>.</param>
    public sealed record Key(string Rollup, string Events);

    /// <summary>Conditions on the rollup's dimensions (null: any).</summary>
    public sealed record Filter(string? ApiKeyId, string? DatasetId, string? Type)
    {
        public static readonly Filter None = new(null, null, null);

        public string Sql =>
            (ApiKeyId is null ? "" : " AND api_key_id = @key") + (DatasetId is null ? "" : " AND dataset_id = @dataset") + (Type is null ? "" : " AND type = @type");
    }

    /// <summary>The ends of an open range: before and after any event the ledger can hold (whole UTC days, so only the rollup and its tail are read).</summary>
    public static readonly DateTimeOffset Beginning = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero), End = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A key grouping nothing but the type (the tenant is fixed).</summary>
    public static readonly Key All = new("tenant_id", "tenant_id");

    /// <summary>
    /// A command answering rows (<c>k</c>, <c>type</c>, <c>n</c>, <c>amount</c>) for [<paramref name="from"/>,
    /// <paramref name="to"/>), wrapped by <paramref name="wrap"/>; run it in <paramref name="snapshot"/>.
    /// </summary>
    public static async Task<DbCommand> CommandAsync(AppDatabase database, DbConnection connection, DbTransaction snapshot, string tenantId, Key key,
        Filter filter, DateTimeOffset from, DateTimeOffset to, Func<string, string> wrap)
    {
        var watermark = await new SpendRollups(database).WatermarkAsync(connection, snapshot);
        var range = SpendRange.Split(from, to);
        var where = " WHERE tenant_id = @tenant" + filter.Sql;
        var sums = $"""
            SELECT k, type, SUM(n) AS n, SUM(amount) AS amount FROM (
                SELECT {key.Rollup} AS k, type, SUM(events) AS n, SUM(amount) AS amount
                FROM spend_daily{where} AND day >= @first_day AND day < @end_day
                GROUP BY {key.Rollup}, type
                UNION ALL
                SELECT {key.Events} AS k, type, count(*) AS n, SUM(charged_micros) AS amount
                FROM access_events{where} AND seq > @watermark AND occurred_at >= @head_end AND occurred_at < @tail_start
                GROUP BY {key.Events}, type
                UNION ALL
                SELECT {key.Events} AS k, type, count(*) AS n, SUM(charged_micros) AS amount
                FROM access_events{where} AND ((occurred_at >= @from AND occurred_at < @head_end) OR (occurred_at >= @tail_start AND occurred_at < @to))
                GROUP BY {key.Events}, type) parts
            GROUP BY k, type
            """;
        return connection.Command(wrap(sums), snapshot)
            .With("@tenant", tenantId).With("@key", filter.ApiKeyId).With("@dataset", filter.DatasetId).With("@type", filter.Type)
            .With("@first_day", range.FirstDay).With("@end_day", range.EndDay).With("@watermark", watermark)
            .With("@from", from.ToUniversalTime()).With("@head_end", range.HeadEnd).With("@tail_start", range.TailStart).With("@to", to.ToUniversalTime());
    }
}

/// <summary>
/// How a spend range [from, to) splits: the whole UTC days inside it (<see cref="FirstDay"/> to <see cref="EndDay"/>,
/// exclusive, read from the daily rollup) and the partial days at its ends ([from, <see cref="HeadEnd"/>) and
/// [<see cref="TailStart"/>, to), read from the events). Without a whole day inside, the events cover it all.
/// </summary>
public sealed record SpendRange(string FirstDay, string EndDay, DateTimeOffset HeadEnd, DateTimeOffset TailStart)
{
    public static SpendRange Split(DateTimeOffset from, DateTimeOffset to)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        var firstWhole = from.TimeOfDay == TimeSpan.Zero ? from : new DateTimeOffset(from.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var endWhole = new DateTimeOffset(to.UtcDateTime.Date, TimeSpan.Zero);
        if (firstWhole >= endWhole) return new SpendRange("", "", to, to);
        return new SpendRange(DayOf(firstWhole), DayOf(endWhole), firstWhole, endWhole);
    }

    /// <summary>The rollup's day of an event: its UTC date.</summary>
    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
