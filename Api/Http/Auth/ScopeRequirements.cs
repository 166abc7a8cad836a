using Ipto.Common;
using Ipto.Identity;

namespace Ipto.Api.Http.Auth;

/// <summary>Endpoint metadata: the caller must hold one of <see cref="AnyOf"/>.</summary>
public sealed record ScopeRequirement(IReadOnlyList<string> AnyOf);

/// <summary>Endpoint metadata: only a user session may call the endpoint.</summary>
public sealed record SessionRequirement;

/// <summary>Endpoint metadata: only a platform admin may call the endpoint (as every route under <c>/v1/admin</c>).</summary>
public sealed record PlatformAdminRequirement;

/// <summary>
/// Declarative per-endpoint access rules. They are endpoint metadata checked by <see cref="AccessRequirementsMiddleware"/>
/// after authentication and before the endpoint runs, so before its parameters (a JSON body) are bound: a caller who
/// may not make a request learns nothing about its body rules.
/// </summary>
public static class ScopeRequirements
{
    /// <summary>The caller must hold one of <paramref name="anyOf"/>; otherwise 403 <c>insufficient_scope</c> naming it.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] anyOf) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ScopeRequirement(anyOf));

    /// <summary>Only a user session may call this (API keys → 403 <c>forbidden</c>).</summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SessionRequirement());

    /// <summary>Only a platform admin may call this (anyone else → 403 <c>forbidden</c>).</summary>
    public static TBuilder RequirePlatformAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PlatformAdminRequirement());
}

/// <summary>
/// Enforces <see cref="ScopeRequirement"/> and <see cref="SessionRequirement"/> metadata through the one set of checks
/// (<see cref="Access"/>), and that every route under
/// <c>/v1/admin</c> is called by a platform admin (403 <c>forbidden</c> otherwise, SPEC §12), for every endpoint.
/// Runs after <c>UseAuthorization</c>, so an anonymous caller has already had its 401.
/// </summary>
public sealed class AccessRequirementsMiddleware(RequestDelegate next)
{
    public const string AdminPrefix = "/v1/admin";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint && CallerClaims.FromPrincipal(context.User) is { } caller)
            Check(endpoint, caller);
        return next(context);
    }

    private static void Check(RouteEndpoint endpoint, Caller caller)
    {
        if (IsAdminRoute(endpoint.RoutePattern.RawText ?? "") || endpoint.Metadata.GetMetadata<PlatformAdminRequirement>() is not null)
            Access.RequirePlatformAdmin(caller);
        if (endpoint.Metadata.GetMetadata<SessionRequirement>() is not null) Access.RequireSession(caller);
        foreach (var requirement in endpoint.Metadata.GetOrderedMetadata<ScopeRequirement>()) Access.RequireScope(caller, requirement.AnyOf);
    }

    public static bool IsAdminRoute(string pattern)
    {
        var path = pattern.StartsWith('/') ? pattern : "/" + pattern;
        return path.Equals(AdminPrefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(AdminPrefix + "/", StringComparison.OrdinalIgnoreCase);
    }
}
