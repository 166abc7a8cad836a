using System.Text;
using Ipto.Common;
using Ipto.Grains.Datasets;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Search;
using Ipto.Grains.Storage;
using Ipto.Objects;
using Orleans.Concurrency;

namespace Ipto.Grains.Objects;

[StatelessWorker]
public sealed class ReviewQueueGrain(ObjectProjection objects, DatasetProjection datasets, IObjectStore store, KeysetPager pager) : Grain, IReviewQueueGrain
{
    public Task<Page<ReviewQueueItem>> List(Caller reviewer, ReviewQueueFilter filter, PageRequest page)
    {
        EnsureReviewer(reviewer);
        var reviewState = filter.ReviewState ?? ReviewStates.Staged;
        Filter.OneOf("review_state", reviewState, ReviewQueueFilter.ReviewStatesListed);
        return pager.PageWithTotalAsync<ReviewQueueItem>(page, $"review:{reviewState}:{filter.TenantId}:{filter.DatasetId}", async (after, take) =>
        {
            var (rows, total) = await objects.ListForReviewAsync(reviewState, filter.TenantId, filter.DatasetId, after, take);
            return (rows.Select(r => new ReviewQueueItem(r.Object, r.DatasetName)).ToArray(), (long?)total);
        }, r => r.Object.ObjectId);
    }

    public async Task<ReviewedObject> Detail(Caller reviewer, string? tenantId, string objectId)
    {
        var obj = await FindAsync(reviewer, tenantId, objectId);
        return new ReviewedObject(obj, await datasets.NameAsync(obj.DatasetId), await PreviewAsync(obj));
    }

    public async Task<(ObjectSnapshot Object, string JobId)> Approve(Caller reviewer, string? tenantId, string objectId)
    {
        await FindAsync(reviewer, tenantId, objectId);
        return await GrainFactory.GetGrain<IObjectGrain>(objectId).Approve(reviewer);
    }

    public async Task<ObjectSnapshot> Reject(Caller reviewer, string? tenantId, string objectId, string reason)
    {
        await FindAsync(reviewer, tenantId, objectId);
        return await GrainFactory.GetGrain<IObjectGrain>(objectId).Reject(reviewer, reason);
    }

    private async Task<ObjectSnapshot> FindAsync(Caller reviewer, string? tenantId, string objectId)
    {
        EnsureReviewer(reviewer);
        if (!Ids.IsValid(objectId, IdPrefixes.Object)) throw IptoException.NotFound("Object");
        var obj = await GrainFactory.GetGrain<IObjectGrain>(objectId).GetInternal() ?? throw IptoException.NotFound("Object");
        if (tenantId is not null && obj.TenantId != tenantId) throw IptoException.NotFound("Object");
        return obj;
    }

    private static void EnsureReviewer(Caller reviewer)
    {
        if (!reviewer.MayReview()) throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin can review objects.");
    }

    /// <summary>The first <see cref="ReviewedObject.PreviewLength"/> characters of the object's extracted text, from its chunk file.</summary>
    private async Task<string> PreviewAsync(ObjectSnapshot obj)
    {
        var text = new StringBuilder();
        try
        {
            await using var chunks = await store.OpenReadAsync(ObjectKeys.ObjectChunks(obj.DatasetId, obj.ObjectId));
            await foreach (var chunk in ChunkFile.ReadAsync(chunks))
            {
                if (text.Length > 0) text.Append("\n\n");
                text.Append(chunk.Text);
                if (text.Length >= ReviewedObject.PreviewLength) break;
            }
        }
        catch (ObjectNotFoundException)
        {
            return "";
        }

        return text.Length > ReviewedObject.PreviewLength ? text.ToString(0, ReviewedObject.PreviewLength) : text.ToString();
    }
}
