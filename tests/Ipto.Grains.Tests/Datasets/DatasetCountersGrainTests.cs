using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Datasets;

[Collection(SharedClusterCollection.Name)]
public sealed class DatasetCountersGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["datasets:write"], false);

    [Fact]
    public async Task ObjectChangesMaintainCountersDriveTheStatusAndIgnoreRedelivery()
    {
        var cluster = shared.Cluster;
        var dataset = cluster.Client.GetGrain<IDatasetGrain>(Ids.New(IdPrefixes.Dataset));
        await dataset.Create(Owner, new NewDataset("Counted", null, "document", "open", "fixed", null, "private", []));

        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 1, null, new ObjectFootprint("pending_upload", null, 500)));
        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 2, new ObjectFootprint("pending_upload", null, 500), new ObjectFootprint("ready", "staged", 500)));
        await dataset.ApplyObjectChange(new ObjectChange("obj_b", 1, null, new ObjectFootprint("ready", "staged", 300)));
        var duplicate = await dataset.ApplyObjectChange(new ObjectChange("obj_a", 2, new ObjectFootprint("pending_upload", null, 500), new ObjectFootprint("ready", "staged", 500)));
        Assert.Equal(new DatasetCounters(2, 2, 0, 0, 0, 800), duplicate);
        Assert.Equal(DatasetStatuses.Draft, (await dataset.Get(Owner)).Status);

        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 3, new ObjectFootprint("ready", "staged", 500), new ObjectFootprint("indexing", "approved", 500)));
        Assert.Equal(DatasetStatuses.Ingesting, (await dataset.Get(Owner)).Status);
        await dataset.ApplyObjectChange(new ObjectChange("obj_b", 2, new ObjectFootprint("ready", "staged", 300), new ObjectFootprint("rejected", "rejected", 300)));
        await dataset.ApplyObjectChange(new ObjectChange("obj_a", 4, new ObjectFootprint("indexing", "approved", 500), new ObjectFootprint("active", "approved", 500)));

        var snapshot = await dataset.Get(Owner);
        Assert.Equal(DatasetStatuses.Active, snapshot.Status);
        Assert.Equal(new DatasetCounters(2, 0, 1, 1, 1, 500), snapshot.Counters);
        await cluster.DeactivateAsync(dataset);
        Assert.Equal(new DatasetCounters(2, 0, 1, 1, 1, 500), (await dataset.Get(Owner)).Counters);
        var stale = await dataset.ApplyObjectChange(new ObjectChange("obj_a", 3, new ObjectFootprint("ready", "staged", 500), new ObjectFootprint("indexing", "approved", 500)));
        Assert.Equal(new DatasetCounters(2, 0, 1, 1, 1, 500), stale);
    }
}
