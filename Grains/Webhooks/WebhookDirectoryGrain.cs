using Ipto.Common;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Tenants;
using Ipto.Webhooks;
using Orleans.Concurrency;

namespace Ipto.Grains.Webhooks;

/// <summary>New endpoints (id and secret drawn here, derived from the Idempotency-Key when there is one) and the tenant's list.</summary>
[StatelessWorker]
public sealed class WebhookDirectoryGrain(WebhookStore store, WebhookUrlPolicy urls, KeysetPager pager) : Grain, IWebhookDirectoryGrain
{
    /// <summary>Secrets carry 32 random bytes (SPEC §13: at least 24).</summary>
    private const int SecretBytes = 32;

    public async Task<CreatedWebhook> Create(Caller caller, NewWebhook webhook, CreationSeed? seed = null)
    {
        await EnsureManagerAsync(caller);
        await urls.EnsureAllowedAsync(webhook.Url);
        var values = new CreationValues(seed);
        var webhookId = values.NewId(IdPrefixes.Webhook);
        var secret = WebhookSignature.FormatSecret(values.NewKey("webhook-secret", SecretBytes));
        var created = await GrainFactory.GetGrain<IWebhookEndpointGrain>(webhookId).Create(caller.TenantId, webhook, secret);
        return new CreatedWebhook(created, secret);
    }

    public async Task<Page<WebhookEndpointView>> List(Caller caller, PageRequest page)
    {
        await EnsureManagerAsync(caller);
        return await pager.PageAsync(page, "webhooks:" + caller.TenantId, (after, take) => store.ListEndpointsAsync(caller.TenantId, after, take),
            w => w.WebhookId);
    }

    private async Task EnsureManagerAsync(Caller caller)
    {
        Access.RequireSession(caller);
        await GrainFactory.GetGrain<ITenantGrain>(caller.TenantId).RequireManager(caller, "manage its webhooks");
    }
}
