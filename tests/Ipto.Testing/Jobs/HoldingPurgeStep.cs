using System.Collections.Concurrent;
using Ipto.Grains.Datasets;

namespace Ipto.Testing.Jobs;

/// <summary>A purge step a test can hold per dataset (to stop a deletion midway) and count runs of.</summary>
public sealed class HoldingPurgeStep : IDatasetPurgeStep
{
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Hold = new();
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    public string Name => "test-hold";

    public async Task<long> PurgeAsync(string datasetId, CancellationToken cancellationToken)
    {
        Runs.AddOrUpdate(datasetId, 1, (_, n) => n + 1);
        if (Hold.TryGetValue(datasetId, out var release)) await release.Task.WaitAsync(cancellationToken);
        return 0;
    }
}
