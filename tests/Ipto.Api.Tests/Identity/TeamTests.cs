using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using static Ipto.Testing.ApiHttp;

namespace Ipto.Api.Tests.Identity;

public sealed class TeamTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    [Fact]
    public async Task OwnerSeesAndRenamesTheTenant()
    {
        var owner = await Api.SignupAsync(tenantName: "Before");
        using var session = Api.WithBearer(owner.SessionToken);

        var renamed = await (await session.PatchAsync("/v1/tenant", Body(new { display_name = "After" }))).DataAsync();
        var tenant = await (await session.GetAsync("/v1/tenant")).DataAsync();

        Assert.Equal("After", renamed.GetProperty("display_name").GetString());
        Assert.Equal(owner.TenantId, tenant.GetProperty("tenant_id").GetString());
        Assert.Equal("After", tenant.GetProperty("display_name").GetString());
        Assert.Equal("After", (await (await session.GetAsync("/v1/me")).DataAsync()).GetProperty("tenant_display_name").GetString());
        await (await session.PatchAsync("/v1/tenant", Body(new { display_name = "" }))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task InvitedUserJoinsWithTheInvitedRolesAndScopes()
    {
        var owner = await Api.SignupAsync();
        using var manager = Api.WithBearer(owner.SessionToken);

        var member = await Api.InviteAndJoinAsync(manager, "buyer_manager");

        Assert.Equal(owner.TenantId, member.TenantId);
        using var memberSession = Api.WithBearer(member.SessionToken);
        var me = await (await memberSession.GetAsync("/v1/me")).DataAsync();
        Assert.Equal(["buyer_manager"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["datasets:read", "search:query", "usage:read", "keys:write", "billing:read"], me.GetProperty("scopes").EnumerateArray().Select(r => r.GetString()));
        var members = await (await manager.GetAsync("/v1/tenant/members")).DataAsync();
        Assert.Equal(2, members.GetProperty("items").GetArrayLength());
        var invitations = await (await manager.GetAsync("/v1/tenant/invitations")).DataAsync();
        Assert.Equal("accepted", invitations.GetProperty("items")[0].GetProperty("status").GetString());
        // A team member who is not an owner or admin may not manage the team.
        await (await memberSession.GetAsync("/v1/tenant/members")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task InvitationTokenWorksOnceAndOnlyForItsEmail()
    {
        var owner = await Api.SignupAsync();
        using var manager = Api.WithBearer(owner.SessionToken);
        var email = Accounts.NewEmail("invitee");
        var token = (await (await manager.PostAsync("/v1/tenant/invitations", Body(new { email, roles = new[] { "viewer" } }))).DataAsync(HttpStatusCode.Created))
            .GetProperty("token").GetString();
        using var anonymous = Api.ClientFor(null);

        var wrongEmail = await anonymous.PostAsync("/v1/auth/signup", Body(new { email = Accounts.NewEmail(), password = Accounts.Password, display_name = "X", invitation_token = token }));
        var error = await wrongEmail.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal("email", error.GetProperty("details")[0].GetProperty("field").GetString());

        await (await anonymous.PostAsync("/v1/auth/signup", Body(new { email, password = Accounts.Password, display_name = "X", invitation_token = token }))).DataAsync(HttpStatusCode.Created);
        var again = await anonymous.PostAsync("/v1/auth/signup", Body(new { email = Accounts.NewEmail(), password = Accounts.Password, display_name = "Y", invitation_token = token }));
        Assert.Equal("invitation_token", (await again.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).GetProperty("details")[0].GetProperty("field").GetString());
        var forged = await anonymous.PostAsync("/v1/auth/signup", Body(new { email = Accounts.NewEmail(), password = Accounts.Password, display_name = "Z", invitation_token = "invite_nope" }));
        await forged.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task RevokedInvitationCannotBeUsed()
    {
        var owner = await Api.SignupAsync();
        using var manager = Api.WithBearer(owner.SessionToken);
        var email = Accounts.NewEmail("revoked");
        var invitation = await (await manager.PostAsync("/v1/tenant/invitations", Body(new { email, roles = new[] { "viewer" } }))).DataAsync(HttpStatusCode.Created);

        var revoked = await (await manager.DeleteAsync($"/v1/tenant/invitations/{invitation.GetProperty("invitation_id").GetString()}")).DataAsync();
        using var anonymous = Api.ClientFor(null);
        var signup = await anonymous.PostAsync("/v1/auth/signup", Body(new { email, password = Accounts.Password, display_name = "X", invitation_token = invitation.GetProperty("token").GetString() }));

        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        await signup.ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await manager.DeleteAsync("/v1/tenant/invitations/inv_01jq3n5a7v8x9y0z1a2b3c4d5e")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AnAdminCannotGrantOwnerButAnOwnerCan()
    {
        var owner = await Api.SignupAsync();
        using var ownerSession = Api.WithBearer(owner.SessionToken);
        var admin = await Api.InviteAndJoinAsync(ownerSession, "admin");
        using var adminSession = Api.WithBearer(admin.SessionToken);

        await (await adminSession.PostAsync("/v1/tenant/invitations", Body(new { email = Accounts.NewEmail(), roles = new[] { "owner" } }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var viewer = await Api.InviteAndJoinAsync(adminSession, "viewer");
        await (await adminSession.PatchAsync($"/v1/tenant/members/{viewer.UserId}", Body(new { roles = new[] { "owner" } }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await adminSession.PatchAsync($"/v1/tenant/members/{owner.UserId}", Body(new { roles = new[] { "viewer" } }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        var promoted = await (await ownerSession.PatchAsync($"/v1/tenant/members/{viewer.UserId}", Body(new { roles = new[] { "owner" } }))).DataAsync();
        Assert.Equal(["owner"], promoted.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task RoleChangesApplyToOpenSessionsAtOnce()
    {
        var owner = await Api.SignupAsync();
        using var ownerSession = Api.WithBearer(owner.SessionToken);
        var member = await Api.InviteAndJoinAsync(ownerSession, "viewer");
        using var memberSession = Api.WithBearer(member.SessionToken);
        Assert.DoesNotContain("keys:write", (await (await memberSession.GetAsync("/v1/me")).DataAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        await (await ownerSession.PatchAsync($"/v1/tenant/members/{member.UserId}", Body(new { roles = new[] { "buyer_manager" } }))).DataAsync();

        Assert.Contains("keys:write", (await (await memberSession.GetAsync("/v1/me")).DataAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task TheLastOwnerCannotBeDemotedOrRemoved()
    {
        var owner = await Api.SignupAsync();
        using var session = Api.WithBearer(owner.SessionToken);

        await (await session.PatchAsync($"/v1/tenant/members/{owner.UserId}", Body(new { roles = new[] { "admin" } }))).ErrorAsync(HttpStatusCode.Conflict, "conflict");
        await (await session.DeleteAsync($"/v1/tenant/members/{owner.UserId}")).ErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task RemovedMemberSessionsEndAtOnceAndTheirEmailIsFree()
    {
        var owner = await Api.SignupAsync();
        using var ownerSession = Api.WithBearer(owner.SessionToken);
        var member = await Api.InviteAndJoinAsync(ownerSession, "operator");
        using var memberSession = Api.WithBearer(member.SessionToken);
        await (await memberSession.GetAsync("/v1/me")).DataAsync();

        var removed = await (await ownerSession.DeleteAsync($"/v1/tenant/members/{member.UserId}")).DataAsync();

        Assert.True(removed.GetProperty("removed").GetBoolean());
        await (await memberSession.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await Api.LoginAsync(member.Email, member.Password)).ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Api.SignupAsync(member.Email);
        Assert.Equal(1, (await (await ownerSession.GetAsync("/v1/tenant/members")).DataAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnotherTenantsMemberIsNotFound()
    {
        var owner = await Api.SignupAsync();
        var stranger = await Api.SignupAsync();
        using var session = Api.WithBearer(owner.SessionToken);

        await (await session.PatchAsync($"/v1/tenant/members/{stranger.UserId}", Body(new { roles = new[] { "viewer" } }))).ErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await session.DeleteAsync($"/v1/tenant/members/{stranger.UserId}")).ErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TeamEndpointsRefuseApiKeysAndAnonymousCallers()
    {
        var owner = await Api.SignupAsync();
        using var session = Api.WithBearer(owner.SessionToken);
        var (_, key) = await session.CreateKeyAsync("keys:write", "datasets:read");
        using var agent = Api.WithApiKey(key);
        using var anonymous = Api.ClientFor(null);

        await (await agent.GetAsync("/v1/tenant")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await agent.GetAsync("/v1/tenant/members")).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await agent.PostAsync("/v1/tenant/invitations", Body(new { email = Accounts.NewEmail(), roles = new[] { "viewer" } }))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await anonymous.GetAsync("/v1/tenant")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("{\"roles\":[\"viewer\"]}", "email")]
    [InlineData("{\"email\":\"x\",\"roles\":[\"viewer\"]}", "email")]
    [InlineData("{\"email\":\"a@b.example\"}", "roles")]
    [InlineData("{\"email\":\"a@b.example\",\"roles\":[]}", "roles")]
    [InlineData("{\"email\":\"a@b.example\",\"roles\":[\"viewer\",\"god\"]}", "roles[1]")]
    public async Task InvitationNamesEachInvalidField(string body, string field)
    {
        var owner = await Api.SignupAsync();
        using var session = Api.WithBearer(owner.SessionToken);

        var error = await (await session.PostAsync("/v1/tenant/invitations", ApiHttp.Json(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task InvitationResponseShowsTheTokenOnceAndListsHideIt()
    {
        var owner = await Api.SignupAsync();
        using var session = Api.WithBearer(owner.SessionToken);

        var created = await (await session.PostAsync("/v1/tenant/invitations", Body(new { email = Accounts.NewEmail(), roles = new[] { "viewer" } }))).DataAsync(HttpStatusCode.Created);
        var list = await (await session.GetAsync("/v1/tenant/invitations")).DataAsync();

        var token = created.GetProperty("token").GetString()!;
        Assert.StartsWith("invite_", token);
        var expires = DateTimeOffset.Parse(created.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));
        Assert.DoesNotContain(token, list.ToString());
        Assert.Equal("pending", list.GetProperty("items")[0].GetProperty("status").GetString());
    }
}
