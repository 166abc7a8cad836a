using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipto.Testing;

/// <summary>The ledger writer's contract, run against any app database (SQLite in grain tests, PostgreSQL in integration).</summary>
public static class LedgerChecks
{
    public static async Task ConcurrentAppendsAreDurableInFewBatchesAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var tenant = "tnt_" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;

        var rows = Enumerable.Range(0, 300).Select(i => i % 2 == 0
            ? (LedgerRow)new SearchActivityRow($"sa_{tenant}_{i}", tenant, "key_1", "key_1", $"query {i}", ["dset_a", "dset_b"], 3, 90_000, now)
            : new AccessEventRow($"ret_{tenant}_{i}", "retrieval", tenant, "tnt_provider", "dset_a", "obj_1", "key_1", $"sa_{tenant}_{i - 1}", 30_000, now)).ToArray();
        await Task.WhenAll(rows.Select(writer.AppendAsync));
        await writer.AppendAsync(rows[0]); // the same row again is a no-op

        Assert.Equal(150, await CountAsync(database, "search_activities", tenant));
        Assert.Equal(150, await CountAsync(database, "access_events", tenant));
        Assert.InRange(writer.BatchesCommitted, 1, 100);

        // The activity read side filters by key and time range and pages newest first on this database too.
        var reader = new ActivityReader(database);
        var (firstPage, total) = await reader.SearchesAsync(new SearchActivityQuery(tenant, "key_1", now.AddMinutes(-1), now.AddMinutes(1)), null, 10);
        Assert.Equal(150, total);
        Assert.Equal(10, firstPage.Count);
        Assert.Equal(0, (await reader.SearchesAsync(new SearchActivityQuery(tenant, null, null, now.AddMinutes(-1)), null, 10)).Total);
        Assert.Equal(0, (await reader.SearchesAsync(new SearchActivityQuery(tenant, "key_2", null, null), null, 10)).Total);
        var (next, _) = await reader.SearchesAsync(new SearchActivityQuery(tenant, null, null, null), firstPage[^1].SearchActivityId, 500);
        Assert.Equal(140, next.Count);

