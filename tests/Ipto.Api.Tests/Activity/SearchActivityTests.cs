using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Grains.Metering;

namespace Ipto.Api.Tests.Activity;

public sealed class SearchActivityTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<(Account Account, HttpClient Client, string KeyA, string KeyB)> BuyerWithActivityAsync()
    {
        var account = await Api.SignupAsync();
        var client = Api.WithBearer(account.SessionToken);
        var (keyA, _) = await client.CreateKeyAsync("search:query");
        var (keyB, _) = await client.CreateKeyAsync("search:query");
        var ledger = Api.Services.GetRequiredService<LedgerWriter>();
        var start = DateTimeOffset.Parse("2026-04-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 5; i++)
        {
            var at = start.AddHours(i);
            await ledger.AppendAsync(new SearchActivityRow(Ids.New("sa", at), account.TenantId, i % 2 == 0 ? keyA : keyB, i % 2 == 0 ? keyA : keyB,
                $"query {i}", ["dset_x"], i, 30_000L * i, at));
        }

        return (account, client, keyA, keyB);
    }

    [Fact]
    public async Task SearchesAreListedNewestFirstWithTotalsAndAmounts()
    {
        var (_, client, _, _) = await BuyerWithActivityAsync();

        var page = await (await client.GetAsync("/v1/agent/activity/searches?limit=2")).DataAsync();

        Assert.Equal(5, page.GetProperty("total").GetInt64());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var searches = page.GetProperty("searches").EnumerateArray().ToArray();
        Assert.Equal(["query 4", "query 3"], searches.Select(s => s.GetProperty("query_text").GetString()));
        Assert.Equal(0.12m, searches[0].GetProperty("charged_amount").GetDecimal());
        Assert.Equal("USD", searches[0].GetProperty("currency").GetString());
        Assert.Equal("2026-04-05T14:00:00.000Z", searches[0].GetProperty("occurred_at").GetString());
        var next = await (await client.GetAsync("/v1/agent/activity/searches?limit=10&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!))).DataAsync();
        Assert.Equal(["query 2", "query 1", "query 0"], next.GetProperty("searches").EnumerateArray().Select(s => s.GetProperty("query_text").GetString()));
    }

    [Fact]
    public async Task FiltersByKeyAndTimeRange()
    {
        var (_, client, keyA, _) = await BuyerWithActivityAsync();

        var byKey = await (await client.GetAsync($"/v1/agent/activity/searches?api_key_id={keyA}")).DataAsync();
        var byRange = await (await client.GetAsync("/v1/agent/activity/searches?from=2026-04-05T11:00:00.000Z&to=2026-04-05T13:00:00.000Z")).DataAsync();

        Assert.Equal(3, byKey.GetProperty("total").GetInt64());
        Assert.All(byKey.GetProperty("searches").EnumerateArray(), s => Assert.Equal(keyA, s.GetProperty("api_key_id").GetString()));
        Assert.Equal(["query 2", "query 1"], byRange.GetProperty("searches").EnumerateArray().Select(s => s.GetProperty("query_text").GetString()));
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("to=2026-04-05T10:00:00")]
    [InlineData("from=2026-04-06T00:00:00Z&to=2026-04-05T00:00:00Z")]
    [InlineData("api_key_id=nope")]
    [InlineData("limit=0")]
    public async Task BadFiltersAreInvalidRequests(string query)
    {
        var (_, client, _, _) = await BuyerWithActivityAsync();

        await (await client.GetAsync("/v1/agent/activity/searches?" + query)).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task AnotherTenantSeesNoneAndScopesAreEnforced()
    {
        var (_, client, _, _) = await BuyerWithActivityAsync();
        var stranger = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var (_, searchOnly) = await client.CreateKeyAsync("search:query");

        Assert.Equal(0, (await (await stranger.GetAsync("/v1/agent/activity/searches")).DataAsync()).GetProperty("total").GetInt64());
        await (await Api.WithApiKey(searchOnly).GetAsync("/v1/agent/activity/searches")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await Api.ClientFor(null).GetAsync("/v1/agent/activity/searches")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
