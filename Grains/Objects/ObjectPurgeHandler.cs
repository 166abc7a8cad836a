using Ipto.Grains.Jobs;
using Ipto.Objects;

namespace Ipto.Grains.Objects;

/// <summary>The <c>object_purge</c> job: removes a deleted object's blob and derived files (safe to run again).</summary>
public sealed class ObjectPurgeHandler(IGrainFactory grains, ObjectBlobPurger purger) : IJobHandler
{
    public const string JobType = "object_purge";

    public string Type => JobType;

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var obj = await grains.GetGrain<IObjectGrain>(execution.Input).GetInternal() ?? throw new JobFailedException("The object does not exist.");
        await purger.PurgeAsync(obj.DatasetId, obj.ObjectId);
        return null;
    }
}
