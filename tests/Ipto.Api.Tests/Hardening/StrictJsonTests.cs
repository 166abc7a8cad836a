using System.Net;
using System.Text;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Hardening;

/// <summary>SPEC §1/§12: wrong JSON types are 422 naming the field, malformed bodies 400, and text carries no control characters.</summary>
public sealed class StrictJsonTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    private async Task<HttpClient> OwnerAsync() => Api.WithBearer((await Api.SignupAsync()).SessionToken);

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field, string? issue = null)
    {
        var error = await response.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var details = error.GetProperty("details").EnumerateArray().ToArray();
        Assert.Contains(details, d => d.GetProperty("field").GetString() == field && (issue is null || d.GetProperty("issue").GetString() == issue));
    }

    [Theory]
    [InlineData("/v1/datasets", """{"name":"n","pricing":{"price_per_retrieval":"0.5"}}""", "pricing.price_per_retrieval")]
    [InlineData("/v1/search", """{"query":"q","limit":"5"}""", "limit")]
    [InlineData("/v1/api-keys", """{"name":"k","scopes":["search:query"],"rate_limit_per_second":"7"}""", "rate_limit_per_second")]
    [InlineData("/v1/api-keys", """{"name":"k","scopes":["search:query"],"rate_limit_per_second":true}""", "rate_limit_per_second")]
    [InlineData("/v1/datasets", """{"name":5}""", "name")]
    public async Task NumberOrStringOfTheWrongJsonTypeIsValidationFailedNamingTheField(string path, string body, string field)
    {
        using var owner = await OwnerAsync();

        var response = await owner.PostAsync(path, ApiHttp.Json(body));

        await AssertFieldAsync(response, field, "has the wrong type");
    }

    [Fact]
    public async Task InvalidUtf8IsAMalformedRequest()
    {
        using var owner = await OwnerAsync();
        var bytes = new ByteArrayContent([.. "{\"name\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]);
        bytes.Headers.ContentType = new("application/json");

        var response = await owner.PostAsync("/v1/datasets", bytes);

        await response.ErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("/v1/datasets", """{"name":"a\u0000b"}""", "name")]
    [InlineData("/v1/datasets", """{"name":"line\nbreak"}""", "name")]
    [InlineData("/v1/datasets", """{"name":"del\u007f"}""", "name")]
    [InlineData("/v1/datasets", """{"name":"c1\u0085"}""", "name")]
    [InlineData("/v1/datasets", """{"name":"ok","tags":["fine","ta\tb"]}""", "tags[1]")]
    [InlineData("/v1/datasets", """{"name":"ok","description":"nul\u0000"}""", "description")]
    [InlineData("/v1/datasets", """{"name":"ok","description":"bell\u0007"}""", "description")]
    [InlineData("/v1/api-keys", """{"name":"k\u0000","scopes":["search:query"]}""", "name")]
    [InlineData("/v1/datasets", """{"name":"half \ud800 surrogate"}""", "name")]
    public async Task ControlCharactersInTextAreValidationFailedNamingTheField(string path, string body, string field)
    {
        using var owner = await OwnerAsync();

        var response = await owner.PostAsync(path, ApiHttp.Json(body));

        await AssertFieldAsync(response, field);
    }

    [Theory]
    [InlineData("display_name", """{"email":"EMAIL","password":"long enough pw","display_name":"Ada\u0000","tenant_name":"T"}""")]
    [InlineData("tenant_name", """{"email":"EMAIL","password":"long enough pw","display_name":"Ada","tenant_name":"T\r\nX"}""")]
    public async Task ControlCharactersInSignupNamesAreValidationFailed(string field, string body)
    {
        using var anonymous = Api.ClientFor(null);

        var response = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(body.Replace("EMAIL", Accounts.NewEmail(), StringComparison.Ordinal)));

        await AssertFieldAsync(response, field);
    }

    [Fact]
    public async Task DescriptionsKeepTabsAndLineBreaks()
    {
        using var owner = await OwnerAsync();

        var data = await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("""{"name":"Multi-line","description":"one\n\ttwo\r\nthree"}"""))).DataAsync(HttpStatusCode.Created);

        Assert.Equal("one\n\ttwo\r\nthree", data.GetProperty("description").GetString());
    }

    [Fact]
    public async Task ProperNumbersAreStillAccepted()
    {
        using var owner = await OwnerAsync();

        var data = await (await owner.PostAsync("/v1/datasets", ApiHttp.Json("""{"name":"Priced","pricing":{"price_per_retrieval":0.5}}"""))).DataAsync(HttpStatusCode.Created);

        Assert.Equal(0.5m, data.GetProperty("pricing").GetProperty("price_per_retrieval").GetDecimal());
    }
}
