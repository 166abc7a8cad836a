using Ipto.Grains.Tests.Support;
using Ipto.Testing;
using Ipto.Idempotency;

namespace Ipto.Grains.Tests.Idempotency;

[Collection(SharedClusterCollection.Name)]
public sealed class IdempotencyGrainTests(SharedCluster shared)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static StoredResponse Response(int status = 201) => new(status, "application/json", "/v1/datasets/x", [1, 2, 3]);

    // Keys of their own: the cluster is shared with other tests.
    private static string NewKey(string tag) => $"{tag}-{Guid.NewGuid():N}";

    [Fact]
    public async Task FirstRequestStartsAndADuplicateWhileRunningIsInProgress()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k1"));

        var first = await grain.Begin("fp", Lease);
        var duplicate = await grain.Begin("fp", Lease);
        var different = await grain.Begin("other", Lease);

        Assert.Equal(IdempotencyOutcome.Started, first.Outcome);
        Assert.Equal(IdempotencyOutcome.InProgress, duplicate.Outcome);
        Assert.Equal(IdempotencyOutcome.KeyReused, different.Outcome);
    }

    [Fact]
    public async Task ConcurrentDuplicatesHaveExactlyOneWinner()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k-concurrent"));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => grain.Begin("fp", Lease)));

        Assert.Single(decisions, d => d.Outcome == IdempotencyOutcome.Started);
        Assert.Equal(49, decisions.Count(d => d.Outcome == IdempotencyOutcome.InProgress));
    }

    [Fact]
    public async Task CompletedResponseIsReplayedForTheSameRequestOnly()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k2"));
        var started = await grain.Begin("fp", Lease);

        await grain.Complete(started.LeaseId, Response(), Day);
        var replay = await grain.Begin("fp", Lease);
        var reused = await grain.Begin("other", Lease);

        Assert.Equal(IdempotencyOutcome.Replay, replay.Outcome);
        Assert.Equal(Response().EncryptedBody, replay.Response!.EncryptedBody);
        Assert.Equal(201, replay.Response.StatusCode);
        Assert.Equal("/v1/datasets/x", replay.Response.Location);
        Assert.Equal(IdempotencyOutcome.KeyReused, reused.Outcome);
    }

    [Fact]
    public async Task ReleasedKeyRunsAgain()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k3"));
        var started = await grain.Begin("fp", Lease);

        await grain.Release(started.LeaseId);

        Assert.Equal(IdempotencyOutcome.Started, (await grain.Begin("fp", Lease)).Outcome);
    }

    [Fact]
    public async Task EveryAttemptUnderAKeyGetsTheFirstAttemptsIdSeedAndOnlyTheSameRequestRunsAgain()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k7"));
        var first = await grain.Begin("fp", Lease);
        await grain.Release(first.LeaseId); // the attempt failed with a 5xx: its outcome is unknown
        await cluster.DeactivateAsync(grain);

        var retry = await grain.Begin("fp", Lease);
        await grain.Release(retry.LeaseId);
        var different = await grain.Begin("other", Lease);

        Assert.Equal(IdempotencyOutcome.Started, retry.Outcome);
        Assert.Equal(first.IdSeed!.FirstStartedAt, retry.IdSeed!.FirstStartedAt);
        Assert.Equal(first.IdSeed.Seed, retry.IdSeed.Seed);
        Assert.Equal(IdempotencyOutcome.KeyReused, different.Outcome);
    }

    [Fact]
    public async Task CompletionWithAStaleLeaseIsIgnored()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k4"));
        var stale = await grain.Begin("fp", TimeSpan.FromMilliseconds(1));
        await Eventually.Until(async () => await grain.Begin("fp", Lease), d => d.Outcome == IdempotencyOutcome.Started, what: "the lease to lapse");

        await grain.Complete(stale.LeaseId, Response(), Day);

        Assert.Equal(IdempotencyOutcome.InProgress, (await grain.Begin("fp", Lease)).Outcome);
    }

    [Fact]
    public async Task StoredResponseExpiresAfterItsRetention()
    {
        var cluster = shared.Cluster;
        var grain = cluster.Client.GetGrain<IIdempotencyGrain>(NewKey("k5"));
        var started = await grain.Begin("fp", Lease);
        await grain.Complete(started.LeaseId, Response(), TimeSpan.FromMilliseconds(300));

        var after = await Eventually.Until(() => grain.Begin("other", Lease), d => d.Outcome != IdempotencyOutcome.KeyReused, what: "expiry");

        Assert.Equal(IdempotencyOutcome.Started, after.Outcome);
    }

    [Fact]
    public async Task StoredResponseSurvivesDeactivationAndRestart()
    {
        using var dir = new TempDir();
        await using (var first = await EmbeddedCluster.StartAsync(dir.Path))
        {
            var grain = first.Client.GetGrain<IIdempotencyGrain>("k6");
            var started = await grain.Begin("fp", Lease);
            await grain.Complete(started.LeaseId, Response(200), Day);
            await first.DeactivateAsync(grain);
            Assert.Equal(IdempotencyOutcome.Replay, (await grain.Begin("fp", Lease)).Outcome);
        }

        await using var second = await EmbeddedCluster.StartAsync(dir.Path);
        var replay = await second.Client.GetGrain<IIdempotencyGrain>("k6").Begin("fp", Lease);

        Assert.Equal(IdempotencyOutcome.Replay, replay.Outcome);
        Assert.Equal(200, replay.Response!.StatusCode);
    }
}
