using Ipto.Common;

namespace Ipto.ApiKeys;

/// <summary>
/// An API key, keyed by its public 8-character prefix. One call checks the secret (constant time), the status and
/// expiry, and takes a token from the key's cluster-wide rate-limit bucket.
/// </summary>
[Alias("Ipto.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<ApiKeyView> Create(NewApiKey key);

    /// <summary>The principal, or null for a wrong secret, a revoked or expired key, or no key at all.</summary>
    [Alias("Authenticate")]
    Task<KeyPrincipal?> Authenticate(string secret);

    [Alias("Get")]
    Task<ApiKeyView> Get(Caller caller);

    [Alias("Update")]
    Task<ApiKeyView> Update(Caller caller, ApiKeyPatch patch);

    [Alias("Revoke")]
    Task<ApiKeyView> Revoke(Caller caller);
}
