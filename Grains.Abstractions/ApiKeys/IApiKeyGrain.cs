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

    /// <summary>
    /// As <see cref="Authenticate"/>, for a node that caches the key: the principal with some rate-limit tokens for a
    /// short lifetime (a batch of tokens, or one when <paramref name="batch"/> is false). Until then
    /// <paramref name="holder"/> is told to forget the key before any change or revocation of it answers.
    /// </summary>
    [Alias("Lease")]
    Task<KeyLease?> Lease(string secret, Ipto.Identity.ICredentialHolder holder, bool batch);

    [Alias("Get")]
    Task<ApiKeyView> Get(Caller caller);

    [Alias("Update")]
    Task<ApiKeyView> Update(Caller caller, ApiKeyPatch patch);

    [Alias("Revoke")]
    Task<ApiKeyView> Revoke(Caller caller);
}

/// <summary>
/// A tenant's API keys as a collection (SPEC §3). Issuing: a key never holds a scope its creator lacks, an allow-list
/// names only datasets the tenant may use, and the secret is made here, returned once and stored only as a hash.
/// Listing, and the key operations by id (a key's grain is keyed by its prefix; another tenant's key is not_found).
/// Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IApiKeyDirectoryGrain")]
public interface IApiKeyDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A new key for <paramref name="caller"/>'s tenant; with <paramref name="seed"/> (an Idempotency-Key's) its id,
    /// prefix and secret are derived, so a retry returns the key its first attempt made, with the same secret.
    /// </summary>
    [Alias("Issue")]
    Task<IssuedApiKey> Issue(Caller caller, ApiKeyRequest request, Ipto.Idempotency.CreationSeed? seed = null);

    /// <summary>The allow-list rule alone (for a PATCH): 422 naming <c>dataset_ids[i]</c> for a dataset the tenant may not use.</summary>
    [Alias("EnsureUsable")]
    Task EnsureUsable(Caller caller, IReadOnlyList<string> datasetIds);

    /// <summary>The caller's tenant's keys, newest first.</summary>
    [Alias("List")]
    Task<Page<ApiKeyView>> List(Caller caller, PageRequest page);

    [Alias("Get")]
    Task<ApiKeyView> Get(Caller caller, string keyId);

    [Alias("Update")]
    Task<ApiKeyView> Update(Caller caller, string keyId, ApiKeyPatch patch);

    [Alias("Revoke")]
    Task<ApiKeyView> Revoke(Caller caller, string keyId);
}
