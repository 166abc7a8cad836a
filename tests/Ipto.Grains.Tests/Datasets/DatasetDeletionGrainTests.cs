using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Tests.Support;
using Ipto.Jobs;
using Ipto.Testing;
using Ipto.Testing.Jobs;

namespace Ipto.Grains.Tests.Datasets;

[Collection(SharedClusterCollection.Name)]
public sealed class DatasetDeletionGrainTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["datasets:write"], false);

    private static NewDataset Dataset(string name) => new(name, null, "document", "open", "fixed", null, "private", []);

    [Fact]
    public async Task DeletionInterruptedByAClusterRestartResumesAndEndsDeleted()
    {
        using var dir = new TempDir();
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldingPurgeStep.Hold[datasetId] = release;
        string jobId;
        await using (var first = await EmbeddedCluster.StartAsync(dir.Path))
        {
            var dataset = first.Client.GetGrain<IDatasetGrain>(datasetId);
            await dataset.Create(Owner, Dataset("Doomed"));
            jobId = (await dataset.Delete(Owner)).JobId;
            Assert.Equal(DatasetStatuses.PendingDeletion, (await dataset.Get(Owner)).Status);
            await Eventually.Until(() => Task.FromResult(HoldingPurgeStep.Runs.GetValueOrDefault(datasetId)), n => n == 1, what: "the purge to start");
            await first.StopAllSilosAsync();
        }

        release.SetResult();
        await using var second = await EmbeddedCluster.StartAsync(dir.Path);

        var status = await Eventually.Until(() => ReadModel.JobStatusAsync(dir.Path, jobId), s => s is not null && JobStatuses.IsTerminal(s),
            TimeSpan.FromSeconds(30), "the reminder to resume the deletion");
        Assert.Equal(JobStatuses.Succeeded, status);
        Assert.Equal(2, HoldingPurgeStep.Runs[datasetId]);
        Assert.Equal(DatasetStatuses.Deleted, (await second.Client.GetGrain<IDatasetGrain>(datasetId).Get(Owner)).Status);
    }

    [Fact]
    public async Task DeletingAgainWhilePendingReturnsTheSameJob()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        HoldingPurgeStep.Hold[datasetId] = new TaskCompletionSource();
        var dataset = cluster.Client.GetGrain<IDatasetGrain>(datasetId);
        await dataset.Create(Owner, Dataset("Twice"));

        var first = await dataset.Delete(Owner);
        var second = await dataset.Delete(Owner);

        Assert.Equal(first.JobId, second.JobId);
        var stranger = Owner with { TenantId = "tnt_other" };
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<IptoException>(() => dataset.Delete(stranger))).Code);
    }
}
