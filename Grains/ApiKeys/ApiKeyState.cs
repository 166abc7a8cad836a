using Ipto.ApiKeys;

namespace Ipto.Grains.ApiKeys;

[GenerateSerializer, Alias("Ipto.ApiKeyState")]
public sealed class ApiKeyState
{
    [Id(0)] public string KeyId { get; set; } = "";
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public string CreatedBy { get; set; } = "";
    [Id(3)] public string Name { get; set; } = "";
    [Id(4)] public string SecretHash { get; set; } = "";
    [Id(5)] public List<string> Scopes { get; set; } = [];
    [Id(6)] public string DatasetAccessMode { get; set; } = DatasetAccessModes.AllAvailable;
    [Id(7)] public List<string> DatasetIds { get; set; } = [];
    [Id(8)] public SpendLimit? SpendLimit { get; set; }
    [Id(9)] public double? RateLimitPerSecond { get; set; }
    [Id(10)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(11)] public DateTimeOffset CreatedAt { get; set; }
    [Id(12)] public DateTimeOffset? RevokedAt { get; set; }
    [Id(13)] public DateTimeOffset? LastUsedAt { get; set; }
    [Id(14)] public long Version { get; set; }

    /// <summary>Set before an activation first leases the key to a node, cleared when it deactivates after every holder forgot it.</summary>
    [Id(15)] public bool LeasesGranted { get; set; }

    public string StatusAt(DateTimeOffset now) => Status(RevokedAt, ExpiresAt, now);

    public static string Status(DateTimeOffset? revokedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        revokedAt is not null ? ApiKeyStatuses.Revoked
        : expiresAt is { } expires && now >= expires ? ApiKeyStatuses.Expired
        : ApiKeyStatuses.Active;
}
