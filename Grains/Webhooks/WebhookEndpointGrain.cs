using System.Globalization;
using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Outbox;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Tenants;
using Ipto.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// One webhook endpoint. Its settings and secrets are grain state; its deliveries are rows the dispatcher made from
/// the outbox. Delivery runs in a grain timer that interleaves with calls (an attempt may wait 10 s for the receiver),
/// one attempt at a time in event order; a failed delivery waits for its next time in the retry schedule, which is
/// stored with the delivery, so a restart or another silo picks it up (the dispatcher pokes endpoints with due rows).
/// </summary>
public sealed class WebhookEndpointGrain(
    [PersistentState("webhook", StorageNames.Default)] IPersistentState<WebhookEndpointState> state,
    WebhookStore store,
    WebhookUrlPolicy urls,
    WebhookSender sender,
    KeysetPager pager,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<WebhookEndpointGrain> logger) : Grain, IWebhookEndpointGrain
{
    /// <summary>SPEC §13: an endpoint whose last 5 events all failed every attempt is disabled.</summary>
    public const int DisableAfterFailedDeliveries = 5;

    public static readonly TimeSpan PreviousSecretLifetime = TimeSpan.FromHours(24);

    /// <summary>How soon delivery tries again after the database failed it.</summary>
    private static readonly TimeSpan StoreRetry = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _writes = new(1, 1);
    private IGrainTimer? _timer;
    private bool _delivering;
    private bool _pokedWhileDelivering;

    private string WebhookId => this.GetPrimaryKeyString();

    private bool Deliverable => state.RecordExists && !state.State.Deleted && state.State.Status == WebhookStatuses.Enabled;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) return;
        await Projection.CatchUpAsync(this, () => store.UpsertEndpointAsync(WebhookId, state.State), logger, "webhook endpoint", WebhookId);
        DeliverSoon(TimeSpan.Zero);
    }

    public async Task<WebhookEndpointView> Create(string tenantId, NewWebhook webhook, string secret)
    {
        if (state.RecordExists)
        {
            if (state.State.TenantId != tenantId || state.State.Secret != secret) throw new IptoException(ErrorCodes.Conflict, "This webhook id is taken.");
            await ProjectAsync(); // a retry of a create whose projection failed answers only once the row is there
            return View();
        }

        var now = time.GetUtcNow();
        state.State = new WebhookEndpointState
        {
            TenantId = tenantId, Url = webhook.Url, EventTypes = webhook.EventTypes.Distinct().ToList(), Description = webhook.Description,
            Secret = secret, CreatedAt = now, UpdatedAt = now,
        };
        await SaveAsync();
        return View();
    }

    public async Task<WebhookEndpointView> Get(Caller caller)
    {
        await EnsureManagerAsync(caller);
        return View();
    }

    public async Task<WebhookEndpointView> Update(Caller caller, WebhookPatch patch)
    {
        await EnsureManagerAsync(caller);
        if (patch.Url is not null) await urls.EnsureAllowedAsync(patch.Url);
        var endpoint = state.State;
        endpoint.Url = patch.Url ?? endpoint.Url;
        endpoint.EventTypes = patch.EventTypes?.Distinct().ToList() ?? endpoint.EventTypes;
        endpoint.Description = patch.Description ?? endpoint.Description;
        endpoint.Status = patch.Status ?? endpoint.Status;
        endpoint.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        DeliverSoon(TimeSpan.Zero);
        return View();
    }

    public async Task Delete(Caller caller)
    {
        await EnsureManagerAsync(caller);
        state.State.Deleted = true;
        state.State.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        _timer?.Dispose();
        _timer = null;
    }

    public async Task<RotatedWebhookSecret> RotateSecret(Caller caller, CreationSeed? seed = null)
    {
        await EnsureManagerAsync(caller);
        var secret = WebhookSignature.FormatSecret(new CreationValues(seed).NewKey("webhook-secret"));
        if (secret == state.State.Secret) return new RotatedWebhookSecret(WebhookId, secret); // the retry of this rotation
        var now = time.GetUtcNow();
        state.State.PreviousSecret = state.State.Secret;
        state.State.PreviousSecretExpiresAt = now + PreviousSecretLifetime;
        state.State.Secret = secret;
        state.State.UpdatedAt = now;
        await SaveAsync();
        return new RotatedWebhookSecret(WebhookId, secret);
    }

    public async Task<string> SendTest(Caller caller, CreationSeed? seed = null)
    {
        await EnsureManagerAsync(caller);
        var now = time.GetUtcNow();
        var eventId = new CreationValues(seed).NewId(IdPrefixes.Event);
        var data = JsonSerializer.Serialize(new WebhookTestData(WebhookId, "This is a test event from IPTO."), EventJson.Default.WebhookTestData);
        await store.QueueTestAsync(WebhookId, new OutboxEvent(eventId, WebhookEventTypes.Test, state.State.TenantId, WebhookId, now, data), now);
        DeliverSoon(TimeSpan.Zero);
        return eventId;
    }

    public async Task<Page<WebhookAttemptView>> ListAttempts(Caller caller, PageRequest page)
    {
        await EnsureManagerAsync(caller);
        var rows = await pager.PageAsync(page, "webhook-attempts:" + WebhookId,
            (after, take) => store.ListAttemptsAsync(WebhookId, after is null ? null : long.Parse(after, CultureInfo.InvariantCulture), take),
            row => row.Seq.ToString(CultureInfo.InvariantCulture));
        return rows.Map(row => row.Attempt);
    }

    public async Task Redeliver(Caller caller, string deliveryId)
    {
        await EnsureManagerAsync(caller);
        if (!Ids.IsValid(deliveryId, IdPrefixes.WebhookDelivery) || !await store.RedeliverAsync(WebhookId, deliveryId, time.GetUtcNow()))
            throw IptoException.NotFound("Delivery");
        DeliverSoon(TimeSpan.Zero);
    }

    public Task Poke()
    {
        DeliverSoon(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    private void DeliverSoon(TimeSpan due)
    {
        if (!Deliverable) return;
        if (_delivering)
        {
            _pokedWhileDelivering = true;
            return;
        }

        if (due < TimeSpan.Zero) due = TimeSpan.Zero;
        if (_timer is null)
            _timer = this.RegisterGrainTimer(DeliverDueAsync,
                new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        else
            _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        if (_delivering) return;
        _delivering = true;
        TimeSpan? next;
        try
        {
            do
            {
                _pokedWhileDelivering = false;
                next = await DeliverUntilNoneDueAsync();
            } while (_pokedWhileDelivering);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Delivering to webhook endpoint {WebhookId} failed; trying again in {Delay}", WebhookId, StoreRetry);
            next = StoreRetry;
        }
        finally
        {
            _delivering = false;
        }

        if (next is { } wait) DeliverSoon(wait);
    }

    /// <summary>Attempts every due delivery in event order; answers how long until the next pending one is due (null: none).</summary>
    private async Task<TimeSpan?> DeliverUntilNoneDueAsync()
    {
        while (Deliverable)
        {
            var due = await store.NextDueAsync(WebhookId, time.GetUtcNow());
            if (due is null) break;
            await AttemptAsync(due);
        }

        if (!Deliverable) return null;
        return await store.NextAttemptAtAsync(WebhookId) is { } at ? at - time.GetUtcNow() : null;
    }

    private async Task AttemptAsync(DueDelivery delivery)
    {
        var attemptedAt = time.GetUtcNow();
        var attempt = delivery.Attempts + 1;
        var result = await sender.SendAsync(state.State.Url, delivery, state.State.SigningSecrets(attemptedAt));
        var retries = options.Value.Webhooks.Retries();
        var retryIndex = attempt - delivery.ScheduleStart - 1;
        DateTimeOffset? nextAt = !result.Succeeded && retryIndex < retries.Count ? time.GetUtcNow() + retries[retryIndex] : null;
        var status = result.Succeeded ? WebhookDeliveryStatuses.Succeeded : nextAt is null ? WebhookDeliveryStatuses.Failed : WebhookDeliveryStatuses.Pending;
        await store.RecordAttemptAsync(WebhookId, delivery, attempt, result, attemptedAt, status, nextAt);
        if (!result.Succeeded)
            logger.LogInformation("Webhook {WebhookId} attempt {Attempt} of {DeliveryId} failed: {Error}", WebhookId, attempt, delivery.DeliveryId, result.Error);
        if (status == WebhookDeliveryStatuses.Failed && await store.LastDeliveriesAllFailedAsync(WebhookId, DisableAfterFailedDeliveries))
        {
            logger.LogWarning("Webhook endpoint {WebhookId} is disabled: its last {Count} deliveries failed every attempt", WebhookId, DisableAfterFailedDeliveries);
            state.State.Status = WebhookStatuses.Disabled;
            state.State.UpdatedAt = time.GetUtcNow();
            await SaveAsync();
        }
    }

    private async Task EnsureManagerAsync(Caller caller)
    {
        if (!state.RecordExists || state.State.Deleted || !caller.Owns(state.State.TenantId)) throw IptoException.NotFound("Webhook endpoint");
        Access.RequireSession(caller);
        await GrainFactory.GetGrain<ITenantGrain>(state.State.TenantId).RequireManager(caller, "manage its webhooks");
    }

    /// <summary>Saves the state and its read-model row; serialized because delivery interleaves with calls.</summary>
    private async Task SaveAsync()
    {
        await _writes.WaitAsync();
        try
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }
        finally
        {
            _writes.Release();
        }

        await ProjectAsync();
    }

    private Task ProjectAsync() =>
        Projection.WriteAsync(this, () => store.UpsertEndpointAsync(WebhookId, state.State), logger, "webhook endpoint", WebhookId);

    private WebhookEndpointView View() => WebhookStore.View(WebhookId, state.State);
}
