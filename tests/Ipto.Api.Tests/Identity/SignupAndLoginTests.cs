using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ipto.Api.Tests.Support;

namespace Ipto.Api.Tests.Identity;

public sealed partial class SignupAndLoginTests(IdentityFixture api) : IClassFixture<IdentityFixture>
{
    private IptoApiFactory Api => api.Factory;

    [Fact]
    public async Task SignupCreatesUserTenantAndOwnerSessionThatSeesMe()
    {
        var email = Accounts.NewEmail("Mixed.Case");
        using var anonymous = Api.ClientFor(null);

        var response = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email, password = Accounts.Password, display_name = "Ada", tenant_name = "Analytical Engines",
        })));

        var data = await response.DataAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/me", response.Headers.Location?.OriginalString);
        Assert.StartsWith("usr_", data.GetProperty("user_id").GetString());
        Assert.StartsWith("tnt_", data.GetProperty("tenant_id").GetString());
        Assert.Equal(email.ToLowerInvariant(), data.GetProperty("email").GetString());
        Assert.Equal("Ada", data.GetProperty("display_name").GetString());
        Assert.Matches(SessionToken(), data.GetProperty("session_token").GetString()!);

        using var session = Api.WithBearer(data.GetProperty("session_token").GetString()!);
        var me = await (await session.GetAsync("/v1/me")).DataAsync();
        Assert.Equal("user", me.GetProperty("principal_type").GetString());
        Assert.Equal(data.GetProperty("user_id").GetString(), me.GetProperty("user_id").GetString());
        Assert.Equal("Analytical Engines", me.GetProperty("tenant_display_name").GetString());
        Assert.False(me.GetProperty("is_platform_admin").GetBoolean());
        Assert.Equal(["owner"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["datasets:read", "datasets:write", "objects:write", "search:query", "usage:read", "keys:write", "billing:read"],
            me.GetProperty("scopes").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("{\"password\":\"long enough\",\"display_name\":\"A\",\"tenant_name\":\"T\"}", "email")]
    [InlineData("{\"email\":\"not-an-email\",\"password\":\"long enough\",\"display_name\":\"A\",\"tenant_name\":\"T\"}", "email")]
    [InlineData("{\"email\":\"a@b.example\",\"password\":\"short\",\"display_name\":\"A\",\"tenant_name\":\"T\"}", "password")]
    [InlineData("{\"email\":\"a@b.example\",\"display_name\":\"A\",\"tenant_name\":\"T\"}", "password")]
    [InlineData("{\"email\":\"a@b.example\",\"password\":\"long enough\",\"display_name\":\"\",\"tenant_name\":\"T\"}", "display_name")]
    [InlineData("{\"email\":\"a@b.example\",\"password\":\"long enough\",\"display_name\":\"A\"}", "tenant_name")]
    public async Task SignupNamesEachInvalidField(string body, string field)
    {
        using var anonymous = Api.ClientFor(null);

        var error = await (await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
    }

    [Fact]
    public async Task SignupRefusesOverlongFields()
    {
        using var anonymous = Api.ClientFor(null);
        var body = JsonSerializer.Serialize(new { email = Accounts.NewEmail(), password = new string('p', 129), display_name = new string('d', 201), tenant_name = new string('t', 201) });

        var error = await (await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(body))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var fields = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToHashSet();
        Assert.Equal(["password", "display_name", "tenant_name"], fields);
    }

    [Fact]
    public async Task EmailIsUniqueIgnoringCase()
    {
        var account = await Api.SignupAsync();
        using var anonymous = Api.ClientFor(null);

        var response = await anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(JsonSerializer.Serialize(new
        {
            email = account.Email.ToUpperInvariant(), password = Accounts.Password, display_name = "B", tenant_name = "T",
        })));

        await response.ErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task ConcurrentSignupsWithOneEmailMakeExactlyOneAccount()
    {
        var email = Accounts.NewEmail("race");
        using var anonymous = Api.ClientFor(null);
        var body = JsonSerializer.Serialize(new { email, password = Accounts.Password, display_name = "R", tenant_name = "Race" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => anonymous.PostAsync("/v1/auth/signup", ApiHttp.Json(body))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task LoginReturnsAWorkingSessionWithItsExpiry()
    {
        var account = await Api.SignupAsync();

        var data = await (await Api.LoginAsync(account.Email.ToUpperInvariant(), account.Password)).DataAsync();

        Assert.Equal(account.UserId, data.GetProperty("user_id").GetString());
        Assert.Equal(account.TenantId, data.GetProperty("tenant_id").GetString());
        Assert.Equal(86_400, data.GetProperty("idle_timeout_seconds").GetInt64());
        var expires = DateTimeOffset.Parse(data.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));
        var token = data.GetProperty("session_token").GetString()!;
        Assert.NotEqual(account.SessionToken, token);
        using var session = Api.WithBearer(token);
        await (await session.GetAsync("/v1/me")).DataAsync();
    }

    [Fact]
    public async Task WrongPasswordAndUnknownEmailAreIndistinguishable()
    {
        var account = await Api.SignupAsync();

        var wrong = await Api.LoginAsync(account.Email, "not the password");
        var unknown = await Api.LoginAsync(Accounts.NewEmail("nobody"), "not the password");

        var wrongError = await wrong.ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknownError = await unknown.ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrongError.ToString(), unknownError.ToString());
        Assert.Equal(wrong.Headers.Select(h => h.Key).Order(), unknown.Headers.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task RepeatedFailuresForOneEmailAreThrottledEvenWithTheRightPassword()
    {
        var account = await Api.SignupAsync();
        for (var i = 0; i < 5; i++)
            await (await Api.LoginAsync(account.Email, "wrong " + i)).ErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var throttled = await Api.LoginAsync(account.Email, account.Password);

        await throttled.ErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task AThousandWrongPasswordsNeverRevealWhetherTheEmailExistsAndGetThrottled()
    {
        var account = await Api.SignupAsync();
        var unknown = Accounts.NewEmail("ghost");
        var known = new List<string>();
        var ghost = new List<string>();

        for (var i = 0; i < 500; i++)
        {
            known.Add(await OutcomeAsync(await Api.LoginAsync(account.Email, "wrong " + i)));
            ghost.Add(await OutcomeAsync(await Api.LoginAsync(unknown, "wrong " + i)));
        }

        Assert.Equal(known, ghost);
        Assert.Equal(Enumerable.Repeat("401 invalid_credentials", 5), known.Take(5));
        Assert.All(known.Skip(5), outcome => Assert.Equal("429 rate_limited", outcome));
    }

    private static async Task<string> OutcomeAsync(HttpResponseMessage response)
    {
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        return $"{(int)response.StatusCode} {error.GetProperty("code").GetString()}";
    }

    [Fact]
    public async Task LoginValidatesItsFields()
    {
        using var anonymous = Api.ClientFor(null);

        var error = await (await anonymous.PostAsync("/v1/auth/login", ApiHttp.Json("{}"))).ErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Equal(2, error.GetProperty("details").GetArrayLength());
    }

    [GeneratedRegex("^sess_[0-9A-Za-z]{43}$")]
    private static partial Regex SessionToken();
}
