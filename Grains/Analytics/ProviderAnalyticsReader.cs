using System.Data.Common;
using System.Globalization;
using Ipto.Analytics;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Payouts;
using Ipto.Grains.Storage;
using Ipto.Metering;

namespace Ipto.Grains.Analytics;

/// <summary>
/// A provider tenant's analytics (SPEC §13 "Provider analytics") from its rollups plus the events they do not hold yet,
/// read in one snapshot, so every figure agrees with the ledger whether or not a flush ran. Only other tenants'
/// activity is in the ledger (own use writes no billable event), so everything there counts.
/// </summary>
public sealed class ProviderAnalyticsReader(AppDatabase database)
{
    public const int TopKeywords = 20;

    private static readonly RollupSums.Column Dataset = new("dataset_id", "dataset_id", "dataset_id");
    private static readonly RollupSums.Column Buyer = new("buyer", "buyer_tenant_id", "tenant_id");

    /// <summary>Other tenants' activity on <paramref name="providerTenantId"/>'s datasets (one of them, or all when <paramref name="datasetId"/> is null) over [from, to).</summary>
    public async Task<ProviderAnalytics> ReadAsync(string providerTenantId, string? datasetId, DateTimeOffset from, DateTimeOffset to, decimal platformFeeRate)
    {
        await using var connection = await database.OpenAsync();
        await using var snapshot = await database.BeginSnapshotAsync(connection);
        var filter = new RollupSums.Filter(null, datasetId, null);
        var day = new RollupSums.Column("day", "day", database.UtcDayOf("occurred_at"));

        var types = new Dictionary<string, long>(StringComparer.Ordinal);
        var datasets = new SortedDictionary<string, (string Name, long Gross)>(StringComparer.Ordinal);
        var days = new SortedDictionary<string, (long Searches, long Retrievals, long Gross)>(StringComparer.Ordinal);
        long searches = 0, rankSum = 0, top3 = 0;
        await using (var command = await RollupSums.CommandAsync(database, connection, snapshot, RollupSums.Source.Provider, providerTenantId,
                         [day, Dataset, RollupSums.Column.Type], ProviderRollup.Measures.All, filter, from, to,
                         sums => $"SELECT g.day, g.dataset_id, g.type, g.n, g.amount, g.rank_sum, g.top3, g.dataset_searches, g.provider_searches, d.document FROM ({sums}) g"
                                 + " LEFT JOIN datasets d ON d.dataset_id = g.dataset_id"))
        await using (var rows = await command.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                var (rowDay, dataset, type) = (rows.GetString(0), rows.GetString(1), rows.GetString(2));
                var (n, amount) = (Integer(rows.GetValue(3)), Integer(rows.GetValue(4)));
                var rowSearches = Integer(rows.GetValue(datasetId is null ? 8 : 7));
                types[type] = types.GetValueOrDefault(type) + n;
                var revenue = datasets.GetValueOrDefault(dataset, (ActivityReader.DatasetName(rows.IsDBNull(9) ? null : rows.GetString(9)), 0));
                datasets[dataset] = revenue with { Gross = checked(revenue.Gross + amount) };
                var daily = days.GetValueOrDefault(rowDay);
                days[rowDay] = (daily.Searches + rowSearches, daily.Retrievals + (type == AccessTypes.Retrieval ? n : 0), checked(daily.Gross + amount));
                searches += rowSearches;
                rankSum += Integer(rows.GetValue(5));
                top3 += Integer(rows.GetValue(6));
            }
        }

        long buyers;
        await using (var command = await RollupSums.CommandAsync(database, connection, snapshot, RollupSums.Source.Provider, providerTenantId, [Buyer],
                         [RollupSums.Column.Count], filter, from, to, sums => $"SELECT count(*) FROM ({sums}) g"))
            buyers = Integer(await command.ExecuteScalarAsync());

        var keywords = await TopKeywordsAsync(connection, snapshot, providerTenantId, datasetId, from, to);

