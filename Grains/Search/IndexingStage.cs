using Ipto.Grains.Normalization;
using Ipto.Objects;
using Ipto.Search;

namespace Ipto.Grains.Search;

/// <summary>The indexing step of ingestion: an approved object's chunks go into its dataset's index, and leave it on deletion.</summary>
public sealed class IndexingStage(IGrainFactory grains) : IIngestionStage
{
    public Task IngestAsync(ObjectSnapshot obj, CancellationToken cancellationToken) =>
        grains.GetGrain<IDatasetIndexGrain>(obj.DatasetId).IndexObject(obj);

    public Task RemoveAsync(ObjectSnapshot obj, CancellationToken cancellationToken) =>
        grains.GetGrain<IDatasetIndexGrain>(obj.DatasetId).RemoveObject(obj.ObjectId);
}
