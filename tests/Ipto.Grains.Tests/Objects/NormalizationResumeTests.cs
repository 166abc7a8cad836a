using System.Text;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Tests.Support;
using Ipto.Jobs;
using Ipto.Objects;
using Ipto.Testing;
using Ipto.Testing.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Ipto.Grains.Tests.Objects;

[Collection(SharedClusterCollection.Name)]
public sealed class NormalizationResumeTests(SharedCluster shared)
{
    private static readonly Caller Owner = new("tnt_owner", "usr_owner", "user", ["objects:write", "datasets:write"], false);
    private static readonly Caller Admin = new("tnt_platform", "usr_admin", "user", ["admin:*"], true);

    [Fact]
    public async Task NormalizationInterruptedByARestartFinishesWithOneChunkFile()
    {
        using var dir = new TempDir();
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var objectId = Ids.New(IdPrefixes.Object);
        var text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Paragraph {i} of a file the silo was busy with when it stopped.")));
        HoldingExtractor.Release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedBefore = HoldingExtractor.Started.Count;
        string jobId;
        await using (var first = await EmbeddedCluster.StartAsync(dir.Path))
        {
            await first.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Resume", null, "document", "open", "fixed", null, "private", []));
            var store = first.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
            jobId = (await first.Client.UploadAsync(store, Owner, datasetId, objectId, "busy.txt", HoldingExtractor.ContentType, text)).JobId!;
            await Eventually.Until(() => Task.FromResult(HoldingExtractor.Started.Count), n => n > startedBefore, what: "the extraction to start");
            await first.StopAllSilosAsync();
        }

        HoldingExtractor.Release = null;
        await using var second = await EmbeddedCluster.StartAsync(dir.Path);

        var status = await Eventually.Until(() => ReadModel.JobStatusAsync(dir.Path, jobId), s => s is not null && JobStatuses.IsTerminal(s),
            TimeSpan.FromSeconds(30), "the reminder to resume normalization");
        Assert.Equal(JobStatuses.Succeeded, status);
        var obj = await second.Client.GetGrain<IObjectGrain>(objectId).Get(Owner);
        Assert.Equal(ObjectStatuses.Ready, obj.Status);
        Assert.True(obj.Extraction!.Chunks >= 1);
        var store2 = second.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        var keys = await store2.ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 100);
        Assert.Equal([ObjectKeys.ObjectChunks(datasetId, objectId), ObjectKeys.ObjectBlob(datasetId, objectId)], keys.Order(StringComparer.Ordinal));
        await using var chunks = await store2.OpenReadAsync(ObjectKeys.ObjectChunks(datasetId, objectId));
        var lines = (await new StreamReader(chunks).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(obj.Extraction.Chunks, lines.Length);
        Assert.Equal(lines.Length, lines.Distinct().Count());
    }

    [Fact]
    public async Task ApprovedObjectGoesThroughTheIngestionStagesAndDeletionTakesItOutAgain()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var objectId = Ids.New(IdPrefixes.Object);
        HoldingExtractor.Release = null;
        await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Indexed", null, "document", "open", "fixed", null, "private", []));
        var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
        await cluster.Client.UploadAsync(store, Owner, datasetId, objectId, "a.txt", HoldingExtractor.ContentType, "hello"u8.ToArray());
        var obj = cluster.Client.GetGrain<IObjectGrain>(objectId);
        await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Ready, what: "ready");

        var (_, ingestion) = await obj.Approve(Admin);
        await Eventually.Until(async () => (await obj.Get(Owner)).Status, s => s == ObjectStatuses.Active, what: "active");
        await obj.Delete(Owner);
        await Eventually.Until(() => store.ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 10), k => k.Count == 0, what: "the purge");

        Assert.Equal(["ingest", "remove"], RecordingIngestionStage.Events.Where(e => e.ObjectId == objectId).Select(e => e.Action));
        Assert.StartsWith("job_", ingestion);
    }

    [Fact]
    public async Task OnlyAReadyObjectCanBeApprovedButAProcessingOneCanBeRejected()
    {
        var cluster = shared.Cluster;
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var objectId = Ids.New(IdPrefixes.Object);
        HoldingExtractor.Release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await cluster.Client.GetGrain<IDatasetGrain>(datasetId).Create(Owner, new NewDataset("Review", null, "document", "open", "fixed", null, "private", []));
            var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>();
            var jobId = (await cluster.Client.UploadAsync(store, Owner, datasetId, objectId, "slow.txt", HoldingExtractor.ContentType, "slow"u8.ToArray())).JobId!;
            var obj = cluster.Client.GetGrain<IObjectGrain>(objectId);

            var error = await Assert.ThrowsAsync<IptoException>(() => obj.Approve(Admin));
            Assert.Equal(ErrorCodes.InvalidStateTransition, error.Code);
            Assert.Contains("'processing'", error.Message);
            Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<IptoException>(() => obj.Reject(Owner, "not mine to judge"))).Code);

            var rejected = await obj.Reject(Admin, "spam");
            Assert.Equal(ReviewStates.Rejected, rejected.ReviewState);

            // The normalization that was under way ends without bringing the purged files back.
            HoldingExtractor.Release.TrySetResult();
            var status = await Eventually.Until(() => ReadModel.JobStatusAsync(shared.DataDir, jobId), s => s is not null && JobStatuses.IsTerminal(s), what: "the normalization job");
            Assert.Equal(JobStatuses.Succeeded, status);
            Assert.Empty(await cluster.Silos[0].ServiceProvider.GetRequiredService<IObjectStore>().ListKeysAsync(ObjectKeys.ObjectPrefix(datasetId, objectId), 10));
            Assert.Equal(ObjectStatuses.Rejected, (await obj.Get(Owner)).Status);
        }
        finally
        {
            HoldingExtractor.Release.TrySetResult();
            HoldingExtractor.Release = null;
        }
    }
}
