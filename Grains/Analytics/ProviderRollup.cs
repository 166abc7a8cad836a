using System.Data.Common;
using System.Globalization;
using System.Text;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Analytics;

/// <summary>
/// The provider analytics rollups: <c>provider_daily</c> (per provider tenant, UTC day, dataset, buyer tenant and
/// type: events, amount, rank sum, top-3 appearances, searches with an appearance) and <c>provider_keywords_daily</c>
/// (searches per keyword of the query texts, per dataset and for the whole provider under dataset <c>''</c>). A
/// search's words count once per dataset and once per provider: on the retrieval that is the first of its dataset
/// (of its provider) in the search.
/// </summary>
public sealed class ProviderRollup(AppDatabase database) : ILedgerRollup
{
    /// <summary>The dataset of keyword rows that count a search once for all of the provider's datasets.</summary>
    public const string AllDatasets = "";

    /// <summary>Keyword rows per statement, within every database's parameter limit.</summary>
    private const int RowsPerStatement = 5_000;

    public string Name => "provider_daily";

    public async Task ClearAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var clear = connection.Command("DELETE FROM provider_daily; DELETE FROM provider_keywords_daily", transaction);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(DbConnection connection, DbTransaction transaction, long after, long upTo, CancellationToken cancellationToken)
    {
        var day = database.UtcDayOf("occurred_at");
        await using (var add = connection.Command($"""
                         INSERT INTO provider_daily (provider_tenant_id, day, dataset_id, buyer_tenant_id, type, events, amount, rank_sum, top3, dataset_searches, provider_searches)
                         SELECT provider_tenant_id, {day}, dataset_id, tenant_id, type, {Measures.Events}
                         FROM access_events WHERE seq > @after AND seq <= @up_to GROUP BY provider_tenant_id, {day}, dataset_id, tenant_id, type
                         ON CONFLICT (provider_tenant_id, day, dataset_id, buyer_tenant_id, type) DO UPDATE SET
                             events = provider_daily.events + excluded.events, amount = provider_daily.amount + excluded.amount,
                             rank_sum = provider_daily.rank_sum + excluded.rank_sum, top3 = provider_daily.top3 + excluded.top3,
                             dataset_searches = provider_daily.dataset_searches + excluded.dataset_searches,
                             provider_searches = provider_daily.provider_searches + excluded.provider_searches
                         """, transaction).With("@after", after).With("@up_to", upTo))
            await add.ExecuteNonQueryAsync(cancellationToken);

        var counts = await KeywordCountsAsync(database, connection, transaction, "e.seq > @after AND e.seq <= @up_to", c => c.With("@after", after).With("@up_to", upTo),
            cancellationToken);
        foreach (var chunk in counts.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder("INSERT INTO provider_keywords_daily (provider_tenant_id, day, dataset_id, keyword, searches) VALUES ");
            await using var insert = connection.Command("", transaction);
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@p{i}, @d{i}, @s{i}, @k{i}, @n{i})");
                var ((provider, rowDay, dataset, keyword), n) = chunk[i];
                insert.With($"@p{i}", provider).With($"@d{i}", rowDay).With($"@s{i}", dataset).With($"@k{i}", keyword).With($"@n{i}", n);
            }

            insert.CommandText = sql.Append(" ON CONFLICT (provider_tenant_id, day, dataset_id, keyword) DO UPDATE SET searches = provider_keywords_daily.searches + excluded.searches")
                .ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Searches per (provider, UTC day, dataset or <see cref="AllDatasets"/>, keyword) among the retrievals matching
    /// <paramref name="condition"/> (over <c>access_events e</c>).
    /// </summary>
    public static async Task<Dictionary<(string Provider, string Day, string Dataset, string Keyword), long>> KeywordCountsAsync(AppDatabase database,
        DbConnection connection, DbTransaction transaction, string condition, Func<DbCommand, DbCommand> parameters, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string, string, string), long>();
        await using var read = parameters(connection.Command($"""
            SELECT e.provider_tenant_id, {database.UtcDayOf("e.occurred_at")}, e.dataset_id, e.first_of_provider, s.query_text
            FROM access_events e JOIN search_activities s ON s.search_activity_id = e.search_activity_id
            WHERE {condition} AND e.type = 'retrieval' AND e.first_of_dataset = 1
            """, transaction));
        await using var rows = await read.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            var (provider, day, dataset) = (rows.GetString(0), rows.GetString(1), rows.GetString(2));
            var forProvider = !rows.IsDBNull(3) && Convert.ToInt64(rows.GetValue(3), CultureInfo.InvariantCulture) == 1;
            foreach (var keyword in QueryKeywords.Of(rows.GetString(4)))
            {
                Add((provider, day, dataset, keyword));
                if (forProvider) Add((provider, day, AllDatasets, keyword));
            }
        }

        return counts;

        void Add((string, string, string, string) key) => counts[key] = counts.GetValueOrDefault(key) + 1;
    }

    /// <summary>What a provider's rows sum, over the rollup and over the events.</summary>
    public static class Measures
    {
        public static readonly RollupSums.Column RankSum = new("rank_sum", "SUM(rank_sum)", "COALESCE(SUM(rank), 0)");
        public static readonly RollupSums.Column Top3 = new("top3", "SUM(top3)", "SUM(CASE WHEN rank <= 3 THEN 1 ELSE 0 END)");
        public static readonly RollupSums.Column DatasetSearches = new("dataset_searches", "SUM(dataset_searches)", "COALESCE(SUM(first_of_dataset), 0)");
        public static readonly RollupSums.Column ProviderSearches = new("provider_searches", "SUM(provider_searches)", "COALESCE(SUM(first_of_provider), 0)");

        public static readonly IReadOnlyList<RollupSums.Column> All =
            [RollupSums.Column.Count, RollupSums.Column.Amount, RankSum, Top3, DatasetSearches, ProviderSearches];

        /// <summary>The events' aggregates in the rollup's column order, for the flush.</summary>
        public static string Events => string.Join(", ", All.Select(m => m.Events));
    }
}
