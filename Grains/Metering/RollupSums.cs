using System.Data.Common;
using System.Globalization;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

/// <summary>
/// Sums of access events from a rollup, exact whether or not it is flushed: whole UTC days from the daily rollup and the
/// whole hours of the partial days at the range's ends from the hourly one (both hold the events up to the watermark),
/// plus those days' and hours' events after the watermark, and the partial hours at the ends from the events. The
/// watermark and the rollups are read in one snapshot, so no event is counted twice or missed.
/// </summary>
public static class RollupSums
{
    /// <summary>
    /// A rollup: its daily table (and watermark name), its hourly twin, and the column that names whose rows they are, in
    /// them and in the events.
    /// </summary>
    public sealed record Source(string Table, string HourlyTable, string Owner, string EventOwner)
    {
        public static readonly Source Spend = new("spend_daily", "spend_hourly", "tenant_id", "tenant_id");
        public static readonly Source Provider = new("provider_daily", "provider_hourly", "provider_tenant_id", "provider_tenant_id");
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
        await database.PreferIndexScansAsync(connection, snapshot);
        var watermark = await LedgerRollups.WatermarkAsync(database, connection, snapshot, source.Table);
        var range = RollupRange.Split(from, to);
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
                SELECT {rollupColumns}
                FROM {source.HourlyTable} WHERE {source.Owner} = @owner{filter.Sql}
                    AND ((hour >= @head_first_hour AND hour < @head_end_hour) OR (hour >= @tail_first_hour AND hour < @tail_end_hour))
                GROUP BY {rollupKeys}
                UNION ALL
                SELECT {eventColumns}
                FROM access_events{events} AND seq > @watermark AND occurred_at >= @whole_start AND occurred_at < @whole_end
                GROUP BY {eventKeys}
                UNION ALL
                SELECT {eventColumns}
                FROM access_events{events} AND ((occurred_at >= @from AND occurred_at < @whole_start) OR (occurred_at >= @whole_end AND occurred_at < @to))
                GROUP BY {eventKeys}) parts
            GROUP BY {string.Join(", ", keys.Select(k => k.Name))}
            """;
        return range.Bind(connection.Command(wrap(sums), snapshot), from, to)
            .With("@owner", owner).With("@key", filter.ApiKeyId).With("@dataset", filter.DatasetId).With("@type", filter.Type).With("@watermark", watermark);
    }
}

/// <summary>
/// How a range [from, to) splits: the whole UTC days inside it (<see cref="FirstDay"/> to <see cref="EndDay"/>, exclusive;
/// a daily rollup), the whole UTC hours inside it outside those days (the head's and the tail's hour ranges; an hourly
/// rollup), all of which lie in [<see cref="WholeStart"/>, <see cref="WholeEnd"/>), and the partial hours at its ends
/// ([from, WholeStart) and [WholeEnd, to); the events). Day and hour keys are UTC <c>YYYY-MM-DD</c> and <c>YYYY-MM-DDTHH</c>.
/// </summary>
public sealed record RollupRange(
    string FirstDay, string EndDay, string HeadFirstHour, string HeadEndHour, string TailFirstHour, string TailEndHour,
    DateTimeOffset WholeStart, DateTimeOffset WholeEnd)
{
    public static RollupRange Split(DateTimeOffset from, DateTimeOffset to)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        var firstHour = Ceiling(from, TimeSpan.FromHours(1));
        var endHour = Floor(to, TimeSpan.FromHours(1));
        if (firstHour >= endHour) return new RollupRange("", "", "", "", "", "", to, to);
        var firstDay = Ceiling(from, TimeSpan.FromDays(1));
        var endDay = Floor(to, TimeSpan.FromDays(1));
        if (firstDay >= endDay) return new RollupRange("", "", HourOf(firstHour), HourOf(endHour), "", "", firstHour, endHour);
        return new RollupRange(DayOf(firstDay), DayOf(endDay), HourOf(firstHour), HourOf(firstDay), HourOf(endDay), HourOf(endHour), firstHour, endHour);
    }

    /// <summary>Binds the range's parameters (<c>@from</c>, <c>@to</c> and the split) to a command.</summary>
    public DbCommand Bind(DbCommand command, DateTimeOffset from, DateTimeOffset to) => command
        .With("@first_day", FirstDay).With("@end_day", EndDay)
        .With("@head_first_hour", HeadFirstHour).With("@head_end_hour", HeadEndHour).With("@tail_first_hour", TailFirstHour).With("@tail_end_hour", TailEndHour)
        .With("@whole_start", WholeStart).With("@whole_end", WholeEnd).With("@from", from.ToUniversalTime()).With("@to", to.ToUniversalTime());

    /// <summary>A rollup's day of an event: its UTC date.</summary>
    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A rollup's hour of an event: its UTC date and hour.</summary>
    public static string HourOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan unit) => new(at.UtcTicks - at.UtcTicks % unit.Ticks, TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset at, TimeSpan unit) => at.UtcTicks % unit.Ticks == 0 ? at : Floor(at, unit) + unit;
}
