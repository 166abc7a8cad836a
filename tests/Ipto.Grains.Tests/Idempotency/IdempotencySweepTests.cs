using Ipto.Grains.Tests.Support;
using Ipto.Idempotency;
using Ipto.Testing;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Idempotency;

public sealed class IdempotencySweepTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);
    private static readonly StoredResponse Response = new(201, "application/json", "/v1/datasets/x", [4, 5, 6]);

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
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path);
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>("expired"), Instant);
        await CompleteAsync(cluster.Client.GetGrain<IIdempotencyGrain>("live"), Day);
        var running = cluster.Client.GetGrain<IIdempotencyGrain>("running");
        var first = await running.Begin("fp", Lease);
        await running.Release(first.LeaseId);

        await Eventually.Until(() => SweepThenCount(cluster, dir.Path, "expired"), n => n == 0, what: "the sweep to delete the expired record");

        Assert.Equal(1, await RecordCount(dir.Path, "live"));
        Assert.Equal(1, await RecordCount(dir.Path, "running"));
        var live = cluster.Client.GetGrain<IIdempotencyGrain>("live");
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
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path);
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>("again");
        var first = await grain.Begin("fp", Lease);
        await grain.Complete(first.LeaseId, Response, Instant);
        await Eventually.Until(() => SweepThenCount(cluster, dir.Path, "again"), n => n == 0, what: "the sweep");
        await cluster.DeactivateAsync(grain);

        var second = await grain.Begin("other", Lease);

        Assert.Equal(IdempotencyOutcome.Started, second.Outcome);
        Assert.NotEqual(first.IdSeed!.Seed, second.IdSeed!.Seed);
        Assert.Equal(1, await RecordCount(dir.Path, "again"));
    }
}
