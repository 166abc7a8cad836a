using System.Text.Json;
using Ipto.Grains.Jobs;
using Ipto.Jobs;
using Ipto.Objects;

namespace Ipto.Grains.Normalization;

/// <summary>
/// The <c>ingestion</c> job of an approved object: hands its chunks to the indexing stage and marks it active (now
/// searchable lexically), then runs the stages' slower follow-up (embeddings) and completes the object's indexing
/// (dense and hybrid search include it from then). A resumed job picks up at the stage the object is at. The stages
/// are an extension point (<see cref="IIngestionStage"/>); with none registered the object goes straight through.
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

        if (snapshot.Status == ObjectStatuses.Active && snapshot.IndexStage == IndexStages.Lexical)
        {
            foreach (var stage in stages) await stage.FollowUpAsync(snapshot, cancellationToken);
            snapshot = await obj.CompleteIndexing();
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

    /// <summary>Slower work after the object is active (embedding its chunks); the object's grain then completes its indexing.</summary>
    Task FollowUpAsync(ObjectSnapshot obj, CancellationToken cancellationToken) => Task.CompletedTask;

    Task RemoveAsync(ObjectSnapshot obj, CancellationToken cancellationToken);
}
