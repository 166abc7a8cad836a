using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Identity;

public sealed class SessionTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    [Fact]
    public async Task LogoutEndsTheSessionAtOnce()
    {
        var account = await Api.SignupAsync();
        using var session = Api.WithBearer(account.SessionToken);

        await (await session.PostAsync("/v1/auth/logout", null)).DataAsync();

        await (await session.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("sess_notarealtokennotarealtokennotarealtoken1")]
    [InlineData("garbage")]
    [InlineData("ipto_abcdefgh_notakeynotakeynotakeynotakey1234")]
    [InlineData("ipto_ABCDEFGH_notakeynotakeynotakeynotakey1234")]
    public async Task UnknownOrMalformedCredentialIsUnauthenticated(string token)
    {
        using var client = Api.WithBearer(token);

        await (await client.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task NonBearerAuthorizationIsUnauthenticated()
    {
        var account = await Api.SignupAsync();
        using var client = Api.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", account.SessionToken);

        await (await client.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task NoCredentialIsUnauthenticated()
    {
        using var client = Api.ClientFor(null);

        await (await client.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await client.PostAsync("/v1/auth/logout", null)).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await client.PostAsync("/v1/me/password", ApiHttp.Json("{}"))).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task PasswordChangeRevokesEveryOtherSessionAndKeepsThisOne()
    {
        var account = await Api.SignupAsync();
        var other = (await (await Api.LoginAsync(account.Email, account.Password)).DataAsync()).GetProperty("session_token").GetString()!;
        using var current = Api.WithBearer(account.SessionToken);
        using var otherClient = Api.WithBearer(other);

        var data = await (await current.PostAsync("/v1/me/password", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            current_password = account.Password, new_password = "a brand new password",
        })))).DataAsync();

        Assert.Equal(1, data.GetProperty("other_sessions_revoked").GetInt32());
        await (await otherClient.GetAsync("/v1/me")).ErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await current.GetAsync("/v1/me")).DataAsync();
        await (await Api.LoginAsync(account.Email, account.Password)).ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await Api.LoginAsync(account.Email, "a brand new password")).DataAsync();
    }

    [Fact]
    public async Task WrongCurrentPasswordIsNamed()
    {
        var account = await Api.SignupAsync();
        using var session = Api.WithBearer(account.SessionToken);

        var error = await (await session.PostAsync("/v1/me/password", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            current_password = "not it", new_password = "a brand new password",
        })))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal("current_password", error.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task NewPasswordMustFollowTheRules()
    {
        var account = await Api.SignupAsync();
        using var session = Api.WithBearer(account.SessionToken);

        var error = await (await session.PostAsync("/v1/me/password", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            current_password = account.Password, new_password = "short",
        })))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal("new_password", error.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task SessionOnlyEndpointsRefuseApiKeys()
    {
        var account = await Api.SignupAsync();
        using var session = Api.WithBearer(account.SessionToken);
        var (_, key) = await session.CreateKeyAsync("keys:write", "datasets:read");
        using var withKey = Api.WithApiKey(key);

        await (await withKey.PostAsync("/v1/me/password", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            current_password = account.Password, new_password = "a brand new password",
        })))).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await withKey.PostAsync("/v1/auth/logout", null)).ErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AuthenticatedResponsesCarryRateLimitHeaders()
    {
        var account = await Api.SignupAsync();
        using var session = Api.WithBearer(account.SessionToken);

        var response = await session.GetAsync("/v1/me");

        Assert.Equal("200", response.Headers.GetValues("X-RateLimit-Limit").Single());
        var remaining = long.Parse(response.Headers.GetValues("X-RateLimit-Remaining").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remaining, 0, 199);
        var reset = long.Parse(response.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reset, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 10);
    }

    [Fact]
    public async Task PlatformAdminFromBootstrapSeesAdminScope()
    {
        var login = await (await Api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync();
        using var admin = Api.WithBearer(login.GetProperty("session_token").GetString()!);

        var me = await (await admin.GetAsync("/v1/me")).DataAsync();

        Assert.True(me.GetProperty("is_platform_admin").GetBoolean());
        Assert.Contains("admin:*", me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task SignupCannotMakeAPlatformAdmin()
    {
        using var anonymous = Api.ClientFor(null);
        var response = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email = Accounts.NewEmail(), password = Accounts.Password, display_name = "M", tenant_name = "T",
            is_platform_admin = true, IsPlatformAdmin = true, scopes = new[] { "admin:*" },
        })));
        using var session = Api.WithBearer((await response.DataAsync(HttpStatusCode.Created)).GetProperty("session_token").GetString()!);

        var me = await (await session.GetAsync("/v1/me")).DataAsync();

        Assert.False(me.GetProperty("is_platform_admin").GetBoolean());
        Assert.DoesNotContain("admin:*", me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }
}
