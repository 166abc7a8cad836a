using System.Text.Json;
using Ipto.Analytics;
using Ipto.Grains.Analytics;
using Ipto.Grains.Metering;
using Ipto.Grains.Payouts;
using Ipto.Grains.Storage;
using Ipto.Metering;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipto.Testing;

/// <summary>Provider analytics computed from the SPEC's definitions over the ledger's rows, against the reader, on any app database.</summary>
public static class ProviderAnalyticsChecks
{
    private const decimal FeeRate = 0.2m;

    private static readonly string[] Queries =
    [
        "solar AND wind", "climate policy", "filename:report tax credits", "Solar panels 2026", "wind OR hydro NOT coal", "a grid b", "carbon tax",
        "climate \"carbon tax\"", "heat pumps", "content:grid storage",
    ];

    public static async Task AnalyticsFromTheRollupsEqualTheEventsAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var run = Guid.NewGuid().ToString("N")[..12];
        var (provider, other) = ($"tnt_p{run}", $"tnt_q{run}");
        string[] buyers = [$"tnt_b1{run}", $"tnt_b2{run}", $"tnt_b3{run}"];
        (string Dataset, string Provider)[] datasets = [($"dset_p0{run}", provider), ($"dset_p1{run}", provider), ($"dset_p2{run}", provider), ($"dset_q0{run}", other)];
        var midnight = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(20261202);
        var searches = new List<SearchActivityRow>();
        var events = new List<AccessEventRow>();
        var units = new List<LedgerRow[]>();
        for (var s = 0; s < 160; s++)
        {
            var at = midnight.AddDays(random.Next(0, 5)).AddMilliseconds(s % 9 == 0 ? 0 : s % 13 == 0 ? 86_399_999 : random.Next(0, 86_400_000));
            var buyer = buyers[random.Next(buyers.Length)];
            var search = new SearchActivityRow($"sa_{run}_{s}", buyer, null, "usr_1", Queries[random.Next(Queries.Length)], [], 0, 0, at);
            var (datasetsSeen, providersSeen) = (new HashSet<string>(), new HashSet<string>());
            var unit = new List<LedgerRow> { search };
            for (var rank = 1; rank <= random.Next(1, 7); rank++)
            {
                var (dataset, owner) = datasets[random.Next(datasets.Length)];
                var retrieval = new AccessEventRow($"ret_{run}_{s}_{rank}", AccessTypes.Retrieval, buyer, owner, dataset, "obj_1", null, search.SearchActivityId,
                    random.Next(0, 50_000), at)
                {
                    Rank = rank, ChunkIndex = 0, FirstOfDataset = datasetsSeen.Add(dataset), FirstOfProvider = providersSeen.Add(owner),
                };
                unit.Add(retrieval);
                events.Add(retrieval);
            }

            searches.Add(search);
            units.Add(unit.ToArray());
        }

        for (var i = 0; i < 90; i++)
        {
            var (dataset, owner) = datasets[random.Next(datasets.Length)];
            var type = (i % 3) switch { 0 => AccessTypes.Citation, 1 => AccessTypes.Download, _ => AccessTypes.Outcome };
            var row = new AccessEventRow($"acc_{run}_{i}", type, buyers[random.Next(buyers.Length)], owner, dataset, type == AccessTypes.Outcome ? null : "obj_1", null,
                null, random.Next(1, 2_000_000), midnight.AddDays(random.Next(0, 5)).AddMilliseconds(random.Next(0, 86_400_000)));
            events.Add(row);
            units.Add([row]);
        }

