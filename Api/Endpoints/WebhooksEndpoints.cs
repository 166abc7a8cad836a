using Ipto.Api.Http;
using Ipto.Api.Http.Auth;
using Ipto.Api.Http.Idempotency;
using Ipto.Api.Http.OpenApi;
using Ipto.Common;
using Ipto.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Ipto.Api.Endpoints;

internal static class WebhookFields
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 500;
    public const int MaxEventTypes = 20;

    public static void EventTypes(ValidationErrors errors, IReadOnlyList<string>? eventTypes)
    {
        errors.NotEmpty("event_types", eventTypes, "must list at least one event type");
        errors.MaxItems("event_types", eventTypes, MaxEventTypes, $"must list at most {MaxEventTypes} event types");
        errors.EachOneOf("event_types", eventTypes, WebhookEventTypes.Subscribable, "is not a known event type");
    }
}

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("url", Url);
        errors.Length("url", Url, 1, WebhookFields.MaxUrlLength);
        errors.Required("event_types", EventTypes);
        WebhookFields.EventTypes(errors, EventTypes);
        if (Description is not null) errors.Length("description", Description, 0, WebhookFields.MaxDescriptionLength);
    }
}

public sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description, string? Status) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Url is not null) errors.Length("url", Url, 1, WebhookFields.MaxUrlLength);
        if (EventTypes is not null) WebhookFields.EventTypes(errors, EventTypes);
        if (Description is not null) errors.Length("description", Description, 0, WebhookFields.MaxDescriptionLength);
        errors.OneOf("status", Status, WebhookStatuses.Enabled, WebhookStatuses.Disabled);
    }
}

public sealed record WebhookResponse(string WebhookId, string Url, IReadOnlyList<string> EventTypes, string Status, string? Description, DateTimeOffset CreatedAt)
{
    public static WebhookResponse From(WebhookEndpointView w) => new(w.WebhookId, w.Url, w.EventTypes, w.Status, w.Description, w.CreatedAt);
}

public sealed record CreatedWebhookResponse(
    string WebhookId, string Url, IReadOnlyList<string> EventTypes, string Status, string Secret, string? Description, DateTimeOffset CreatedAt);

public sealed record DeletedWebhookResponse(string WebhookId, bool Deleted);

public sealed record WebhookSecretResponse(string WebhookId, string Secret);

public sealed record WebhookTestResponse(string WebhookId, string EventId, string EventType);

public sealed record RedeliveryResponse(string WebhookId, string DeliveryId, string Status);

public sealed record WebhookAttemptResponse(
    string DeliveryId, string EventId, string EventType, int Attempt, int? StatusCode, string? Error, long DurationMs, DateTimeOffset AttemptedAt,
    DateTimeOffset? NextAttemptAt)
{
    public static WebhookAttemptResponse From(WebhookAttemptView a) =>
        new(a.DeliveryId, a.EventId, a.EventType, a.Attempt, a.StatusCode, a.Error, a.DurationMs, a.AttemptedAt, a.NextAttemptAt);
}

