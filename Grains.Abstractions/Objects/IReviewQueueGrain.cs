using Ipto.Common;

namespace Ipto.Objects;

/// <summary>Filters of the review queue: objects in <see cref="ReviewState"/> (default staged), optionally of one tenant or dataset.</summary>
[GenerateSerializer, Alias("Ipto.ReviewQueueFilter")]
public sealed record ReviewQueueFilter(
    [property: Id(0)] string? ReviewState = null,
    [property: Id(1)] string? TenantId = null,
    [property: Id(2)] string? DatasetId = null)
{
    public static readonly IReadOnlyList<string> ReviewStatesListed = [ReviewStates.Staged, ReviewStates.Approved, ReviewStates.Rejected, ReviewStates.Expired];
}

[GenerateSerializer, Alias("Ipto.ReviewQueueItem")]
public sealed record ReviewQueueItem([property: Id(0)] ObjectSnapshot Object, [property: Id(1)] string DatasetName);

/// <summary>What a reviewer sees of one object: its state, its dataset's name and the start of its extracted text.</summary>
[GenerateSerializer, Alias("Ipto.ReviewedObject")]
public sealed record ReviewedObject([property: Id(0)] ObjectSnapshot Object, [property: Id(1)] string DatasetName, [property: Id(2)] string TextPreview)
{
    public const int PreviewLength = 2000;
}

/// <summary>
/// The review desk (SPEC §6), read from the objects read model: the queue in object id order with its total, one
/// object's detail with a text preview, and the decisions. Stateless: any silo answers (use key 0). For reviewers
/// only (<see cref="Caller.MayReview"/>: a platform admin with the admin scope, or an operator tool); with a
/// <c>tenantId</c> (the public docs' path form) an object of another tenant is not_found.
/// </summary>
[Alias("Ipto.IReviewQueueGrain")]
public interface IReviewQueueGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<Page<ReviewQueueItem>> List(Caller reviewer, ReviewQueueFilter filter, PageRequest page);

    [Alias("Detail")]
    Task<ReviewedObject> Detail(Caller reviewer, string? tenantId, string objectId);

    /// <summary>Approves a ready, staged object; returns the ingestion job's id.</summary>
    [Alias("Approve")]
    Task<(ObjectSnapshot Object, string JobId)> Approve(Caller reviewer, string? tenantId, string objectId);

    [Alias("Reject")]
    Task<ObjectSnapshot> Reject(Caller reviewer, string? tenantId, string objectId, string reason);
}
