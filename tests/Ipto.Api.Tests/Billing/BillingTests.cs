using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using static Ipto.Api.Tests.Search.SearchWorld;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Billing;

/// <summary>Citations, outcomes and buyer downloads over HTTP (SPEC §7, §13): amounts, once-only charges, spend limits, 404s, validation.</summary>
public sealed class BillingTests(BillingFixture fixture) : IClassFixture<BillingFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    private async Task<(string KeyId, HttpClient Agent, HttpClient Owner)> BuyerAsync(BillingWorld w, object? spendLimit = null, string[]? scopes = null,
        string[]? allowList = null)
    {
        var (_, owner) = await w.World.AccountAsync("Buyer Co");
        var create = await owner.PostAsync("/v1/api-keys", Body(new Dictionary<string, object?>
        {
            ["name"] = "agent", ["scopes"] = scopes ?? ["search:query", "usage:read"], ["spend_limit"] = spendLimit, ["rate_limit_per_second"] = 1000,
            ["dataset_access_mode"] = allowList is null ? "all_available" : "allow_list", ["dataset_ids"] = allowList,
        }));
        var key = await create.DataAsync(HttpStatusCode.Created);
        return (key.GetProperty("api_key_id").GetString()!, Api.WithApiKey(key.GetProperty("key").GetString()!), owner);
    }

    private static async Task<JsonElement[]> ResultsAsync(HttpClient agent, object? datasetIds = null)
    {
        var page = await SearchOkAsync(agent, new { query = BillingFixture.Query, mode = "lexical", dataset_ids = datasetIds });
        return page.GetProperty("results").EnumerateArray().ToArray();
    }

    private static string Id(JsonElement result) => result.GetProperty("retrieval_event_id").GetString()!;

    private static Task<HttpResponseMessage> CiteAsync(HttpClient client, string retrievalEventId, string? context = null) =>
        client.PostAsync("/v1/citations", Body(new { retrieval_event_id = retrievalEventId, context }));

    private static Task<HttpResponseMessage> OutcomeAsync(HttpClient client, object body) => client.PostAsync("/v1/outcomes", Body(body));

    [Fact]
    public async Task ABuyerCitesDownloadsAndReportsAnOutcomeAtTheSpecAmounts()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);

        var results = await ResultsAsync(agent);
        Assert.Equal(3, results.Length);
        Assert.All(results, r => Assert.Equal(0.03m, r.GetProperty("price").GetDecimal()));
        var shipping = results.First(r => r.GetProperty("dataset_id").GetString() == w.Shipping);
        var audit = results.Single(r => r.GetProperty("dataset_id").GetString() == w.Audits);

        var cited = await (await CiteAsync(agent, Id(shipping), "quoted in a memo")).DataAsync(HttpStatusCode.Created);
        Assert.Equal(0.01m, cited.GetProperty("charged_amount").GetDecimal());
        Assert.Equal(Id(shipping), cited.GetProperty("retrieval_event_id").GetString());
        Assert.Equal(shipping.GetProperty("object_id").GetString(), cited.GetProperty("object_id").GetString());
        Assert.Equal(shipping.GetProperty("locator").GetProperty("chunk_index").GetInt32(), cited.GetProperty("locator").GetProperty("chunk_index").GetInt32());
        Assert.Equal("quoted in a memo", cited.GetProperty("context").GetString());
        var again = await (await CiteAsync(agent, Id(shipping))).DataAsync(HttpStatusCode.OK);
        Assert.Equal(cited.GetProperty("citation_id").GetString(), again.GetProperty("citation_id").GetString());

        var objectId = shipping.GetProperty("object_id").GetString()!;
        var first = await (await agent.GetAsync($"/v1/objects/{objectId}/download")).DataAsync();
        Assert.Equal(0.10m, first.GetProperty("charged_amount").GetDecimal());
        Assert.StartsWith("acc_", first.GetProperty("access_id").GetString());
        var second = await (await agent.GetAsync($"/v1/objects/{objectId}/download")).DataAsync();
        Assert.Equal(0m, second.GetProperty("charged_amount").GetDecimal());
        Assert.Equal(first.GetProperty("access_id").GetString(), second.GetProperty("access_id").GetString());
        Assert.False(string.IsNullOrEmpty(second.GetProperty("url").GetString()));

        var outcome = await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { Id(shipping), Id(audit) }, revenue_amount = 100.00m, currency = "USD" }))
            .DataAsync(HttpStatusCode.Created);
        Assert.Equal(5.00m, outcome.GetProperty("charged_amount").GetDecimal());
        var shares = outcome.GetProperty("shares").EnumerateArray().ToDictionary(s => s.GetProperty("dataset_id").GetString()!);
        Assert.Equal(50m, shares[w.Shipping].GetProperty("share_amount").GetDecimal());
        Assert.Equal(0m, shares[w.Shipping].GetProperty("charged_amount").GetDecimal());
        Assert.Equal(5.00m, shares[w.Audits].GetProperty("charged_amount").GetDecimal());
        Assert.StartsWith("out_", outcome.GetProperty("outcome_id").GetString());

        // The access history lists exactly these events: three retrievals ranked 1–3, a citation, a download, an outcome share.
        var accesses = (await (await agent.GetAsync("/v1/agent/activity/accesses?limit=100")).DataAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(6, accesses.Length);
        var byType = accesses.GroupBy(a => a.GetProperty("type").GetString()!).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal([1, 2, 3], byType["retrieval"].Select(a => a.GetProperty("rank").GetInt32()).Order());
        Assert.Equal(results.Select(Id).Order(), byType["retrieval"].Select(a => a.GetProperty("access_id").GetString()).Order());
        Assert.All(byType["retrieval"], a => Assert.Equal(0.03m, a.GetProperty("charged_amount").GetDecimal()));
        var citation = Assert.Single(byType["citation"]);
        Assert.Equal((0.01m, Id(shipping)), (citation.GetProperty("charged_amount").GetDecimal(), citation.GetProperty("retrieval_event_id").GetString()));
        Assert.Equal(0.10m, Assert.Single(byType["download"]).GetProperty("charged_amount").GetDecimal());
        var share = Assert.Single(byType["outcome"]);
        Assert.Equal((5.00m, w.Audits, outcome.GetProperty("outcome_id").GetString()),
            (share.GetProperty("charged_amount").GetDecimal(), share.GetProperty("dataset_id").GetString(), share.GetProperty("outcome_id").GetString()));

        // Spend grouped any way totals 5.20, the sum of the events.
        foreach (var groupBy in new[] { "day", "dataset", "api_key" })
        {
            var spend = await (await agent.GetAsync($"/v1/agent/spend?group_by={groupBy}")).DataAsync();
            Assert.Equal(5.20m, spend.GetProperty("total").GetDecimal());
            Assert.Equal(5.20m, spend.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("amount").GetDecimal()));
        }

        var dashboard = await (await agent.GetAsync("/v1/buyer/dashboard")).DataAsync();
        Assert.Equal(5.20m, dashboard.GetProperty("spend_this_month").GetDecimal());
        Assert.Equal(1, dashboard.GetProperty("searches_this_month").GetInt64());
    }

    [Fact]
    public async Task AnOutcomeSplitsEvenlyAndRoundsDownEachShare()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);
        var results = await ResultsAsync(agent);
        var twoShipping = results.Where(r => r.GetProperty("dataset_id").GetString() == w.Shipping).Select(Id).ToArray();
        var audit = Id(results.Single(r => r.GetProperty("dataset_id").GetString() == w.Audits));

        // Two datasets: 0.000003 / 2 = 0.000001 each (floor); 10% of a micro-dollar rounds down to nothing.
        var tiny = await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { twoShipping[0], audit }, revenue_amount = 0.000003m, currency = "USD" }))
            .DataAsync(HttpStatusCode.Created);
        Assert.All(tiny.GetProperty("shares").EnumerateArray(), s => Assert.Equal(0.000001m, s.GetProperty("share_amount").GetDecimal()));
        Assert.Equal(0m, tiny.GetProperty("charged_amount").GetDecimal());

        // Distinct datasets, not events: two events of one dataset and one of another split in two.
        var split = await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { twoShipping[0], twoShipping[1], audit }, revenue_amount = 33.333333m, currency = "USD" }))
            .DataAsync(HttpStatusCode.Created);
        Assert.Equal(2, split.GetProperty("shares").GetArrayLength());
        Assert.Equal(1.666666m, split.GetProperty("charged_amount").GetDecimal()); // floor(16.666666 × 10%) = 1.6666666 → 1.666666

        // The same retrieval event may appear in several outcomes.
        await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { audit }, revenue_amount = 1m, currency = "USD" })).DataAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AnOutcomeRetriedUnderOneIdempotencyKeyIsRecordedOnce()
    {
        var w = await fixture.WorldAsync();
        var (keyId, agent, _) = await BuyerAsync(w);
        var audit = Id((await ResultsAsync(agent, new[] { w.Audits }))[0]);

        async Task<string> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/outcomes")
            {
                Content = Body(new { retrieval_event_ids = new[] { audit }, revenue_amount = 10m, currency = "USD" }),
            };
            request.Headers.Add("Idempotency-Key", "outcome-once");
            var response = await agent.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("outcome_id").GetString()!;
        }

        Assert.Equal(await SendAsync(), await SendAsync());

        // A retry whose first attempt committed but never answered (the grain sees the same seed again) finds that outcome.
        var me = await (await agent.GetAsync("/v1/me")).DataAsync();
        var caller = new Ipto.Common.Caller(me.GetProperty("tenant_id").GetString()!, keyId, Ipto.Identity.PrincipalTypes.ApiKey, [Ipto.Identity.Scopes.SearchQuery], false);
        var seed = new Ipto.Idempotency.CreationSeed(DateTimeOffset.UtcNow, [1, 2, 3], [4, 5, 6]);
        var grain = Api.Services.GetRequiredService<IGrainFactory>().GetGrain<Ipto.Billing.IOutcomeGrain>(0);
        var report = new Ipto.Billing.OutcomeReport([audit], 10_000_000, "USD", null);
        var first = await grain.Report(caller, report, seed);
        var retried = await grain.Report(caller, report, seed);
        Assert.Equal(first.OutcomeId, retried.OutcomeId);
        Assert.Equal(first.CreatedAt, retried.CreatedAt);
    }

    [Fact]
    public async Task ConcurrentCitationsOfOneEventMakeOneCitation()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);
        var id = Id((await ResultsAsync(agent))[0]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CiteAsync(agent, id)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("citation_id").GetString()));
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task ASpendLimitCoversCitationsAndDownloadsAndRecordsNothingItRefuses()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w, new { amount = 0.05, period = "day" });

        var page = await SearchOkAsync(agent, new { query = BillingFixture.Query, mode = "lexical", dataset_ids = new[] { w.Shipping } });
        Assert.Equal(1, page.GetProperty("result_count").GetInt32()); // 0.03 fits, the next 0.03 does not
        Assert.True(page.GetProperty("truncated_by_spend_limit").GetBoolean());
        var result = page.GetProperty("results")[0];

        await (await CiteAsync(agent, Id(result))).DataAsync(HttpStatusCode.Created); // 0.01 of the 0.02 left
        var objectId = result.GetProperty("object_id").GetString()!;
        await (await agent.GetAsync($"/v1/objects/{objectId}/download")).ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded");
        // Nothing was recorded: the next call is charged again rather than answered from a download window.
        await (await agent.GetAsync($"/v1/objects/{objectId}/download")).ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded");
        // An outcome on an open dataset charges nothing, so it fits what is left.
        var free = await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { Id(result) }, revenue_amount = 1000m, currency = "USD" })).DataAsync(HttpStatusCode.Created);
        Assert.Equal(0m, free.GetProperty("charged_amount").GetDecimal());
    }

    [Fact]
    public async Task AnOutcomeBeyondTheBudgetIsRefusedAndOneWithinIsCharged()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w, new { amount = 0.05, period = "day" });
        var audit = Id((await ResultsAsync(agent, new[] { w.Audits })).Single()); // 0.03: 0.02 left

        await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { audit }, revenue_amount = 1m, currency = "USD" }))
            .ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded"); // 10% of 1.00 = 0.10
        var fits = await (await OutcomeAsync(agent, new { retrieval_event_ids = new[] { audit }, revenue_amount = 0.2m, currency = "USD" })).DataAsync(HttpStatusCode.Created);
        Assert.Equal(0.02m, fits.GetProperty("charged_amount").GetDecimal());
        await (await CiteAsync(agent, audit)).ErrorAsync(HttpStatusCode.PaymentRequired, "spend_limit_exceeded"); // nothing left
    }

    [Fact]
    public async Task AnotherTenantsOrUnknownRetrievalEventsArePrivateObjectsAreNotFound()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);
        var (_, stranger, _) = await BuyerAsync(w);
        var id = Id((await ResultsAsync(agent))[0]);

        await (await CiteAsync(stranger, id)).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await CiteAsync(agent, "ret_00000000000000000000000000")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await CiteAsync(agent, "not-an-id")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        var error = await (await OutcomeAsync(stranger, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m, currency = "USD" }))
            .ErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("retrieval_event_ids[0]", error.GetProperty("details")[0].GetProperty("field").GetString());

        await (await agent.GetAsync($"/v1/objects/{w.PrivateObject}/download")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await agent.GetAsync("/v1/objects/obj_00000000000000000000000000/download")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        var (_, outsideAllowList, _) = await BuyerAsync(w, allowList: [w.Audits]);
        await (await outsideAllowList.GetAsync($"/v1/objects/{w.ShippingObjects[0]}/download")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task EachValidationErrorNamesItsField()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);
        var id = Id((await ResultsAsync(agent))[0]);

        async Task FieldAsync(HttpResponseMessage response, string field)
        {
            var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        }

        await FieldAsync(await agent.PostAsync("/v1/citations", Body(new { context = "x" })), "retrieval_event_id");
        await FieldAsync(await CiteAsync(agent, id, new string('x', 2001)), "context");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = Array.Empty<string>(), revenue_amount = 1m, currency = "USD" }), "retrieval_event_ids");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = Enumerable.Repeat(id, 101).ToArray(), revenue_amount = 1m, currency = "USD" }), "retrieval_event_ids");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id, id }, revenue_amount = 1m, currency = "USD" }), "retrieval_event_ids[1]");
        foreach (var amount in new[] { 0m, -1m, 0.0000001m, 1_000_000_001m })
            await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id }, revenue_amount = amount, currency = "USD" }), "revenue_amount");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id }, currency = "USD" }), "revenue_amount");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m, currency = "EUR" }), "currency");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m }), "currency");
        await FieldAsync(await OutcomeAsync(agent, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m, currency = "USD", description = new string('d', 2001) }), "description");
    }

    [Fact]
    public async Task CredentialsAndScopesAreChecked()
    {
        var w = await fixture.WorldAsync();
        var (_, agent, _) = await BuyerAsync(w);
        var (_, reader, _) = await BuyerAsync(w, scopes: ["usage:read", "datasets:read"]);
        var id = Id((await ResultsAsync(agent))[0]);
        using var anonymous = Api.ClientFor(null);

        await (await CiteAsync(anonymous, id)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await OutcomeAsync(anonymous, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m, currency = "USD" })).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await CiteAsync(reader, id)).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await OutcomeAsync(reader, new { retrieval_event_ids = new[] { id }, revenue_amount = 1m, currency = "USD" })).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        // A buyer's download needs search:query: datasets:read alone is the owner's scope.
        await (await reader.GetAsync($"/v1/objects/{w.ShippingObjects[0]}/download")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task ASessionBuyerIsChargedWithoutAKeyAndTheOwnerDownloadsFree()
    {
        var w = await fixture.WorldAsync();
        var (_, session) = await w.World.AccountAsync("Session buyer");
        var result = (await ResultsAsync(session))[0];
        var cited = await (await CiteAsync(session, Id(result))).DataAsync(HttpStatusCode.Created);
        Assert.Equal(0.01m, cited.GetProperty("charged_amount").GetDecimal());
        var download = await (await session.GetAsync($"/v1/objects/{result.GetProperty("object_id").GetString()}/download")).DataAsync();
        Assert.Equal(0.10m, download.GetProperty("charged_amount").GetDecimal());

        var own = await (await w.Provider.GetAsync($"/v1/objects/{w.ShippingObjects[0]}/download")).DataAsync();
        Assert.Equal(JsonValueKind.Null, own.GetProperty("access_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, own.GetProperty("charged_amount").ValueKind);
    }
}
