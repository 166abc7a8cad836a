using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Search;
using Ipto.Api.Tests.Support;
using Ipto.Grains.Analytics;
using Ipto.Grains.Payouts;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Analytics;

/// <summary>
/// Two buyers search (one also with the provider's results mixed with another provider's), one cites; the provider also
/// searches its own dataset, which must not count.
/// </summary>
public sealed record AnalyticsScenario(SearchCorpus Corpus, JsonElement[] BuyerSearches, JsonElement Citation, string[] ProviderDatasets);

public sealed class ProviderAnalyticsFixture : SearchFixture
{
    private Task<AnalyticsScenario>? _scenario;
    private readonly object _gate = new();

    public Task<AnalyticsScenario> ScenarioAsync()
    {
        lock (_gate) return _scenario ??= BuildAsync();
    }

    private async Task<AnalyticsScenario> BuildAsync()
    {
        var c = await CorpusAsync();
        var (_, secondBuyer) = await c.World.AccountAsync("Second Buyer Co");
        JsonElement[] searches =
        [
            await SearchOkAsync(c.BuyerKey, new { query = "cargo OR lading OR delays", mode = "lexical" }),
            await SearchOkAsync(secondBuyer, new { query = "Rotterdam AND colour", mode = "lexical", dataset_ids = new[] { c.Listed } }),
            await SearchOkAsync(c.BuyerKey, new { query = "filename:insurance cargo", mode = "lexical" }),
        ];
        await SearchOkAsync(c.ProviderClient, new { query = "cargo", mode = "lexical", dataset_ids = new[] { c.Listed } }); // own use: free, not counted
        var retrieval = searches[0].GetProperty("results").EnumerateArray().First(r => r.GetProperty("dataset_id").GetString() == c.Listed);
        var citation = await (await c.BuyerKey.PostAsync("/v1/citations", Body(new { retrieval_event_id = retrieval.GetProperty("retrieval_event_id").GetString() })))
            .DataAsync(HttpStatusCode.Created);
        var datasets = (await (await c.ProviderClient.GetAsync("/v1/datasets?limit=100")).DataAsync()).GetProperty("items").EnumerateArray()
            .Select(d => d.GetProperty("dataset_id").GetString()!).ToArray();
        return new AnalyticsScenario(c, searches, citation, datasets);
    }
}

public sealed class ProviderAnalyticsTests(ProviderAnalyticsFixture fixture) : IClassFixture<ProviderAnalyticsFixture>
{
    private const string Analytics = "/v1/provider/analytics";
    private const string Dashboard = "/v1/provider/dashboard";

    private IptoApiFactory Api => fixture.Factory;

    /// <summary>The provider's results in the buyers' searches: (search, 1-based rank, price).</summary>
    private static (int Search, int Rank, decimal Price)[] Appearances(AnalyticsScenario s, string? datasetId = null) =>
        s.BuyerSearches.SelectMany((page, i) => page.GetProperty("results").EnumerateArray()
                .Select((r, index) => (Result: r, Rank: index + 1))
                .Where(r => r.Result.GetProperty("dataset_id").GetString() is { } d && (datasetId is null ? d == s.Corpus.Listed : d == datasetId))
                .Select(r => (i, r.Rank, r.Result.GetProperty("price").GetDecimal())))
            .ToArray();

    [Fact]
    public async Task AnalyticsAreTheOtherTenantsUseOfTheProvidersDatasets()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;
        var appearances = Appearances(s);
        Assert.Equal([0, 1, 2], appearances.Select(p => p.Search).Distinct()); // every buyer search returned the provider's results

        var a = await (await c.ProviderClient.GetAsync(Analytics)).DataAsync();

        var searched = appearances.Select(p => p.Search).Distinct().ToArray();
        var usage = a.GetProperty("usage_summary");
        Assert.Equal(searched.Length, usage.GetProperty("searches").GetInt64());
        Assert.Equal(appearances.Length, usage.GetProperty("retrievals").GetInt64());
        Assert.Equal(1, usage.GetProperty("citations").GetInt64());
        Assert.Equal(0, usage.GetProperty("downloads").GetInt64());
        Assert.Equal(0, usage.GetProperty("outcomes").GetInt64());
        Assert.Equal(2, usage.GetProperty("unique_buyers").GetInt64());

        var ranking = a.GetProperty("ranking_summary");
        Assert.Equal(appearances.Length, ranking.GetProperty("appearances").GetInt64());
        Assert.Equal(Math.Round((decimal)appearances.Sum(p => p.Rank) / appearances.Length, 4), ranking.GetProperty("average_rank").GetDecimal());
        Assert.Equal(Math.Round((decimal)appearances.Count(p => p.Rank <= 3) / appearances.Length, 4), ranking.GetProperty("top3_rate").GetDecimal());

