using Ipto.Common;
using Ipto.Idempotency;
using Ipto.Jobs;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Hosting;

/// <summary>
/// Makes sure every sweeper's reminder exists when a silo becomes active. Every silo does it (the sweeper grain
/// registers once); if the reminder table cannot be reached yet, it keeps trying in the background.
/// </summary>
public sealed class SweeperBootstrap(IGrainFactory grains, TimeProvider time, ILogger<SweeperBootstrap> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private Task _retrying = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SweeperBootstrap), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TryScheduleAsync()) _retrying = RetryAsync(_stopping.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _retrying;
    }

    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RetryPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && !await TryScheduleAsync())
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }

    private async Task<bool> TryScheduleAsync()
    {
        ISweeperGrain[] sweepers = [grains.GetGrain<IIdempotencySweeperGrain>(0), grains.GetGrain<IJobSweeperGrain>(0)];
        try
        {
            await Task.WhenAll(sweepers.Select(s => s.EnsureScheduled()));
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not schedule the sweepers' reminders; trying again in {Period}", RetryPeriod);
            return false;
        }
    }
}
