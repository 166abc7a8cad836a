using System.Globalization;
using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Metering;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Activity;

/// <summary>
/// A buyer with real charged retrievals (searches of other tenants' priced listed datasets, with two keys and a session),
/// a revoked key, and ledger rows of the other billable types written in the past (citations, downloads and outcome
/// shares are built elsewhere; their rows are what the reads must show).
/// </summary>
public sealed record BuyerScenario(
    SearchCorpus Corpus, Account Buyer, HttpClient Session, string KeyA, HttpClient AgentA, string KeyB, HttpClient AgentB,
    JsonElement[] Searches, AccessEventRow[] PastRows, AccessEventRow LastMonth)
{
    public decimal SearchCharges => Searches.Sum(Charged);

    /// <summary>Whether last month's last event is in a spend range (a default range holds it unless this is the month's 31st).</summary>
    public bool Holds(DateTimeOffset from, DateTimeOffset to) => LastMonth.OccurredAt >= from && LastMonth.OccurredAt < to;

    public decimal LastMonthCharge => Money.FromMicros(LastMonth.ChargedMicros);
}

public sealed class BuyerReadsFixture : SearchFixture
{
    private Task<BuyerScenario>? _scenario;
    private readonly object _gate = new();

    public Task<BuyerScenario> ScenarioAsync()
    {
        lock (_gate) return _scenario ??= BuildAsync();
    }

    private async Task<BuyerScenario> BuildAsync()
    {
        var c = await CorpusAsync();
        var (buyer, session) = await c.World.AccountAsync("Buyer Reads Co");
        var (keyA, agentA) = await NamedKeyAsync(session, "agent-a", "search:query", "usage:read");
        var (keyB, agentB) = await NamedKeyAsync(session, "agent-b", "search:query", "usage:read");
        var (spare, _) = await NamedKeyAsync(session, "spare", "usage:read");
        await (await session.DeleteAsync($"/v1/api-keys/{spare}")).DataAsync();

        JsonElement[] searches =
        [
            await SearchOkAsync(agentA, new { query = "cargo OR lading OR rulings", mode = "lexical" }),
            await SearchOkAsync(agentB, new { query = "rotterdam", mode = "lexical", dataset_ids = new[] { c.Listed } }),
            await SearchOkAsync(session, new { query = "weather", mode = "lexical" }),
        ];
        Assert.All(searches, s => Assert.True(Charged(s) > 0));
        var someRetrieval = searches[0].GetProperty("results")[0].GetProperty("retrieval_event_id").GetString();

        var ledger = Factory.Services.GetRequiredService<LedgerWriter>();
        var jan = new DateTimeOffset(2025, 1, 10, 9, 30, 0, TimeSpan.Zero);
        AccessEventRow[] past =
        [
            new(Ids.New("cit", jan), AccessTypes.Citation, buyer.TenantId, c.Provider.TenantId, c.Listed, c.ListedObjects[0], keyA, null, 10_000, jan)
                { RetrievalEventId = someRetrieval, Context = "quoted" },
            new(Ids.New("acc", jan.AddDays(1)), AccessTypes.Download, buyer.TenantId, c.OtherProvider.TenantId, c.OtherListed, c.OtherObjects[0], null, null,
                100_000, jan.AddDays(1)),
            new(Ids.New("acc", jan.AddDays(2)), AccessTypes.Outcome, buyer.TenantId, c.Provider.TenantId, c.Listed, null, keyB, null, 1_234_567, jan.AddDays(2))
                { OutcomeId = Ids.New("out", jan.AddDays(2)) },
        ];
        foreach (var row in past) await ledger.AppendAsync(row);

        // The last tick of last month: in the default 30-day spend range, not in this month's dashboard.
        var now = DateTimeOffset.UtcNow;
        var lastMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1);
        var boundary = new AccessEventRow(Ids.New(IdPrefixes.Retrieval, lastMonth), AccessTypes.Retrieval, buyer.TenantId, c.Provider.TenantId, c.Listed,
            c.ListedObjects[1], keyA, null, 50_000, lastMonth) { Rank = 1, ChunkIndex = 0 };
        await ledger.AppendAsync(boundary);
        await ledger.AppendAsync(new SearchActivityRow(Ids.New(IdPrefixes.SearchActivity, lastMonth), buyer.TenantId, keyA, keyA, "last month", [c.Listed], 1,
            50_000, lastMonth));
        return new BuyerScenario(c, buyer, session, keyA, agentA, keyB, agentB, searches, past, boundary);
    }

    public async Task<(string Id, HttpClient Client)> NamedKeyAsync(HttpClient owner, string name, params string[] scopes)
    {
        var key = await (await owner.PostAsync("/v1/api-keys", Body(new { name, scopes, rate_limit_per_second = 1000 }))).DataAsync(HttpStatusCode.Created);
        return (key.GetProperty("api_key_id").GetString()!, Factory.WithApiKey(key.GetProperty("key").GetString()!));
    }
}

