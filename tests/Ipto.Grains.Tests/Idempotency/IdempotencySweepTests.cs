using Ipto.Grains.Tests.Support;
using Ipto.Idempotency;
using Ipto.Testing;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Idempotency;

[Collection(SharedClusterCollection.Name)]
public sealed class IdempotencySweepTests(SharedCluster shared)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);
    private static readonly StoredResponse Response = new(201, "application/json", "/v1/datasets/x", [4, 5, 6]);

    // Keys of their own: the cluster is shared with other tests.
    private static string NewKey(string tag) => $"{tag}-{Guid.NewGuid():N}";

    private static Task<long> RecordCount(string dataDir, string key) =>
        ReadModel.CountAsync(dataDir, "SELECT count(*) FROM idempotency_records WHERE grain_key = $id", key);

    private static async Task<long> SweepThenCount(InProcessTestCluster cluster, string dataDir, string key)
    {
        await cluster.Client.GetGrain<IIdempotencySweeperGrain>(0).Sweep();
        return await RecordCount(dataDir, key);
    }

    private static async Task CompleteAsync(IIdempotencyGrain grain, TimeSpan retention)
    {
        var started = await grain.Begin("fp", Lease);
        await grain.Complete(started.LeaseId, Response, retention);
    }

    [Fact]
    public async Task SweepDeletesExpiredRecordsAndKeepsLiveOnesWhichStillReplay()
    {
        var cluster = shared.Cluster;
        var expiredKey = NewKey("expired");
        var liveKey = NewKey("live");
        var runningKey = NewKey("running");
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>(expiredKey), Instant);
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>(liveKey), Day);
        var running = cluster.Client.GetGrain<IIdempotencyGrain>(runningKey);
        var first = await running.Begin("fp", Lease);
        await running.Release(first.LeaseId);

        await Eventually.Until(() => SweepThenCount(cluster, shared.DataDir, expiredKey), n => n == 0, what: "the sweep to delete the expired record");

        Assert.Equal(1, await RecordCount(shared.DataDir, liveKey));
        Assert.Equal(1, await RecordCount(shared.DataDir, runningKey));
        var live = cluster.Client.GetGrain<IIdempotencyGrain>(liveKey);
        await cluster.DeactivateAsync(live);
        await cluster.DeactivateAsync(running);
        var replay = await live.Begin("fp", Lease);
        Assert.Equal(IdempotencyOutcome.Replay, replay.Outcome);
        Assert.Equal(Response.EncryptedBody, replay.Response!.EncryptedBody);
        Assert.Equal(IdempotencyOutcome.KeyReused, (await live.Begin("other", Lease)).Outcome);
        var retry = await running.Begin("fp", Lease);
        Assert.Equal(first.IdSeed!.Seed, retry.IdSeed!.Seed);
        Assert.Equal(first.IdSeed.FirstStartedAt, retry.IdSeed.FirstStartedAt);
        Assert.Equal(IdempotencyOutcome.KeyReused, (await running.Begin("other", Lease)).Outcome);
    }

    [Fact]
    public async Task TheReminderSweepsWithoutAnyRequest()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?> { ["Ipto:Idempotency:SweepPeriod"] = "00:00:01" });
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>("forgotten"), Instant);
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>("kept"), Day);
        Assert.Equal(1, await RecordCount(dir.Path, "forgotten"));

        await Eventually.Until(() => RecordCount(dir.Path, "forgotten"), n => n == 0, what: "the sweeper's reminder");

        Assert.Equal(1, await RecordCount(dir.Path, "kept"));
        Assert.Equal(0, await ReadModel.CountAsync(dir.Path, "SELECT count(*) FROM grain_state WHERE state_name = $id", "idempotency"));
    }

    [Fact]
    public async Task AKeyWhoseRecordWasSweptStartsAFreshRecord()
    {
        var cluster = shared.Cluster;
        var againKey = NewKey("again");
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(againKey);
        var first = await grain.Begin("fp", Lease);
        await grain.Complete(first.LeaseId, Response, Instant);
        await Eventually.Until(() => SweepThenCount(cluster, shared.DataDir, againKey), n => n == 0, what: "the sweep");
        await cluster.DeactivateAsync(grain);

        var second = await grain.Begin("other", Lease);

        Assert.Equal(IdempotencyOutcome.Started, second.Outcome);
        Assert.NotEqual(first.IdSeed!.Seed, second.IdSeed!.Seed);
        Assert.Equal(1, await RecordCount(shared.DataDir, againKey));
    }
}
