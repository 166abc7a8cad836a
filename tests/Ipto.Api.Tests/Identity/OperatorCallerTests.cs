using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Ipto.Api.Http.Auth;
using Ipto.Api.Tests.Support;
using Ipto.Common;
using Ipto.Identity;
using Ipto.Objects;
using Ipto.Operations;
using Ipto.Testing;

namespace Ipto.Api.Tests.Identity;

/// <summary>
/// The operator caller of internal tools (issue 11, point 8): the grains accept it for review and for setting platform
/// admins, refuse it for tenant data, and the Api's authentication can never produce it.
/// </summary>
public sealed class OperatorCallerTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;
    private IGrainFactory Grains => Api.Services.GetRequiredService<IGrainFactory>();
    private static readonly Caller Operator = Caller.Operator("test-operator");

    private static StringContent Body(object value) => ApiHttp.Json(JsonSerializer.Serialize(value));

    [Fact]
    public void AnOperatorCallerNeverTravelsAsHttpClaims()
    {
        Assert.Throws<InvalidOperationException>(() => CallerClaims.ToIdentity(Operator, IptoAuthenticationHandler.SchemeName));
        var forged = new ClaimsIdentity(
        [
            new Claim(CallerClaims.TenantId, Operator.TenantId), new Claim(CallerClaims.PrincipalId, Operator.PrincipalId),
            new Claim(CallerClaims.PrincipalType, PrincipalTypes.Operator), new Claim(CallerClaims.PlatformAdmin, "true"),
        ], IptoAuthenticationHandler.SchemeName);
        Assert.Null(CallerClaims.FromPrincipal(new ClaimsPrincipal(forged)));
        Assert.False(Operator.IsPlatformAdmin);
        Assert.Empty(Operator.Scopes);
        Assert.False(Ids.IsValid(Operator.TenantId, IdPrefixes.Tenant));
    }

    [Fact]
    public async Task SessionsAndApiKeysAuthenticateAsUsersAndKeysOnly()
    {
        var account = await Api.SignupAsync();
        using var owner = Api.WithBearer(account.SessionToken);
        Assert.Equal(PrincipalTypes.User, (await (await owner.GetAsync("/v1/me")).DataAsync()).GetProperty("principal_type").GetString());
        var (_, key) = await owner.CreateKeyAsync("datasets:read");
        using var agent = Api.WithApiKey(key);
        Assert.Equal(PrincipalTypes.ApiKey, (await (await agent.GetAsync("/v1/me")).DataAsync()).GetProperty("principal_type").GetString());
        // Whatever the header says, an unknown credential is a 401, never an operator.
        using var forged = Api.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "operator_tool");
        await (await forged.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task TheOperatorListsAndApprovesStagedObjectsButReadsNoTenantData()
    {
        var owner = Api.WithBearer((await Api.SignupAsync()).SessionToken);
        var datasetId = (await (await owner.PostAsync("/v1/datasets", Body(new { name = "Operator review" }))).DataAsync(HttpStatusCode.Created)).GetProperty("dataset_id").GetString()!;
        using var storeClient = Api.CreateClient();
        var objectId = (await owner.UploadAsync(storeClient, datasetId, "op.txt", "text/plain", Encoding.UTF8.GetBytes("Text an operator approves."))).ObjectId;
        await owner.WaitForStatusAsync(objectId, "ready", TimeSpan.FromSeconds(30));

        var queue = Grains.GetGrain<IReviewQueueGrain>(0);
        var page = await queue.List(Operator, new ReviewQueueFilter(ReviewStates.Staged, null, datasetId), new PageRequest(10, null));
        Assert.Equal(objectId, Assert.Single(page.Items).Object.ObjectId);
        Assert.Equal("Operator review", page.Items[0].DatasetName);
        Assert.Equal(1, page.Total);
        Assert.False(page.HasMore);
        Assert.Equal("Operator review", (await queue.Detail(Operator, null, objectId)).DatasetName);

        // Tenant data stays the tenant's: the operator is no platform admin.
        var read = await Assert.ThrowsAsync<IptoException>(() => Grains.GetGrain<IObjectGrain>(objectId).Get(Operator));
        Assert.Equal(ErrorCodes.NotFound, read.Code);

        var (approved, _) = await queue.Approve(Operator, null, objectId);
        Assert.Equal(ReviewStates.Approved, approved.ReviewState);
    }

    [Fact]
    public async Task OnlyTheOperatorSetsPlatformAdminsAndTenantCallersCannotListTheQueue()
    {
        var account = await Api.SignupAsync();
        var tenantCaller = new Caller(account.TenantId, account.UserId, PrincipalTypes.User, Scopes.Tenant, false);
        var admin = new Caller(account.TenantId, account.UserId, PrincipalTypes.User, [Scopes.Admin], IsPlatformAdmin: true);
        var operators = Grains.GetGrain<IOperatorGrain>(0);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() => operators.SetPlatformAdmin(admin, account.Email, true))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() =>
            Grains.GetGrain<IReviewQueueGrain>(0).List(tenantCaller, new ReviewQueueFilter(), PageRequest.First))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<IptoException>(() => operators.SetPlatformAdmin(Operator, "nobody@example.com", true))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() => operators.RebuildLedgerRollups(admin))).Code);
        await operators.RebuildLedgerRollups(Operator);

        Assert.Equal(account.UserId, await operators.SetPlatformAdmin(Operator, account.Email.ToUpperInvariant(), true));
        var session = (await (await Api.LoginAsync(account.Email, account.Password)).DataAsync()).GetProperty("session_token").GetString()!;
        using var newAdmin = Api.WithBearer(session);
        await (await newAdmin.GetAsync("/v1/admin/staged-objects")).DataAsync();
    }
}
