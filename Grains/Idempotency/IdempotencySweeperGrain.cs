using System.Diagnostics;
using Ipto.Grains.Hosting;
using Ipto.Idempotency;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Idempotency;

/// <summary>Deletes expired idempotency records and the expired pages of idempotent searches, oldest first, a batch per statement.</summary>
public sealed class IdempotencySweeperGrain(
    IdempotencyStore store,
    Metering.SearchReplays replays,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<IdempotencySweeperGrain> logger) : SweeperGrain(options, logger), IIdempotencySweeperGrain
{
    private const int BatchSize = 1000;

    protected override TimeSpan Period => Options.Idempotency.SweepPeriod;

    protected override async Task<int> SweepAsync(Stopwatch elapsed)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        int batch;
        do
        {
            batch = await store.DeleteExpiredAsync(now, BatchSize);
            deleted += batch;
        }
        while (batch == BatchSize && elapsed.Elapsed < TickBudget);

        while (elapsed.Elapsed < TickBudget)
        {
            batch = await replays.DeleteExpiredAsync(now, BatchSize);
            deleted += batch;
            if (batch < BatchSize) break;
        }

        if (deleted > 0) logger.LogDebug("Deleted {Count} expired idempotency records and search pages", deleted);
        return deleted;
    }
}
