using System.Text.Json;
using Ipto.ApiKeys;
using Ipto.Grains.Storage;

namespace Ipto.Grains.ApiKeys;

/// <summary>The <c>api_keys</c> read model: written by the key grain (version-guarded), read by lists and id lookups.</summary>
public sealed class ApiKeyProjection(AppDatabase database, TimeProvider time)
{
    public Task UpsertAsync(string prefix, ApiKeyState key) =>
        new VersionedRow("api_keys", "key_id", key.KeyId, key.Version)
            .Set("prefix", prefix).Set("tenant_id", key.TenantId).Set("name", key.Name)
            .Set("scopes", JsonSerializer.Serialize(key.Scopes.ToArray(), ProjectionJson.Default.StringArray)).Set("dataset_access_mode", key.DatasetAccessMode)
            .Set("dataset_ids", JsonSerializer.Serialize(key.DatasetIds.ToArray(), ProjectionJson.Default.StringArray))
            .Set("spend_limit_micros", key.SpendLimit?.AmountMicros).Set("spend_limit_period", key.SpendLimit?.Period)
            .Set("rate_limit_per_second", key.RateLimitPerSecond).Set("expires_at", key.ExpiresAt).Set("revoked_at", key.RevokedAt)
            .Set("last_used_at", key.LastUsedAt).Set("created_by", key.CreatedBy).Set("created_at", key.CreatedAt)
            .WriteAsync(database);

    /// <summary>The prefix of a key of this tenant, or null (another tenant's key is as good as missing).</summary>
    public async Task<string?> FindPrefixAsync(string tenantId, string keyId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT prefix FROM api_keys WHERE key_id = @key_id AND tenant_id = @tenant_id")
            .With("@key_id", keyId).With("@tenant_id", tenantId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>A tenant's keys, newest first, after <paramref name="afterKeyId"/> (keyset), up to <paramref name="limit"/> rows.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string tenantId, string? afterKeyId, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command($"""
            SELECT key_id, prefix, tenant_id, name, scopes, dataset_access_mode, dataset_ids, spend_limit_micros, spend_limit_period,
                   rate_limit_per_second, expires_at, revoked_at, last_used_at, created_by, created_at
            FROM api_keys WHERE tenant_id = @tenant_id {(afterKeyId is null ? "" : "AND key_id < @after")}
            ORDER BY key_id DESC LIMIT @limit
            """)
            .With("@tenant_id", tenantId).With("@after", afterKeyId).With("@limit", limit);
        var now = time.GetUtcNow();
        var rows = new List<ApiKeyView>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var expiresAt = reader.GetUtcTimestamp(10);
            var revokedAt = reader.GetUtcTimestamp(11);
            var status = ApiKeyState.Status(revokedAt, expiresAt, now);
            rows.Add(new ApiKeyView(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                JsonSerializer.Deserialize(reader.GetString(4), ProjectionJson.Default.StringArray) ?? [], reader.GetString(5),
                JsonSerializer.Deserialize(reader.GetString(6), ProjectionJson.Default.StringArray) ?? [],
                reader.IsDBNull(7) ? null : new SpendLimit(reader.GetInt64(7), reader.GetString(8)),
                reader.IsDBNull(9) ? null : reader.GetDouble(9),
                expiresAt, status, reader.GetUtcTimestamp(14)!.Value, reader.GetString(13), reader.GetUtcTimestamp(12), revokedAt));
        }

        return rows;
    }
}
