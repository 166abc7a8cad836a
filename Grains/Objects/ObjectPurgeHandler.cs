using Ipto.Grains.Jobs;
using Ipto.Objects;

namespace Ipto.Grains.Objects;

/// <summary>
/// The <c>object_purge</c> job: takes a deleted object out of every ingestion stage (the search index), then removes
/// its blob and derived files. Safe to run again.
/// </summary>
public sealed class ObjectPurgeHandler(IGrainFactory grains, ObjectBlobPurger purger, IEnumerable<Normalization.IIngestionStage> stages) : IJobHandler
{
    public const string JobType = "object_purge";

    public string Type => JobType;

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var obj = await grains.GetGrain<IObjectGrain>(execution.Input).GetInternal() ?? throw new JobFailedException("The object does not exist.");
        foreach (var stage in stages) await stage.RemoveAsync(obj, cancellationToken);
        await purger.PurgeAsync(obj.DatasetId, obj.ObjectId);
        return null;
    }
}