/// <summary>Webhook endpoints (SPEC §11, §13): owner and admin sessions only; the endpoint grains hold the rules and deliver.</summary>
public static class WebhooksEndpoints
{
    public static RouteGroupBuilder MapWebhooksEndpoints(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/webhooks").WithTags("Webhooks").RequireSession();
        group.MapPost("", CreateAsync).WithIdempotency().WithName("CreateWebhook").Created()
            .WithSummary("Create a webhook endpoint")
            .WithDescription("Registers an `https` URL for event types (or `*`). The URL's host must resolve only to public addresses. The answer "
                + "holds the signing `secret` (`whsec_…`), shown only here. Deliveries are signed per Standard Webhooks.");
        group.MapGet("", ListAsync).WithName("ListWebhooks")
            .WithSummary("List webhook endpoints")
            .WithDescription("The tenant's endpoints, newest first, in keyset pages; secrets are never shown.");
        group.MapGet("/{webhook_id}", GetAsync).WithName("GetWebhook")
            .WithSummary("Get a webhook endpoint")
            .WithDescription("One endpoint with its filter and status (`disabled` after its last 5 events failed every attempt).");
        group.MapPatch("/{webhook_id}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Update a webhook endpoint")
            .WithDescription("Changes the URL, event types, description or status; fields left out stay as they are. Enabling resumes pending deliveries.");
        group.MapDelete("/{webhook_id}", DeleteAsync).WithName("DeleteWebhook")
            .WithSummary("Delete a webhook endpoint")
            .WithDescription("Deletes the endpoint; nothing more is delivered to it and it is 404 from then on.");
        group.MapPost("/{webhook_id}/rotate-secret", RotateSecretAsync).WithIdempotency().WithName("RotateWebhookSecret")
            .WithSummary("Rotate the signing secret")
            .WithDescription("Issues a new secret (shown only here). For 24 hours deliveries carry a second signature made with the old one.");
        group.MapPost("/{webhook_id}/test", TestAsync).WithIdempotency().WithName("TestWebhook").Accepted()
            .WithSummary("Send a test event")
            .WithDescription("Queues a `webhook.test` event for this endpoint only, whatever its filter.");
        group.MapGet("/{webhook_id}/deliveries", ListDeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("List delivery attempts")
            .WithDescription("Every attempt to deliver to this endpoint, newest first: the status code or error, duration and the next attempt's time.");
        group.MapPost("/{webhook_id}/deliveries/{delivery_id}/redeliver", RedeliverAsync).WithIdempotency().WithName("RedeliverWebhook").Accepted()
            .WithSummary("Redeliver an event")
            .WithDescription("Delivers a delivery's event again, with the same `webhook-id`, its retry schedule starting over.");
        return v1;
    }

    private static async Task<EnvelopeResult<CreatedWebhookResponse>> CreateAsync(JsonBody<CreateWebhookRequest> body, HttpContext http, IGrainFactory grains)
    {
        var request = body.Value;
        var created = await grains.GetGrain<IWebhookDirectoryGrain>(0).Create(http.Require(),
            new NewWebhook(request.Url!, request.EventTypes!, request.Description), http.CreationSeed());
        var w = created.Endpoint;
        return ApiResults.Created($"/v1/webhooks/{w.WebhookId}",
            new CreatedWebhookResponse(w.WebhookId, w.Url, w.EventTypes, w.Status, created.Secret, w.Description, w.CreatedAt));
    }

    private static async Task<EnvelopeResult<Page<WebhookResponse>>> ListAsync(HttpContext http, IGrainFactory grains, [FromQuery] string? limit,
        [FromQuery] string? cursor) =>
        ApiResults.Ok((await grains.GetGrain<IWebhookDirectoryGrain>(0).List(http.Require(), PageRequest.Parse(limit, cursor))).Map(WebhookResponse.From));

    private static async Task<EnvelopeResult<WebhookResponse>> GetAsync([FromRoute(Name = "webhook_id")] string webhookId, HttpContext http,
        IGrainFactory grains) =>
        ApiResults.Ok(WebhookResponse.From(await Endpoint(grains, webhookId).Get(http.Require())));

    private static async Task<EnvelopeResult<WebhookResponse>> UpdateAsync([FromRoute(Name = "webhook_id")] string webhookId,
        JsonBody<UpdateWebhookRequest> body, HttpContext http, IGrainFactory grains)
    {
        var request = body.Value;
        var patch = new WebhookPatch(request.Url, request.EventTypes, request.Description, request.Status);
        return ApiResults.Ok(WebhookResponse.From(await Endpoint(grains, webhookId).Update(http.Require(), patch)));
    }

    private static async Task<EnvelopeResult<DeletedWebhookResponse>> DeleteAsync([FromRoute(Name = "webhook_id")] string webhookId, HttpContext http,
        IGrainFactory grains)
    {
        await Endpoint(grains, webhookId).Delete(http.Require());
        return ApiResults.Ok(new DeletedWebhookResponse(webhookId, true));
    }

    private static async Task<EnvelopeResult<WebhookSecretResponse>> RotateSecretAsync([FromRoute(Name = "webhook_id")] string webhookId,
        HttpContext http, IGrainFactory grains)
    {
        var rotated = await Endpoint(grains, webhookId).RotateSecret(http.Require(), http.CreationSeed());
        return ApiResults.Ok(new WebhookSecretResponse(rotated.WebhookId, rotated.Secret));
    }

    private static async Task<EnvelopeResult<WebhookTestResponse>> TestAsync([FromRoute(Name = "webhook_id")] string webhookId, HttpContext http,
        IGrainFactory grains)
    {
        var eventId = await Endpoint(grains, webhookId).SendTest(http.Require(), http.CreationSeed());
        return ApiResults.Accepted(new WebhookTestResponse(webhookId, eventId, WebhookEventTypes.Test));
    }

    private static async Task<EnvelopeResult<Page<WebhookAttemptResponse>>> ListDeliveriesAsync([FromRoute(Name = "webhook_id")] string webhookId,
        HttpContext http, IGrainFactory grains, [FromQuery] string? limit, [FromQuery] string? cursor) =>
        ApiResults.Ok((await Endpoint(grains, webhookId).ListAttempts(http.Require(), PageRequest.Parse(limit, cursor))).Map(WebhookAttemptResponse.From));

    private static async Task<EnvelopeResult<RedeliveryResponse>> RedeliverAsync([FromRoute(Name = "webhook_id")] string webhookId,
        [FromRoute(Name = "delivery_id")] string deliveryId, HttpContext http, IGrainFactory grains)
    {
        await Endpoint(grains, webhookId).Redeliver(http.Require(), deliveryId);
        return ApiResults.Accepted(new RedeliveryResponse(webhookId, deliveryId, WebhookDeliveryStatuses.Pending));
    }

    private static IWebhookEndpointGrain Endpoint(IGrainFactory grains, string webhookId) => WebhookEndpointGrains.Of(grains, webhookId);
}
