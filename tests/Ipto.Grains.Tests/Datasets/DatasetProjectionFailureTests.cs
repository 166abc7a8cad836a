using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Testing;

namespace Ipto.Grains.Tests.Datasets;

/// <summary>
/// A 2xx promises state and read model: when the read-model row cannot be written the call fails instead of
/// answering success with a stale list, and the row catches up by itself once the database takes it again.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DatasetProjectionFailureTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["datasets:write", "datasets:read"], false);

    [Fact]
    public async Task AWriteWhoseProjectionFailsIsNotAcknowledgedAndTheRowCatchesUp()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var grain = cluster.Client.GetGrain<IDatasetGrain>(datasetId);
        await grain.Create(Owner, new NewDataset("Before", null, "document", "open", "fixed", null, "private", []));
        var created = await ReadModel.DatasetVersionAsync(shared.DataDir, datasetId);
        Assert.NotNull(created);

        await ReadModel.ExecuteAsync(shared.DataDir,
            $"CREATE TRIGGER refuse_projection BEFORE UPDATE ON datasets WHEN NEW.dataset_id = '{datasetId}' BEGIN SELECT RAISE(ABORT, 'read model down'); END;");
        await Assert.ThrowsAnyAsync<Exception>(() => grain.Update(Owner, new DatasetPatch("After", null, null, null, null, null, null, null)));
        Assert.Equal(created, await ReadModel.DatasetVersionAsync(shared.DataDir, datasetId));
        Assert.Equal("After", (await grain.Get(Owner)).Name); // the grain state, the truth, has it

        await ReadModel.ExecuteAsync(shared.DataDir, "DROP TRIGGER refuse_projection;");

        var caughtUp = await Eventually.Until(() => ReadModel.DatasetVersionAsync(shared.DataDir, datasetId), v => v > created, TimeSpan.FromSeconds(15),
            "the background re-projection");
        Assert.True(caughtUp > created);
    }
}
