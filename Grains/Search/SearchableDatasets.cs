using System.Collections.Frozen;
using Ipto.Datasets;
using Ipto.Grains.Storage;
using Ipto.Search;

namespace Ipto.Grains.Search;

/// <summary>What search needs to know of an active dataset: whose it is and who else may use it.</summary>
public sealed record SearchableDataset(string TenantId, string Visibility, string SourceModality, FrozenSet<string> Grantees)
{
    public bool MayBeUsedBy(string tenantId) =>
        TenantId == tenantId || Visibility == "listed" || (Visibility == "restricted" && Grantees.Contains(tenantId));
}

/// <summary>One version of the searchable-dataset view: the active datasets of the platform, immutable.</summary>
public sealed class SearchableDatasetView(long version, FrozenDictionary<string, SearchableDataset> active)
{
    public static readonly SearchableDatasetView Empty = new(-1, FrozenDictionary<string, SearchableDataset>.Empty);

    /// <summary>The highest <c>search_seq</c> applied: views are comparable across silos.</summary>
    public long Version { get; } = version;

    public FrozenDictionary<string, SearchableDataset> Active { get; } = active;

    /// <summary>Active, and the tenant's own, listed, or restricted with a grant to it.</summary>
    public bool MayUse(string tenantId, string datasetId) => Active.TryGetValue(datasetId, out var dataset) && dataset.MayBeUsedBy(tenantId);

    /// <summary>Whether a document of <paramref name="datasetId"/> may match a query of <paramref name="scope"/>.</summary>
    public bool Allows(DatasetScope scope, string datasetId)
    {
        if (!Active.TryGetValue(datasetId, out var dataset) || !dataset.MayBeUsedBy(scope.TenantId)) return false;
        if (!scope.IncludeOwn && dataset.TenantId == scope.TenantId) return false;
        if (scope.DatasetIds is { } ids && !ids.Contains(datasetId)) return false;
        return scope.SourceModalities is not { Count: > 0 } modalities || modalities.Contains(dataset.SourceModality);
    }
}

/// <summary>
/// This silo's cached searchable-dataset view, read from the <c>datasets</c> read model: the first use loads every row,
/// later uses apply the rows whose <c>search_seq</c> is above the view's version (usually none). A view older than
/// <see cref="RefreshPeriod"/> is refreshed before it is used, so a pause, grant or deletion committed anywhere is seen
/// by every silo within that period; this silo's own dataset writes mark it stale at once. One refresh runs at a time
/// and concurrent callers share it.
/// </summary>
public sealed class SearchableDatasets(AppDatabase database, TimeProvider time)
{
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private SearchableDatasetView _view = SearchableDatasetView.Empty;
    private long _refreshedAt = long.MinValue;
    private volatile bool _stale = true;

    /// <summary>A dataset's search columns changed in this process: the next use reads the change.</summary>
    public void MarkStale() => _stale = true;

    /// <summary>The current view, refreshed first when stale or older than <paramref name="atLeast"/> (another silo saw newer).</summary>
    public async ValueTask<SearchableDatasetView> CurrentAsync(long atLeast = -1)
    {
        var view = _view;
        if (!_stale && view.Version >= atLeast && time.GetElapsedTime(Volatile.Read(ref _refreshedAt)) < RefreshPeriod) return view;
        await _refresh.WaitAsync();
        try
        {
            view = _view;
            if (!_stale && view.Version >= atLeast && time.GetElapsedTime(Volatile.Read(ref _refreshedAt)) < RefreshPeriod) return view;
            var started = time.GetTimestamp();
            _stale = false;
            view = await ApplyChangesAsync(view);
            _view = view;
            Volatile.Write(ref _refreshedAt, started);
            return view;
        }
        catch
        {
            _stale = true;
            throw;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<SearchableDatasetView> ApplyChangesAsync(SearchableDatasetView view)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("""
            SELECT dataset_id, tenant_id, status, visibility, source_modality, grantees, search_seq
            FROM datasets WHERE search_seq > @known ORDER BY search_seq
            """).With("@known", view.Version);
        await using var reader = await command.ExecuteReaderAsync();
        Dictionary<string, SearchableDataset>? changed = null;
        var version = view.Version;
        while (await reader.ReadAsync())
        {
            changed ??= new Dictionary<string, SearchableDataset>(view.Active, StringComparer.Ordinal);
            var datasetId = reader.GetString(0);
            if (reader.GetString(2) == DatasetStatuses.Active)
            {
                var grantees = reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
                changed[datasetId] = new SearchableDataset(reader.GetString(1), reader.GetString(3), reader.GetString(4), grantees);
            }
            else
            {
                changed.Remove(datasetId);
            }

            version = Math.Max(version, reader.GetInt64(6));
        }

        return changed is null ? view : new SearchableDatasetView(version, changed.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
