using Ipto.Common;

namespace Ipto.Datasets;

/// <summary>A dataset: metadata, pricing, visibility, tags, status machine and counters. Another tenant sees not_found.</summary>
[Alias("Ipto.IDatasetGrain")]
public interface IDatasetGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<DatasetSnapshot> Create(Caller caller, NewDataset dataset);

    [Alias("Get")]
    Task<DatasetSnapshot> Get(Caller caller);

    [Alias("Update")]
    Task<DatasetSnapshot> Update(Caller caller, DatasetPatch patch);

    /// <summary>
    /// Applies an object's change to the counters and drives draft → ingesting (first approval) and ingesting → active
    /// (first searchable object). A change already applied (same object and sequence or older) is ignored.
    /// </summary>
    [Alias("ApplyObjectChange")]
    Task<DatasetCounters> ApplyObjectChange(ObjectChange change);

    /// <summary>Live → pending_deletion, and starts the deletion job (asking again returns the same job).</summary>
    [Alias("Delete")]
    Task<Ipto.Jobs.JobSnapshot> Delete(Caller caller);

    /// <summary>
    /// System transitions driven by the object pipeline (draft → ingesting on the first approval, ingesting → active
    /// when the first object is searchable); internal, never reachable from the tenant API.
    /// </summary>
    [Alias("Advance")]
    Task<DatasetSnapshot> Advance(string toStatus);

    /// <summary>Platform admins only: any live state → suspended.</summary>
    [Alias("Suspend")]
    Task<DatasetSnapshot> Suspend(Caller caller);

    /// <summary>Platform admins only: back to the state the dataset had before suspension.</summary>
    [Alias("Unsuspend")]
    Task<DatasetSnapshot> Unsuspend(Caller caller);

    /// <summary>Lets another tenant search a <c>restricted</c> dataset; granting twice is a no-op.</summary>
    [Alias("AddGrant")]
    Task<DatasetGrant> AddGrant(Caller caller, string tenantId);

    [Alias("RemoveGrant")]
    Task<DatasetGrant> RemoveGrant(Caller caller, string tenantId);

    [Alias("ListGrants")]
    Task<IReadOnlyList<DatasetGrant>> ListGrants(Caller caller);

    /// <summary>
    /// The dataset's search profile when <paramref name="caller"/> may search it now (active; own, listed, or restricted
    /// with a grant), else null; counts one query toward the demand curve.
    /// </summary>
    [Alias("OpenForSearch")]
    Task<DatasetSearchProfile?> OpenForSearch(Caller caller);

    /// <summary>
    /// What a buyer pays here now (prices, monetization mode, the owner) and whether <paramref name="buyer"/> may use the
    /// dataset now (as for search, its key's allow-list included); null when there is no dataset. Counts no demand.
    /// </summary>
    [Alias("GetTerms")]
    Task<DatasetTerms?> GetTerms(Caller buyer);
}
