using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Webhooks;

/// <summary>
/// Creates and lists a tenant's webhook endpoints (SPEC §13). Only owner and admin sessions: an API key gets 403, a
/// member without either role 403.
/// </summary>
[Alias("Ipto.IWebhookDirectoryGrain")]
public interface IWebhookDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Checks the URL (https, a host that resolves to public addresses only) and the event types (422 naming the
    /// field), then creates the endpoint; under an Idempotency-Key a retry returns the same endpoint and secret.
    /// </summary>
    [Alias("Create")]
    Task<CreatedWebhook> Create(Caller caller, NewWebhook webhook, CreationSeed? seed = null);

    /// <summary>The tenant's endpoints, newest first, in keyset pages; deleted ones are gone.</summary>
    [Alias("List")]
    Task<Page<WebhookEndpointView>> List(Caller caller, PageRequest page);
}

/// <summary>
/// One webhook endpoint, keyed by its id: its settings and signing secrets, and the delivery of its events — one
/// attempt at a time in event order, retried on the durable schedule, disabled after persistent failure. Another
/// tenant's caller, or any caller of a deleted endpoint, gets not_found.
/// </summary>
[Alias("Ipto.IWebhookEndpointGrain")]
public interface IWebhookEndpointGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<WebhookEndpointView> Create(string tenantId, NewWebhook webhook, string secret);

    [Alias("Get")]
    Task<WebhookEndpointView> Get(Caller caller);

    [Alias("Update")]
    Task<WebhookEndpointView> Update(Caller caller, WebhookPatch patch);

    /// <summary>Deletes the endpoint: nothing more is delivered to it and its pending deliveries end.</summary>
    [Alias("Delete")]
    Task Delete(Caller caller);

    /// <summary>A new secret; the old one keeps signing (as a second signature) for 24 hours.</summary>
    [Alias("RotateSecret")]
    Task<RotatedWebhookSecret> RotateSecret(Caller caller, CreationSeed? seed = null);

    /// <summary>Queues a <c>webhook.test</c> event for this endpoint only, whatever its filter; answers its event id.</summary>
    [Alias("SendTest")]
    Task<string> SendTest(Caller caller, CreationSeed? seed = null);

    /// <summary>Every attempt to deliver to this endpoint, newest first.</summary>
    [Alias("ListAttempts")]
    Task<Page<WebhookAttemptView>> ListAttempts(Caller caller, PageRequest page);

    /// <summary>Delivers the event of a delivery again, with its retry schedule from the start.</summary>
    [Alias("Redeliver")]
    Task Redeliver(Caller caller, string deliveryId);

    /// <summary>New or due deliveries are waiting: attempt them (called by the dispatcher; returns at once).</summary>
    [Alias("Poke"), Orleans.Concurrency.OneWay]
    Task Poke();
}

public static class WebhookEndpointGrains
{
    /// <summary>The grain of endpoint <paramref name="webhookId"/>; a string that is not a webhook id is not_found (no grain is activated for it).</summary>
    public static IWebhookEndpointGrain Of(IGrainFactory grains, string webhookId) => Ids.IsValid(webhookId, IdPrefixes.Webhook)
        ? grains.GetGrain<IWebhookEndpointGrain>(webhookId)
        : throw IptoException.NotFound("Webhook endpoint");
}
