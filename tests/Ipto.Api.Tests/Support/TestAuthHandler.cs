using System.Security.Claims;
using System.Text.Encodings.Web;
using Ipto.Api.Http.Auth;
using Ipto.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Tests.Support;

/// <summary>
/// Stands in for credentials (they arrive with the identity feature): the header <c>X-Test-Caller:
/// tenant|principal|scope,scope|admin</c> becomes the authenticated caller. Challenges go to the real scheme.
/// </summary>
public sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string Header = "X-Test-Caller";

    public static string HeaderValue(Caller caller) =>
        $"{caller.TenantId}|{caller.PrincipalId}|{string.Join(',', caller.Scopes)}|{(caller.IsPlatformAdmin ? "admin" : "")}";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var value = Request.Headers[Header].ToString();
        if (value.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var parts = value.Split('|');
        var caller = new Caller(parts[0], parts[1], "user", parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries), parts[3] == "admin");
        var principal = new ClaimsPrincipal(CallerClaims.ToIdentity(caller, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
