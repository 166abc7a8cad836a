using System.Data.Common;
using System.Globalization;
using System.Text;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Analytics;

/// <summary>
/// The provider analytics rollups: <c>provider_daily</c> (per provider tenant, UTC day, dataset, buyer tenant and
/// type: events, amount, rank sum, top-3 appearances, searches with an appearance) and <c>provider_keywords_daily</c>
/// (searches per keyword of the query texts, per dataset and for the whole provider under dataset <c>''</c>), and the
/// same per UTC hour (<c>provider_hourly</c>, <c>provider_keywords_hourly</c>) for the partial days at a range's ends. A
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
        await using var clear = connection.Command(
            "DELETE FROM provider_daily; DELETE FROM provider_hourly; DELETE FROM provider_keywords_daily; DELETE FROM provider_keywords_hourly", transaction);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAsync(DbConnection connection, DbTransaction transaction, long after, long upTo, CancellationToken cancellationToken)
    {
        foreach (var period in RollupPeriod.Of(database))
        {
            var table = "provider_" + period.Suffix;
            await using var add = connection.Command($"""
                INSERT INTO {table} ({period.Columns}, provider_tenant_id, dataset_id, buyer_tenant_id, type, events, amount, rank_sum, top3, dataset_searches, provider_searches)
                SELECT {period.Values}, provider_tenant_id, dataset_id, tenant_id, type, {Measures.Events}
                FROM access_events WHERE seq > @after AND seq <= @up_to GROUP BY {period.Values}, provider_tenant_id, dataset_id, tenant_id, type
                ON CONFLICT (provider_tenant_id, {period.Key}, dataset_id, buyer_tenant_id, type) DO UPDATE SET
                    events = {table}.events + excluded.events, amount = {table}.amount + excluded.amount,
                    rank_sum = {table}.rank_sum + excluded.rank_sum, top3 = {table}.top3 + excluded.top3,
                    dataset_searches = {table}.dataset_searches + excluded.dataset_searches,
                    provider_searches = {table}.provider_searches + excluded.provider_searches
                """, transaction).With("@after", after).With("@up_to", upTo);
            await add.ExecuteNonQueryAsync(cancellationToken);
        }

        var hourly = await KeywordCountsAsync(database, connection, transaction, "e.seq > @after AND e.seq <= @up_to", c => c.With("@after", after).With("@up_to", upTo),
            cancellationToken);
        var daily = hourly.GroupBy(c => c.Key with { Hour = c.Key.Hour[..10] }).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));
        await AddKeywordsAsync(connection, transaction, "provider_keywords_hourly", "hour", hourly, cancellationToken);
        await AddKeywordsAsync(connection, transaction, "provider_keywords_daily", "day", daily, cancellationToken);
    }

    private static async Task AddKeywordsAsync(DbConnection connection, DbTransaction transaction, string table, string period,
        Dictionary<KeywordKey, long> counts, CancellationToken cancellationToken)
    {
        foreach (var chunk in counts.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder($"INSERT INTO {table} (provider_tenant_id, {period}, dataset_id, keyword, searches) VALUES ");
            await using var insert = connection.Command("", transaction);
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@p{i}, @t{i}, @s{i}, @k{i}, @n{i})");
                var (key, n) = chunk[i];
                insert.With($"@p{i}", key.Provider).With($"@t{i}", key.Hour).With($"@s{i}", key.Dataset).With($"@k{i}", key.Keyword).With($"@n{i}", n);
            }

            insert.CommandText = sql.Append($" ON CONFLICT (provider_tenant_id, {period}, dataset_id, keyword) DO UPDATE SET searches = {table}.searches + excluded.searches")
                .ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A keyword count's place: provider, UTC hour (or day, in the daily rollup), dataset (or <see cref="AllDatasets"/>).</summary>
    public sealed record KeywordKey(string Provider, string Hour, string Dataset, string Keyword);

    /// <summary>
    /// Searches per (provider, UTC hour, dataset or <see cref="AllDatasets"/>, keyword) among the retrievals matching
    /// <paramref name="condition"/> (over <c>access_events e</c>).
    /// </summary>
    public static async Task<Dictionary<KeywordKey, long>> KeywordCountsAsync(AppDatabase database, DbConnection connection, DbTransaction transaction,
        string condition, Func<DbCommand, DbCommand> parameters, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<KeywordKey, long>();
        await using var read = parameters(connection.Command($"""
            SELECT e.provider_tenant_id, {database.UtcHourOf("e.occurred_at")}, e.dataset_id, e.first_of_provider, s.query_text
            FROM access_events e JOIN search_activities s ON s.search_activity_id = e.search_activity_id
            WHERE {condition} AND e.type = 'retrieval' AND e.first_of_dataset = 1
            """, transaction));
        await using var rows = await read.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            var (provider, hour, dataset) = (rows.GetString(0), rows.GetString(1), rows.GetString(2));
            var forProvider = !rows.IsDBNull(3) && Convert.ToInt64(rows.GetValue(3), CultureInfo.InvariantCulture) == 1;
            foreach (var keyword in QueryKeywords.Of(rows.GetString(4)))
            {
                Add(new KeywordKey(provider, hour, dataset, keyword));
                if (forProvider) Add(new KeywordKey(provider, hour, AllDatasets, keyword));
            }
        }

        return counts;

        void Add(KeywordKey key) => counts[key] = counts.GetValueOrDefault(key) + 1;
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
