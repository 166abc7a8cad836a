using System.Net;
using System.Text.Json;
using Ipto.Api.Tests.Support;
using Ipto.Testing;

namespace Ipto.Api.Tests.Identity;

/// <summary>Runs every credential flow against a host that captures all logs at debug level, then searches them for secrets.</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task NoPasswordTokenOrKeySecretIsEverLogged()
    {
        using var dir = new TempDir();
        await using var api = new IptoApiFactory(dir.Path, IdentityFixture.Settings, testCredentials: false);
        var secrets = new List<string> { IdentityFixture.AdminPassword };

        var account = await api.SignupAsync();
        secrets.AddRange([account.Password, account.SessionToken]);
        await api.LoginAsync(account.Email, "a wrong password that must not leak");
        secrets.Add("a wrong password that must not leak");
        var login = await (await api.LoginAsync(account.Email, account.Password)).DataAsync();
        secrets.Add(login.GetProperty("session_token").GetString()!);
        using var session = api.WithBearer(account.SessionToken);
        var (_, key) = await session.CreateKeyAsync("datasets:read", "keys:write");
        secrets.Add(key);
        secrets.Add(key[14..]);
        using (var agent = api.WithApiKey(key)) await agent.GetAsync("/v1/me");
        using (var tampered = api.WithApiKey(key[..^1] + (key[^1] == 'a' ? 'b' : 'a'))) await tampered.GetAsync("/v1/me");
        secrets.Add(key[..^1] + (key[^1] == 'a' ? 'b' : 'a'));
        await session.PostAsync("/v1/me/password", ApiHttp.Json(JsonSerializer.Serialize(new { current_password = account.Password, new_password = "the next secret password" })));
        secrets.Add("the next secret password");
        using (var admin = api.WithBearer((await (await api.LoginAsync(IdentityFixture.AdminEmail, IdentityFixture.AdminPassword)).DataAsync()).GetProperty("session_token").GetString()!))
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/me")).StatusCode);

        var lines = api.Logs.Lines.ToArray();
        Assert.NotEmpty(lines);
        foreach (var secret in secrets)
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
    }
}
