using System.Text.Encodings.Web;
using Ipto.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Http.Auth;

/// <summary>
/// The API's authentication scheme. Credentials (sessions, API keys) are resolved by grains; until those exist
/// every request is anonymous. Challenges and refusals answer in the error envelope.
/// </summary>
public sealed class IptoAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Ipto";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiResults.Error(ErrorCodes.Unauthenticated, "A valid credential is required.").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiResults.Error(ErrorCodes.Forbidden, "This credential may not perform the request.").ExecuteAsync(Context);
}
