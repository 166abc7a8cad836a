namespace Ipto.Identity;

/// <summary>
/// A node that keeps credentials verified by their grains (an API key's, a session's) so that most requests need no
/// grain call. The grain calls <see cref="Forget"/> on every node holding an unexpired lease before a revocation or
/// a change of the credential answers, so what the node serves is never older than the grain's last answer.
/// </summary>
[Alias("Ipto.ICredentialHolder")]
public interface ICredentialHolder : IGrainObserver
{
    /// <summary>Drops <paramref name="credential"/> (a <see cref="CredentialIds"/> value) from the node's cache.</summary>
    [Alias("Forget")]
    Task Forget(string credential);
}

/// <summary>What a node may do with a credential it was handed: serve it for a while and spend some rate-limit tokens.</summary>
/// <param name="Tokens">Rate-limit tokens taken from the credential's bucket for the holder (0: rate limited).</param>
/// <param name="Lifetime">How long the holder may use the lease, counted from before it asked.</param>
/// <param name="Rate">The bucket after the grant, for the <c>X-RateLimit-*</c> headers; its retry-after when no token was left.</param>
[GenerateSerializer, Alias("Ipto.CredentialLease")]
public sealed record CredentialLease(
    [property: Id(0)] int Tokens,
    [property: Id(1)] TimeSpan Lifetime,
    [property: Id(2)] RateDecision Rate);

[GenerateSerializer, Alias("Ipto.SessionLease")]
public sealed record SessionLease([property: Id(0)] SessionPrincipal Principal, [property: Id(1)] CredentialLease Lease);

/// <summary>The names under which nodes cache credentials.</summary>
public static class CredentialIds
{
    public static string ApiKey(string prefix) => "key:" + prefix;

    public static string Session(string tokenHash) => "session:" + tokenHash;
}
