using Ipto.Common;
using Ipto.Objects;
using Orleans.Concurrency;

namespace Ipto.Grains.Objects;

[StatelessWorker]
public sealed class ReviewQueueGrain(ObjectProjection objects) : Grain, IReviewQueueGrain
{
    public async Task<ReviewQueuePage> List(Caller reviewer, ReviewQueueQuery query)
    {
        if (!reviewer.MayReview()) throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin can review objects.");
        if (!ReviewQueueQuery.ReviewStatesListed.Contains(query.ReviewState))
            throw new IptoException(ErrorCodes.InvalidRequest, "Unknown review_state filter.",
                [new FieldError("review_state", $"must be one of: {string.Join(", ", ReviewQueueQuery.ReviewStatesListed)}")]);
        if (query.Limit is < 1 or > ReviewQueueQuery.MaxLimit)
            throw new IptoException(ErrorCodes.InvalidRequest, $"limit must be an integer from 1 to {ReviewQueueQuery.MaxLimit}.",
                [new FieldError("limit", $"must be an integer from 1 to {ReviewQueueQuery.MaxLimit}")]);
        var (rows, total) = await objects.ListForReviewAsync(query.ReviewState, query.TenantId, query.DatasetId, query.AfterObjectId, query.Limit);
        return new ReviewQueuePage(rows.Select(r => new ReviewQueueItem(r.Object, r.DatasetName)).ToArray(), total);
    }
}
