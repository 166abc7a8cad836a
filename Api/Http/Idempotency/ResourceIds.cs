using System.Security.Cryptography;
using System.Text;
using Ipto.Common;
using Ipto.Idempotency;

namespace Ipto.Api.Http.Idempotency;

/// <summary>
/// Ids of the resources a request creates. Under an Idempotency-Key they derive from the key's durable seed (the
/// first attempt's time, then an HMAC of the seed per prefix and position), so every attempt asks the resource's grain
/// for the same id; without a key they are new.
/// </summary>
public static class ResourceIds
{
    private static readonly object Key = new();

    internal static void Use(HttpContext http, IdempotentIdSeed seed) => http.Items[Key] = new Source(seed);

    public static string NewId(this HttpContext http, string prefix) =>
        http.Items.TryGetValue(Key, out var value) && value is Source source ? source.Next(prefix) : Ids.New(prefix);

    private sealed class Source(IdempotentIdSeed seed)
    {
        private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);

        public string Next(string prefix)
        {
            var position = _issued.GetValueOrDefault(prefix);
            _issued[prefix] = position + 1;
            var random = HMACSHA256.HashData(seed.Seed, Encoding.UTF8.GetBytes($"{prefix}:{position}"));
            return Ids.Derived(prefix, seed.FirstStartedAt, random);
        }
    }
}
