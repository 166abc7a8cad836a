using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Ipto.Grains.Storage;

/// <summary>
/// Keys the platform creates once and every node shares (cursor signing, local presigned URLs). They live in the
/// app database, so a cluster needs no extra secret distribution; the first node to ask creates them.
/// </summary>
public sealed class PlatformSecrets(AppDatabase database)
{
    public const string CursorKey = "cursor_hmac";
    public const string LocalObjectStoreKey = "local_object_store_hmac";

    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _cache = new();

    public async Task<byte[]> GetAsync(string name)
    {
        var entry = _cache.GetOrAdd(name, n => new Lazy<Task<byte[]>>(() => LoadOrCreateAsync(n)));
        try
        {
            return await entry.Value;
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(name, entry));
            throw;
        }
    }

    private async Task<byte[]> LoadOrCreateAsync(string name)
    {
        await using var connection = await database.OpenAsync();
        await using (var insert = connection.Command(
                   "INSERT INTO platform_secrets (name, value, created_at) VALUES (@n, @v, @c) ON CONFLICT (name) DO NOTHING")
               .With("@n", name)
               .With("@v", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))
               .With("@c", DateTimeOffset.UtcNow))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var select = connection.Command("SELECT value FROM platform_secrets WHERE name = @n").With("@n", name);
        var value = (string?)await select.ExecuteScalarAsync() ?? throw new InvalidOperationException($"Secret '{name}' is missing.");
        return Convert.FromBase64String(value);
    }
}
