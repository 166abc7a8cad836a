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
            SpendGroupings.Day => new RollupSums.Column("k", "day", database.UtcDayOf("occurred_at")),
            SpendGroupings.Dataset => new RollupSums.Column("k", "dataset_id", "dataset_id"),
            SpendGroupings.ApiKey => new RollupSums.Column("k", "NULLIF(api_key_id, '')", "api_key_id"),
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Unknown spend grouping."),
        };
        var (label, join) = groupBy switch
        {
            SpendGroupings.Dataset => ("d.document", " LEFT JOIN datasets d ON d.dataset_id = g.k"),
            SpendGroupings.ApiKey => ("a.name", " LEFT JOIN api_keys a ON a.key_id = g.k AND a.tenant_id = @owner"),
            _ => ("NULL", ""),
        };
        await using var connection = await database.OpenAsync();
        await using var snapshot = await database.BeginSnapshotAsync(connection);
        await using var command = await RollupSums.SpendAsync(database, connection, snapshot, tenantId, key, RollupSums.Filter.None, from, to,
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
