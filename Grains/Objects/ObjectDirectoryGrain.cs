using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Objects;
using Orleans.Concurrency;

namespace Ipto.Grains.Objects;

[StatelessWorker]
public sealed class ObjectDirectoryGrain(ObjectProjection objects, KeysetPager pager) : Grain, IObjectDirectoryGrain
{
    public Task<UploadView> StartUpload(Caller caller, NewUpload upload, CreationSeed? seed = null)
    {
        if (!Ids.IsValid(upload.DatasetId, IdPrefixes.Dataset)) throw IptoException.NotFound("Dataset");
        var values = new CreationValues(seed);
        return GrainFactory.GetGrain<IUploadGrain>(values.NewId(IdPrefixes.Upload)).Create(caller, values.NewId(IdPrefixes.Object), upload);
    }

    public async Task<Page<ObjectSnapshot>> List(Caller caller, string datasetId, ObjectListFilter filter, PageRequest page)
    {
        if (!Ids.IsValid(datasetId, IdPrefixes.Dataset)) throw IptoException.NotFound("Dataset");
        Filter.OneOf("status", filter.Status, ObjectStatuses.All);
        Filter.OneOf("review_state", filter.ReviewState, ReviewStates.All);
        await GrainFactory.GetGrain<IDatasetGrain>(datasetId).Get(caller); // another tenant's dataset: not_found
        return await pager.PageAsync(page, $"objects:{datasetId}:{filter.Status}:{filter.ReviewState}",
            (after, take) => objects.ListByDatasetAsync(datasetId, filter.Status, filter.ReviewState, after, take), o => o.ObjectId);
    }
}
