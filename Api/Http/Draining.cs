namespace Ipto.Api.Http;

/// <summary>
/// Graceful stop: when the host begins to stop (SIGTERM), readiness turns 503 at once and the stop waits
/// <paramref name="drainPeriod"/> (<c>Ipto:Api:DrainPeriod</c>) before the listener and the silo shut down, so requests still routed here
/// are served while a load balancer takes the node out.
/// </summary>
public sealed class Draining(TimeSpan drainPeriod, ILogger<Draining> logger) : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        logger.LogInformation("Stopping: readiness answers 503 for {DrainPeriod} before the listener closes", drainPeriod);
        try
        {
            await Task.Delay(drainPeriod, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ended the drain early.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
