using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Tests.Support;
using Ipto.Identity;

namespace Ipto.Grains.Tests.Identity;

/// <summary>
/// The grain side of credential leases: a lease carries a batch of the key's tokens (one when the node already
/// asks), every holder has forgotten the key by the time a revocation or update answers, and a holder that never
/// confirms delays the answer only until its lease ends.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class CredentialLeaseGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_lease", "usr_lease", PrincipalTypes.User, ["keys:write"], false);

    private async Task<(IApiKeyGrain Key, string Secret)> KeyAsync(double ratePerSecond)
    {
        var (_, prefix, secret) = ApiKeyFormat.New();
        var key = shared.Cluster.Client.GetGrain<IApiKeyGrain>(prefix);
        await key.Create(new NewApiKey(Ids.New(IdPrefixes.ApiKey), Owner.TenantId, Owner.PrincipalId, "leased", SecretTokens.Hash(secret), ["datasets:read"],
            DatasetAccessModes.AllAvailable, [], null, ratePerSecond, null));
        return (key, secret);
    }

    [Fact]
    public async Task ALeaseTakesABatchOfTokensAndOneWhenTheNodeIsAlreadyAsking()
    {
        var (key, secret) = await KeyAsync(ratePerSecond: 100);
        var holder = new RecordingHolder();
        var reference = shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(holder);

        var batch = await key.Lease(secret, reference, batch: true);
        var single = await key.Lease(secret, reference, batch: false);

        Assert.Equal(10, batch!.Lease.Tokens); // a tenth of a second at 100/s
        Assert.Equal(1, single!.Lease.Tokens);
        Assert.InRange(batch.Lease.Lifetime, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Null(await key.Lease(secret + "x", reference, batch: true));
    }

    [Fact]
    public async Task EveryHolderHasForgottenTheKeyWhenARevocationOrUpdateAnswers()
    {
        var (key, secret) = await KeyAsync(ratePerSecond: 100);
        var first = new RecordingHolder();
        var second = new RecordingHolder();
        await key.Lease(secret, shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(first), batch: true);
        await key.Lease(secret, shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(second), batch: true);

        await key.Update(Owner, new ApiKeyPatch("renamed", null, null, null, false, null, false));
        Assert.Equal([CredentialIds.ApiKey(await PrefixAsync(key))], first.Forgotten);
        Assert.Single(second.Forgotten);

        await key.Lease(secret, shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(first), batch: true);
        await key.Revoke(Owner);
        Assert.Equal(2, first.Forgotten.Count);
        Assert.Single(second.Forgotten); // its lease was forgotten with the update and not renewed
        Assert.Null(await key.Lease(secret, shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(first), batch: true));
    }

    [Fact]
    public async Task AHolderThatNeverConfirmsDelaysARevocationOnlyUntilItsLeaseEnds()
    {
        var (key, secret) = await KeyAsync(ratePerSecond: 100);
        var stuck = new StuckHolder();
        await key.Lease(secret, shared.Cluster.Client.CreateObjectReference<ICredentialHolder>(stuck), batch: true);

        var revoked = await key.Revoke(Owner); // fails with a timeout if the grain waited for the holder's answer

        Assert.Equal(ApiKeyStatuses.Revoked, revoked.Status);
        Assert.True(stuck.Asked);
    }

    private static async Task<string> PrefixAsync(IApiKeyGrain key) => (await key.Get(Owner)).Prefix;

    private sealed class RecordingHolder : ICredentialHolder
    {
        private readonly List<string> _forgotten = [];

        public IReadOnlyList<string> Forgotten
        {
            get
            {
                lock (_forgotten) return [.. _forgotten];
            }
        }

        public Task Forget(string credential)
        {
            lock (_forgotten) _forgotten.Add(credential);
            return Task.CompletedTask;
        }
    }

    private sealed class StuckHolder : ICredentialHolder
    {
        public bool Asked { get; private set; }

        public Task Forget(string credential)
        {
            Asked = true;
            return new TaskCompletionSource().Task;
        }
    }
}
