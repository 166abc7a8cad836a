using System.Net;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Hardening;

/// <summary>Requests Kestrel refuses before any middleware still get the SPEC error envelope and a request id.</summary>
public sealed class KestrelEnvelopeTests(KestrelFixture kestrel) : IClassFixture<KestrelFixture>
{
    private static string Alice => $"{TestAuthHandler.Header}: {TestAuthHandler.HeaderValue(IptoApiFactory.Alice)}\r\n";

    [Theory]
    [InlineData("/v1/datasets/%00")]
    [InlineData("/v1/%00/datasets")]
    [InlineData("/%00")]
    public async Task NulInThePathIsInvalidRequestInTheEnvelope(string path)
    {
        var response = await RawHttp.SendAsync(kestrel.Port, $"GET {path} HTTP/1.1\r\nHost: localhost\r\n{Alice}\r\n");

        RawHttp.AssertErrorEnvelope(response, 400, "invalid_request");
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /v1/datasets HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n")]
    [InlineData("GET /v1/ datasets HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /v1/datasets HTTP/9.9\r\nHost: localhost\r\n\r\n")]
    public async Task UnparsableRequestIsInvalidRequestInTheEnvelope(string request)
    {
        var response = await RawHttp.SendAsync(kestrel.Port, request);

        RawHttp.AssertErrorEnvelope(response, 400, "invalid_request");
    }

    [Fact]
    public async Task TenThousandCharacterCursorReachesOurCodeAndIsABadCursor()
    {
        using var client = new HttpClient { BaseAddress = kestrel.BaseAddress };
        client.DefaultRequestHeaders.Add(TestAuthHandler.Header, TestAuthHandler.HeaderValue(IptoApiFactory.Alice));

        var response = await client.GetAsync("/v1/test/letters?cursor=" + new string('a', 10_000));

        var error = await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("cursor", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task RequestLineOverKestrelsLimitIsInvalidRequestInTheEnvelope()
    {
        var response = await RawHttp.SendAsync(kestrel.Port, $"GET /v1/test/letters?cursor={new string('a', 70_000)} HTTP/1.1\r\nHost: localhost\r\n{Alice}\r\n");

        RawHttp.AssertErrorEnvelope(response, 400, "invalid_request");
    }

    [Fact]
    public async Task HeadersOverKestrelsLimitAreInvalidRequestInTheEnvelope()
    {
        var response = await RawHttp.SendAsync(kestrel.Port, $"GET /v1/test/letters HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('b', 70_000)}\r\n\r\n");

        RawHttp.AssertErrorEnvelope(response, 400, "invalid_request");
    }

    [Fact]
    public async Task OrdinaryAnswersPassThroughUnchanged()
    {
        using var client = new HttpClient { BaseAddress = kestrel.BaseAddress };
        client.DefaultRequestHeaders.Add(TestAuthHandler.Header, TestAuthHandler.HeaderValue(IptoApiFactory.Alice));

        var page = await (await client.GetAsync("/v1/test/letters?limit=3")).DataAsync();
        var missing = await client.GetAsync("/v1/nothing-here");

        Assert.Equal(3, page.GetProperty("items").GetArrayLength());
        await missing.ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task UnauthenticatedAnswerNamesBothCredentialSchemes()
    {
        using var client = new HttpClient { BaseAddress = kestrel.BaseAddress };

        var response = await client.GetAsync("/v1/me");

        await response.ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        var challenges = response.Headers.WwwAuthenticate.Select(c => c.Scheme).ToArray();
        Assert.Equal(["Bearer", "ApiKey"], challenges);
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "ApiKey" && c.Parameter!.Contains("header=\"X-API-Key\"", StringComparison.Ordinal));
    }
}
