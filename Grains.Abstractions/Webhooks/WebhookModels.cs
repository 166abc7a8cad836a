using Ipto.Datasets;
using Ipto.Objects;
using Ipto.Payouts;
using Ipto.Search;

namespace Ipto.Webhooks;

/// <summary>The events an endpoint may subscribe to (SPEC §11), the wildcard, and the test event every endpoint gets.</summary>
public static class WebhookEventTypes
{
    public const string All = "*";
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> Subscribable =
    [
        ObjectEventTypes.StatusChanged, ObjectEventTypes.ReviewDecided, DatasetEventTypes.StatusChanged,
        PayoutEventTypes.Closed, PayoutEventTypes.Released, SpendEventTypes.ThresholdReached, All,
    ];
}

public static class WebhookStatuses
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
}

public static class WebhookDeliveryStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>A webhook endpoint as its tenant sees it; the secret is never part of it.</summary>
[GenerateSerializer, Alias("Ipto.WebhookEndpointView")]
public sealed record WebhookEndpointView(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<string> EventTypes,
    [property: Id(3)] string Status,
    [property: Id(4)] string? Description,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset UpdatedAt);

/// <summary>A new endpoint with its signing secret, which is shown only in the answer to the create.</summary>
[GenerateSerializer, Alias("Ipto.CreatedWebhook")]
public sealed record CreatedWebhook([property: Id(0)] WebhookEndpointView Endpoint, [property: Id(1)] string Secret);

[GenerateSerializer, Alias("Ipto.NewWebhook")]
public sealed record NewWebhook(
    [property: Id(0)] string Url,
    [property: Id(1)] IReadOnlyList<string> EventTypes,
    [property: Id(2)] string? Description);

/// <summary>A change to an endpoint; null fields stay as they are.</summary>
[GenerateSerializer, Alias("Ipto.WebhookPatch")]
public sealed record WebhookPatch(
    [property: Id(0)] string? Url,
    [property: Id(1)] IReadOnlyList<string>? EventTypes,
    [property: Id(2)] string? Description,
    [property: Id(3)] string? Status);

/// <summary>One attempt to deliver an event, as the deliveries list shows it.</summary>
[GenerateSerializer, Alias("Ipto.WebhookAttemptView")]
public sealed record WebhookAttemptView(
    [property: Id(0)] string DeliveryId,
    [property: Id(1)] string EventId,
    [property: Id(2)] string EventType,
    [property: Id(3)] int Attempt,
    [property: Id(4)] int? StatusCode,
    [property: Id(5)] string? Error,
    [property: Id(6)] long DurationMs,
    [property: Id(7)] DateTimeOffset AttemptedAt,
    [property: Id(8)] DateTimeOffset? NextAttemptAt);

[GenerateSerializer, Alias("Ipto.RotatedWebhookSecret")]
public sealed record RotatedWebhookSecret([property: Id(0)] string WebhookId, [property: Id(1)] string Secret);
