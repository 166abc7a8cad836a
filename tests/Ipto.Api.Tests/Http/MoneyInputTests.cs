using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Http;

/// <summary>
/// Every money input is capped (unit prices at 1,000,000 USD, limits at 1,000,000,000 USD): amounts far beyond a
/// decimal's reach of micro-dollars, or just beyond the cap, are a 422 naming the field, never a 500.
/// </summary>
public sealed class MoneyInputTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private static StringContent Json(string json) => ApiHttp.Json(json);

    private async Task<HttpClient> OwnerAsync() => Api.WithBearer((await Api.SignupAsync()).SessionToken);

    private static async Task AssertNamesAsync(HttpResponseMessage response, params string[] fields)
    {
        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var named = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToArray();
        foreach (var field in fields) Assert.Contains(field, named);
    }

    [Theory]
    [InlineData("1e23")]
    [InlineData("100000000000000000000000")]
    [InlineData("9223372036854.775807")]
    [InlineData("1000000.000001")]
    [InlineData("-1")]
    [InlineData("0.0000001")]
    public async Task DatasetPricesAreCapped(string amount)
    {
        using var owner = await OwnerAsync();

        await AssertNamesAsync(await owner.PostAsync("/v1/datasets", Json($$$"""{"name":"n","pricing":{"price_per_retrieval":{{{amount}}}}}""")), "pricing.price_per_retrieval");
        var id = (await (await owner.PostAsync("/v1/datasets", Json("""{"name":"n"}"""))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        await AssertNamesAsync(await owner.PatchAsync($"/v1/datasets/{id}", Json($$$"""{"pricing":{"price_per_download":{{{amount}}}}}""")), "pricing.price_per_download");
    }

    [Fact]
    public async Task APriceAtTheCapIsAccepted()
    {
        using var owner = await OwnerAsync();

        var created = await (await owner.PostAsync("/v1/datasets", Json("""{"name":"n","pricing":{"price_per_retrieval":1000000,"price_per_citation":0.000001}}""")))
            .DataAsync(HttpStatusCode.Created);

        Assert.Equal(1_000_000m, created.GetProperty("pricing").GetProperty("price_per_retrieval").GetDecimal());
        Assert.Equal(0.000001m, created.GetProperty("pricing").GetProperty("price_per_citation").GetDecimal());
    }

    [Theory]
    [InlineData("""{"max_multiplier":1e23}""", "pricing.max_multiplier")]
    [InlineData("""{"half_life_days":1e23}""", "pricing.half_life_days")]
    [InlineData("""{"reference_daily_queries":1e23}""", "pricing.reference_daily_queries")]
    [InlineData("""{"elasticity":1e23}""", "pricing.elasticity")]
    public async Task PricingParametersAreCapped(string pricing, string field)
    {
        using var owner = await OwnerAsync();

        await AssertNamesAsync(await owner.PostAsync("/v1/datasets", Json($$$"""{"name":"n","pricing":{{{pricing}}}}""")), field);
    }

    [Fact]
    public async Task OneResponseListsTheShapeAndThePricingRules()
    {
        using var owner = await OwnerAsync();
        var body = JsonSerializer.Serialize(new { name = "n", description = new string('d', 5001), pricing = new { price_per_retrieval = -1, outcome_share_pct = 101 } });

        await AssertNamesAsync(await owner.PostAsync("/v1/datasets", Json(body)), "description", "pricing.price_per_retrieval", "pricing.outcome_share_pct");
        var id = (await (await owner.PostAsync("/v1/datasets", Json("""{"name":"n"}"""))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        await AssertNamesAsync(await owner.PatchAsync($"/v1/datasets/{id}", Json(body)), "description", "pricing.price_per_retrieval", "pricing.outcome_share_pct");
    }

    [Theory]
    [InlineData("1e23")]
    [InlineData("1000000000.000001")]
    [InlineData("-0.5")]
    public async Task SpendLimitsAreCapped(string amount)
    {
        using var owner = await OwnerAsync();

        await AssertNamesAsync(await owner.PostAsync("/v1/api-keys",
            Json($$$"""{"name":"agent","scopes":["search:query"],"spend_limit":{"amount":{{{amount}}},"period":"day"}}""")), "spend_limit.amount");
        var (keyId, _) = await owner.CreateKeyAsync("search:query");
        await AssertNamesAsync(await owner.PatchAsync($"/v1/api-keys/{keyId}", Json($$$"""{"spend_limit":{"amount":{{{amount}}},"period":"month"}}""")), "spend_limit.amount");
    }

    [Theory]
    [InlineData("1e23")]
    [InlineData("1000000.000001")]
    public async Task SearchMaxPricePerResultIsCapped(string amount)
    {
        using var owner = await OwnerAsync();

        await AssertNamesAsync(await owner.PostAsync("/v1/search", Json($$$"""{"query":"rotterdam","max_price_per_result":{{{amount}}}}""")), "max_price_per_result");
    }
}