public sealed class BuyerReadsTests(BuyerReadsFixture fixture) : IClassFixture<BuyerReadsFixture>
{
    private const string Accesses = "/v1/agent/activity/accesses";
    private const string Spend = "/v1/agent/spend";
    private const string Dashboard = "/v1/buyer/dashboard";

    private IptoApiFactory Api => fixture.Factory;

    [Fact]
    public async Task AccessesAreTheBuyersChargedRetrievalsWithRankChunkAndDatasetName()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;

        var all = await AllAccessesAsync(s.AgentA, "type=retrieval&from=" + Uri.EscapeDataString(Iso(s.LastMonth.OccurredAt.AddTicks(1))));

        var results = s.Searches.SelectMany((p, i) => p.GetProperty("results").EnumerateArray().Select(r => (Index: i, Page: p, Result: r))).ToArray();
        Assert.Equal(results.Length, all.Length);
        Assert.Equal(results.Select(r => r.Result.GetProperty("retrieval_event_id").GetString()).Order(), all.Select(a => a.GetProperty("access_id").GetString()).Order());
        var names = new Dictionary<string, string> { [c.Listed] = "Shipping records", [c.OtherListed] = "Weather" };
        string?[] keys = [s.KeyA, s.KeyB, null];
        foreach (var (index, page, result) in results)
        {
            var access = all.Single(a => a.GetProperty("access_id").GetString() == result.GetProperty("retrieval_event_id").GetString());
            Assert.Equal("retrieval", access.GetProperty("type").GetString());
            Assert.Equal(result.GetProperty("dataset_id").GetString(), access.GetProperty("dataset_id").GetString());
            Assert.Equal(names[access.GetProperty("dataset_id").GetString()!], access.GetProperty("dataset_name").GetString());
            Assert.Equal(result.GetProperty("object_id").GetString(), access.GetProperty("object_id").GetString());
            Assert.Equal(keys[index], access.GetProperty("api_key_id").GetString());
            Assert.Equal(page.GetProperty("search_id").GetString(), access.GetProperty("search_activity_id").GetString());
            Assert.Equal(JsonValueKind.Null, access.GetProperty("retrieval_event_id").ValueKind);
            Assert.Equal(JsonValueKind.Null, access.GetProperty("outcome_id").ValueKind);
            var rank = page.GetProperty("results").EnumerateArray().ToList().FindIndex(r => r.GetProperty("retrieval_event_id").GetString() == access.GetProperty("access_id").GetString()) + 1;
            Assert.Equal(rank, access.GetProperty("rank").GetInt32());
            Assert.Equal(result.GetProperty("locator").GetProperty("chunk_index").GetInt32(), access.GetProperty("chunk_index").GetInt32());
            Assert.Equal(result.GetProperty("price").GetDecimal(), access.GetProperty("charged_amount").GetDecimal());
            Assert.Equal("USD", access.GetProperty("currency").GetString());
            Assert.Matches(Timestamp(), access.GetProperty("occurred_at").GetString()!);
        }

        // Newest first: the later searches' events come before the earlier ones'.
        var times = all.Select(a => DateTimeOffset.Parse(a.GetProperty("occurred_at").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(s.Searches[2].GetProperty("search_id").GetString(), all[0].GetProperty("search_activity_id").GetString());
    }

    [Fact]
    public async Task AccessPagesAreKeysetPagesThatNeitherRepeatNorSkipWithTheTotal()
    {
        var s = await fixture.ScenarioAsync();

        var whole = await (await s.AgentA.GetAsync(Accesses + "?limit=100")).DataAsync();
        var paged = await AllAccessesAsync(s.AgentA, "", limit: 2);

        var expected = s.Searches.Sum(p => p.GetProperty("result_count").GetInt32()) + s.PastRows.Length + 1;
        Assert.Equal(expected, whole.GetProperty("total").GetInt64());
        Assert.False(whole.GetProperty("has_more").GetBoolean());
        Assert.Equal(whole.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("access_id").GetString()), paged.Select(a => a.GetProperty("access_id").GetString()));
        // The oldest events are the rows of January 2025, newest first among them.
        Assert.Equal(Enumerable.Reverse(s.PastRows).Select(r => r.AccessId), paged[^3..].Select(a => a.GetProperty("access_id").GetString()));
    }

