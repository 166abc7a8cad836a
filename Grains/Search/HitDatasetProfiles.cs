using Ipto.Datasets;
using Ipto.Common;

namespace Ipto.Grains.Search;

/// <summary>
/// The pricing profiles of the datasets a search serves from, asked of each dataset grain once per search (the grain
/// also re-checks status and visibility, and counts the query toward its demand). A dataset whose grain refuses, or
/// whose modality the request filters out, has no profile: its hits are skipped.
/// </summary>
internal sealed class HitDatasetProfiles(IGrainFactory grains, Caller caller, IReadOnlyList<string>? sourceModalities)
{
    private readonly Dictionary<string, DatasetSearchProfile?> _profiles = new(StringComparer.Ordinal);

    public bool Knows(string datasetId) => _profiles.ContainsKey(datasetId);

    public DatasetSearchProfile? Find(string datasetId) => _profiles.GetValueOrDefault(datasetId);

    /// <summary>Whether the dataset's grain accepted the caller (whatever the modality filter says).</summary>
    public bool WasOpened(string datasetId) => _opened.Contains(datasetId);

    private readonly HashSet<string> _opened = new(StringComparer.Ordinal);

    public async Task OpenAsync(IEnumerable<string> datasetIds)
    {
        var ids = datasetIds.Where(id => !_profiles.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        var profiles = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDatasetGrain>(id).OpenForSearch(caller)));
        for (var i = 0; i < ids.Length; i++)
        {
            if (profiles[i] is not null) _opened.Add(ids[i]);
            _profiles[ids[i]] = profiles[i] is { } open
                                && (sourceModalities is not { Count: > 0 } modalities || modalities.Contains(open.SourceModality))
                ? open
                : null;
        }
    }
}