        var gross = appearances.Sum(p => p.Price) + s.Citation.GetProperty("charged_amount").GetDecimal();
        var fee = PlatformFee.Of((long)(gross * 1_000_000), 0.20m) / 1_000_000m;
        var revenue = a.GetProperty("revenue_summary");
        Assert.Equal((gross, fee, gross - fee, "USD"), (revenue.GetProperty("gross").GetDecimal(), revenue.GetProperty("platform_fee").GetDecimal(),
            revenue.GetProperty("earnings").GetDecimal(), revenue.GetProperty("currency").GetString()));
        var byDataset = Assert.Single(revenue.GetProperty("by_dataset").EnumerateArray());
        Assert.Equal((c.Listed, "Shipping records", gross, fee), (byDataset.GetProperty("dataset_id").GetString(), byDataset.GetProperty("dataset_name").GetString(),
            byDataset.GetProperty("gross").GetDecimal(), byDataset.GetProperty("platform_fee").GetDecimal()));

        var expectedKeywords = searched.SelectMany(i => QueryKeywords.Of(QueryOf(i)))
            .GroupBy(k => k).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Count())).ToArray();
        Assert.Equal(expectedKeywords, a.GetProperty("top_keywords").EnumerateArray().Select(k => (k.GetProperty("keyword").GetString()!, k.GetProperty("count").GetInt64())));
        Assert.Contains(("cargo", 2L), expectedKeywords);
        Assert.DoesNotContain(expectedKeywords, k => k.Key is "and" or "or" or "filename");

        var day = Assert.Single(a.GetProperty("daily").EnumerateArray());
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.GetProperty("date").GetString());
        Assert.Equal((searched.Length, appearances.Length, gross), (day.GetProperty("searches").GetInt64(), day.GetProperty("retrievals").GetInt64(),
            day.GetProperty("gross").GetDecimal()));

        // The other provider sees only its own dataset's appearances, and none of the citation.
        var other = await (await c.OtherClient.GetAsync(Analytics)).DataAsync();
        Assert.Equal(Appearances(s, c.OtherListed).Length, other.GetProperty("usage_summary").GetProperty("retrievals").GetInt64());
        Assert.Equal(0, other.GetProperty("usage_summary").GetProperty("citations").GetInt64());
    }

    private static string QueryOf(int search) => search switch
    {
        0 => "cargo OR lading OR delays",
        1 => "Rotterdam AND colour",
        _ => "filename:insurance cargo",
    };

    [Fact]
    public async Task ADatasetFilterAndARangeNarrowTheAnalytics()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;
        var appearances = Appearances(s).Length;

        var listed = await (await c.ProviderClient.GetAsync($"{Analytics}?dataset_id={c.Listed}")).DataAsync();
        Assert.Equal(c.Listed, listed.GetProperty("dataset_id").GetString());
        Assert.Equal(appearances, listed.GetProperty("usage_summary").GetProperty("retrievals").GetInt64());
        var restricted = await (await c.ProviderClient.GetAsync($"{Analytics}?dataset_id={c.Restricted}")).DataAsync();
        Assert.Equal(0, restricted.GetProperty("usage_summary").GetProperty("retrievals").GetInt64());
        Assert.Empty(restricted.GetProperty("daily").EnumerateArray());
        Assert.Equal(0m, restricted.GetProperty("ranking_summary").GetProperty("average_rank").GetDecimal());

        var past = await (await c.ProviderClient.GetAsync($"{Analytics}?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z")).DataAsync();
        Assert.Equal(("2025-01-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"), (past.GetProperty("from").GetString(), past.GetProperty("to").GetString()));
        Assert.Equal(0, past.GetProperty("usage_summary").GetProperty("retrievals").GetInt64());
        Assert.Equal(0m, past.GetProperty("revenue_summary").GetProperty("gross").GetDecimal());
        var recent = await (await c.ProviderClient.GetAsync($"{Analytics}?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}")).DataAsync();
        Assert.Equal(appearances, recent.GetProperty("usage_summary").GetProperty("retrievals").GetInt64());
    }

    [Fact]
    public async Task BadFiltersAre400AndAnotherTenantsDatasetIs404()
    {
        var c = (await fixture.ScenarioAsync()).Corpus;

        var badId = await (await c.ProviderClient.GetAsync($"{Analytics}?dataset_id=nope")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("dataset_id", badId.GetProperty("details")[0].GetProperty("field").GetString());
        foreach (var (query, field) in new[] { ("from=yesterday", "from"), ("to=2025-13-01T00:00:00Z", "to"), ("from=2025-01-01T00:00:00", "from"),
                     ("from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from") })
        {
            var error = await (await c.ProviderClient.GetAsync($"{Analytics}?{query}")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
            Assert.Equal(field, error.GetProperty("details")[0].GetProperty("field").GetString());
            await (await c.ProviderClient.GetAsync($"/v1/provider/datasets/{c.Listed}/analytics?{query}")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        }

        await (await c.ProviderClient.GetAsync($"{Analytics}?dataset_id={c.OtherListed}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await c.ProviderClient.GetAsync($"/v1/provider/datasets/{c.OtherListed}/analytics")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await c.BuyerClient.GetAsync($"/v1/provider/datasets/{c.Listed}/analytics")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await c.ProviderClient.GetAsync("/v1/provider/datasets/ds_unknown/analytics")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheDashboardCountsTheProvidersDatasetsObjectsAndReviewStates()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;
        var counters = new List<JsonElement>();
        foreach (var id in s.ProviderDatasets)
            counters.Add((await (await c.ProviderClient.GetAsync($"/v1/datasets/{id}")).DataAsync()).GetProperty("counters"));

        var d = await (await c.ProviderClient.GetAsync(Dashboard)).DataAsync();

        Assert.Equal(3, d.GetProperty("total_datasets").GetInt64());
        Assert.Equal(5, d.GetProperty("total_objects").GetInt64()); // three shipping texts, the private and the restricted one
        Assert.Equal(counters.Sum(k => k.GetProperty("storage_bytes").GetInt64()), d.GetProperty("total_storage_bytes").GetInt64());
        Assert.True(d.GetProperty("total_storage_bytes").GetInt64() > 0);
        Assert.Equal((0, 5, 0), (d.GetProperty("objects_pending_review").GetInt64(), d.GetProperty("objects_approved").GetInt64(),
            d.GetProperty("objects_rejected").GetInt64()));
        var buyer = await (await c.BuyerClient.GetAsync(Dashboard)).DataAsync();
        Assert.Equal(0, buyer.GetProperty("total_datasets").GetInt64());
    }

    [Fact]
    public async Task DatasetAnalyticsShowItsObjectsAndItsUsage()
    {
        var s = await fixture.ScenarioAsync();
        var c = s.Corpus;
        var counters = (await (await c.ProviderClient.GetAsync($"/v1/datasets/{c.Listed}")).DataAsync()).GetProperty("counters");

        var d = await (await c.ProviderClient.GetAsync($"/v1/provider/datasets/{c.Listed}/analytics")).DataAsync();

        Assert.Equal((c.Listed, "Shipping records", 3L, 3L, counters.GetProperty("storage_bytes").GetInt64()), (d.GetProperty("dataset_id").GetString(),
            d.GetProperty("dataset_name").GetString(), d.GetProperty("object_count").GetInt64(), d.GetProperty("active_object_count").GetInt64(),
            d.GetProperty("storage_bytes").GetInt64()));
        var whole = await (await c.ProviderClient.GetAsync($"{Analytics}?dataset_id={c.Listed}")).DataAsync();
        foreach (var part in new[] { "usage_summary", "ranking_summary", "revenue_summary", "top_keywords", "daily" })
            Assert.Equal(whole.GetProperty(part).GetRawText(), d.GetProperty(part).GetRawText());
    }

    [Fact]
    public async Task ScopesAndCredentialsAreEnforced()
    {
        var c = (await fixture.ScenarioAsync()).Corpus;
        var (_, readKey) = await c.ProviderClient.CreateKeyAsync("datasets:read");
        var (_, usageKey) = await c.ProviderClient.CreateKeyAsync("usage:read");
        using var datasetsOnly = Api.WithApiKey(readKey);
        using var usage = Api.WithApiKey(usageKey);
        using var anonymous = Api.ClientFor(null);
        using var badKey = Api.WithApiKey("ipto_live_notakey0000000000000000000000");

        foreach (var uri in new[] { Analytics, Dashboard, $"/v1/provider/datasets/{c.Listed}/analytics" })
        {
            var error = await (await datasetsOnly.GetAsync(uri)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
            Assert.Contains("usage:read", error.GetProperty("message").GetString());
            await (await anonymous.GetAsync(uri)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            await (await badKey.GetAsync(uri)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            await (await usage.GetAsync(uri)).DataAsync();
        }
    }
}
