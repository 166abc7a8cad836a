namespace Ipto.Idempotency;

/// <summary>
/// One per (tenant, principal, Idempotency-Key), keyed by a hash of the three. Being single-threaded, it decides
/// exactly one winner among concurrent duplicates.
/// </summary>
[Alias("Ipto.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Claims the key for a request with this fingerprint (method, path, body hash) for <paramref name="leaseDuration"/>
    /// (default: the platform's <c>Ipto:Idempotency:Lease</c>).
    /// </summary>
    [Alias("Begin")]
    Task<IdempotencyDecision> Begin(string fingerprint, TimeSpan? leaseDuration = null);

    /// <summary>Stores the response of the run that holds the lease, for <paramref name="retention"/> (default: <c>Ipto:Idempotency:Retention</c>).</summary>
    [Alias("Complete")]
    Task Complete(Guid leaseId, StoredResponse response, TimeSpan? retention = null);

    /// <summary>Releases the lease without storing anything (5xx and responses that are not kept), so a retry runs again.</summary>
    [Alias("Release")]
    Task Release(Guid leaseId);
}
