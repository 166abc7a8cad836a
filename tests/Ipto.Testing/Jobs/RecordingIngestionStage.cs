using System.Collections.Concurrent;
using Ipto.Grains.Normalization;
using Ipto.Objects;

namespace Ipto.Testing.Jobs;

/// <summary>Stands in for the search index: records which objects were ingested and removed.</summary>
public sealed class RecordingIngestionStage : IIngestionStage
{
    public static readonly ConcurrentQueue<(string ObjectId, string Action)> Events = new();

    public Task IngestAsync(ObjectSnapshot obj, CancellationToken cancellationToken)
    {
        Events.Enqueue((obj.ObjectId, "ingest"));
        return Task.CompletedTask;
    }

    public Task RemoveAsync(ObjectSnapshot obj, CancellationToken cancellationToken)
    {
        Events.Enqueue((obj.ObjectId, "remove"));
        return Task.CompletedTask;
    }
}
