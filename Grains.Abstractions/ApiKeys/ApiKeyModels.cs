using Ipto.Identity;

namespace Ipto.ApiKeys;

public static class ApiKeyStatuses
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
}

public static class DatasetAccessModes
{
    public const string AllAvailable = "all_available";
    public const string AllowList = "allow_list";
}

[GenerateSerializer, Alias("Ipto.SpendLimit")]
public sealed record SpendLimit([property: Id(0)] long AmountMicros, [property: Id(1)] string Period);

[GenerateSerializer, Alias("Ipto.NewApiKey")]
public sealed record NewApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string CreatedBy,
    [property: Id(3)] string Name,
    [property: Id(4)] string SecretHash,
    [property: Id(5)] IReadOnlyList<string> Scopes,
    [property: Id(6)] string DatasetAccessMode,
    [property: Id(7)] IReadOnlyList<string> DatasetIds,
    [property: Id(8)] SpendLimit? SpendLimit,
    [property: Id(9)] double? RateLimitPerSecond,
    [property: Id(10)] DateTimeOffset? ExpiresAt);

/// <summary>A key's public view (never its secret or hash).</summary>
[GenerateSerializer, Alias("Ipto.ApiKeyView")]
public sealed record ApiKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Prefix,
    [property: Id(2)] string TenantId,
    [property: Id(3)] string Name,
    [property: Id(4)] IReadOnlyList<string> Scopes,
    [property: Id(5)] string DatasetAccessMode,
    [property: Id(6)] IReadOnlyList<string> DatasetIds,
    [property: Id(7)] SpendLimit? SpendLimit,
    [property: Id(8)] double? RateLimitPerSecond,
    [property: Id(9)] DateTimeOffset? ExpiresAt,
    [property: Id(10)] string Status,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] string CreatedBy,
    [property: Id(13)] DateTimeOffset? LastUsedAt,
    [property: Id(14)] DateTimeOffset? RevokedAt);

/// <summary>Fields a PATCH may change; null leaves a field as it is (<c>Clear…</c> sets it to none).</summary>
[GenerateSerializer, Alias("Ipto.ApiKeyPatch")]
public sealed record ApiKeyPatch(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? DatasetAccessMode,
    [property: Id(2)] IReadOnlyList<string>? DatasetIds,
    [property: Id(3)] SpendLimit? SpendLimit,
    [property: Id(4)] bool ClearSpendLimit,
    [property: Id(5)] double? RateLimitPerSecond,
    [property: Id(6)] bool ClearRateLimit);

[GenerateSerializer, Alias("Ipto.KeyLease")]
public sealed record KeyLease([property: Id(0)] KeyPrincipal Principal, [property: Id(1)] CredentialLease Lease);

[GenerateSerializer, Alias("Ipto.KeyPrincipal")]
public sealed record KeyPrincipal(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] IReadOnlyList<string> Scopes,
    [property: Id(3)] string DatasetAccessMode,
    [property: Id(4)] IReadOnlyList<string> DatasetIds,
    [property: Id(5)] RateDecision Rate,
    [property: Id(6)] SpendLimit? SpendLimit = null);

/// <summary>What a caller asks for in a new key (fields already validated for shape).</summary>
[GenerateSerializer, Alias("Ipto.ApiKeyRequest")]
public sealed record ApiKeyRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Scopes,
    [property: Id(2)] string DatasetAccessMode,
    [property: Id(3)] IReadOnlyList<string> DatasetIds,
    [property: Id(4)] SpendLimit? SpendLimit,
    [property: Id(5)] double? RateLimitPerSecond,
    [property: Id(6)] DateTimeOffset? ExpiresAt);

/// <summary>A new key's view and the full key (<c>ipto_{prefix}_{secret}</c>), shown this once.</summary>
[GenerateSerializer, Alias("Ipto.IssuedApiKey")]
public sealed record IssuedApiKey([property: Id(0)] ApiKeyView Key, [property: Id(1)] string Secret);