        var appearances = types.GetValueOrDefault(AccessTypes.Retrieval);
        var byDataset = datasets
            .Select(d => (Id: d.Key, d.Value.Name, d.Value.Gross, Fee: PlatformFee.Of(d.Value.Gross, platformFeeRate)))
            .Select(d => new DatasetRevenue(d.Id, d.Name, d.Gross, d.Fee, checked(d.Gross - d.Fee)))
            .OrderByDescending(d => d.GrossMicros).ThenBy(d => d.DatasetId, StringComparer.Ordinal).ToArray();
        return new ProviderAnalytics(from.ToUniversalTime(), to.ToUniversalTime(), keywords,
            new RankingSummary(appearances, Ratio(rankSum, appearances), Ratio(top3, appearances)),
            new UsageSummary(searches, appearances, types.GetValueOrDefault(AccessTypes.Citation), types.GetValueOrDefault(AccessTypes.Download),
                types.GetValueOrDefault(AccessTypes.Outcome), buyers),
            new RevenueSummary(Money.Sum(byDataset.Select(d => d.GrossMicros)), Money.Sum(byDataset.Select(d => d.PlatformFeeMicros)),
                Money.Sum(byDataset.Select(d => d.EarningsMicros)), byDataset),
            days.Select(d => new DailyActivity(d.Key, d.Value.Searches, d.Value.Retrievals, d.Value.Gross)).ToArray());
    }

    /// <summary>
    /// The top keywords: the rollups' counts (whole days from the daily one, the edges' whole hours from the hourly one)
    /// plus the counts of the events they do not hold (after the watermark, and the partial hours at the ends). Only the
    /// rollups' best (top + the other part's keywords) can end in the top, because adding counts never moves a keyword
    /// below one that got none.
    /// </summary>
    private async Task<IReadOnlyList<KeywordCount>> TopKeywordsAsync(DbConnection connection, DbTransaction snapshot, string provider, string? datasetId,
        DateTimeOffset from, DateTimeOffset to)
    {
        var scope = datasetId ?? ProviderRollup.AllDatasets;
        var watermark = await LedgerRollups.WatermarkAsync(database, connection, snapshot, RollupSums.Source.Provider.Table);
        var range = RollupRange.Split(from, to);
        var rest = (await ProviderRollup.KeywordCountsAsync(database, connection, snapshot,
                "e.provider_tenant_id = @owner" + (datasetId is null ? "" : " AND e.dataset_id = @dataset")
                + " AND ((e.seq > @watermark AND e.occurred_at >= @whole_start AND e.occurred_at < @whole_end)"
                + " OR (e.occurred_at >= @from AND e.occurred_at < @whole_start) OR (e.occurred_at >= @whole_end AND e.occurred_at < @to))",
                c => range.Bind(c, from, to).With("@owner", provider).With("@dataset", datasetId).With("@watermark", watermark), CancellationToken.None))
            .Where(c => c.Key.Dataset == scope)
            .GroupBy(c => c.Key.Keyword, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);

        var counts = new Dictionary<string, long>(rest, StringComparer.Ordinal);
        await using (var read = range.Bind(connection.Command($"""
                         SELECT keyword, SUM(searches) AS n FROM (
                             SELECT keyword, searches FROM provider_keywords_daily
                             WHERE provider_tenant_id = @owner AND dataset_id = @scope AND day >= @first_day AND day < @end_day
                             UNION ALL
                             SELECT keyword, searches FROM provider_keywords_hourly
                             WHERE provider_tenant_id = @owner AND dataset_id = @scope
                                 AND ((hour >= @head_first_hour AND hour < @head_end_hour) OR (hour >= @tail_first_hour AND hour < @tail_end_hour))) k
                         GROUP BY keyword ORDER BY n DESC, keyword{database.BinaryCollation} LIMIT @limit
                         """, snapshot), from, to)
                     .With("@owner", provider).With("@scope", scope).With("@limit", TopKeywords + rest.Count))
        await using (var rows = await read.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
                counts[rows.GetString(0)] = counts.GetValueOrDefault(rows.GetString(0)) + Integer(rows.GetValue(1));
        }

        return counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(TopKeywords)
            .Select(c => new KeywordCount(c.Key, c.Value)).ToArray();
    }

    private static decimal Ratio(long part, long whole) => whole == 0 ? 0 : Math.Round((decimal)part / whole, 4, MidpointRounding.ToEven);

    private static long Integer(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
