using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Objects;
using Ipto.Testing;
using Orleans.TestingHost;

namespace Ipto.Grains.Tests.Objects;

/// <summary>The grain refuses what the transition table refuses, with the same code and message as before the table.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ObjectTransitionGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    [Fact]
    public async Task RefusedTransitionsNameTheirStatesAndRepeatsAreNoOps()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Machine", null, "document", "open", "fixed", null, "private", []));

        var cancelled = await NewObjectAsync(cluster, datasetId);
        await Refused("'pending_upload' to 'active'", () => cancelled.MarkActive());
        await Refused("'pending_upload' to 'ready'", () => cancelled.RecordExtraction("abc", new Extraction(0, null, 0, null, null)));
        await Refused("'pending_upload' to 'approved'", () => cancelled.Approve(Admin));
        await Refused("'pending_upload' to 'rejected'", () => cancelled.Reject(Admin, "no"));
        Assert.Equal(ObjectStatuses.PendingUpload, (await cancelled.Expire()).Status);
        Assert.Equal(ObjectStatuses.Cancelled, (await cancelled.Cancel()).Status);
        Assert.Equal(ObjectStatuses.Cancelled, (await cancelled.Cancel()).Status);
        await Refused("'cancelled' to 'failed'", () => cancelled.Fail("late"));
        await Refused("'cancelled' to 'processing'", () => cancelled.MarkUploaded());
        Assert.Equal(ObjectStatuses.Deleted, (await cancelled.Tombstone()).Status);
        Assert.Equal(ObjectStatuses.Deleted, (await cancelled.Tombstone()).Status);
        Assert.Equal(ObjectStatuses.Deleted, (await cancelled.Delete(Owner)).Status);
        await Refused("'deleted' to 'active'", () => cancelled.MarkActive());
        await Refused("'deleted' to 'cancelled'", () => cancelled.Cancel());

        var failed = await NewObjectAsync(cluster, datasetId);
        Assert.Equal(ObjectStatuses.Failed, (await failed.Fail("checksum_mismatch")).Status);
        Assert.Equal(ObjectStatuses.Failed, (await failed.Fail("again")).Status);
        await Refused("'failed' to 'processing'", () => failed.MarkUploaded());
        await Refused("'failed' to 'rejected'", () => failed.Reject(Admin, "unreviewed"));
        await Refused("'failed' to 'approved'", () => failed.Approve(Admin));
        await Refused("'failed' to 'cancelled'", () => failed.Cancel());
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() => failed.Approve(Owner))).Code);
    }

    [Fact]
    public async Task AStagedObjectDeletedBeforeItsReviewWindowEndsStaysDeleted()
    {
        using var dir = new TempDir();
        await using var cluster = await EmbeddedCluster.StartAsync(dir.Path, settings: new Dictionary<string, string?> { ["Ipto:Review:StagedTtl"] = "00:00:00.001" });
        var datasetId = Ids.New(IdPrefixes.Dataset);
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Doomed", null, "document", "open", "fixed", null, "private", []));
        var staged = await NewObjectAsync(cluster, datasetId);
        await staged.MarkUploaded(); // staged, its review window already over

        Assert.Equal(ObjectStatuses.Deleted, (await staged.Delete(Owner)).Status);
        var afterExpiry = await staged.Expire();

        Assert.Equal(ObjectStatuses.Deleted, afterExpiry.Status);
        Assert.Equal(0, (await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Get(Owner)).Counters.ObjectCount);
    }

    private static async Task<IObjectGrain> NewObjectAsync(InProcessTestCluster cluster, string datasetId)
    {
        var objectId = Ids.New(IdPrefixes.Object);
        var grain = cluster.Client.GetGrain<IObjectGrain>(objectId);
        await grain.Create(new NewObject(Owner.TenantId, datasetId, Ids.New(IdPrefixes.Upload), "a.txt", "text/plain", 5, null, $"blobs/{objectId}"));
        return grain;
    }

    private static async Task Refused(string fromTo, Func<Task> transition)
    {
        var error = await Assert.ThrowsAsync<IptoException>(transition);
        Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);
        Assert.Equal($"The object cannot go from {fromTo}.", error.Message);
    }
}
