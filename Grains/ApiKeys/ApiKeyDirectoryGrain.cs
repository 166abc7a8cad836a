using Ipto.Identity;
using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Datasets;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Identity;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Orleans.Concurrency;

namespace Ipto.Grains.ApiKeys;

/// <summary>The rules of a new key, then its grain (keyed by a fresh prefix; a taken prefix draws another); key ids resolve to prefixes through the read model.</summary>
[StatelessWorker]
public sealed class ApiKeyDirectoryGrain(CatalogReader datasets, ApiKeyProjection keys, KeysetPager pager) : Grain, IApiKeyDirectoryGrain
{
    private const int MaxPrefixAttempts = 5;

    public async Task<IssuedApiKey> Issue(Caller caller, ApiKeyRequest request, CreationSeed? seed = null)
    {
        var escalation = request.Scopes.Where(s => !caller.Scopes.Contains(s)).ToArray();
        if (escalation.Length > 0)
            throw new IptoException(ErrorCodes.Forbidden, $"A key cannot hold scopes its creator lacks: {string.Join(", ", escalation)}.");
        await EnsureUsable(caller, request.DatasetIds);

        var values = new CreationValues(seed);
        var keyId = values.NewId(IdPrefixes.ApiKey);
        for (var attempt = 1; ; attempt++)
        {
            var prefix = values.NewSecret("api-key-prefix", SecretTokens.LowerAlphanumeric, ApiKeyFormat.PrefixLength);
            var secret = values.NewSecret("api-key-secret", SecretTokens.Base62, ApiKeyFormat.SecretLength);
            try
            {
                var created = await GrainFactory.GetGrain<IApiKeyGrain>(prefix).Create(new NewApiKey(keyId, caller.TenantId, caller.PrincipalId,
                    request.Name, SecretTokens.Hash(secret), request.Scopes.Distinct().ToArray(), request.DatasetAccessMode,
                    request.DatasetIds.Distinct().ToArray(), request.SpendLimit, request.RateLimitPerSecond, request.ExpiresAt?.ToUniversalTime()));
                return new IssuedApiKey(created, ApiKeyFormat.Compose(prefix, secret));
            }
            catch (IptoException e) when (e.Code == ErrorCodes.Conflict && attempt < MaxPrefixAttempts)
            {
                // 36^8 prefixes make a collision rare; draw another.
            }
        }
    }

    public async Task EnsureUsable(Caller caller, IReadOnlyList<string> datasetIds)
    {
        if (datasetIds.Count == 0) return;
        var usable = await datasets.UsableAsync(caller.TenantId, datasetIds);
        var errors = datasetIds.Select((id, i) => (id, i)).Where(x => !usable.Contains(x.id))
            .Select(x => new FieldError($"dataset_ids[{x.i}]", "is not a dataset this tenant may use")).ToArray();
        if (errors.Length > 0) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", errors);
    }

    public Task<Page<ApiKeyView>> List(Caller caller, PageRequest page) =>
        pager.PageAsync(page, "api-keys:" + caller.TenantId, (after, take) => keys.ListAsync(caller.TenantId, after, take), k => k.KeyId);

    public async Task<ApiKeyView> Get(Caller caller, string keyId) => await (await FindAsync(caller, keyId)).Get(caller);

    public async Task<ApiKeyView> Update(Caller caller, string keyId, ApiKeyPatch patch) => await (await FindAsync(caller, keyId)).Update(caller, patch);

    public async Task<ApiKeyView> Revoke(Caller caller, string keyId) => await (await FindAsync(caller, keyId)).Revoke(caller);

    private async Task<IApiKeyGrain> FindAsync(Caller caller, string keyId)
    {
        if (!Ids.IsValid(keyId, IdPrefixes.ApiKey)) throw IptoException.NotFound("API key");
        var prefix = await keys.FindPrefixAsync(caller.TenantId, keyId) ?? throw IptoException.NotFound("API key");
        return GrainFactory.GetGrain<IApiKeyGrain>(prefix);
    }
}
