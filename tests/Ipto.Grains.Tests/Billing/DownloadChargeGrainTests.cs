using Ipto.Billing;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Tests.Support;
using Ipto.Identity;
using Ipto.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Billing;

[Collection(SharedClusterCollection.Name)]
public sealed class DownloadChargeGrainTests(SharedCluster shared)
{
    private static Caller Buyer() => new(Ids.New(IdPrefixes.Tenant), Ids.New(IdPrefixes.ApiKey), PrincipalTypes.ApiKey, [Scopes.SearchQuery], false);

    private static AccessEventRow Download(Caller buyer, string objectId, DateTimeOffset at) =>
        new(Ids.New(IdPrefixes.Access, at), AccessTypes.Download, buyer.TenantId, "tnt_provider", "dset_x", objectId, buyer.ApiKeyId, null, 100_000, at)
        {
            PrincipalId = buyer.PrincipalId,
        };

    [Fact]
    public async Task TheWindowStartsAtTheLastChargeTheLedgerHolds()
    {
        var ledger = shared.Cluster.Silos[0].ServiceProvider.GetRequiredService<LedgerWriter>();
        var now = DateTimeOffset.UtcNow;
        var terms = (string objectId) => new DownloadTerms("tnt_provider", "dset_x", objectId, 100_000);

        // Charged 23 h ago: still inside the window, so the same access event answers, free.
        var recent = Buyer();
        var recentObject = Ids.New(IdPrefixes.Object);
        var earlier = Download(recent, recentObject, now.AddHours(-23));
        await ledger.AppendAsync(earlier);
        var again = await shared.Cluster.Client.GetGrain<IDownloadChargeGrain>(IDownloadChargeGrain.KeyOf(recent, recentObject)).Charge(recent, terms(recentObject));
        Assert.Equal((earlier.AccessId, 0L), (again.AccessId, again.ChargedMicros));

        // Charged 25 h ago: the window has passed, so this download is a new charge.
        var lapsed = Buyer();
        var lapsedObject = Ids.New(IdPrefixes.Object);
        var old = Download(lapsed, lapsedObject, now.AddHours(-25));
        await ledger.AppendAsync(old);
        var grain = shared.Cluster.Client.GetGrain<IDownloadChargeGrain>(IDownloadChargeGrain.KeyOf(lapsed, lapsedObject));
        var charged = await grain.Charge(lapsed, terms(lapsedObject));
        Assert.NotEqual(old.AccessId, charged.AccessId);
        Assert.Equal(100_000, charged.ChargedMicros);
        var next = await grain.Charge(lapsed, terms(lapsedObject));
        Assert.Equal((charged.AccessId, 0L), (next.AccessId, next.ChargedMicros));
    }

    [Fact]
    public async Task AGrainRefusesAnotherPrincipalsOrObjectsCharge()
    {
        var buyer = Buyer();
        var objectId = Ids.New(IdPrefixes.Object);
        var grain = shared.Cluster.Client.GetGrain<IDownloadChargeGrain>(IDownloadChargeGrain.KeyOf(buyer, objectId));
        await Assert.ThrowsAnyAsync<Exception>(() => grain.Charge(Buyer(), new DownloadTerms("tnt_provider", "dset_x", objectId, 1)));
        await Assert.ThrowsAnyAsync<Exception>(() => grain.Charge(buyer, new DownloadTerms("tnt_provider", "dset_x", Ids.New(IdPrefixes.Object), 1)));
    }
}
