using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Datasets;

public sealed class DatasetsEndpointsTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<HttpClient> OwnerAsync() => Api.WithBearer((await Api.SignupAsync()).SessionToken);

    private static async Task<JsonElement> CreateAsync(HttpClient client, object body) =>
        await (await client.PostAsync("/v1/datasets", Body(body))).DataAsync(HttpStatusCode.Created);

    [Fact]
    public async Task CreatedDatasetHasSpecDefaultsAndIsReadable()
    {
        using var owner = await OwnerAsync();

        var response = await owner.PostAsync("/v1/datasets", Body(new { name = "Court rulings", tags = new[] { "law", "law", "eu" } }));

        var created = await response.DataAsync(HttpStatusCode.Created);
        var id = created.GetProperty("dataset_id").GetString()!;
        Assert.Equal($"/v1/datasets/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.Equal("private", created.GetProperty("visibility").GetString());
        Assert.Equal("document", created.GetProperty("source_modality").GetString());
        Assert.Equal("open", created.GetProperty("monetization_mode").GetString());
        Assert.Equal("fixed", created.GetProperty("pricing_model").GetString());
        Assert.Equal(["law", "eu"], created.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var pricing = created.GetProperty("pricing");
        Assert.Equal(0.03m, pricing.GetProperty("price_per_retrieval").GetDecimal());
        Assert.Equal(0.1m, pricing.GetProperty("price_per_download").GetDecimal());
        Assert.Equal("USD", pricing.GetProperty("currency").GetString());
        Assert.Equal(0, created.GetProperty("counters").GetProperty("object_count").GetInt64());

        var fetched = await (await owner.GetAsync($"/v1/datasets/{id}")).DataAsync();
        Assert.Equal(created.GetProperty("name").GetString(), fetched.GetProperty("name").GetString());
    }

    [Fact]
    public async Task PatchMergesPricingAndOwnerMayPauseOnlyAnActiveDataset()
    {
        using var owner = await OwnerAsync();
        var id = (await CreateAsync(owner, new { name = "Prices", pricing = new { price_per_retrieval = 0.05, half_life_days = 7 } })).GetProperty("dataset_id").GetString();

        var patched = await (await owner.PatchAsync($"/v1/datasets/{id}", Body(new { pricing = new { price_per_download = 0.2 }, visibility = "listed" }))).DataAsync();

        Assert.Equal(0.05m, patched.GetProperty("pricing").GetProperty("price_per_retrieval").GetDecimal());
        Assert.Equal(0.2m, patched.GetProperty("pricing").GetProperty("price_per_download").GetDecimal());
        Assert.Equal(7m, patched.GetProperty("pricing").GetProperty("half_life_days").GetDecimal());
        Assert.Equal("listed", patched.GetProperty("visibility").GetString());
        var error = await (await owner.PatchAsync($"/v1/datasets/{id}", Body(new { status = "paused" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Contains("'draft'", error.GetProperty("message").GetString());
        Assert.Contains("'paused'", error.GetProperty("message").GetString());
        await (await owner.PatchAsync($"/v1/datasets/{id}", Body(new { status = "suspended" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
        await (await owner.PatchAsync($"/v1/datasets/{id}", Body(new { status = "active" }))).ErrorAsync(HttpStatusCode.Conflict, "invalid_state_transition");
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"d\",\"source_modality\":\"smell\"}", "source_modality")]
    [InlineData("{\"name\":\"d\",\"monetization_mode\":\"free\"}", "monetization_mode")]
    [InlineData("{\"name\":\"d\",\"pricing_model\":\"auction\"}", "pricing_model")]
    [InlineData("{\"name\":\"d\",\"visibility\":\"public\"}", "visibility")]
    [InlineData("{\"name\":\"d\",\"tags\":[\"ok\",\"\"]}", "tags[1]")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"price_per_retrieval\":-0.01}}", "pricing.price_per_retrieval")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"price_per_citation\":0.0000001}}", "pricing.price_per_citation")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"outcome_share_pct\":101}}", "pricing.outcome_share_pct")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"half_life_days\":0}}", "pricing.half_life_days")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"min_multiplier\":5,\"max_multiplier\":2}}", "pricing.min_multiplier")]
    [InlineData("{\"name\":\"d\",\"pricing\":{\"elasticity\":\"high\"}}", "pricing.elasticity")]
    public async Task CreateNamesEachInvalidField(string body, string field)
    {
        using var owner = await OwnerAsync();

        var error = await (await owner.PostAsync("/v1/datasets", ApiHttp.Json(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task OverlongNameAndDescriptionAreRefused()
    {
        using var owner = await OwnerAsync();

        var error = await (await owner.PostAsync("/v1/datasets", Body(new { name = new string('n', 201), description = new string('d', 5001) })))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var fields = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToHashSet();
        Assert.Equal(["name", "description"], fields);
    }

    [Fact]
    public async Task AnotherTenantGetsNotFoundOnEveryRoute()
    {
        using var owner = await OwnerAsync();
        using var stranger = await OwnerAsync();
        var id = (await CreateAsync(owner, new { name = "Mine" })).GetProperty("dataset_id").GetString();

        await (await stranger.GetAsync($"/v1/datasets/{id}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PatchAsync($"/v1/datasets/{id}", Body(new { name = "Theirs" }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain(id!, (await (await stranger.GetAsync("/v1/datasets")).DataAsync()).ToString());
        await (await owner.GetAsync("/v1/datasets/dset_nope")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ScopesAreEnforcedAndASearchOnlyKeyCannotCreateDatasets()
    {
        using var owner = await OwnerAsync();
        var (_, searchKey) = await owner.CreateKeyAsync("search:query");
        var (_, readKey) = await owner.CreateKeyAsync("datasets:read");
        using var searchAgent = Api.WithApiKey(searchKey);
        using var reader = Api.WithApiKey(readKey);
        using var anonymous = Api.ClientFor(null);

        var error = await (await searchAgent.PostAsync("/v1/datasets", Body(new { name = "Nope" }))).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("datasets:write", error.GetProperty("message").GetString());
        await (await searchAgent.GetAsync("/v1/datasets")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await reader.GetAsync("/v1/datasets")).DataAsync();
        await (await reader.PostAsync("/v1/datasets", Body(new { name = "Nope" }))).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await anonymous.PostAsync("/v1/datasets", Body(new { name = "Nope" }))).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await anonymous.GetAsync("/v1/datasets")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task ListFiltersByStatusAndVisibilityAndRefusesUnknownFilters()
    {
        using var owner = await OwnerAsync();
        await CreateAsync(owner, new { name = "A", visibility = "listed" });
        await CreateAsync(owner, new { name = "B" });

        var listed = await (await owner.GetAsync("/v1/datasets?visibility=listed")).DataAsync();
        var drafts = await (await owner.GetAsync("/v1/datasets?status=draft")).DataAsync();

        Assert.Equal(["A"], listed.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(2, drafts.GetProperty("items").GetArrayLength());
        await (await owner.GetAsync("/v1/datasets?status=bogus")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await owner.GetAsync("/v1/datasets?visibility=bogus")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await owner.GetAsync("/v1/datasets?limit=0")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task PagingNeverRepeatsOrSkipsWhileAnotherClientKeepsCreating()
    {
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);
        var original = new List<string>();
        for (var i = 0; i < 25; i++) original.Add((await CreateAsync(owner, new { name = $"D{i:00}" })).GetProperty("dataset_id").GetString()!);

        using var writer = Api.WithBearer(account.SessionToken);
        var concurrent = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var creating = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                concurrent.Add((await CreateAsync(writer, new { name = "late" })).GetProperty("dataset_id").GetString()!);
        });

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await owner.GetAsync("/v1/datasets?limit=10" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).DataAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("dataset_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            Assert.Equal(cursor is not null, page.GetProperty("has_more").GetBoolean());
            pages++;
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await creating;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.OrderByDescending(id => id, StringComparer.Ordinal), seen);
        var originalSeen = seen.Where(original.Contains).ToList();
        original.Reverse();
        Assert.Equal(original, originalSeen);
        Assert.All(seen.Except(original), id => Assert.Contains(id, concurrent));
        Assert.True(pages >= 3);
    }
}
