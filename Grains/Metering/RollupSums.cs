using System.Data.Common;
using System.Globalization;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>
/// Sums of access events from a daily rollup, exact whether or not it is flushed: whole UTC days from the rollup (the
/// events up to its watermark) plus that range's events after the watermark, and the partial days at the range's ends
/// from the events. The watermark and the rollup are read in one snapshot, so no event is counted twice or missed.
/// </summary>
public static class RollupSums
{
    /// <summary>A daily rollup: its table (and watermark name), and the column that names whose rows they are, in it and in the events.</summary>
    public sealed record Source(string Table, string Owner, string EventOwner)
    {
        public static readonly Source Spend = new("spend_daily", "tenant_id", "tenant_id");
        public static readonly Source Provider = new("provider_daily", "provider_tenant_id", "provider_tenant_id");
    }

    /// <summary>A column of the sums: a key to group by, or a measure (the rollup's and the events' aggregate).</summary>
    /// <param name="Rollup">Its expression over the rollup's rows.</param>
    /// <param name="Events">Its expression over <c>access_events</c>.</param>
    public sealed record Column(string Name, string Rollup, string Events)
    {
        public static readonly Column Type = new("type", "type", "type");
        public static readonly Column Count = new("n", "SUM(events)", "count(*)");
        public static readonly Column Amount = new("amount", "SUM(amount)", "SUM(charged_micros)");
    }

    /// <summary>Conditions on dimensions both the rollup and the events have (null: any).</summary>
    public sealed record Filter(string? ApiKeyId, string? DatasetId, string? Type)
    {
        public static readonly Filter None = new(null, null, null);

        public string Sql =>
            (ApiKeyId is null ? "" : " AND api_key_id = @key") + (DatasetId is null ? "" : " AND dataset_id = @dataset") + (Type is null ? "" : " AND type = @type");
    }

    /// <summary>The ends of an open range: before and after any event the ledger can hold (whole UTC days, so only the rollup and its tail are read).</summary>
    public static readonly DateTimeOffset Beginning = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero), End = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A buyer tenant's spend by <paramref name="key"/> and type: rows (<c>k</c>, <c>type</c>, <c>n</c>, <c>amount</c>).</summary>
    public static Task<DbCommand> SpendAsync(AppDatabase database, DbConnection connection, DbTransaction snapshot, string tenantId, Column key,
        Filter filter, DateTimeOffset from, DateTimeOffset to, Func<string, string> wrap) =>
        CommandAsync(database, connection, snapshot, Source.Spend, tenantId, key == Column.Type ? [Column.Type] : [key, Column.Type],
            [Column.Count, Column.Amount], filter, from, to, wrap);

    /// <summary>
    /// A command answering one row per distinct <paramref name="keys"/> with each of <paramref name="measures"/> summed,
    /// over [<paramref name="from"/>, <paramref name="to"/>), wrapped by <paramref name="wrap"/>; run it in <paramref name="snapshot"/>.
    /// </summary>
    public static async Task<DbCommand> CommandAsync(AppDatabase database, DbConnection connection, DbTransaction snapshot, Source source, string owner,
        IReadOnlyList<Column> keys, IReadOnlyList<Column> measures, Filter filter, DateTimeOffset from, DateTimeOffset to, Func<string, string> wrap)
    {
        var watermark = await LedgerRollups.WatermarkAsync(database, connection, snapshot, source.Table);
        var range = SpendRange.Split(from, to);
        var rollupKeys = string.Join(", ", keys.Select(k => k.Rollup));
        var eventKeys = string.Join(", ", keys.Select(k => k.Events));
        var rollupColumns = string.Join(", ", keys.Concat(measures).Select(c => $"{c.Rollup} AS {c.Name}"));
        var eventColumns = string.Join(", ", keys.Concat(measures).Select(c => $"{c.Events} AS {c.Name}"));
        var events = $" WHERE {source.EventOwner} = @owner" + filter.Sql;
        var sums = $"""
            SELECT {string.Join(", ", keys.Select(k => k.Name).Concat(measures.Select(m => $"SUM({m.Name}) AS {m.Name}")))} FROM (
                SELECT {rollupColumns}
                FROM {source.Table} WHERE {source.Owner} = @owner{filter.Sql} AND day >= @first_day AND day < @end_day
                GROUP BY {rollupKeys}
                UNION ALL
                SELECT {eventColumns}
                FROM access_events{events} AND seq > @watermark AND occurred_at >= @head_end AND occurred_at < @tail_start
                GROUP BY {eventKeys}
                UNION ALL
                SELECT {eventColumns}
                FROM access_events{events} AND ((occurred_at >= @from AND occurred_at < @head_end) OR (occurred_at >= @tail_start AND occurred_at < @to))
                GROUP BY {eventKeys}) parts
            GROUP BY {string.Join(", ", keys.Select(k => k.Name))}
            """;
        return connection.Command(wrap(sums), snapshot)
            .With("@owner", owner).With("@key", filter.ApiKeyId).With("@dataset", filter.DatasetId).With("@type", filter.Type)
            .With("@first_day", range.FirstDay).With("@end_day", range.EndDay).With("@watermark", watermark)
            .With("@from", from.ToUniversalTime()).With("@head_end", range.HeadEnd).With("@tail_start", range.TailStart).With("@to", to.ToUniversalTime());
    }
}

/// <summary>
/// How a range [from, to) splits: the whole UTC days inside it (<see cref="FirstDay"/> to <see cref="EndDay"/>,
/// exclusive, read from a daily rollup) and the partial days at its ends ([from, <see cref="HeadEnd"/>) and
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

    /// <summary>A rollup's day of an event: its UTC date.</summary>
    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
