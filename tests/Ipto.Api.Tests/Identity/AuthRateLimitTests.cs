using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Identity;

public sealed class AuthRateLimitTests
{
    [Fact]
    public async Task SignupAndLoginShareOnePerIpBucket()
    {
        using var dir = new TempDir();
        await using var api = new IptoApiFactory(dir.Path, new Dictionary<string, string?> { ["Ipto:RateLimits:AuthPerIpPerMinute"] = "3" }, testCredentials: false);

        var account = await api.SignupAsync();
        await (await api.LoginAsync(account.Email, account.Password)).DataAsync();
        await (await api.LoginAsync(account.Email, "wrong")).ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var limited = await api.LoginAsync(account.Email, account.Password);

        await limited.ErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("3", limited.Headers.GetValues("X-RateLimit-Limit").Single());
        using var anonymous = api.ClientFor(null);
        var signup = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email = Accounts.NewEmail(), password = Accounts.Password, display_name = "X", tenant_name = "Y",
        })));
        await signup.ErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task BootstrapAdminSurvivesRestartsWithoutDuplicates()
    {
        using var dir = new TempDir();
        string firstUserId;
        await using (var first = new IptoApiFactory(dir.Path, IdentityFixture.Settings, testCredentials: false))
            firstUserId = (await (await first.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("user_id").GetString()!;

        await using var second = new IptoApiFactory(dir.Path, IdentityFixture.Settings, testCredentials: false);
        var login = await (await second.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync();

        Assert.Equal(firstUserId, login.GetProperty("user_id").GetString());
        using var admin = second.WithBearer(login.GetProperty("session_token").GetString()!);
        Assert.True((await (await admin.GetAsync("/v1/me")).DataAsync()).GetProperty("is_platform_admin").GetBoolean());
    }
}
