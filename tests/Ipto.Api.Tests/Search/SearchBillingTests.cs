using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Search;

public sealed class SearchBillingTests(SearchFixture fixture) : IClassFixture<SearchFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    private async Task<(string KeyId, HttpClient Agent, HttpClient Owner)> KeyAsync(SearchCorpus c, object? spendLimit = null)
    {
        var (_, owner) = await c.World.AccountAsync("Spender");
        var create = await owner.PostAsync("/v1/api-keys", Body(new { name = "agent", scopes = new[] { "search:query", "usage:read" }, spend_limit = spendLimit, rate_limit_per_second = 1000 }));
        var key = await create.DataAsync(HttpStatusCode.Created);
        return (key.GetProperty("api_key_id").GetString()!, Api.WithApiKey(key.GetProperty("key").GetString()!), owner);
    }

    [Fact]
    public async Task AHundredConcurrentSearchesChargeExactlyWhatTheLedgerHolds()
    {
        var c = await fixture.CorpusAsync();
        var (keyId, agent, _) = await KeyAsync(c);
        var queries = new[] { "cargo", "cargo OR lading", "shipping OR insurance OR weather", "rotterdam" };

        var pages = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            SearchOkAsync(agent, new { query = queries[i % queries.Length], mode = "lexical" })));

        var charged = pages.Sum(Charged);
        Assert.Equal(pages.Sum(p => p.GetProperty("results").EnumerateArray().Sum(r => r.GetProperty("price").GetDecimal())), charged);
        Assert.True(charged > 0);
        var ledger = await ActivityTotalAsync(agent, keyId);
        Assert.Equal(100, ledger.Count);
        Assert.Equal(charged, ledger.Sum);
        var retrievals = pages.SelectMany(p => p.GetProperty("results").EnumerateArray()).Select(r => r.GetProperty("retrieval_event_id").GetString()).ToArray();
        Assert.Equal(retrievals.Length, retrievals.Distinct().Count());
    }

    [Fact]
    public async Task ASpendLimitIsNeverExceededUnderConcurrencyThenAnswers402()
    {
        var c = await fixture.CorpusAsync();
        var (keyId, agent, _) = await KeyAsync(c, new { amount = 0.30, period = "day" });

        // Each search finds one paid result (0.03): exactly ten fit the budget, whatever the interleaving.
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SearchAsync(agent, new { query = "rotterdam", mode = "lexical" })));
        var paid = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.PaymentRequired)
            {
                await response.ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded");
                continue;
            }

            var page = await response.DataAsync();
            paid += page.GetProperty("result_count").GetInt32();
        }

        Assert.Equal(10, paid);
        Assert.Equal(0.30m, (await ActivityTotalAsync(agent, keyId)).Sum);
        await (await SearchAsync(agent, new { query = "rotterdam" })).ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded");
        Assert.Equal(0.30m, (await ActivityTotalAsync(agent, keyId)).Sum);
    }

    [Fact]
    public async Task ResultsThatDoNotFitTheRemainingBudgetAreDroppedAndFlagged()
    {
        var c = await fixture.CorpusAsync();
        var (_, agent, owner) = await KeyAsync(c, new { amount = 0.05, period = "month" });

        var first = await SearchOkAsync(agent, new { query = "cargo OR lading OR rulings", mode = "lexical", dataset_ids = new[] { c.Listed } });
        Assert.Equal(1, first.GetProperty("result_count").GetInt32());
        Assert.True(first.GetProperty("truncated_by_spend_limit").GetBoolean());
        Assert.Equal(0.03m, Charged(first));

        // 0.02 left: below the next price, so 200 with no results rather than 402.
        var second = await SearchOkAsync(agent, new { query = "cargo", mode = "lexical", dataset_ids = new[] { c.Listed } });
        Assert.Equal(0, second.GetProperty("result_count").GetInt32());
        Assert.True(second.GetProperty("truncated_by_spend_limit").GetBoolean());
        Assert.Equal(0m, Charged(second));

        // Raising the limit applies at once.
        var keyId = (await (await owner.GetAsync("/v1/api-keys")).DataAsync()).GetProperty("items")[0].GetProperty("api_key_id").GetString();
        await (await owner.PatchAsync($"/v1/api-keys/{keyId}", Body(new { spend_limit = new { amount = 1, period = "month" } }))).DataAsync();
        var third = await SearchOkAsync(agent, new { query = "cargo OR lading OR rulings", mode = "lexical", dataset_ids = new[] { c.Listed } });
        Assert.Equal(3, third.GetProperty("result_count").GetInt32());
        Assert.False(third.GetProperty("truncated_by_spend_limit").GetBoolean());
    }

    [Fact]
    public async Task DemandCurvePricesFollowTheQueriesOfTheLastDay()
    {
        var c = await fixture.CorpusAsync();
        var (_, provider) = await c.World.AccountAsync("Demand Co");
        var dataset = await CreateDatasetAsync(provider, "Demand", "listed", new
        {
            pricing_model = "demand_curve",
            pricing = new { price_per_retrieval = 0.04, reference_daily_queries = 2, elasticity = 1, min_multiplier = 0.5, max_multiplier = 3 },
        });
        await c.World.AddActiveTextsAsync(provider, c.Admin, dataset, ["Quokka population census on Rottnest Island."], ["quokka.txt"]);
        var (_, agent, _) = await KeyAsync(c);

        // queries_last_24h counts this search too: 1/2 → ×0.5, 2/2 → ×1, 3/2 → ×1.5, capped at ×3 from 6 queries.
        var prices = new List<decimal>();
        for (var i = 0; i < 7; i++)
        {
            var page = await SearchOkAsync(agent, new { query = "quokka", mode = "lexical", dataset_ids = new[] { dataset } });
            prices.Add(page.GetProperty("results")[0].GetProperty("price").GetDecimal());
        }

        Assert.Equal([0.02m, 0.04m, 0.06m, 0.08m, 0.10m, 0.12m, 0.12m], prices);
    }

    private static async Task<(int Count, decimal Sum)> ActivityTotalAsync(HttpClient agent, string keyId)
    {
        var count = 0;
        decimal sum = 0;
        string? cursor = null;
        do
        {
            var page = await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}&limit=100" + (cursor is null ? "" : $"&cursor={cursor}"))).DataAsync();
            foreach (var s in page.GetProperty("searches").EnumerateArray())
            {
                count++;
                sum += s.GetProperty("charged_amount").GetDecimal();
            }

            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!);
        }
        while (cursor is not null);
        return (count, sum);
    }
}
