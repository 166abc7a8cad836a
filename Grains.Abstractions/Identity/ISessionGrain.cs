namespace Ipto.Identity;

/// <summary>A session keyed by the SHA-256 of its token; the grain is the truth, so revocation is instant everywhere.</summary>
[Alias("Ipto.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    [Alias("Open")]
    Task Open(NewSession session);

    /// <summary>The principal, with a rate-limit token taken, or null when unknown, expired, idle too long or revoked.</summary>
    [Alias("Authenticate")]
    Task<SessionPrincipal?> Authenticate();

    [Alias("UpdateRoles")]
    Task UpdateRoles(IReadOnlyList<string> roles);

    [Alias("Revoke")]
    Task Revoke();
}
