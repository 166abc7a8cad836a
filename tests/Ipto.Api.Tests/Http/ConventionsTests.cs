using System.Net;
using System.Text;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Http;

public sealed class ConventionsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private HttpClient Alice() => api.Factory.ClientFor(IptoApiFactory.Alice);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnknownV1RouteIsNotFoundInTheEnvelopeWithOrWithoutCredential(bool authenticated)
    {
        using var client = api.Factory.ClientFor(authenticated ? IptoApiFactory.Alice : null);

        var response = await client.GetAsync("/v1/no-such-thing");

        await response.ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WrongMethodOnAKnownRouteIsNotFound()
    {
        using var client = Alice();

        var response = await client.DeleteAsync("/v1/test/letters");

        await response.ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task SafeClientRequestIdIsEchoed()
    {
        using var client = Alice();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test/letters");
        request.Headers.Add("X-Request-Id", "trace-42.a_b");

        var response = await client.SendAsync(request);

        Assert.Equal("trace-42.a_b", response.Headers.GetValues("X-Request-Id").Single());
        await response.DataAsync();
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task UnsafeClientRequestIdIsReplaced(string sent)
    {
        using var client = Alice();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test/letters");
        request.Headers.TryAddWithoutValidation("X-Request-Id", sent);

        var response = await client.SendAsync(request);

        Assert.StartsWith("req_", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task SuccessEnvelopeCarriesDataRequestIdAndTimestamp()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json("{\"name\":\"envelope\",\"amount\":2}"));

        var data = await response.DataAsync(HttpStatusCode.Created);
        Assert.Equal("envelope", data.GetProperty("name").GetString());
        Assert.Equal(2, data.GetProperty("total").GetInt32());
        Assert.Equal("/v1/test/counters/envelope", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task MalformedJsonIsInvalidRequest(string body)
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json(body));

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public async Task JsonThatIsNotAnObjectIsInvalidRequest(string body)
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json(body));

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task EveryFailingFieldIsListed()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json("{\"name\":\"\",\"amount\":500,\"unknown\":true}"));

        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var fields = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToHashSet();
        Assert.Equal(["name", "amount"], fields);
    }

    [Fact]
    public async Task MissingFieldsAreListed()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json("{}"));

        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(2, error.GetProperty("details").GetArrayLength());
    }

    [Fact]
    public async Task WrongJsonTypeNamesTheField()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json("{\"name\":\"x\",\"amount\":\"five\"}"));

        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("amount", error.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task WrongContentTypeIsUnsupportedMediaType()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/counters", new StringContent("{\"name\":\"x\",\"amount\":1}", Encoding.UTF8, "text/plain"));

        await response.ErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task BodyOverOneMebibyteIsPayloadTooLarge()
    {
        using var client = Alice();
        var big = "{\"name\":\"" + new string('x', 1024 * 1024) + "\",\"amount\":1}";

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json(big));

        await response.ErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task ChunkedBodyOverOneMebibyteIsPayloadTooLarge()
    {
        using var client = Alice();
        var big = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('x', 1024 * 1024) + "\",\"amount\":1}");
        var content = new StreamContent(new NonSeekableStream(big));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await client.PostAsync("/v1/test/counters", content);

        await response.ErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task BodyJustUnderTheLimitIsAccepted()
    {
        using var client = Alice();
        var padding = new string(' ', 1024 * 1024 - 40);
        var body = "{\"name\":\"near-limit\",\"amount\":1}" + padding;
        Assert.True(Encoding.UTF8.GetByteCount(body) <= 1024 * 1024);

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json(body));

        await response.DataAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task MissingCredentialIsUnauthenticated()
    {
        using var client = api.Factory.ClientFor(null);

        var response = await client.PostAsync("/v1/test/counters", ApiHttp.Json("{\"name\":\"x\",\"amount\":1}"));

        await response.ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task UnavailableSiloIs503WithRetryAfter()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/fail/unavailable", null);

        await response.ErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task UnexpectedFailureIs500WithoutInternalDetail()
    {
        using var client = Alice();

        var response = await client.PostAsync("/v1/test/fail/crash", null);

        var error = await response.ErrorAsync(HttpStatusCode.InternalServerError, "internal_error");
        var text = error.ToString();
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("Host=", text);
    }

    [Fact]
    public async Task SafeReadsAreRetriedWhileADependencySettles()
    {
        using var client = Alice();

        var response = await client.GetAsync("/v1/test/flaky/settling");

        var data = await response.DataAsync();
        Assert.Equal(3, data.GetProperty("total").GetInt32());
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
