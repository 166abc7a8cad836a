using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Jobs;
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

    public Task<JobSnapshot> StartBatchDelete(Caller caller, IReadOnlyList<string> objectIds, CreationSeed? seed = null)
    {
        if (objectIds.Count is 0 or > BulkObjectDelete.MaxObjectIds)
            throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.",
                [new FieldError("object_ids", $"must list 1 to {BulkObjectDelete.MaxObjectIds} object ids")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var repeated = objectIds.Select((id, i) => (id, i)).Where(e => !seen.Add(e.id)).Select(e => new FieldError($"object_ids[{e.i}]", "is listed twice")).ToArray();
        if (repeated.Length > 0) throw new IptoException(ErrorCodes.ValidationFailed, "The request has invalid fields.", repeated);

        var jobId = new CreationValues(seed).NewId(IdPrefixes.Job);
        return GrainFactory.GetGrain<IJobGrain>(jobId).Start(new JobRequest(caller.TenantId, BulkObjectDelete.JobType, BulkObjectDeleteHandler.InputOf(caller, objectIds)));
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
