using Ipto.Api.Http.Auth;
using Ipto.Common;
using System.Security.Claims;

namespace Ipto.Domain.Tests.Auth;

public sealed class CallerClaimsTests
{
    [Fact]
    public void KeyCallerWithAnAllowListRoundTrips()
    {
        var caller = new Caller("tnt_a", "key_a", "api_key", ["search:query"], false, ["dset_1", "dset_2"]);

        var back = CallerClaims.FromPrincipal(new ClaimsPrincipal(CallerClaims.ToIdentity(caller, "test")))!;

        Assert.Equal(caller.TenantId, back.TenantId);
        Assert.Equal(caller.PrincipalId, back.PrincipalId);
        Assert.Equal(caller.PrincipalType, back.PrincipalType);
        Assert.Equal(caller.Scopes, back.Scopes);
        Assert.Equal(caller.AllowedDatasetIds, back.AllowedDatasetIds);
        Assert.False(back.IsPlatformAdmin);
    }

    [Fact]
    public void CallerWithoutAnAllowListMayUseEveryDataset()
    {
        var caller = new Caller("tnt_a", "usr_a", "user", ["admin:*"], true);

        var back = CallerClaims.FromPrincipal(new ClaimsPrincipal(CallerClaims.ToIdentity(caller, "test")))!;

        Assert.Null(back.AllowedDatasetIds);
        Assert.True(back.IsPlatformAdmin);
    }

    [Fact]
    public void AnonymousPrincipalIsNoCaller() => Assert.Null(CallerClaims.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity())));
}
