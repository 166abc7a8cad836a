using Ipto.Diagnostics;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Ipto.Grains.Diagnostics;

[StatelessWorker]
public sealed class DependencyProbeGrain(AppDatabase database, IObjectStore objectStore, ILogger<DependencyProbeGrain> logger) : Grain, IDependencyProbeGrain
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public async Task<DependencyHealth> Check()
    {
        var db = ProbeAsync("database", database.PingAsync);
        var store = ProbeAsync("object_store", objectStore.PingAsync);
        return new DependencyHealth(await db, await store);
    }

    private async Task<bool> ProbeAsync(string name, Func<CancellationToken, Task<bool>> probe)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            return await probe(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning("Readiness probe {Check} failed: {Reason}", name, e.GetType().Name);
            return false;
        }
    }
}
