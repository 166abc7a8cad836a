using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ipto.Api.Http.Auth;

/// <summary>
/// Resolves the request's one credential — a session token (<c>Authorization: Bearer sess_…</c>) or an API key
/// (<c>X-API-Key</c>, or an <c>ipto_…</c> Bearer) — and takes a rate-limit token, through the node's
/// <see cref="VerifiedCredentials"/> (a grain call only when its lease of the credential is spent or ended; a
/// revocation still reaches every node before it answers). Two different credentials are 400; a bad one is 401
/// (challenge); an exhausted bucket is 429. Challenges and refusals answer in the error envelope.
/// </summary>
public sealed class IptoAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VerifiedCredentials credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, new WarningsOnlyLoggerFactory(logger), encoder)
{
    public const string SchemeName = "Ipto";
    public const string ApiKeyHeader = "X-API-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = SingleCredential();
        if (credential is null) return AuthenticateResult.NoResult();

        ClaimsIdentity identity;
        RateDecision rate;
        if (credential.StartsWith(SecretTokens.SessionPrefix, StringComparison.Ordinal))
        {
            var hash = SecretTokens.Hash(credential);
            if (await credentials.AuthenticateSessionAsync(hash) is not { } verified)
                return AuthenticateResult.Fail("unknown, expired or revoked session");
            var (session, sessionRate) = verified;
            var scopes = Roles.SessionScopes(session.Roles, session.IsPlatformAdmin);
            identity = CallerClaims.ToIdentity(new Caller(session.TenantId, session.UserId, PrincipalTypes.User, scopes, session.IsPlatformAdmin), SchemeName);
            identity.AddClaims(session.Roles.Select(r => new Claim(CallerClaims.Role, r)));
            identity.AddClaim(new Claim(CallerClaims.SessionHash, hash));
            rate = sessionRate;
        }
        else if (ApiKeyFormat.TryParse(credential, out var prefix, out var secret))
        {
            if (await credentials.AuthenticateKeyAsync(prefix, secret) is not { } verified)
                return AuthenticateResult.Fail("unknown, expired or revoked API key");
            var (key, keyRate) = verified;
            var allowList = key.DatasetAccessMode == DatasetAccessModes.AllowList ? key.DatasetIds : null;
            identity = CallerClaims.ToIdentity(new Caller(key.TenantId, key.KeyId, PrincipalTypes.ApiKey, key.Scopes, false, allowList, key.SpendLimit), SchemeName);
            rate = keyRate;
        }
        else
        {
            return AuthenticateResult.Fail("malformed credential");
        }

        RateLimitHeaders.Attach(Context, rate);
        if (!rate.Allowed)
            throw new IptoException(ErrorCodes.RateLimited, $"Rate limit exceeded; retry after {rate.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private string? SingleCredential()
    {
        string? bearer = null;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string prefix = "Bearer ";
            bearer = authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? authorization[prefix.Length..].Trim() : "";
        }

        var apiKey = Request.Headers[ApiKeyHeader].ToString().Trim();
        if (bearer is { Length: > 0 } && apiKey.Length > 0 && !string.Equals(bearer, apiKey, StringComparison.Ordinal))
            throw new IptoException(ErrorCodes.InvalidRequest, "Send exactly one credential: a session token or an API key, not both.");
        return bearer ?? (apiKey.Length > 0 ? apiKey : null);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiResults.Error(ErrorCodes.Unauthenticated, "A valid credential is required.").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiResults.Error(ErrorCodes.Forbidden, "This credential may not perform the request.").ExecuteAsync(Context);
}

/// <summary>
/// The base handler logs every challenge and every failed credential at Information: one line per 401, which is
/// noise for an API whose clients get the reason in the response. It keeps its warnings and errors.
/// </summary>
internal sealed class WarningsOnlyLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new WarningsOnly(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
