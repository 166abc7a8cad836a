using Ipto.Webhooks;

namespace Ipto.Grains.Webhooks;

[GenerateSerializer, Alias("Ipto.WebhookEndpointState")]
public sealed class WebhookEndpointState
{
    [Id(0)] public string TenantId { get; set; } = "";
    [Id(1)] public string Url { get; set; } = "";
    [Id(2)] public List<string> EventTypes { get; set; } = [];
    [Id(3)] public string? Description { get; set; }
    [Id(4)] public string Status { get; set; } = WebhookStatuses.Enabled;

    /// <summary>The signing secret. It must be usable to sign, so it is kept as is (grain state only, never projected or logged).</summary>
    [Id(5)] public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, which keeps signing as a second signature until <see cref="PreviousSecretExpiresAt"/>.</summary>
    [Id(6)] public string? PreviousSecret { get; set; }
    [Id(7)] public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(10)] public bool Deleted { get; set; }
    [Id(11)] public long Version { get; set; }

    /// <summary>The secrets that sign a delivery made at <paramref name="now"/>: the current one, and the previous one for 24 h.</summary>
    public IEnumerable<string> SigningSecrets(DateTimeOffset now)
    {
        yield return Secret;
        if (PreviousSecret is not null && PreviousSecretExpiresAt > now) yield return PreviousSecret;
    }
}
