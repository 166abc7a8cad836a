using System.Globalization;
using Ipto.Datasets;
using Ipto.Grains.Jobs;
using Ipto.Grains.ObjectStore;
using Ipto.Jobs;

namespace Ipto.Grains.Datasets;

/// <summary>
/// One part of a dataset's purge (blobs here; objects and index entries register their own steps). A step works in
/// batches and must be safe to run again from the start: after a crash the job calls it again.
/// </summary>
public interface IDatasetPurgeStep
{
    string Name { get; }

    /// <summary>Removes everything of the dataset this step owns; returns how many items it removed.</summary>
    Task<long> PurgeAsync(string datasetId, CancellationToken cancellationToken);
}

/// <summary>Turns every object of the dataset into a tombstone, a batch at a time (before the blobs go).</summary>
public sealed class DatasetObjectPurgeStep(Objects.ObjectProjection objects, IGrainFactory grains) : IDatasetPurgeStep
{
    private const int BatchSize = 200;

    public string Name => "objects";

    public async Task<long> PurgeAsync(string datasetId, CancellationToken cancellationToken)
    {
        var removed = 0L;
        while (true)
        {
            var ids = await objects.LiveObjectIdsAsync(datasetId, BatchSize);
            if (ids.Count == 0) return removed;
            foreach (var id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await grains.GetGrain<Ipto.Objects.IObjectGrain>(id).Tombstone();
            }

            removed += ids.Count;
        }
    }
}

/// <summary>Removes the dataset's documents from every search shard.</summary>
public sealed class DatasetIndexPurgeStep(Search.IndexShardMap shards) : IDatasetPurgeStep
{
    public string Name => "index";

    public async Task<long> PurgeAsync(string datasetId, CancellationToken cancellationToken)
    {
        await Task.WhenAll(shards.All().Select(shard => shard.DropDataset(datasetId)));
        return 0;
    }
}

/// <summary>Deletes every blob and derived file under the dataset's prefix, a batch at a time.</summary>
public sealed class DatasetBlobPurgeStep(IObjectStore store) : IDatasetPurgeStep
{
    private const int BatchSize = 500;

    public string Name => "blobs";

    public async Task<long> PurgeAsync(string datasetId, CancellationToken cancellationToken)
    {
        var removed = 0L;
        while (true)
        {
            var keys = await store.ListKeysAsync(ObjectKeys.DatasetPrefix(datasetId), BatchSize, cancellationToken);
            if (keys.Count == 0) return removed;
            foreach (var key in keys) await store.DeleteAsync(key, cancellationToken);
            removed += keys.Count;
        }
    }
}

/// <summary>
/// The <c>dataset_deletion</c> job: runs every purge step, recording each finished step as the checkpoint, then
/// turns the dataset into its <c>deleted</c> tombstone.
/// </summary>
public sealed class DatasetDeletionHandler(IEnumerable<IDatasetPurgeStep> steps, IGrainFactory grains) : IJobHandler
{
    public const string JobType = "dataset_deletion";

    public string Type => JobType;

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var datasetId = execution.Input;
        var ordered = steps.ToArray();
        var done = execution.Checkpoint is null ? 0 : int.Parse(execution.Checkpoint, CultureInfo.InvariantCulture);
        var removed = 0L;
        for (var i = done; i < ordered.Length; i++)
        {
            removed += await ordered[i].PurgeAsync(datasetId, cancellationToken);
            await execution.SaveProgressAsync(new JobProgress(i + 1, ordered.Length + 1), (i + 1).ToString(CultureInfo.InvariantCulture));
        }

        await grains.GetGrain<IDatasetGrain>(datasetId).Advance(DatasetStatuses.Deleted);
        return $"{{\"dataset_id\":\"{datasetId}\",\"removed\":{removed.ToString(CultureInfo.InvariantCulture)}}}";
    }
}
