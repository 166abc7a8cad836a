using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ipto.Api.Tests.Support;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Identity;

public sealed partial class ApiKeyTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    private async Task<HttpClient> OwnerAsync() => Api.WithBearer((await Api.SignupAsync()).SessionToken);

    [Fact]
    public async Task CreatedKeyIsShownOnceAndAuthenticatesWithItsScopes()
    {
        using var owner = await OwnerAsync();

        var response = await owner.PostAsync("/v1/api-keys", Body(new
        {
            name = "research agent", scopes = new[] { "search:query", "usage:read" },
            spend_limit = new { amount = 12.5, period = "month" }, rate_limit_per_second = 5,
            expires_at = DateTimeOffset.UtcNow.AddDays(30).ToString("O"),
        }));

        var created = await response.DataAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var keyId = created.GetProperty("api_key_id").GetString()!;
        Assert.Matches(KeyFormat(), key);
        Assert.Equal($"/v1/api-keys/{keyId}", response.Headers.Location?.OriginalString);
        Assert.Equal(key[5..13], created.GetProperty("key_prefix").GetString());
        Assert.Equal(12.5m, created.GetProperty("spend_limit").GetProperty("amount").GetDecimal());
        Assert.Equal("all_available", created.GetProperty("dataset_access_mode").GetString());

        var fetched = await (await owner.GetAsync($"/v1/api-keys/{keyId}")).DataAsync();
        Assert.False(fetched.TryGetProperty("key", out _));
        Assert.DoesNotContain(key[14..], fetched.ToString());
        Assert.Equal("active", fetched.GetProperty("status").GetString());

        using var agent = Api.WithApiKey(key);
        var me = await (await agent.GetAsync("/v1/me")).DataAsync();
        Assert.Equal("api_key", me.GetProperty("principal_type").GetString());
        Assert.Equal(keyId, me.GetProperty("api_key_id").GetString());
        Assert.Empty(me.GetProperty("roles").EnumerateArray());
        Assert.Equal(["search:query", "usage:read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("10", (await agent.GetAsync("/v1/me")).Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Fact]
    public async Task KeyWorksAsBearerAndTwoDifferentCredentialsAreRefused()
    {
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);
        var (_, key) = await owner.CreateKeyAsync("datasets:read");

        using var bearer = Api.WithBearer(key);
        await (await bearer.GetAsync("/v1/me")).DataAsync();

        using var both = Api.WithBearer(account.SessionToken);
        both.DefaultRequestHeaders.Add("X-API-Key", key);
        await (await both.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");

        using var same = Api.WithBearer(key);
        same.DefaultRequestHeaders.Add("X-API-Key", key);
        await (await same.GetAsync("/v1/me")).DataAsync();
    }

    [Fact]
    public async Task SearchOnlyKeyCannotManageKeys()
    {
        using var owner = await OwnerAsync();
        var (keyId, key) = await owner.CreateKeyAsync("search:query");
        using var agent = Api.WithApiKey(key);

        var create = await (await agent.PostAsync("/v1/api-keys", Body(new { name = "x", scopes = new[] { "search:query" } })))
            .ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("keys:write", create.GetProperty("message").GetString());
        await (await agent.GetAsync("/v1/api-keys")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await agent.DeleteAsync($"/v1/api-keys/{keyId}")).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task AKeyCannotMintAKeyWithMoreScope()
    {
        using var owner = await OwnerAsync();
        var (_, key) = await owner.CreateKeyAsync("keys:write", "datasets:read");
        using var agent = Api.WithApiKey(key);

        var error = await (await agent.PostAsync("/v1/api-keys", Body(new { name = "x", scopes = new[] { "datasets:read", "search:query" } })))
            .ErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Contains("search:query", error.GetProperty("message").GetString());
        await (await agent.PostAsync("/v1/api-keys", Body(new { name = "narrower", scopes = new[] { "datasets:read" } }))).DataAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AdminScopeOnlyFromAPlatformAdmin()
    {
        using var owner = await OwnerAsync();
        await (await owner.PostAsync("/v1/api-keys", Body(new { name = "x", scopes = new[] { "admin:*" } }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        var login = await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync();
        using var admin = Api.WithBearer(login.GetProperty("session_token").GetString()!);
        var (_, key) = await admin.CreateKeyAsync("admin:*");
        using var adminKey = Api.WithApiKey(key);
        Assert.Contains("admin:*", (await (await adminKey.GetAsync("/v1/me")).DataAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task RevokedKeyStopsAtOnceAndStaysListed()
    {
        using var owner = await OwnerAsync();
        var (keyId, key) = await owner.CreateKeyAsync("datasets:read");
        using var agent = Api.WithApiKey(key);
        await (await agent.GetAsync("/v1/me")).DataAsync();

        var revoked = await (await owner.DeleteAsync($"/v1/api-keys/{keyId}")).DataAsync();

        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        await (await agent.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        var list = await (await owner.GetAsync("/v1/api-keys")).DataAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), k => k.GetProperty("api_key_id").GetString() == keyId && k.GetProperty("status").GetString() == "revoked");
        await (await owner.DeleteAsync($"/v1/api-keys/{keyId}")).DataAsync();
    }

    [Fact]
    public async Task ListPagesNewestFirstWithoutRepeats()
    {
        using var owner = await OwnerAsync();
        var created = new List<string>();
        for (var i = 0; i < 5; i++) created.Add((await owner.CreateKeyAsync("datasets:read")).Id);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await owner.GetAsync("/v1/api-keys?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).DataAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("api_key_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        created.Reverse();
        Assert.Equal(created, seen);
        var first = (await (await owner.GetAsync("/v1/api-keys")).DataAsync()).GetProperty("items")[0];
        Assert.True(first.TryGetProperty("created_by", out _));
        Assert.True(first.TryGetProperty("last_used_at", out _));
    }

    [Fact]
    public async Task UsageReadMayListButNotChangeKeys()
    {
        using var owner = await OwnerAsync();
        var (keyId, key) = await owner.CreateKeyAsync("usage:read");
        using var reader = Api.WithApiKey(key);

        await (await reader.GetAsync("/v1/api-keys")).DataAsync();
        await (await reader.GetAsync($"/v1/api-keys/{keyId}")).DataAsync();
        await (await reader.PatchAsync($"/v1/api-keys/{keyId}", Body(new { name = "renamed" }))).ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task AnotherTenantsKeyIsNotFound()
    {
        using var owner = await OwnerAsync();
        using var stranger = await OwnerAsync();
        var (keyId, _) = await owner.CreateKeyAsync("datasets:read");

        await (await stranger.GetAsync($"/v1/api-keys/{keyId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PatchAsync($"/v1/api-keys/{keyId}", Body(new { name = "mine" }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.DeleteAsync($"/v1/api-keys/{keyId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain(keyId, (await (await stranger.GetAsync("/v1/api-keys")).DataAsync()).ToString());
        await (await owner.GetAsync($"/v1/api-keys/{keyId}")).DataAsync();
    }

    [Fact]
    public async Task PatchChangesNameAccessAndLimits()
    {
        using var owner = await OwnerAsync();
        var (keyId, key) = await owner.CreateKeyAsync("datasets:read");
        var datasetId = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Allowed" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;

        var patched = await (await owner.PatchAsync($"/v1/api-keys/{keyId}", Body(new
        {
            name = "renamed", dataset_access_mode = "allow_list", dataset_ids = new[] { datasetId },
            spend_limit = new { amount = 1, period = "day" }, rate_limit_per_second = 3,
        }))).DataAsync();

        Assert.Equal("renamed", patched.GetProperty("name").GetString());
        Assert.Equal("allow_list", patched.GetProperty("dataset_access_mode").GetString());
        Assert.Equal([datasetId], patched.GetProperty("dataset_ids").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(3, patched.GetProperty("rate_limit_per_second").GetDouble());
        using var agent = Api.WithApiKey(key);
        Assert.Equal("6", (await agent.GetAsync("/v1/me")).Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Fact]
    public async Task ARefusedPatchLeavesTheKeyAsItWas()
    {
        using var owner = await OwnerAsync();
        var (keyId, _) = await owner.CreateKeyAsync("datasets:read");
        var datasetId = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Allowed" }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("dataset_id").GetString()!;
        await (await owner.PatchAsync($"/v1/api-keys/{keyId}", Body(new { name = "before", dataset_access_mode = "allow_list", dataset_ids = new[] { datasetId } }))).DataAsync();

        // An allow-list emptied by the patch is refused after the name in the same patch was read.
        await (await owner.PatchAsync($"/v1/api-keys/{keyId}", Body(new { name = "after", dataset_ids = Array.Empty<string>() })))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var key = await (await owner.GetAsync($"/v1/api-keys/{keyId}")).DataAsync();
        Assert.Equal("before", key.GetProperty("name").GetString());
        Assert.Equal([datasetId], key.GetProperty("dataset_ids").EnumerateArray().Select(d => d.GetString()));
    }

    [Theory]
    [InlineData("{\"scopes\":[\"datasets:read\"]}", "name")]
    [InlineData("{\"name\":\"k\"}", "scopes")]
    [InlineData("{\"name\":\"k\",\"scopes\":[]}", "scopes")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\",\"datasets:destroy\"]}", "scopes[1]")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"dataset_access_mode\":\"some\"}", "dataset_access_mode")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"dataset_access_mode\":\"allow_list\"}", "dataset_ids")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"dataset_access_mode\":\"allow_list\",\"dataset_ids\":[\"nope\"]}", "dataset_ids[0]")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"spend_limit\":{\"amount\":-1,\"period\":\"day\"}}", "spend_limit.amount")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"spend_limit\":{\"amount\":1.0000001,\"period\":\"day\"}}", "spend_limit.amount")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"spend_limit\":{\"amount\":1,\"period\":\"week\"}}", "spend_limit.period")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"rate_limit_per_second\":0}", "rate_limit_per_second")]
    [InlineData("{\"name\":\"k\",\"scopes\":[\"datasets:read\"],\"expires_at\":\"2020-01-01T00:00:00.000Z\"}", "expires_at")]
    [InlineData("{\"name\":\"k\",\"scopes\":\"datasets:read\"}", "scopes")]
    public async Task CreateNamesEachInvalidField(string body, string field)
    {
        using var owner = await OwnerAsync();

        var error = await (await owner.PostAsync("/v1/api-keys", ApiHttp.Json(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task AllowListMayOnlyNameDatasetsTheTenantMayUse()
    {
        using var owner = await OwnerAsync();
        using var other = await OwnerAsync();
        var own = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Own" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();
        var foreign = (await (await other.PostAsync("/v1/datasets", Body(new { name = "Private elsewhere" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString();

        var error = await (await owner.PostAsync("/v1/api-keys", Body(new
        {
            name = "scoped", scopes = new[] { "datasets:read" }, dataset_access_mode = "allow_list", dataset_ids = new[] { own, foreign },
        }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("dataset_ids[1]", Assert.Single(error.GetProperty("details").EnumerateArray()).GetProperty("field").GetString());

        var created = await (await owner.PostAsync("/v1/api-keys", Body(new
        {
            name = "scoped", scopes = new[] { "datasets:read" }, dataset_access_mode = "allow_list", dataset_ids = new[] { own },
        }))).DataAsync(HttpStatusCode.Created);
        Assert.Equal([own], created.GetProperty("dataset_ids").EnumerateArray().Select(d => d.GetString()));
        await (await owner.PatchAsync($"/v1/api-keys/{created.GetProperty("api_key_id").GetString()}", Body(new { dataset_ids = new[] { foreign } })))
            .ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task ExpiryMustBeAtLeastAMinuteAhead()
    {
        using var owner = await OwnerAsync();

        var body = Body(new { name = "k", scopes = new[] { "datasets:read" }, expires_at = DateTimeOffset.UtcNow.AddSeconds(30).ToString("O") });

        await (await owner.PostAsync("/v1/api-keys", body)).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task KeyRateLimitAnswers429WithRetryAfter()
    {
        using var owner = await OwnerAsync();
        var created = await (await owner.PostAsync("/v1/api-keys", Body(new { name = "slow", scopes = new[] { "datasets:read" }, rate_limit_per_second = 1 })))
            .DataAsync(HttpStatusCode.Created);
        using var agent = Api.WithApiKey(created.GetProperty("key").GetString()!);

        // Burst 2, refill 1/s: ten requests meet a 429 unless they take more than 8 s.
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++) statuses.Add(await agent.GetAsync("/v1/me"));

        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await limited.ErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("2", limited.Headers.GetValues("X-RateLimit-Limit").Single());
    }

    [Fact]
    public async Task LastUseIsReportedWithoutAWritePerRequest()
    {
        using var owner = await OwnerAsync();
        var (keyId, key) = await owner.CreateKeyAsync("datasets:read");
        Assert.Equal(JsonValueKind.Null, (await (await owner.GetAsync($"/v1/api-keys/{keyId}")).DataAsync()).GetProperty("last_used_at").ValueKind);
        using var agent = Api.WithApiKey(key);

        await (await agent.GetAsync("/v1/me")).DataAsync();

        var fetched = await (await owner.GetAsync($"/v1/api-keys/{keyId}")).DataAsync();
        var lastUsed = DateTimeOffset.Parse(fetched.GetProperty("last_used_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - lastUsed, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task MalformedOrUnknownKeyIdIsNotFound()
    {
        using var owner = await OwnerAsync();

        await (await owner.GetAsync("/v1/api-keys/key_nope")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.GetAsync("/v1/api-keys/key_01jq3n5a7v8x9y0z1a2b3c4d5e")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task NoCredentialIsUnauthenticated()
    {
        using var anonymous = Api.ClientFor(null);

        await (await anonymous.GetAsync("/v1/api-keys")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await anonymous.PostAsync("/v1/api-keys", Body(new { name = "k", scopes = new[] { "datasets:read" } }))).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task IdempotentCreateReplaysTheSameKeyOnlyToTheHolderOfTheIdempotencyKey()
    {
        using var owner = await OwnerAsync();
        var idempotencyKey = Guid.NewGuid().ToString();
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/api-keys") { Content = Body(new { name = "once", scopes = new[] { "datasets:read" } }) };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return request;
        }

        var first = await (await owner.SendAsync(Request())).DataAsync(HttpStatusCode.Created);
        var replay = await owner.SendAsync(Request());

        Assert.True(replay.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        var replayed = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(first.GetProperty("key").GetString(), replayed.GetProperty("key").GetString());
        var list = await (await owner.GetAsync("/v1/api-keys")).DataAsync();
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [GeneratedRegex("^ipto_[a-z0-9]{8}_[A-Za-z0-9]{32,}$")]
    private static partial Regex KeyFormat();
}
