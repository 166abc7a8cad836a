using System.Text.Json;
using Ipto.Grains.Jobs;
using Ipto.Jobs;
using Ipto.Objects;

namespace Ipto.Grains.Normalization;

/// <summary>
/// The <c>ingestion</c> job of an approved object: hands its chunks to the indexing stage, then marks it active.
/// The indexing stage is an extension point (<see cref="IIngestionStage"/>); with none registered the object goes
/// straight to active.
/// </summary>
public sealed class IngestionHandler(IGrainFactory grains, IEnumerable<IIngestionStage> stages) : IJobHandler
{
    public const string JobType = "ingestion";

    public string Type => JobType;

    public async Task<string?> RunAsync(JobExecution execution, CancellationToken cancellationToken)
    {
        var obj = grains.GetGrain<IObjectGrain>(execution.Input);
        var snapshot = await obj.GetInternal() ?? throw new JobFailedException("The object does not exist.");
        if (snapshot.Status == ObjectStatuses.Indexing)
        {
            foreach (var stage in stages) await stage.IngestAsync(snapshot, cancellationToken);
            snapshot = await obj.MarkActive();
        }

        return JsonSerializer.Serialize(new Dictionary<string, string> { ["object_status"] = snapshot.Status });
    }
}

/// <summary>
/// A step run for every approved object before it becomes active, and undone when the object is deleted (search
/// indexing registers here). Both must be safe to repeat.
/// </summary>
public interface IIngestionStage
{
    Task IngestAsync(ObjectSnapshot obj, CancellationToken cancellationToken);

    Task RemoveAsync(ObjectSnapshot obj, CancellationToken cancellationToken);
}