        var rollups = new LedgerRollups(database);
        var reader = new ProviderAnalyticsReader(database);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            // Half the events are flushed into the rollups, half wait after the watermark: both parts count.
            await Task.WhenAll(units.Take(units.Count / 2).Select(u => writer.AppendAsync(u, mayRepeat: false)));
            await AgreeAsync(units.Take(units.Count / 2));
            while (await rollups.FlushAsync()) { }
            await Task.WhenAll(units.Skip(units.Count / 2).Select(u => writer.AppendAsync(u, mayRepeat: false)));
            await AgreeAsync(units);
            while (await rollups.FlushAsync()) { }
            await AgreeAsync(units);
            await rollups.RebuildAsync();
            await AgreeAsync(units);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }

        async Task AgreeAsync(IEnumerable<LedgerRow[]> written)
        {
            var rows = written.SelectMany(u => u).ToArray();
            var ledger = rows.OfType<AccessEventRow>().ToArray();
            var queries = rows.OfType<SearchActivityRow>().ToDictionary(s => s.SearchActivityId, s => s.QueryText);
            (DateTimeOffset, DateTimeOffset)[] ranges =
            [
                (midnight, midnight.AddDays(5)), (midnight.AddHours(7), midnight.AddDays(3).AddHours(2)), (midnight.AddDays(1), midnight.AddDays(2)),
                (midnight.AddHours(1), midnight.AddHours(20)), (midnight.AddDays(-3), midnight.AddDays(9)),
                (midnight.AddMinutes(95), midnight.AddDays(3).AddMinutes(-7)), (midnight.AddMinutes(30), midnight.AddHours(5).AddMinutes(20)),
                (midnight.AddHours(30).AddMinutes(10), midnight.AddHours(30).AddMinutes(50)),
            ];
            foreach (var (from, to) in ranges)
            foreach (var (owner, dataset) in new[] { (provider, (string?)null), (provider, datasets[1].Dataset), (other, null) })
            {
                var expected = Expected(ledger, queries, owner, dataset, from, to);
                var actual = await reader.ReadAsync(owner, dataset, from, to, FeeRate);
                Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
            }
        }
    }

    /// <summary>The analytics by the SPEC's definitions, from the rows themselves.</summary>
    private static ProviderAnalytics Expected(AccessEventRow[] ledger, Dictionary<string, string> queries, string provider, string? dataset,
        DateTimeOffset from, DateTimeOffset to)
    {
        var events = ledger.Where(e => e.ProviderTenantId == provider && (dataset is null || e.DatasetId == dataset) && e.OccurredAt >= from && e.OccurredAt < to).ToArray();
        var retrievals = events.Where(e => e.Type == AccessTypes.Retrieval).ToArray();
        var searches = retrievals.Select(e => e.SearchActivityId!).Distinct().ToArray();
        var keywords = searches.SelectMany(s => QueryKeywords.Of(queries[s])).GroupBy(k => k)
            .Select(g => new KeywordCount(g.Key, g.LongCount())).OrderByDescending(k => k.Count).ThenBy(k => k.Keyword, StringComparer.Ordinal).Take(20).ToArray();
        decimal Ratio(long part) => retrievals.Length == 0 ? 0 : Math.Round((decimal)part / retrievals.Length, 4, MidpointRounding.ToEven);
        var byDataset = events.GroupBy(e => e.DatasetId)
            .Select(g => (Id: g.Key, Gross: g.Sum(e => e.ChargedMicros)))
            .Select(d => new DatasetRevenue(d.Id, "", d.Gross, PlatformFee.Of(d.Gross, FeeRate), d.Gross - PlatformFee.Of(d.Gross, FeeRate)))
            .OrderByDescending(d => d.GrossMicros).ThenBy(d => d.DatasetId, StringComparer.Ordinal).ToArray();
        var daily = events.GroupBy(e => e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DailyActivity(g.Key, g.Where(e => e.Type == AccessTypes.Retrieval).Select(e => e.SearchActivityId).Distinct().LongCount(),
                g.LongCount(e => e.Type == AccessTypes.Retrieval), g.Sum(e => e.ChargedMicros))).ToArray();
        return new ProviderAnalytics(from, to, keywords,
            new RankingSummary(retrievals.Length, Ratio(retrievals.Sum(e => (long)e.Rank!.Value)), Ratio(retrievals.LongCount(e => e.Rank <= 3))),
            new UsageSummary(searches.Length, retrievals.Length, events.LongCount(e => e.Type == AccessTypes.Citation), events.LongCount(e => e.Type == AccessTypes.Download),
                events.LongCount(e => e.Type == AccessTypes.Outcome), events.Select(e => e.TenantId).Distinct().LongCount()),
            new RevenueSummary(byDataset.Sum(d => d.GrossMicros), byDataset.Sum(d => d.PlatformFeeMicros), byDataset.Sum(d => d.EarningsMicros), byDataset),
            daily);
    }
}
