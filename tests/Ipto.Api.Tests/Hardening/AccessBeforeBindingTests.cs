using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Common;

namespace Ipto.Api.Tests.Hardening;

/// <summary>Who may call an endpoint is decided before its body is read: 403 before 422, for every endpoint.</summary>
public sealed class AccessBeforeBindingTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => fixture.Factory;

    [Theory]
    [InlineData("/v1/admin/staged-objects/OBJ/reject")]
    [InlineData("/v1/admin/review/objects/tnt_01aaaaaaaaaaaaaaaaaaaaaaaa/OBJ/reject")]
    [InlineData("/v1/admin/staged-objects/OBJ/approve")]
    [InlineData("/v1/admin/datasets/dset_01aaaaaaaaaaaaaaaaaaaaaaaa/suspend")]
    public async Task NonAdminCallingAnAdminEndpointIsForbiddenWhateverTheBody(string path)
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);

        var response = await owner.PostAsync(path.Replace("OBJ", Ids.New(IdPrefixes.Object), StringComparison.Ordinal), ApiHttp.Json("{}"));

        var error = await response.ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("platform admin", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task MissingScopeIsInsufficientScopeBeforeTheBodyIsValidated()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var (_, key) = await owner.CreateKeyAsync("search:query");
        using var agent = Api.WithApiKey(key);

        var response = await agent.PostAsync("/v1/datasets", ApiHttp.Json("{\"name\": 12}"));

        var error = await response.ErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Contains("datasets:write", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task SessionOnlyEndpointRefusesAKeyBeforeTheBodyIsValidated()
    {
        using var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var (_, key) = await owner.CreateKeyAsync("keys:write");
        using var agent = Api.WithApiKey(key);

        var response = await agent.PostAsync("/v1/me/password", ApiHttp.Json("{}"));

        await response.ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
