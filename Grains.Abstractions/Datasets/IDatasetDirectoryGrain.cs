using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Datasets;

/// <summary>Filters of a tenant's own dataset list; null: any.</summary>
[GenerateSerializer, Alias("Ipto.DatasetListFilter")]
public sealed record DatasetListFilter([property: Id(0)] string? Status, [property: Id(1)] string? Visibility);

/// <summary>Filters of the catalog: free text (every word must match name, description or tags) and the vocabularies; null: any.</summary>
[GenerateSerializer, Alias("Ipto.CatalogQuery")]
public sealed record CatalogQuery(
    [property: Id(0)] string? Text,
    [property: Id(1)] string? SourceModality,
    [property: Id(2)] string? MonetizationMode,
    [property: Id(3)] string? PricingModel)
{
    public const int MaxTextLength = 2000;
    public const int MaxWords = 20;
}

/// <summary>
/// Datasets as a collection (SPEC §4): creating one (its id minted here, derived from an Idempotency-Key's seed when
/// there is one), a tenant's own list and the catalog of every tenant's listed and restricted datasets. Stateless:
/// any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IDatasetDirectoryGrain")]
public interface IDatasetDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Create")]
    Task<DatasetSnapshot> Create(Caller caller, NewDataset dataset, CreationSeed? seed = null);

    /// <summary>The caller's tenant's datasets, newest first; 400 for an unknown filter value or a foreign cursor.</summary>
    [Alias("List")]
    Task<Page<DatasetSnapshot>> List(Caller caller, DatasetListFilter filter, PageRequest page);

    /// <summary>Active listed and restricted datasets of every tenant, public fields only, with <c>has_access</c> for the caller's tenant.</summary>
    [Alias("Catalog")]
    Task<Page<CatalogEntry>> Catalog(Caller caller, CatalogQuery query, PageRequest page);
}