        await writer.StopAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.AppendAsync(new AccessEventRow("late", "retrieval", tenant, "p", "d", null, null, null, 0, now)));
    }

    /// <summary>Two attempts of one idempotent search appended at once: one unit is recorded whole, the other not at all.</summary>
    public static async Task ASecondAttemptOfASearchWritesNothingAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var tenant = "tnt_" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var searchId = $"sa_{tenant}";
        LedgerRow[] Attempt(int n, int results) =>
        [
            new SearchActivityRow(searchId, tenant, "key_1", "key_1", "query", ["dset_a"], results, results * 30_000L, now),
            .. Enumerable.Range(0, results).Select(i => new AccessEventRow($"ret_{tenant}_{n}_{i}", "retrieval", tenant, "tnt_provider", "dset_a", "obj_1",
                "key_1", searchId, 30_000, now)),
            new SearchReplayRow(searchId, [(byte)n], now.AddDays(1)),
        ];

        var outcomes = await Task.WhenAll(writer.AppendAsync(Attempt(1, 2), mayRepeat: true), writer.AppendAsync(Attempt(2, 3), mayRepeat: true));

        Assert.Single(outcomes, recorded => recorded);
        var winner = outcomes[0] ? 1 : 2;
        Assert.Equal(1, await CountAsync(database, "search_activities", tenant));
        Assert.Equal(winner == 1 ? 2 : 3, await CountAsync(database, "access_events", tenant));
        Assert.Equal([(byte)winner], (await new SearchReplays(database).FindAsync(searchId))!);
        Assert.False(await writer.AppendAsync(Attempt(3, 1), mayRepeat: true));
        Assert.Null(await new SearchReplays(database).FindAsync("sa_never"));
        Assert.Equal(0, await new SearchReplays(database).DeleteExpiredAsync(now, 10));
        Assert.Equal(1, await new SearchReplays(database).DeleteExpiredAsync(now.AddDays(2), 10)); // past its retention
        Assert.Null(await new SearchReplays(database).FindAsync(searchId));
        await writer.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Every billable type's fields round-trip, and one retrieval event has one citation whatever is appended: a second
    /// citation of the event writes nothing and answers false.
    /// </summary>
    public static async Task BillableEventsKeepTheirFieldsAndOneCitationPerRetrievalAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var tenant = "tnt_" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var locator = new Ipto.Search.CitationLocator(3, null, 10, 42, 7);
        var retrievalId = "ret_" + tenant;
        await writer.AppendAsync([new AccessEventRow(retrievalId, "retrieval", tenant, "tnt_provider", "dset_a", "obj_1", null, "sa_x", 30_000, now)
        {
            PrincipalId = "usr_1", Rank = 4, ChunkIndex = 7, Locator = locator,
        }]);
        AccessEventRow Citation(string id) => new(id, "citation", tenant, "tnt_provider", "dset_a", "obj_1", null, null, 10_000, now)
        {
            PrincipalId = "usr_1", RetrievalEventId = retrievalId, Locator = locator, Context = "a memo",
        };

        var cited = await Task.WhenAll(writer.AppendAsync([Citation("cit_a" + tenant)], mayRepeat: true), writer.AppendAsync([Citation("cit_b" + tenant)], mayRepeat: true));
        Assert.Single(cited, recorded => recorded);

        var events = new Ipto.Grains.Billing.BillableEvents(database);
        var retrieval = await events.FindRetrievalAsync(retrievalId);
        Assert.Equal(("dset_a", "obj_1", "tnt_provider", locator), (retrieval!.DatasetId, retrieval.ObjectId, retrieval.ProviderTenantId, retrieval.Locator));
        var citation = await events.FindCitationAsync(retrievalId);
        Assert.Equal((10_000L, "a memo", locator), (citation!.ChargedMicros, citation.Context, citation.Locator));
        Assert.Equal(2, await CountAsync(database, "access_events", tenant));

        await writer.AppendAsync([new AccessEventRow("acc_" + tenant, "download", tenant, "tnt_provider", "dset_a", "obj_1", null, null, 100_000, now) { PrincipalId = "usr_1" }]);
        Assert.Equal("acc_" + tenant, (await events.LastDownloadAsync("usr_1", "obj_1", now.AddMinutes(-1)))?.AccessId);
        Assert.Null(await events.LastDownloadAsync("usr_1", "obj_1", now.AddMinutes(1)));
        await writer.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Spend read from the daily rollup plus the events after its watermark and the partial days' events equals the events
    /// themselves for any range — whole days, midnights, a range inside one day — with a citation on the repeatable path
    /// and a row appended twice: before any flush, after flushes, after a rebuild, and while flushes and rebuilds race
    /// appends; once flushed, the rollup alone holds every event once.
    /// </summary>
    public static async Task SpendFromTheRollupEqualsTheEventsAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var tenant = "tnt_" + Guid.NewGuid().ToString("N");
        var midnight = new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(20261202);
        var events = new List<AccessEventRow>();
        for (var i = 0; i < 400; i++)
        {
            var at = midnight.AddDays(random.Next(0, 5)).AddMilliseconds(i % 7 == 0 ? 0 : i % 11 == 0 ? 86_399_999 : random.Next(0, 86_400_000));
            events.Add(new AccessEventRow($"acc_{tenant}_{i}", i % 3 == 0 ? "download" : "retrieval", tenant, "tnt_p", "dset_" + (i % 4), "obj_1",
                i % 5 == 0 ? null : "key_" + (i % 2), null, random.Next(0, 1_000_000), at));
        }

        await Task.WhenAll(events.Select(e => writer.AppendAsync(e)));
        await writer.AppendAsync(events[0]); // the same row again counts once
        var citation = new AccessEventRow($"cit_{tenant}", "citation", tenant, "tnt_p", "dset_0", "obj_1", "key_0", null, 10_000, midnight.AddHours(30))
        {
            RetrievalEventId = $"ret_{tenant}",
        };
        Assert.True(await writer.AppendAsync([citation], mayRepeat: true));
        Assert.False(await writer.AppendAsync([citation with { AccessId = $"cit2_{tenant}" }], mayRepeat: true));
        events.Add(citation);
        await writer.StopAsync(CancellationToken.None);

        (DateTimeOffset, DateTimeOffset)[] ranges =
        [
            (midnight, midnight.AddDays(5)), (midnight.AddHours(7), midnight.AddDays(3).AddHours(2)), (midnight.AddDays(1), midnight.AddDays(2)),
            (midnight.AddHours(1), midnight.AddHours(20)), (midnight.AddDays(-1), midnight.AddDays(9)), (midnight.AddDays(2).AddMilliseconds(1), midnight.AddDays(4)),
            (midnight.AddDays(4).AddHours(23), midnight.AddDays(5).AddMinutes(1)),
            (midnight.AddMinutes(95), midnight.AddDays(3).AddMinutes(-7)), (midnight.AddMinutes(30), midnight.AddHours(5).AddMinutes(20)),
            (midnight.AddHours(30).AddMinutes(10), midnight.AddHours(30).AddMinutes(50)),
        ];

        async Task AgreeAsync()
        {
            var reader = new SpendReader(database);
            foreach (var (from, to) in ranges)
            foreach (var groupBy in new[] { "day", "dataset", "api_key" })
            {
                var inRange = events.Where(e => e.OccurredAt >= from && e.OccurredAt < to).ToArray();
                var expected = inRange.GroupBy(e => groupBy switch
                    {
                        "day" => e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                        "dataset" => e.DatasetId,
                        _ => e.ApiKeyId ?? "session",
                    })
                    .ToDictionary(g => g.Key, g => (g.Sum(e => e.ChargedMicros), g.LongCount()));
                var actual = (await reader.GroupsAsync(tenant, groupBy, from, to))
                    .ToDictionary(g => g.Key, g => (g.AmountMicros, g.Events.Retrieval + g.Events.Citation + g.Events.Download + g.Events.Outcome));
                Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
            }
        }

        var rollups = new LedgerRollups(database);
        await AgreeAsync(); // nothing flushed yet: the days come from the events after the watermark
        while (await rollups.FlushAsync()) { }
        Assert.Equal(events.Sum(e => e.ChargedMicros), await RollupTotalAsync(database, tenant));
        await AgreeAsync();
        await rollups.RebuildAsync();
        Assert.Equal(events.Sum(e => e.ChargedMicros), await RollupTotalAsync(database, tenant));
        await AgreeAsync();

        // Flushes and rebuilds running while charges commit lose none and count none twice, read at any moment.
        var writer2 = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer2.StartAsync(CancellationToken.None);
        var more = Enumerable.Range(0, 600).Select(i => new AccessEventRow($"acc_{tenant}_more_{i}", "retrieval", tenant, "tnt_p", "dset_" + (i % 4), "obj_1",
            "key_" + (i % 2), null, 1_000 + i, midnight.AddDays(i % 5).AddMinutes(i))).ToArray();
        var appends = Task.WhenAll(more.Select(e => writer2.AppendAsync(e)));
        var committed = events.Sum(e => e.ChargedMicros);
        while (!appends.IsCompleted)
        {
            await Task.WhenAll(rollups.FlushAsync(), rollups.FlushAsync(), rollups.RebuildAsync());
            var total = Money.Sum((await new SpendReader(database).GroupsAsync(tenant, "day", midnight, midnight.AddDays(5))).Select(g => g.AmountMicros));
            Assert.InRange(total, committed, committed + more.Sum(e => e.ChargedMicros)); // never less than what was there, never more than all
        }

        await appends;
        await writer2.StopAsync(CancellationToken.None);
        events.AddRange(more);
        await AgreeAsync();
        while (await rollups.FlushAsync()) { }
        Assert.Equal(events.Sum(e => e.ChargedMicros), await RollupTotalAsync(database, tenant));
        await AgreeAsync();
    }

    private static async Task<long> RollupTotalAsync(AppDatabase database, string tenant)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT COALESCE(SUM(amount), 0) FROM spend_daily WHERE tenant_id = @t").With("@t", tenant);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> CountAsync(AppDatabase database, string table, string tenant)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"SELECT count(*) FROM {table} WHERE tenant_id = @t").With("@t", tenant);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
