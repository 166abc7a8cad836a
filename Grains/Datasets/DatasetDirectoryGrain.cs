using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Orleans.Concurrency;

namespace Ipto.Grains.Datasets;

[StatelessWorker]
public sealed class DatasetDirectoryGrain(DatasetProjection datasets, CatalogReader catalog, KeysetPager pager) : Grain, IDatasetDirectoryGrain
{
    public Task<DatasetSnapshot> Create(Caller caller, NewDataset dataset, CreationSeed? seed = null) =>
        GrainFactory.GetGrain<IDatasetGrain>(new CreationValues(seed).NewId(IdPrefixes.Dataset)).Create(caller, dataset);

    public Task<Page<DatasetSnapshot>> List(Caller caller, DatasetListFilter filter, PageRequest page)
    {
        Filter.OneOf("status", filter.Status, DatasetStatuses.All);
        Filter.OneOf("visibility", filter.Visibility, DatasetVocabulary.Visibilities);
        return pager.PageAsync(page, $"datasets:{caller.TenantId}:{filter.Status}:{filter.Visibility}",
            (after, take) => datasets.ListAsync(caller.TenantId, filter.Status, filter.Visibility, after, take), d => d.DatasetId);
    }

    public Task<Page<CatalogEntry>> Catalog(Caller caller, CatalogQuery query, PageRequest page)
    {
        Filter.OneOf("source_modality", query.SourceModality, DatasetVocabulary.Modalities);
        Filter.OneOf("monetization_mode", query.MonetizationMode, DatasetVocabulary.MonetizationModes);
        Filter.OneOf("pricing_model", query.PricingModel, DatasetVocabulary.PricingModels);
        Filter.MaxLength("q", query.Text, CatalogQuery.MaxTextLength);
        var words = (query.Text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct().Take(CatalogQuery.MaxWords).ToArray();
        return pager.PageAsync(page, $"catalog:{caller.TenantId}:{string.Join(' ', words)}:{query.SourceModality}:{query.MonetizationMode}:{query.PricingModel}",
            (after, take) => catalog.ListAsync(caller.TenantId, words, query, after, take), e => e.DatasetId);
    }
}