    [Fact]
    public async Task EveryTypeShowsTheFieldsThatApplyToIt()
    {
        var s = await fixture.ScenarioAsync();
        var (citation, download, outcome) = (s.PastRows[0], s.PastRows[1], s.PastRows[2]);

        var items = await AllAccessesAsync(s.AgentA, "to=2025-02-01T00:00:00Z");

        var byId = items.ToDictionary(a => a.GetProperty("access_id").GetString()!);
        Assert.Equal(3, byId.Count);
        var cit = byId[citation.AccessId];
        Assert.Equal(("citation", citation.RetrievalEventId, s.KeyA, "Shipping records", 0.01m), (cit.GetProperty("type").GetString(),
            cit.GetProperty("retrieval_event_id").GetString(), cit.GetProperty("api_key_id").GetString(), cit.GetProperty("dataset_name").GetString(),
            cit.GetProperty("charged_amount").GetDecimal()));
        Assert.Equal("2025-01-10T09:30:00.000Z", cit.GetProperty("occurred_at").GetString());
        var dl = byId[download.AccessId];
        Assert.Equal(("download", JsonValueKind.Null, download.ObjectId, "Weather"), (dl.GetProperty("type").GetString(), dl.GetProperty("api_key_id").ValueKind,
            dl.GetProperty("object_id").GetString(), dl.GetProperty("dataset_name").GetString()));
        var share = byId[outcome.AccessId];
        Assert.Equal(("outcome", outcome.OutcomeId, JsonValueKind.Null, 1.234567m), (share.GetProperty("type").GetString(), share.GetProperty("outcome_id").GetString(),
            share.GetProperty("object_id").ValueKind, share.GetProperty("charged_amount").GetDecimal()));
        foreach (var item in items)
        foreach (var field in new[] { "rank", "chunk_index", "search_activity_id" })
            Assert.Equal(JsonValueKind.Null, item.GetProperty(field).ValueKind);
    }

    [Fact]
    public async Task AccessFiltersCombineWithAnd()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;

        async Task<string[]> IdsOf(string query) => (await AllAccessesAsync(s.AgentA, query)).Select(a => a.GetProperty("access_id").GetString()!).ToArray();
        var all = await AllAccessesAsync(s.AgentA, "");

