using System.Security.Claims;
using Ipto.Common;

namespace Ipto.Api.Http.Auth;

/// <summary>How the authenticated principal travels in <see cref="ClaimsPrincipal"/> and becomes a grain-call <see cref="Caller"/>.</summary>
public static class CallerClaims
{
    public const string TenantId = "ipto:tenant_id";
    public const string PrincipalId = "ipto:principal_id";
    public const string PrincipalType = "ipto:principal_type";
    public const string Scope = "ipto:scope";
    public const string PlatformAdmin = "ipto:platform_admin";
    public const string Role = "ipto:role";
    public const string SessionHash = "ipto:session_hash";
    public const string DatasetAccessMode = "ipto:dataset_access_mode";
    public const string DatasetId = "ipto:dataset_id";
    public const string SpendLimitMicros = "ipto:spend_limit_micros";
    public const string SpendLimitPeriod = "ipto:spend_limit_period";

    public static ClaimsIdentity ToIdentity(Caller caller, string authenticationType)
    {
        if (caller.IsOperator()) throw new InvalidOperationException("An operator caller never comes from an HTTP credential.");
        var claims = new List<Claim>
        {
            new(TenantId, caller.TenantId),
            new(PrincipalId, caller.PrincipalId),
            new(PrincipalType, caller.PrincipalType),
            new(PlatformAdmin, caller.IsPlatformAdmin ? "true" : "false"),
        };
        claims.AddRange(caller.Scopes.Select(s => new Claim(Scope, s)));
        if (caller.AllowedDatasetIds is { } allowed)
        {
            claims.Add(new Claim(DatasetAccessMode, "allow_list"));
            claims.AddRange(allowed.Select(d => new Claim(DatasetId, d)));
        }

        if (caller.SpendLimit is { } limit)
        {
            claims.Add(new Claim(SpendLimitMicros, limit.AmountMicros.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            claims.Add(new Claim(SpendLimitPeriod, limit.Period));
        }

        return new ClaimsIdentity(claims, authenticationType);
    }

    public static Caller? FromPrincipal(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        var tenant = user.FindFirstValue(TenantId);
        var principal = user.FindFirstValue(PrincipalId);
        if (tenant is null || principal is null) return null;
        // Defence in depth: the handler makes only user and API-key callers; an operator caller is for in-cluster tools.
        if (user.FindFirstValue(PrincipalType) == Ipto.Identity.PrincipalTypes.Operator) return null;
        var allowList = user.FindFirstValue(DatasetAccessMode) == "allow_list" ? user.FindAll(DatasetId).Select(c => c.Value).ToArray() : null;
        return new Caller(tenant, principal, user.FindFirstValue(PrincipalType) ?? "unknown",
            user.FindAll(Scope).Select(c => c.Value).ToArray(), user.FindFirstValue(PlatformAdmin) == "true", allowList, SpendLimitOf(user));
    }

    private static Ipto.ApiKeys.SpendLimit? SpendLimitOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(SpendLimitMicros), System.Globalization.CultureInfo.InvariantCulture, out var micros)
        && user.FindFirstValue(SpendLimitPeriod) is { } period
            ? new Ipto.ApiKeys.SpendLimit(micros, period)
            : null;

    public static IReadOnlyList<string> Roles(this ClaimsPrincipal user) => user.FindAll(Role).Select(c => c.Value).ToArray();

    /// <summary>The hash of the session token the request came with (sessions only).</summary>
    public static string? SessionHashOf(this ClaimsPrincipal user) => user.FindFirstValue(SessionHash);

    /// <summary>The caller of an endpoint that requires authentication.</summary>
    public static Caller Require(this HttpContext context) =>
        FromPrincipal(context.User) ?? throw new IptoException(ErrorCodes.Unauthenticated, "A valid credential is required.");
}
