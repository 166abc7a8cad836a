using Ipto.Identity;

namespace Ipto.Domain.Tests.Identity;

public sealed class RolesTests
{
    [Theory]
    [InlineData("owner", "datasets:read datasets:write objects:write search:query usage:read keys:write billing:read")]
    [InlineData("admin", "datasets:read datasets:write objects:write search:query usage:read keys:write billing:read")]
    [InlineData("seller_manager", "datasets:read datasets:write objects:write usage:read billing:read")]
    [InlineData("buyer_manager", "datasets:read search:query usage:read keys:write billing:read")]
    [InlineData("operator", "datasets:read usage:read")]
    [InlineData("viewer", "datasets:read usage:read billing:read")]
    public void EachRoleGrantsTheSpecScopes(string role, string scopes) =>
        Assert.Equal(scopes.Split(' '), Roles.SessionScopes([role], isPlatformAdmin: false));

    [Fact]
    public void ScopesOfSeveralRolesAreTheirUnion() =>
        Assert.Equal(["datasets:read", "search:query", "usage:read", "keys:write", "billing:read"],
            Roles.SessionScopes(["operator", "buyer_manager"], isPlatformAdmin: false));

    [Fact]
    public void PlatformAdminAddsAdminScopeOnly()
    {
        Assert.Equal(["datasets:read", "usage:read", "admin:*"], Roles.SessionScopes(["operator"], isPlatformAdmin: true));
        Assert.DoesNotContain(Scopes.Admin, Roles.SessionScopes(["owner"], isPlatformAdmin: false));
    }

    [Fact]
    public void UnknownRoleGrantsNothing() => Assert.Empty(Roles.SessionScopes(["superuser"], isPlatformAdmin: false));
}
