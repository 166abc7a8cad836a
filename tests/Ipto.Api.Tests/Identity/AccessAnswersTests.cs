using System.Net;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Search;

namespace Ipto.Api.Tests.Identity;

/// <summary>Scopes are checked by one set of rules (<see cref="Access"/>): REST and a direct grain call refuse a caller with the same answer.</summary>
public sealed class AccessAnswersTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task AKeyWithoutTheSearchScopeIsRefusedAlikeOverRestAndByTheGrain()
    {
        var account = await api.Factory.SignupAsync();
        using var owner = api.Factory.WithBearer(account.SessionToken);
        var (keyId, key) = await owner.CreateKeyAsync(Scopes.UsageRead);
        using var agent = api.Factory.WithApiKey(key);

        var rest = await (await agent.PostAsync("/v1/search", ApiHttp.Body(new { query = "invoices" })))
            .ErrorAsync(HttpStatusCode.Forbidden, ErrorCodes.InsufficientScope);

        var caller = new Caller(account.TenantId, keyId, PrincipalTypes.ApiKey, [Scopes.UsageRead], false);
        var grain = await Assert.ThrowsAsync<IptoException>(() => api.Factory.Services.GetRequiredService<IGrainFactory>()
            .GetGrain<ISearchCoordinatorGrain>(0).Search(caller, new SearchRequest("invoices", SearchModes.Auto, null, null, 10, null, false)));
        var rule = Assert.Throws<IptoException>(() => Access.RequireScope(caller, Scopes.SearchQuery));

        Assert.Equal(rule.Message, rest.GetProperty("message").GetString());
        Assert.Equal((rule.Code, rule.Message), (grain.Code, grain.Message));
    }
}
