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

    /// <summary>As <see cref="Authenticate"/> for a node that caches the session (see <see cref="ICredentialHolder"/>).</summary>
    [Alias("Lease")]
    Task<SessionLease?> Lease(ICredentialHolder holder, bool batch);

    [Alias("UpdateRoles")]
    Task UpdateRoles(IReadOnlyList<string> roles);

    [Alias("Revoke")]
    Task Revoke();
}
