using Ipto.ApiKeys;
using Ipto.Common;
using Ipto.Grains.Metering;
using Ipto.Grains.Tests.Support;
using Ipto.Search;
using Ipto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Spend;

[Collection(SharedClusterCollection.Name)]
public sealed class SpendCounterGrainTests(SharedCluster shared)
{
    [Fact]
    public async Task ReservationsFitTheBudgetInRankOrderAndTheCounterRebuildsFromTheLedger()
    {
        var cluster = shared.Cluster;
        var ledger = cluster.Silos[0].ServiceProvider.GetRequiredService<LedgerWriter>();
        var keyId = Ids.New(IdPrefixes.ApiKey);
        var now = DateTimeOffset.UtcNow;
        AccessEventRow Charge(long micros, DateTimeOffset at) =>
            new(Ids.New(IdPrefixes.Retrieval, at), "retrieval", "tnt_buyer", "tnt_provider", "dset_x", "obj_x", keyId, null, micros, at);

        // Today's charges count against a daily limit; last month's do not.
        await ledger.AppendAsync(Charge(250_000, now));
        await ledger.AppendAsync(Charge(900_000, now.AddDays(-40)));
        var counter = cluster.Client.GetGrain<ISpendCounterGrain>(keyId);
        var daily = new SpendLimit(300_000, "day");

        var first = await counter.Reserve("tnt_buyer", daily, [30_000, 30_000, 10_000]);
        Assert.Equal(1, first.Admitted); // 0.25 + 0.03 fits, the next 0.03 would not
        Assert.Equal(30_000, first.ReservedMicros);
        Assert.Equal(20_000, first.RemainingMicros);
        var second = await counter.Reserve("tnt_buyer", daily, [30_000]);
        Assert.Equal(0, second.Admitted);
        Assert.Equal(20_000, second.RemainingMicros);

        // A reservation whose ledger write failed is given back.
        await counter.Release(first.Period, first.ReservedMicros);
        Assert.Equal(1, (await counter.Reserve("tnt_buyer", daily, [30_000])).Admitted);

        // In-memory reservations never reached the ledger here, so a new activation sees only the ledger's 0.25.
        await cluster.DeactivateAsync(counter);
        var rebuilt = await counter.Reserve("tnt_buyer", daily, [50_000, 10_000]);
        Assert.Equal(1, rebuilt.Admitted);
        Assert.Equal(0, rebuilt.RemainingMicros);

        // A limit changed to monthly is a new period: rebuilt from the ledger, where only this month's charge counts.
        var monthly = await counter.Reserve("tnt_buyer", new SpendLimit(10_000_000, "month"), [1]);
        Assert.Equal(10_000_000 - 250_000 - 1, monthly.RemainingMicros);
    }
}
