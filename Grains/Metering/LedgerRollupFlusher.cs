using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Metering;

/// <summary>
/// Keeps the ledger's rollups close to the ledger: every <see cref="Interval"/> it flushes until caught up. Reads are
/// exact without it (they add the events after the watermark); it only keeps that tail short. Every silo runs one;
/// flushes serialize on the watermark, so a second one finds nothing to do.
/// </summary>
public sealed class LedgerRollupFlusher(LedgerRollups rollups, ILogger<LedgerRollupFlusher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    while (await rollups.FlushAsync(stoppingToken)) { }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Flushing the ledger rollups failed; the next tick tries again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
