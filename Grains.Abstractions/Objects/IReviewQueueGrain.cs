using Ipto.Common;

namespace Ipto.Objects;

/// <summary>
/// One page of the review queue: objects in <see cref="ReviewState"/> (optionally of one tenant or dataset) in object id
/// order, after <see cref="AfterObjectId"/> (keyset paging: pass the last object id of the previous page).
/// </summary>
[GenerateSerializer, Alias("Ipto.ReviewQueueQuery")]
public sealed record ReviewQueueQuery(
    [property: Id(0)] string ReviewState,
    [property: Id(1)] string? TenantId,
    [property: Id(2)] string? DatasetId,
    [property: Id(3)] string? AfterObjectId,
    [property: Id(4)] int Limit)
{
    public const int MaxLimit = 101; // the Api asks for one row more than its page to know whether there is more

    public static readonly IReadOnlyList<string> ReviewStatesListed = [ReviewStates.Staged, ReviewStates.Approved, ReviewStates.Rejected, ReviewStates.Expired];
}

[GenerateSerializer, Alias("Ipto.ReviewQueueItem")]
public sealed record ReviewQueueItem([property: Id(0)] ObjectSnapshot Object, [property: Id(1)] string DatasetName);

/// <summary>Up to <c>Limit</c> items and the number of objects the filter matches in all.</summary>
[GenerateSerializer, Alias("Ipto.ReviewQueuePage")]
public sealed record ReviewQueuePage([property: Id(0)] IReadOnlyList<ReviewQueueItem> Items, [property: Id(1)] long Total);

/// <summary>
/// The review queue, read from the objects read model. Stateless: any silo answers (use key 0). For reviewers only
/// (<see cref="Caller.MayReview"/>: a platform admin with the admin scope, or an operator tool).
/// </summary>
[Alias("Ipto.IReviewQueueGrain")]
public interface IReviewQueueGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<ReviewQueuePage> List(Caller reviewer, ReviewQueueQuery query);
}
