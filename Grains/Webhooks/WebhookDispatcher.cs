using Ipto.Webhooks;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// Drains the outbox into webhook deliveries while the silo is active: every <see cref="DispatchPeriod"/> it matches
/// undispatched events to endpoints (one transaction per batch, rows locked with SKIP LOCKED on PostgreSQL so silos
/// share the work) and pokes the endpoints that got deliveries; every <see cref="DuePeriod"/> it also pokes endpoints
/// whose retries are due, which is what resumes deliveries after a silo died or an endpoint grain was deactivated.
/// Every silo runs one.
/// </summary>
public sealed class WebhookDispatcher(WebhookStore store, IGrainFactory grains, TimeProvider time, ILogger<WebhookDispatcher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan DispatchPeriod = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DuePeriod = TimeSpan.FromSeconds(2);
    private const int Batch = 200;

    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WebhookDispatcher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(DispatchPeriod, time);
        var lastDueScan = DateTimeOffset.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await DispatchAsync();
                    if (time.GetUtcNow() - lastDueScan >= DuePeriod)
                    {
                        lastDueScan = time.GetUtcNow();
                        foreach (var webhookId in await store.EndpointsWithDueDeliveriesAsync(lastDueScan, Batch)) await PokeAsync(webhookId);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Dispatching webhook events failed; the next tick tries again");
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Dispatches until the outbox has no undispatched event left.</summary>
    public async Task DispatchAsync()
    {
        bool full;
        do
        {
            (var endpoints, full) = await store.DispatchAsync(time.GetUtcNow(), Batch);
            foreach (var webhookId in endpoints) await PokeAsync(webhookId);
        } while (full);
    }

    private Task PokeAsync(string webhookId) => grains.GetGrain<IWebhookEndpointGrain>(webhookId).Poke();
}
