using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Objects;

/// <summary>Filters of a dataset's object list; null: any.</summary>
[GenerateSerializer, Alias("Ipto.ObjectListFilter")]
public sealed record ObjectListFilter([property: Id(0)] string? Status, [property: Id(1)] string? ReviewState);

/// <summary>
/// Objects as a collection (SPEC §5): starting an upload (the upload's and the object's ids minted here, derived from an
/// Idempotency-Key's seed when there is one) and a dataset's object list. Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IObjectDirectoryGrain")]
public interface IObjectDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>A new upload into the caller's live dataset; another tenant's dataset is not_found.</summary>
    [Alias("StartUpload")]
    Task<UploadView> StartUpload(Caller caller, NewUpload upload, CreationSeed? seed = null);

    /// <summary>
    /// Starts the <see cref="BulkObjectDelete.JobType"/> job that deletes the caller's listed objects one by one as
    /// <see cref="IObjectGrain.Delete"/> does (another tenant's and unknown ids are reported <c>not_found</c> and never
    /// touched). 1 to <see cref="BulkObjectDelete.MaxObjectIds"/> distinct ids, else 422 naming <c>object_ids</c> or the
    /// later occurrence of a repeated id. The job's id derives from <paramref name="seed"/> when there is one.
    /// </summary>
    [Alias("StartBatchDelete")]
    Task<Ipto.Jobs.JobSnapshot> StartBatchDelete(Caller caller, IReadOnlyList<string> objectIds, CreationSeed? seed = null);

    /// <summary>The owner's objects of a dataset, newest first; 400 for an unknown filter value or a foreign cursor.</summary>
    [Alias("List")]
    Task<Page<ObjectSnapshot>> List(Caller caller, string datasetId, ObjectListFilter filter, PageRequest page);
}
