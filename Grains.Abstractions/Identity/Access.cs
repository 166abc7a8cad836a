using Ipto.Common;

namespace Ipto.Identity;

/// <summary>
/// The access checks of every front end (REST endpoint metadata, a grain that guards its own entry, later MCP tools):
/// one rule and one answer each, so a caller is refused the same way whichever door it uses.
/// </summary>
public static class Access
{
    /// <summary>The caller must hold one of <paramref name="anyOf"/>; otherwise 403 <c>insufficient_scope</c> naming it.</summary>
    public static void RequireScope(Caller caller, params IReadOnlyList<string> anyOf)
    {
        if (anyOf.Count == 0 || anyOf.Any(caller.Scopes.Contains)) return;
        throw new IptoException(ErrorCodes.InsufficientScope, anyOf.Count == 1
            ? $"This request needs the scope '{anyOf[0]}'."
            : $"This request needs one of the scopes {string.Join(", ", anyOf.Select(s => $"'{s}'"))}.");
    }

    /// <summary>Only a user session may do this (an API key: 403 <c>forbidden</c>).</summary>
    public static void RequireSession(Caller caller)
    {
        if (caller.PrincipalType != PrincipalTypes.User)
            throw new IptoException(ErrorCodes.Forbidden, "This request needs a user session; API keys may not make it.");
    }

    /// <summary>Only a platform admin may do this (403 <c>forbidden</c>).</summary>
    public static void RequirePlatformAdmin(Caller caller)
    {
        if (!caller.IsPlatformAdmin) throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin may call admin endpoints.");
    }
}
