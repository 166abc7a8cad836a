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
}
