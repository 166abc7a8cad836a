using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Search;

namespace Ipto.Api.Tests.Search;

/// <summary>
/// A search under an Idempotency-Key whose answer was lost after the ledger recorded it (a 503 to the client) is not
/// searched and charged again on retry: the retry answers the page the first attempt recorded.
/// </summary>
public sealed class IdempotentSearchTests : IAsyncLifetime
{
    private readonly LoseFirstRecordedSearch _failures = new();
    private readonly ApiWithGrainFilter _host;

    public IdempotentSearchTests() => _host = new ApiWithGrainFilter(_failures, IdentityFixture.Settings);

    private IptoApiFactory Api => _host.Factory;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task ARetryAfterTheFirstAttemptWasRecordedAnswersItsPageAndChargesOnce()
    {
        var world = new SearchWorld(Api);
        var admin = await world.AdminAsync();
        var (_, provider) = await world.AccountAsync("Provider Co");
        var dataset = await SearchWorld.CreateDatasetAsync(provider, "Shipping records", "listed");
        await world.AddActiveTextsAsync(provider, admin, dataset, ["Cargo manifests of the Rotterdam terminal list 42 containers."], ["manifest.txt"]);
        var (_, buyer) = await world.AccountAsync("Buyer Co");
        var (keyId, key) = await buyer.CreateKeyAsync("search:query", "usage:read");
        using var agent = Api.WithApiKey(key);

        var first = await SearchAsync(agent, "search-once");
        var retry = await SearchAsync(agent, "search-once");
        var again = await SearchAsync(agent, "search-once");

        await first.ErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        var page = await retry.DataAsync();
        Assert.False(retry.Headers.Contains("Idempotency-Replayed")); // the Api ran the retry; the ledger supplied its page
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(page.GetRawText(), JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetRawText());
        Assert.Equal(_failures.LostSearchId, page.GetProperty("search_id").GetString());
        Assert.NotEmpty(page.GetProperty("results").EnumerateArray());
        Assert.True(SearchWorld.Charged(page) > 0);

        var searches = (await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync()).GetProperty("searches").EnumerateArray().ToArray();
        var recorded = Assert.Single(searches);
        Assert.Equal(page.GetProperty("search_id").GetString(), recorded.GetProperty("search_activity_id").GetString());
        Assert.Equal(SearchWorld.Charged(page), recorded.GetProperty("charged_amount").GetDecimal());

        // Without an Idempotency-Key the same search is a new one, charged again.
        await (await SearchWorld.SearchAsync(agent, new { query = "cargo manifests" })).DataAsync();
        Assert.Equal(2, (await (await agent.GetAsync($"/v1/agent/activity/searches?api_key_id={keyId}")).DataAsync()).GetProperty("searches").GetArrayLength());
    }

    private static Task<HttpResponseMessage> SearchAsync(HttpClient agent, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = ApiHttp.Body(new { query = "cargo manifests" }) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return agent.SendAsync(request);
    }

    /// <summary>Lets the first idempotent search run and be recorded, then loses its answer as a dying silo would.</summary>
    private sealed class LoseFirstRecordedSearch : IIncomingGrainCallFilter
    {
        private int _lost;

        public string? LostSearchId { get; private set; }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod.DeclaringType != typeof(ISearchCoordinatorGrain) || context.InterfaceMethod.Name != nameof(ISearchCoordinatorGrain.Search)) return;
            if (Interlocked.Exchange(ref _lost, 1) == 1) return;
            LostSearchId = ((SearchPage)context.Result!).SearchId;
            throw new TimeoutException("The answer to the first attempt was lost.");
        }
    }
}
