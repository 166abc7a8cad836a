using Ipto.Common;
using Ipto.Identity;

namespace Ipto.Api.Http.Auth;

/// <summary>Declarative per-endpoint access rules, checked after authentication and before the handler.</summary>
public static class ScopeRequirements
{
    /// <summary>The caller must hold one of <paramref name="anyOf"/>; otherwise 403 <c>insufficient_scope</c> naming it.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] anyOf) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder>(async (context, next) =>
        {
            var caller = context.HttpContext.Require();
            if (!anyOf.Any(caller.Scopes.Contains))
                throw new IptoException(ErrorCodes.InsufficientScope, anyOf.Length == 1
                    ? $"This request needs the scope '{anyOf[0]}'."
                    : $"This request needs one of the scopes {string.Join(", ", anyOf.Select(s => $"'{s}'"))}.");
            return await next(context);
        });

    /// <summary>Only a user session may call this (API keys → 403 <c>forbidden</c>).</summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder>(async (context, next) =>
        {
            if (context.HttpContext.Require().PrincipalType != PrincipalTypes.User)
                throw new IptoException(ErrorCodes.Forbidden, "This request needs a user session; API keys may not make it.");
            return await next(context);
        });
}
