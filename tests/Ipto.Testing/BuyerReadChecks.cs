using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ApiKeys;
using Ipto.Grains.Datasets;
using Ipto.Grains.Metering;
using Ipto.Grains.Storage;
using Ipto.Metering;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipto.Testing;

/// <summary>
/// The buyer reads' SQL (access history, spend aggregation, dashboard) against any app database (SQLite in grain tests,
/// PostgreSQL in integration): what the database aggregates equals what the events say, to the micro-dollar.
/// </summary>
public static class BuyerReadChecks
{
    private static readonly DateTimeOffset Day1 = new(2026, 4, 5, 0, 0, 0, TimeSpan.Zero);

    public static async Task SpendAndAccessesAgreeWithTheLedgerAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writer = new LedgerWriter(database, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var tenant = Ids.New(IdPrefixes.Tenant);
        var (keyA, keyB) = (Ids.New(IdPrefixes.ApiKey), Ids.New(IdPrefixes.ApiKey));
        var (alpha, beta, gone) = (Ids.New(IdPrefixes.Dataset), Ids.New(IdPrefixes.Dataset), Ids.New(IdPrefixes.Dataset));
        var keys = new ApiKeyProjection(database, TimeProvider.System);
        await keys.UpsertAsync("ipto_a_" + keyA, Key(keyA, tenant, "Agent A", Day1));
        await keys.UpsertAsync("ipto_b_" + keyB, Key(keyB, tenant, "Agent B", Day1));
        var datasets = new DatasetProjection(database, new Ipto.Grains.Search.SearchableDatasets(database, TimeProvider.System));
        await datasets.UpsertAsync(Dataset(alpha, "Alpha"), 1, "Provider", new Dictionary<string, DateTimeOffset>(), []);
        await datasets.UpsertAsync(Dataset(beta, "Beta"), 1, "Provider", new Dictionary<string, DateTimeOffset>(), []);

        // Three days of every type, key and dataset; large charges (the sums must not lose a micro-dollar), and events that share a commit time.
        var events = new List<AccessEventRow>();
        var types = AccessTypes.All;
        for (var i = 0; i < 48; i++)
        {
            var at = Day1.AddHours(i * 1.5).AddTicks(i % 3 == 0 ? 0 : 1234567); // some whole seconds, some with sub-millisecond ticks
            if (i % 8 == 7) at = events[^1].OccurredAt; // the same commit time as the previous event (a search's retrievals)
            var type = types[i % 4];
            var prefix = type switch { AccessTypes.Retrieval => IdPrefixes.Retrieval, AccessTypes.Citation => "cit", _ => "acc" };
            var key = (i % 3) switch { 0 => keyA, 1 => keyB, _ => null };
            var dataset = (i % 5) switch { 0 or 1 => alpha, 2 or 3 => beta, _ => gone };
            var charged = i % 7 == 0 ? Money.MaxLimitMicros - i : 30_000L * i + 1;
            events.Add(new AccessEventRow(Ids.New(prefix, at), type, tenant, "tnt_provider", dataset, type == AccessTypes.Outcome ? null : "obj_1", key,
                type == AccessTypes.Retrieval ? "sa_1" : null, charged, at)
            {
                Rank = type == AccessTypes.Retrieval ? i + 1 : null, ChunkIndex = type == AccessTypes.Retrieval ? i % 4 : null,
                RetrievalEventId = type == AccessTypes.Citation ? "ret_" + i : null, OutcomeId = type == AccessTypes.Outcome ? "out_" + i : null,
            });
        }

        await Task.WhenAll(events.Select(e => writer.AppendAsync(e)));
        // Another tenant's event inside the range: never counted.
        await writer.AppendAsync(new AccessEventRow(Ids.New("acc"), AccessTypes.Download, "tnt_other", "tnt_provider", alpha, "obj_1", null, null, 777, Day1.AddHours(2)));

        var reader = new ActivityReader(database);
        var spend = new SpendReader(database);
        var (from, to) = (Day1.AddHours(3), Day1.AddDays(3));
        var inRange = events.Where(e => e.OccurredAt >= from && e.OccurredAt < to).ToArray();
        Assert.True(inRange.Length is > 30 and < 48);

        string DayOf(AccessEventRow e) => e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var expectations = new Dictionary<string, Func<AccessEventRow, string>>
        {
            [SpendGroupings.Day] = DayOf,
            [SpendGroupings.Dataset] = e => e.DatasetId,
            [SpendGroupings.ApiKey] = e => e.ApiKeyId ?? SpendGroupings.SessionKey,
        };
        var labels = new Dictionary<string, string> { [alpha] = "Alpha", [beta] = "Beta", [gone] = "", [keyA] = "Agent A", [keyB] = "Agent B", [SpendGroupings.SessionKey] = SpendGroupings.SessionLabel };
        foreach (var (groupBy, keyOf) in expectations)
        {
            var groups = await spend.GroupsAsync(tenant, groupBy, from, to);
            var expected = inRange.GroupBy(keyOf).Select(g => new SpendGroup(g.Key, groupBy == SpendGroupings.Day ? g.Key : labels[g.Key], Money.Sum(g.Select(e => e.ChargedMicros)),
                new SpendEventCounts(g.Count(e => e.Type == AccessTypes.Retrieval), g.Count(e => e.Type == AccessTypes.Citation),
                    g.Count(e => e.Type == AccessTypes.Download), g.Count(e => e.Type == AccessTypes.Outcome))));
            expected = groupBy == SpendGroupings.Day
                ? expected.OrderBy(g => g.Key, StringComparer.Ordinal)
                : expected.OrderByDescending(g => g.AmountMicros).ThenBy(g => g.Key, StringComparer.Ordinal);
            Assert.Equal(expected.ToArray(), groups);
            Assert.Equal(Money.Sum(inRange.Select(e => e.ChargedMicros)), Money.Sum(groups.Select(g => g.AmountMicros)));
        }

        Assert.Equal(["2026-04-05", "2026-04-06", "2026-04-07"], (await spend.GroupsAsync(tenant, SpendGroupings.Day, from, to)).Select(g => g.Key));
        Assert.Empty(await spend.GroupsAsync(tenant, SpendGroupings.Day, Day1.AddDays(-30), Day1));

        // The access history: newest first by commit time, then id; keyset pages that neither repeat nor skip; filters.
        var all = new List<AccessActivity>();
        AccessPosition? after = null;
        long? total = null;
        while (true)
        {
            var (page, count) = await reader.AccessesAsync(new AccessActivityQuery(tenant, null, null, null, from, to), after, 7);
            total ??= count;
            all.AddRange(page);
            if (page.Count < 7) break;
            after = AccessPosition.Parse(new AccessPosition(page[^1].OccurredAt, page[^1].AccessId).Text);
        }

        Assert.Equal(inRange.Length, total);
        Assert.Equal(inRange.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.AccessId, StringComparer.Ordinal).Select(e => e.AccessId), all.Select(a => a.AccessId));
        foreach (var a in all)
        {
            var e = inRange.Single(r => r.AccessId == a.AccessId);
            Assert.Equal(new AccessActivity(e.AccessId, e.Type, e.DatasetId, labels[e.DatasetId], e.ObjectId, e.ApiKeyId, e.SearchActivityId, e.RetrievalEventId,
                e.OutcomeId, e.Rank, e.ChunkIndex, e.ChargedMicros, a.OccurredAt), a);
            Assert.Equal(e.OccurredAt.UtcTicks / 10, a.OccurredAt.UtcTicks / 10); // PostgreSQL keeps microseconds
        }

