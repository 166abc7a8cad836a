namespace Ipto.Identity;

public static class PrincipalTypes
{
    public const string User = "user";
    public const string ApiKey = "api_key";

    /// <summary>
    /// An internal tool that calls grains directly (never the HTTP API: the Api builds callers only from sessions and
    /// keys and refuses this type). Grains accept it only where they say so; it belongs to no tenant. (Not the tenant
    /// membership role <c>operator</c>.)
    /// </summary>
    public const string Operator = "operator_tool";
}

/// <summary>A new account: a new tenant named <see cref="TenantName"/>, or the tenant of <see cref="InvitationToken"/>.</summary>
[GenerateSerializer, Alias("Ipto.SignupCommand")]
public sealed record SignupCommand(
    [property: Id(0)] string Email,
    [property: Id(1)] string Password,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string? TenantName,
    [property: Id(4)] bool IsPlatformAdmin = false,
    [property: Id(5)] string? InvitationToken = null);

[GenerateSerializer, Alias("Ipto.SignupResult")]
public sealed record SignupResult([property: Id(0)] string UserId, [property: Id(1)] string TenantId);

public enum LoginOutcome
{
    Success = 0,
    InvalidCredentials = 1,
    Throttled = 2,
}

[GenerateSerializer, Alias("Ipto.LoginResult")]
public sealed record LoginResult(
    [property: Id(0)] LoginOutcome Outcome,
    [property: Id(1)] string? UserId,
    [property: Id(2)] string? TenantId,
    [property: Id(3)] int RetryAfterSeconds);

[GenerateSerializer, Alias("Ipto.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string TenantId,
    [property: Id(4)] IReadOnlyList<string> Roles,
    [property: Id(5)] bool IsPlatformAdmin,
    [property: Id(6)] DateTimeOffset CreatedAt);

/// <summary>Who a session belongs to, resolved in the same call that checks it and takes a rate-limit token.</summary>
[GenerateSerializer, Alias("Ipto.SessionPrincipal")]
public sealed record SessionPrincipal(
    [property: Id(0)] string UserId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] bool IsPlatformAdmin,
    [property: Id(4)] RateDecision Rate);

[GenerateSerializer, Alias("Ipto.NewSession")]
public sealed record NewSession(
    [property: Id(0)] string UserId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] bool IsPlatformAdmin,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] TimeSpan IdleTimeout);
