using Ipto.Common;
using Ipto.Identity;

namespace Ipto.Domain.Tests.Identity;

public sealed class AccessTests
{
    private static Caller Key(params string[] scopes) => new("tnt_1", "key_1", PrincipalTypes.ApiKey, scopes, false);

    [Fact]
    public void AScopeHeldPassesAndOneMissingIsNamed()
    {
        Access.RequireScope(Key(Scopes.SearchQuery), Scopes.SearchQuery);
        Access.RequireScope(Key(Scopes.UsageRead), Scopes.KeysWrite, Scopes.UsageRead);

        var one = Assert.Throws<IptoException>(() => Access.RequireScope(Key(Scopes.UsageRead), Scopes.SearchQuery));
        Assert.Equal(ErrorCodes.InsufficientScope, one.Code);
        Assert.Equal("This request needs the scope 'search:query'.", one.Message);
        var either = Assert.Throws<IptoException>(() => Access.RequireScope(Key(), Scopes.KeysWrite, Scopes.UsageRead));
        Assert.Equal("This request needs one of the scopes 'keys:write', 'usage:read'.", either.Message);
    }

    [Fact]
    public void SessionsAndPlatformAdminsAreCheckedByPrincipal()
    {
        var user = new Caller("tnt_1", "usr_1", PrincipalTypes.User, Scopes.Tenant, false);
        Access.RequireSession(user);
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<IptoException>(() => Access.RequireSession(Key(Scopes.Tenant.ToArray()))).Code);
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<IptoException>(() => Access.RequirePlatformAdmin(user)).Code);
        Access.RequirePlatformAdmin(user with { IsPlatformAdmin = true });
    }
}
