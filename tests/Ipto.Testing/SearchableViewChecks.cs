using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Datasets;
using Ipto.Grains.Search;
using Ipto.Grains.Storage;
using Ipto.Search;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Ipto.Testing;

/// <summary>
/// The searchable-dataset view against a real database (SQLite in the grain tests, PostgreSQL in the integration
/// tests): one silo writes dataset changes, another silo's view sees each within its refresh period, or at once when
/// a query asks for a newer version.
/// </summary>
public static class SearchableViewChecks
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public static async Task AnotherSilosViewSeesEveryChangeWithinItsRefreshPeriodAsync(AppDatabase database)
    {
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var writerView = new SearchableDatasets(database, TimeProvider.System);
        var writer = new DatasetProjection(database, writerView);
        var clock = new FakeTimeProvider(At);
        var reader = new SearchableDatasets(database, clock);
        var (owner, buyer) = (Ids.New(IdPrefixes.Tenant), Ids.New(IdPrefixes.Tenant));
        var datasetId = Ids.New(IdPrefixes.Dataset);
        var version = 0L;
        Task WriteAsync(string status, string visibility, IReadOnlyDictionary<string, DateTimeOffset>? grants = null, string name = "Ledgers") =>
            writer.UpsertAsync(new DatasetSnapshot(datasetId, owner, name, null, "document", "open", "fixed", DatasetPricing.Default, visibility, status, [],
                DatasetCounters.Zero, At, At), ++version, "Provider", grants ?? new Dictionary<string, DateTimeOffset>(), []);

        await WriteAsync(DatasetStatuses.Active, "restricted");
        var first = await reader.CurrentAsync();
        Assert.True(first.MayUse(owner, datasetId));
        Assert.False(first.MayUse(buyer, datasetId));

        // A grant: cached until the period has passed, then seen.
        await WriteAsync(DatasetStatuses.Active, "restricted", new Dictionary<string, DateTimeOffset> { [buyer] = At });
        Assert.False((await reader.CurrentAsync()).MayUse(buyer, datasetId));
        clock.Advance(SearchableDatasets.RefreshPeriod);
        var granted = await reader.CurrentAsync();
        Assert.True(granted.MayUse(buyer, datasetId));
        Assert.True(granted.Version > first.Version);

        // A rename is no search change: the version stays.
        await WriteAsync(DatasetStatuses.Active, "restricted", new Dictionary<string, DateTimeOffset> { [buyer] = At }, name: "Ledgers 2");
        clock.Advance(SearchableDatasets.RefreshPeriod);
        Assert.Equal(granted.Version, (await reader.CurrentAsync()).Version);

        // A pause, asked for by version (a query from a silo that already saw it): no waiting for the period.
        await WriteAsync(DatasetStatuses.Paused, "restricted", new Dictionary<string, DateTimeOffset> { [buyer] = At });
        var seen = await writerView.CurrentAsync();
        Assert.False(seen.MayUse(owner, datasetId));
        var paused = await reader.CurrentAsync(seen.Version);
        Assert.False(paused.Active.ContainsKey(datasetId));
        Assert.Equal(seen.Version, paused.Version);

        // Active again and listed: anyone may use it, but a scope narrows it (own excluded, other ids, modalities).
        await WriteAsync(DatasetStatuses.Active, "listed");
        clock.Advance(SearchableDatasets.RefreshPeriod);
        var listed = await reader.CurrentAsync();
        var stranger = Ids.New(IdPrefixes.Tenant);
        Assert.True(listed.Allows(new DatasetScope(stranger, null, true, null, listed.Version), datasetId));
        Assert.False(listed.Allows(new DatasetScope(owner, null, false, null, listed.Version), datasetId));
        Assert.False(listed.Allows(new DatasetScope(stranger, [Ids.New(IdPrefixes.Dataset)], true, null, listed.Version), datasetId));
        Assert.False(listed.Allows(new DatasetScope(stranger, null, true, ["image"], listed.Version), datasetId));
        Assert.True(listed.Allows(new DatasetScope(stranger, [datasetId], true, ["document"], listed.Version), datasetId));

        await WriteAsync(DatasetStatuses.PendingDeletion, "listed");
        clock.Advance(SearchableDatasets.RefreshPeriod);
        Assert.False((await reader.CurrentAsync()).MayUse(stranger, datasetId));
    }
}
