using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Http;

public sealed class IdempotencyTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static HttpRequestMessage Post(string path, string? body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : ApiHttp.Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static string Counter(string name, int amount = 1) => $"{{\"name\":\"{name}\",\"amount\":{amount}}}";

    [Fact]
    public async Task SameKeyAndBodyHasOneEffectAndReplaysTheFirstResponseByteForByte()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();

        var first = await client.SendAsync(Post("/v1/test/counters", Counter("replay"), key));
        var second = await client.SendAsync(Post("/v1/test/counters", Counter("replay"), key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(1, api.Factory.Endpoints.Counters["replay"]);
        var firstBody = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(firstBody, await second.Content.ReadAsByteArrayAsync());
        Assert.True(second.Headers.TryGetValues("Idempotency-Replayed", out var replayed) && replayed.Single() == "true");
        Assert.False(first.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        // The body keeps the original request id; the header is the new request's.
        var originalId = JsonDocument.Parse(firstBody).RootElement.GetProperty("request_id").GetString();
        Assert.Equal(originalId, first.Headers.GetValues("X-Request-Id").Single());
        Assert.NotEqual(originalId, second.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task SameKeyWithADifferentBodyIsKeyReused()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();
        await client.SendAsync(Post("/v1/test/counters", Counter("reuse", 1), key));

        var response = await client.SendAsync(Post("/v1/test/counters", Counter("reuse", 2), key));

        await response.ErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        Assert.Equal(1, api.Factory.Endpoints.Counters["reuse"]);
    }

    [Fact]
    public async Task SameKeyOnAnotherPathIsKeyReused()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();
        await client.SendAsync(Post("/v1/test/counters", Counter("path"), key));

        var response = await client.SendAsync(Post("/v1/test/fail/ok", null, key));

        await response.ErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
    }

    [Fact]
    public async Task ConcurrentDuplicatesHaveExactlyOneEffect()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.SendAsync(Post("/v1/test/counters", Counter("concurrent"), key))));

        Assert.Equal(1, api.Factory.Endpoints.Counters["concurrent"]);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains("Idempotency-Replayed"));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await response.ErrorAsync(HttpStatusCode.Conflict, "idempotency_request_in_progress");
    }

    [Fact]
    public async Task KeysAreScopedToTheirPrincipal()
    {
        using var alice = api.Factory.ClientFor(IptoApiFactory.Alice);
        using var bob = api.Factory.ClientFor(IptoApiFactory.Bob);
        var key = Guid.NewGuid().ToString();

        var fromAlice = await alice.SendAsync(Post("/v1/test/counters", Counter("scoped"), key));
        var fromBob = await bob.SendAsync(Post("/v1/test/counters", Counter("scoped"), key));

        Assert.Equal(HttpStatusCode.Created, fromAlice.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fromBob.StatusCode);
        Assert.False(fromBob.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(2, api.Factory.Endpoints.Counters["scoped"]);
    }

    [Fact]
    public async Task BusinessErrorsAreStoredAndReplayed()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();
        var before = api.Factory.Endpoints.Calls.GetValueOrDefault("conflict");

        var first = await client.SendAsync(Post("/v1/test/fail/conflict", null, key));
        var second = await client.SendAsync(Post("/v1/test/fail/conflict", null, key));

        await first.ErrorAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.True(second.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(before + 1, api.Factory.Endpoints.Calls["conflict"]);
    }

    [Theory]
    [InlineData("crash", HttpStatusCode.InternalServerError)]
    [InlineData("unavailable", HttpStatusCode.ServiceUnavailable)]
    public async Task ServerErrorsAreNotStoredSoARetryRunsAgain(string kind, HttpStatusCode status)
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();
        var before = api.Factory.Endpoints.Calls.GetValueOrDefault(kind);

        var first = await client.SendAsync(Post($"/v1/test/fail/{kind}", null, key));
        var second = await client.SendAsync(Post($"/v1/test/fail/{kind}", null, key));

        Assert.Equal(status, first.StatusCode);
        Assert.Equal(status, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(before + 2, api.Factory.Endpoints.Calls[kind]);
    }

    [Fact]
    public async Task ValidationFailuresBeforeTheHandlerAreNotStored()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        var key = Guid.NewGuid().ToString();

        var invalid = await client.SendAsync(Post("/v1/test/counters", "{\"name\":\"\"}", key));
        var valid = await client.SendAsync(Post("/v1/test/counters", Counter("after-invalid"), key));

        await invalid.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
    }

    [Theory]
    [InlineData("tab\tinside")]
    [InlineData("ünïcode")]
    public async Task MalformedKeyIsInvalidRequest(string key)
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test/counters") { Content = ApiHttp.Json(Counter("badkey")) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await client.SendAsync(request);

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.False(api.Factory.Endpoints.Counters.ContainsKey("badkey"));
    }

    [Fact]
    public async Task OverlongKeyIsInvalidRequest()
    {
        using var client = api.Factory.ClientFor(IptoApiFactory.Alice);

        var response = await client.SendAsync(Post("/v1/test/counters", Counter("longkey"), new string('k', 256)));

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task UnauthenticatedPostsIgnoreTheHeader()
    {
        using var client = api.Factory.ClientFor(null);
        var key = Guid.NewGuid().ToString();

        await client.SendAsync(Post("/v1/test/public-counters", Counter("anonymous"), key));
        var second = await client.SendAsync(Post("/v1/test/public-counters", Counter("anonymous"), key));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(2, api.Factory.Endpoints.Counters["anonymous"]);
    }

    [Fact]
    public void EveryAuthenticatedPostHonoursIdempotencyKey()
    {
        var endpoints = api.Factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/v1/test", StringComparison.Ordinal)) // this suite's own endpoints
            .ToArray();

        var without = endpoints.Where(e => e.Metadata.GetMetadata<Ipto.Api.Http.Idempotency.IdempotentEndpoint>() is null).Select(e => e.RoutePattern.RawText);

        Assert.True(endpoints.Length > 15, $"only {endpoints.Length} POST endpoints were found");
        Assert.Empty(without);
    }
}