        Assert.Equal(all.Where(a => a.GetProperty("api_key_id").GetString() == s.KeyB).Select(Id), await IdsOf($"api_key_id={s.KeyB}"));
        Assert.Equal(all.Where(a => a.GetProperty("dataset_id").GetString() == c.OtherListed).Select(Id), await IdsOf($"dataset_id={c.OtherListed}"));
        Assert.Equal([s.PastRows[2].AccessId], await IdsOf("type=outcome"));
        Assert.Equal([s.PastRows[0].AccessId], await IdsOf($"type=citation&dataset_id={c.Listed}&api_key_id={s.KeyA}"));
        Assert.Empty(await IdsOf($"type=citation&dataset_id={c.OtherListed}"));
        Assert.Empty(await IdsOf($"type=download&api_key_id={s.KeyA}"));
        // from is inclusive, to exclusive: [Jan 11 09:30, Jan 12 09:30) holds the download only.
        Assert.Equal([s.PastRows[1].AccessId], await IdsOf("from=2025-01-11T09:30:00.000Z&to=2025-01-12T09:30:00.000Z"));
        Assert.Equal([s.PastRows[1].AccessId], await IdsOf("from=2025-01-11T10:30:00%2B01:00&to=2025-01-12T09:30:00Z"));
        Assert.Equal([s.PastRows[1].AccessId], await IdsOf("from=2025-01-11T04:30:00-05:00&to=2025-01-12T09:30:00Z"));
        var total = (await (await s.AgentA.GetAsync($"{Accesses}?type=retrieval&dataset_id={c.Listed}&limit=1")).DataAsync()).GetProperty("total").GetInt64();
        Assert.Equal(all.Count(a => a.GetProperty("type").GetString() == "retrieval" && a.GetProperty("dataset_id").GetString() == c.Listed), total);
    }

    [Theory]
    [InlineData(Accesses + "?type=refund")]
    [InlineData(Accesses + "?type=Retrieval")]
    [InlineData(Accesses + "?from=yesterday")]
    [InlineData(Accesses + "?to=2026-04-05T10:00:00")]
    [InlineData(Accesses + "?from=2026-04-06T00:00:00Z&to=2026-04-05T00:00:00Z")]
    [InlineData(Accesses + "?from=2026-04-05T00:00:00Z&to=2026-04-05T00:00:00Z")]
    [InlineData(Accesses + "?api_key_id=nope")]
    [InlineData(Accesses + "?api_key_id=dset_01jq3n0000000000000000000a")]
    [InlineData(Accesses + "?dataset_id=obj_01jq3n0000000000000000000a")]
    [InlineData(Accesses + "?dataset_id=dset_")]
    [InlineData(Accesses + "?limit=0")]
    [InlineData(Accesses + "?limit=101")]
    [InlineData(Accesses + "?cursor=forged")]
    [InlineData(Spend + "?group_by=week")]
    [InlineData(Spend + "?from=2026-13-01T00:00:00Z")]
    [InlineData(Spend + "?to=2026-04-05")]
    [InlineData(Spend + "?from=2026-04-06T00:00:00Z&to=2026-04-05T00:00:00Z")]
    [InlineData(Spend + "?from=2999-01-01T00:00:00Z")]
    public async Task BadFiltersAreInvalidRequestsNamingTheFilter(string uri)
    {
        var s = await fixture.ScenarioAsync();

        var error = await (await s.AgentA.GetAsync(uri)).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");

        var name = uri.Split('?')[1].Split('=')[0];
        if (name != "cursor") Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == name || (name == "to" && d.GetProperty("field").GetString() == "from"));
    }

    [Fact]
    public async Task ACursorOfAnotherFilterIsRefused()
    {
        var s = await fixture.ScenarioAsync();
        var cursor = (await (await s.AgentA.GetAsync(Accesses + "?limit=1")).DataAsync()).GetProperty("next_cursor").GetString()!;

        await (await s.AgentA.GetAsync($"{Accesses}?limit=1&type=retrieval&cursor={Uri.EscapeDataString(cursor)}")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await s.AgentA.GetAsync($"/v1/agent/activity/searches?limit=1&cursor={Uri.EscapeDataString(cursor)}")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task ScopesAndCredentialsAreEnforced()
    {
        var s = await fixture.ScenarioAsync();
        var (_, searchOnly) = await fixture.NamedKeyAsync(s.Session, "search only", "search:query");
        var (_, billingOnly) = await fixture.NamedKeyAsync(s.Session, "billing only", "billing:read");
        using var anonymous = Api.ClientFor(null);

        foreach (var uri in new[] { Accesses, Spend, Dashboard })
        {
            var error = await (await searchOnly.GetAsync(uri)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
            Assert.Contains(uri == Spend ? "billing:read" : "usage:read", error.GetProperty("message").GetString());
            await (await anonymous.GetAsync(uri)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }

        // Spend takes billing:read or usage:read; the other two only usage:read.
        var spend = await (await billingOnly.GetAsync(Spend)).DataAsync();
        Assert.Equal(s.SearchCharges + (s.Holds(Time(spend.GetProperty("from")), Time(spend.GetProperty("to"))) ? s.LastMonthCharge : 0),
            spend.GetProperty("total").GetDecimal());
        await (await billingOnly.GetAsync(Accesses)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await billingOnly.GetAsync(Dashboard)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task AnotherTenantSeesNoneOfTheBuyersEvents()
    {
        var s = await fixture.ScenarioAsync();
        var (_, stranger) = await s.Corpus.World.AccountAsync("Stranger Co");

        var accesses = await (await stranger.GetAsync(Accesses)).DataAsync();
        var filtered = await (await stranger.GetAsync($"{Accesses}?api_key_id={s.KeyA}")).DataAsync();
        var spend = await (await stranger.GetAsync(Spend + "?from=2000-01-01T00:00:00Z&group_by=dataset")).DataAsync();
        var dashboard = await (await stranger.GetAsync(Dashboard)).DataAsync();

        Assert.Equal(0, accesses.GetProperty("total").GetInt64());
        Assert.Empty(accesses.GetProperty("items").EnumerateArray());
        Assert.Equal(0, filtered.GetProperty("total").GetInt64());
        Assert.Equal(0m, spend.GetProperty("total").GetDecimal());
        Assert.Empty(spend.GetProperty("groups").EnumerateArray());
        Assert.Equal((0, 0, 0, 0m), (dashboard.GetProperty("api_key_count").GetInt64(), dashboard.GetProperty("active_api_key_count").GetInt64(),
            dashboard.GetProperty("searches_this_month").GetInt64(), dashboard.GetProperty("spend_this_month").GetDecimal()));
        // The providers earn from these events but never see them as their own spend.
        Assert.Equal(0m, (await (await s.Corpus.ProviderClient.GetAsync(Spend + "?from=2000-01-01T00:00:00Z")).DataAsync()).GetProperty("total").GetDecimal());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("day")]
    [InlineData("dataset")]
    [InlineData("api_key")]
    public async Task SpendGroupsAndTotalEqualTheAccessEventsToTheMicroDollar(string? groupBy)
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;

        var spend = await (await s.AgentA.GetAsync(Spend + (groupBy is null ? "" : "?group_by=" + groupBy))).DataAsync();

        Assert.Equal("USD", spend.GetProperty("currency").GetString());
        Assert.Equal(groupBy ?? "day", spend.GetProperty("group_by").GetString());
        var (from, to) = (Time(spend.GetProperty("from")), Time(spend.GetProperty("to")));
        Assert.Equal(TimeSpan.FromDays(30), to - from); // the default range [now − 30 days, now)
        var accesses = await AllAccessesAsync(s.AgentA, $"from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}");
        var lastMonth = s.Holds(from, to);
        Assert.Equal(s.Searches.Sum(p => p.GetProperty("result_count").GetInt32()) + (lastMonth ? 1 : 0), accesses.Length); // this month's retrievals and last month's last one
        var groups = spend.GetProperty("groups").EnumerateArray().ToArray();
        var total = spend.GetProperty("total").GetDecimal();
        Assert.Equal(accesses.Sum(a => a.GetProperty("charged_amount").GetDecimal()), total);
        Assert.Equal(groups.Sum(g => g.GetProperty("amount").GetDecimal()), total);
        Assert.Equal(s.SearchCharges + (lastMonth ? s.LastMonthCharge : 0), total);

        Func<JsonElement, string> keyOf = groupBy switch
        {
            "dataset" => a => a.GetProperty("dataset_id").GetString()!,
            "api_key" => a => a.GetProperty("api_key_id").GetString() ?? "session",
            _ => a => a.GetProperty("occurred_at").GetString()![..10],
        };
        var expected = accesses.GroupBy(keyOf).Select(g => (Key: g.Key, Amount: g.Sum(a => a.GetProperty("charged_amount").GetDecimal()), Count: g.Count())).ToArray();
        expected = groupBy is "dataset" or "api_key"
            ? [.. expected.OrderByDescending(g => g.Amount).ThenBy(g => g.Key, StringComparer.Ordinal)]
            : [.. expected.OrderBy(g => g.Key, StringComparer.Ordinal)];
        Assert.Equal(expected, groups.Select(g => (g.GetProperty("key").GetString()!, g.GetProperty("amount").GetDecimal(), g.GetProperty("events").GetProperty("retrieval").GetInt32())));
        Assert.All(groups, g => Assert.Equal((0, 0, 0), (g.GetProperty("events").GetProperty("citation").GetInt32(),
            g.GetProperty("events").GetProperty("download").GetInt32(), g.GetProperty("events").GetProperty("outcome").GetInt32())));

        var labels = groups.ToDictionary(g => g.GetProperty("key").GetString()!, g => g.GetProperty("label").GetString());
        switch (groupBy)
        {
            case "dataset":
                Assert.Equal(new Dictionary<string, string?> { [c.Listed] = "Shipping records", [c.OtherListed] = "Weather" }, labels);
                break;
            case "api_key":
                Assert.Equal(new Dictionary<string, string?> { [s.KeyA] = "agent-a", [s.KeyB] = "agent-b", ["session"] = "Session" }, labels);
                break;
            default:
                Assert.All(labels, l => Assert.Equal(l.Key, l.Value));
                if (lastMonth) Assert.Contains(s.LastMonth.OccurredAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), labels.Keys);
                break;
        }
    }

    [Fact]
    public async Task SpendOverAnExplicitRangeCountsEachTypeByUtcDay()
    {
        var s = await fixture.ScenarioAsync();

        var byDay = await (await s.AgentA.GetAsync(Spend + "?group_by=day&from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z")).DataAsync();
        var byKey = await (await s.AgentA.GetAsync(Spend + "?group_by=api_key&from=2025-01-01T01:00:00%2B01:00&to=2025-02-01T00:00:00Z")).DataAsync();

        Assert.Equal(1.344567m, byDay.GetProperty("total").GetDecimal());
        Assert.Equal("2025-01-01T00:00:00.000Z", byDay.GetProperty("from").GetString());
        Assert.Equal("2025-02-01T00:00:00.000Z", byDay.GetProperty("to").GetString());
        var days = byDay.GetProperty("groups").EnumerateArray().Select(g => (g.GetProperty("key").GetString(), g.GetProperty("label").GetString(),
            g.GetProperty("amount").GetDecimal(), Events(g))).ToArray();
        Assert.Equal([("2025-01-10", "2025-01-10", 0.01m, "0100"), ("2025-01-11", "2025-01-11", 0.1m, "0010"), ("2025-01-12", "2025-01-12", 1.234567m, "0001")], days);
        Assert.Equal([(s.KeyB, "agent-b", 1.234567m), ("session", "Session", 0.1m), (s.KeyA, "agent-a", 0.01m)],
            byKey.GetProperty("groups").EnumerateArray().Select(g => (g.GetProperty("key").GetString(), g.GetProperty("label").GetString(), g.GetProperty("amount").GetDecimal())));
        Assert.Equal(1.344567m, byKey.GetProperty("total").GetDecimal());

        static string Events(JsonElement g) => string.Concat(new[] { "retrieval", "citation", "download", "outcome" }
            .Select(t => g.GetProperty("events").GetProperty(t).GetInt32().ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task TheDashboardCountsKeysAndThisUtcMonthsSearchesAndSpend()
    {
        var s = await fixture.ScenarioAsync();

        var dashboard = await (await s.AgentA.GetAsync(Dashboard)).DataAsync();

        // agent-a, agent-b and the revoked spare (keys made by other tests of this class may follow, all active).
        var keys = (await (await s.Session.GetAsync("/v1/api-keys?limit=100")).DataAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(keys.Length, dashboard.GetProperty("api_key_count").GetInt64());
        Assert.Equal(keys.Count(k => k.GetProperty("status").GetString() == "active"), dashboard.GetProperty("active_api_key_count").GetInt64());
        Assert.Equal(dashboard.GetProperty("api_key_count").GetInt64() - 1, dashboard.GetProperty("active_api_key_count").GetInt64());
        Assert.True(dashboard.GetProperty("api_key_count").GetInt64() >= 3);
        // The three searches of this month; last month's last search and the events of 2025 are not this month's.
        Assert.Equal(3, dashboard.GetProperty("searches_this_month").GetInt64());
        Assert.Equal(s.SearchCharges, dashboard.GetProperty("spend_this_month").GetDecimal());
        Assert.Equal("USD", dashboard.GetProperty("currency").GetString());
        // A session sees the same tenant's figures.
        Assert.Equal(dashboard.GetProperty("spend_this_month").GetDecimal(), (await (await s.Session.GetAsync(Dashboard)).DataAsync()).GetProperty("spend_this_month").GetDecimal());
    }

    private static async Task<JsonElement[]> AllAccessesAsync(HttpClient client, string query, int limit = 100)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var uri = $"{Accesses}?limit={limit}" + (query.Length > 0 ? "&" + query : "") + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await (await client.GetAsync(uri)).DataAsync();
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
            Assert.Equal(cursor is not null, page.GetProperty("has_more").GetBoolean());
        }
        while (cursor is not null);

        Assert.Equal(items.Count, items.Select(Id).Distinct().Count());
        return [.. items];
    }

    private static string Id(JsonElement access) => access.GetProperty("access_id").GetString()!;

    private static DateTimeOffset Time(JsonElement value) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