        var (citations, citationCount) = await reader.AccessesAsync(new AccessActivityQuery(tenant, keyB, beta, AccessTypes.Citation, null, null), null, 100);
        Assert.Equal(events.Count(e => e is { Type: AccessTypes.Citation } && e.ApiKeyId == keyB && e.DatasetId == beta), citationCount);
        Assert.All(citations, c => Assert.Equal((AccessTypes.Citation, keyB, beta), (c.Type, c.ApiKeyId, c.DatasetId)));
        Assert.Equal(0, (await reader.AccessesAsync(new AccessActivityQuery("tnt_nobody", null, null, null, null, null), null, 10)).Total);

        // The dashboard: keys neither revoked nor expired at its time, this month's searches and spend (from the first tick of the month).
        var now = Day1.AddDays(2).AddHours(12); // 2026-04-07T12:00Z
        var revoked = Key(Ids.New(IdPrefixes.ApiKey), tenant, "revoked", Day1);
        revoked.RevokedAt = Day1.AddDays(1);
        revoked.Version = 2;
        var expired = Key(Ids.New(IdPrefixes.ApiKey), tenant, "expired", Day1);
        expired.ExpiresAt = now.AddHours(-1);
        var later = Key(Ids.New(IdPrefixes.ApiKey), tenant, "later", Day1);
        later.ExpiresAt = now.AddHours(3);
        foreach (var key in new[] { revoked, expired, later }) await keys.UpsertAsync("ipto_" + key.KeyId, key);
        await writer.AppendAsync(new SearchActivityRow(Ids.New(IdPrefixes.SearchActivity), tenant, keyA, keyA, "in April", [alpha], 1, 1, Day1));
        await writer.AppendAsync(new SearchActivityRow(Ids.New(IdPrefixes.SearchActivity), tenant, null, "usr_1", "in April", [alpha], 1, 1, now));
        await writer.AppendAsync(new SearchActivityRow(Ids.New(IdPrefixes.SearchActivity), tenant, keyA, keyA, "in March", [alpha], 1, 1, Day1.AddTicks(-1).AddDays(-4)));
        var month = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var dashboard = await spend.DashboardAsync(tenant, month, month.AddMonths(1), now);
        Assert.Equal(new BuyerDashboard(5, 3, 2, Money.Sum(events.Select(e => e.ChargedMicros))), dashboard);
        Assert.Equal(new BuyerDashboard(0, 0, 0, 0), await spend.DashboardAsync("tnt_nobody", month, month.AddMonths(1), now));

        await writer.StopAsync(CancellationToken.None);
    }

    private static ApiKeyState Key(string keyId, string tenantId, string name, DateTimeOffset createdAt) => new()
    {
        KeyId = keyId, TenantId = tenantId, Name = name, CreatedBy = "usr_1", Scopes = [Ipto.Identity.Scopes.UsageRead], CreatedAt = createdAt, Version = 1,
    };

    private static DatasetSnapshot Dataset(string datasetId, string name) => new(datasetId, "tnt_provider", name, null, "text", "per_retrieval", "fixed",
        DatasetPricing.Default, "private", "active", [], DatasetCounters.Zero, Day1, Day1);
}
